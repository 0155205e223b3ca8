"""The imports of KPI measurements and customer feedback on the shared pipeline (qms.imports): each row
through the single-row service, all or nothing, a report per row, and the pipeline's limits."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from kpis.imports import feedback_import
from kpis.models import Feedback, FeedbackEscalation, KpiMeasurement
from qms.choices import Role
from qms.imports import Row
from qms.models import Action, Notification
from tests.factories import MembershipFactory
from tests.factories.kpis import KpiFactory, lower_is_better, measure
from tests.kpis.conftest import month

MEASUREMENTS = "/kpis/import/"
FEEDBACK = "/kpis/feedback/import/"


def upload(name, content):
    return SimpleUploadedFile(name, content.encode("utf-8") if isinstance(content, str) else content)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_measurements(client, cast, content, name="values.csv"):
    return client.post(MEASUREMENTS, {"organisation": cast.units.org_a.pk, "file": upload(name, content)})


def reported(response) -> dict[int, list[tuple[str, str]]]:
    """The report of a refused import: each bad row's number and its (column, message) pairs."""
    assert response.status_code == 200
    return {error.row: error.messages for error in response.context["result"].errors}


# --- measurements ---


def test_it_imports_a_csv_file(cast, login, csat):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="CHURN", **lower_is_better())
    content = f"kpi;period;value;note\ncsat;{month(2)};4,3;\nCHURN;{month(2)};2;survey\n"
    response = import_measurements(login(cast.qo_a), cast, content)
    assert response.status_code == 302
    assert sorted(KpiMeasurement.objects.values_list("kpi__code", "status")) == [("CHURN", "amber"), ("CSAT", "green")]
    assert churn.measurements.get().note == "survey"


def test_it_imports_nothing_when_one_row_is_wrong_and_reports_each_bad_row(cast, as_user, csat):
    measure(csat, month(3), "4")
    content = (
        "kpi,period,value\n"
        f"CSAT,{month(1)},4.4\n"
        f"CSAT,{month(2)},lots\n"
        f"NOPE,{month(2)},1\n"
        f"CSAT,{month(3)},4.1\n"
        f"CSAT,2025-Q1,4\n"
    )
    response = import_measurements(as_user(cast.qo_a), cast, content)
    assert list(reported(response)) == [3, 4, 5, 6]
    assert [column for column, _message in reported(response)[4]] == ["kpi"]
    page = response.content.decode()
    assert 'data-testid="import-report"' in page and '<th scope="col">Row</th>' in page
    assert "Nothing was imported: 4 of 5 rows have a problem." in page
    assert "No KPI with code NOPE here." in page and "correct it" in page and "measured monthly" in page
    assert KpiMeasurement.objects.count() == 1


def test_it_imports_an_xlsx_file_whose_periods_became_dates(cast, login, csat):
    first = datetime.date.fromisoformat(f"{month(2)}-01")
    content = xlsx([["KPI", "Periode", "Waarde"], ["CSAT", first, 4.25], ["CSAT", month(1), "3.9"]])
    response = import_measurements(login(cast.qo_a), cast, content, "values.xlsx")
    assert response.status_code == 302
    assert list(KpiMeasurement.objects.order_by("period_start").values_list("value", "status")) == [
        (Decimal("4.25"), "green"),
        (Decimal("3.9"), "amber"),
    ]


def test_it_refuses_a_file_without_the_columns(cast, as_user, csat):
    response = import_measurements(as_user(cast.qo_a), cast, "a,b\n1,2\n")
    assert response.status_code == 200 and "must name the columns" in response.content.decode()
    assert "file" in response.context["form"].errors


def test_it_refuses_a_file_with_a_header_and_no_rows(cast, as_user, csat):
    response = import_measurements(as_user(cast.qo_a), cast, "kpi,period,value\n")
    assert response.context["form"].errors["file"] == ["The file has no rows to import."]


def test_it_imports_a_csv_file_with_cr_only_line_endings(cast, login, csat):
    # Old Excel for Mac ends lines with CR only.
    response = import_measurements(
        login(cast.qo_a), cast, f"kpi;period;value\rCSAT;{month(2)};4,3\rCSAT;{month(1)};4\r"
    )
    assert response.status_code == 302
    assert KpiMeasurement.objects.count() == 2


def test_it_says_which_row_repeats_a_kpi_and_period_of_the_same_file(cast, as_user, csat):
    content = f"kpi,period,value\nCSAT,{month(1)},4\nCSAT,{month(2)},4\ncsat,{month(1)},4.5\n"
    assert reported(import_measurements(as_user(cast.qo_a), cast, content)) == {
        4: [("period", "Row 2 has a value for this KPI and period too.")]
    }
    assert not KpiMeasurement.objects.exists()


@pytest.mark.parametrize(("frequency", "period"), [("monthly", "0000-01"), ("quarterly", "0000-Q1")])
def test_a_period_in_year_0_is_an_error_on_its_row(cast, as_user, frequency, period):
    KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="K0", frequency=frequency)
    response = import_measurements(as_user(cast.qo_a), cast, f"kpi,period,value\nK0,{period},4\n")
    assert reported(response) == {2: [("period", "Give a period from 2000 to 2100.")]}
    assert not KpiMeasurement.objects.exists()


def test_a_note_of_a_megabyte_is_an_error_on_its_row(cast, as_user, csat):
    content = xlsx([["kpi", "period", "value", "note"], ["CSAT", month(1), 4, "x" * 1_000_000], ["CSAT", month(2), 4]])
    errors = reported(import_measurements(as_user(cast.qo_a), cast, content, "values.xlsx"))
    assert list(errors) == [2] and errors[2][0][0] == "note" and "at most 2000 characters" in errors[2][0][1]
    assert not KpiMeasurement.objects.exists()


def test_a_csv_note_of_a_megabyte_is_refused_on_its_row(cast, as_user, csat):
    content = f"kpi,period,value,note\nCSAT,{month(1)},4,{'x' * 1_000_000}\n"
    response = import_measurements(as_user(cast.qo_a), cast, content)
    [error] = response.context["result"].errors
    assert error.row == 2 and [column for column, _message in error.messages] == ["note"]
    assert not KpiMeasurement.objects.exists()


def test_a_file_over_the_row_limit_is_refused_and_saves_nothing(cast, as_user, csat, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = "kpi,period,value\n" + "".join(f"CSAT,{month(back)},4\n" for back in range(1, 5))
    response = import_measurements(as_user(cast.qo_a), cast, content)
    assert response.context["form"].errors["file"] == ["At most 3 rows can be imported at once."]
    assert not KpiMeasurement.objects.exists()
    assert "At most 3 rows" in as_user(cast.qo_a).get(MEASUREMENTS).content.decode()


def test_a_file_over_the_size_limit_is_refused_and_saves_nothing(cast, as_user, csat, settings):
    settings.IMPORT_MAX_BYTES = 100
    content = "kpi,period,value,note\n" + f"CSAT,{month(1)},4,{'x' * 200}\n"
    response = import_measurements(as_user(cast.qo_a), cast, content)
    assert "at most 100" in response.context["form"].errors["file"][0]
    assert not KpiMeasurement.objects.exists()


def test_a_kpi_the_person_may_not_measure_is_an_error_on_its_row(cast, as_user, csat):
    # A viewer of the organisation who leads a team: sees CSAT, measures only the team's KPI.
    MembershipFactory(user=cast.viewer_a, unit=cast.units.team_a1a, role=Role.TEAM_LEAD)
    team = KpiFactory(org_unit=cast.units.team_a1a, owner=cast.team_lead_a, actor=cast.qo_a, code="TEAM")
    content = f"kpi,period,value\nTEAM,{month(1)},4\nCSAT,{month(1)},4\n"
    response = import_measurements(as_user(cast.viewer_a), cast, content)
    assert reported(response) == {3: [("", f"You cannot enter measurements of {csat}.")]}
    assert not team.measurements.exists() and not KpiMeasurement.objects.exists()


# --- feedback ---


def test_it_imports_feedback_and_flags_low_scores_for_the_team_lead_at_once(cast, login):
    type(cast.units.team_a1a).objects.filter(pk=cast.units.team_a1a.pk).update(code="A1A-SD")
    content = (
        "eenheid;kanaal;categorie;score;negatief;opmerking;ontvangen;klantreferentie\n"
        f"a1a-sd;phone;service;2;;Slow answer;{timezone.localdate() - datetime.timedelta(days=1):%Y-%m-%d} 08:30;T-1\n"
        ";E-mail;Invoicing;5;nee;;;T-2\n"
        f"{cast.units.bu_a1.name.upper()};survey;delivery;;ja;Late again;;T-3\n"
    )
    response = login(cast.qo_a).post(FEEDBACK, {"unit": cast.units.bu_a1.pk, "file": upload("feedback.csv", content)})
    assert response.status_code == 302 and response.url == "/kpis/feedback/"
    items = {item.customer_reference: item for item in Feedback.objects.all()}
    assert (items["T-1"].unit, items["T-1"].channel, items["T-1"].flag_reason) == (
        cast.units.team_a1a,
        "phone",
        "low_score",
    )
    assert (items["T-2"].unit, items["T-2"].channel, items["T-2"].category, items["T-2"].flagged) == (
        cast.units.bu_a1,
        "email",
        "invoicing",
        False,
    )
    assert (items["T-3"].flag_reason, items["T-3"].assigned_to) == ("negative", cast.qo_a)
    assert timezone.localtime(items["T-1"].received_at).hour == 8
    actions = login(cast.team_lead_a).get("/actions/").context["table"].data
    assert [action.pk for action in actions] == [items["T-1"].follow_up_id]
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="action_assigned").count() == 1


def test_it_imports_no_feedback_when_one_row_is_wrong_and_reports_each_bad_row(cast, as_user):
    content = (
        "unit,channel,category,score,negative,comment,received_at\n"
        "Team A1a,survey,service,1,,Fine row,\n"
        "Team A1a,survey,service,7,,,\n"
        "Nowhere,survey,service,3,,,\n"
        "Team A1a,fax,service,3,,,\n"
        "Team A1a,survey,service,3,maybe,,\n"
        "Team A1a,survey,service,3,,,yesterday\n"
        "Team A1a,survey,service,,,,\n"
        "Team A1a,survey,service,4.5,,,\n"
    )
    response = as_user(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.csv", content)})
    assert list(reported(response)) == [3, 4, 5, 6, 7, 8, 9]
    page = response.content.decode()
    assert "Nothing was imported: 7 of 8 rows have a problem." in page
    for message in [
        "No unit Nowhere here.",
        "Unknown channel fax",
        "Give yes or no, not maybe.",
        "yesterday is not a date",
        "Give a CSAT score or a comment.",
        "4.5 is not a whole number.",
    ]:
        assert message in page, message
    assert not Feedback.objects.exists() and not Action.objects.exists()
    assert not Notification.objects.filter(verb="action_assigned").exists()


def test_recurring_feedback_in_one_file_proposes_one_escalation_whatever_the_order_of_the_rows(cast, login):
    today = timezone.localdate()
    content = "unit;category;score;received_at\n" + "".join(
        f"Team A1a;product;1;{today - datetime.timedelta(days=days):%d-%m-%Y}\n" for days in (1, 40, 3, 2)
    )
    response = login(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.csv", content)})
    assert response.status_code == 302
    escalation = FeedbackEscalation.objects.get()
    assert escalation.items.count() == 3
    assert Notification.objects.filter(verb="feedback_recurring", recipient=cast.qo_a).count() == 1


def test_the_report_keeps_the_file_order_when_rows_are_taken_in_the_order_they_came_in(cast, as_user):
    today = timezone.localdate()
    content = (
        "unit;score;received_at\n"
        f"Nowhere;1;{today:%d-%m-%Y}\n"
        f"Team A1a;9;{today - datetime.timedelta(days=5):%d-%m-%Y}\n"
        f"Team A1a;2;{today - datetime.timedelta(days=9):%d-%m-%Y}\n"
    )
    response = as_user(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.csv", content)})
    assert list(reported(response)) == [2, 3]


def test_a_unit_the_person_may_only_read_is_an_error_on_its_row(cast, as_user):
    MembershipFactory(user=cast.viewer_a, unit=cast.units.team_a1a, role=Role.TEAM_LEAD)
    content = f"unit;score\nTeam A1a;4\n{cast.units.bu_a1.name};1\n"
    response = as_user(cast.viewer_a).post(FEEDBACK, {"file": upload("feedback.csv", content)})
    errors = reported(response)
    assert list(errors) == [3] and "You cannot register feedback for" in errors[3][0][1]
    assert "You cannot register feedback for" in response.content.decode()
    assert not Feedback.objects.exists()


def test_it_refuses_a_feedback_file_to_outsiders_and_names_no_unknown_units(cast, login, as_user):
    response = login(cast.outsider).post(FEEDBACK, {"file": upload("feedback.csv", "unit;score\nOrganisation A;4\n")})
    assert response.status_code == 403
    MembershipFactory(user=cast.member_b, unit=cast.units.bu_b1, role=Role.TEAM_LEAD)
    response = as_user(cast.member_b).post(FEEDBACK, {"file": upload("feedback.csv", "unit;score\nTeam A1a;4\n")})
    assert response.status_code == 200 and "No unit Team A1a here." in response.content.decode()
    assert not Feedback.objects.exists()


def test_it_imports_a_feedback_csv_with_cr_only_line_endings(cast, login):
    response = login(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.csv", "unit;score\rTeam A1a;4\rTeam A1a;5\r")})
    assert response.status_code == 302
    assert Feedback.objects.count() == 2


def test_a_comment_of_a_megabyte_is_an_error_on_its_row(cast, as_user):
    content = xlsx([["unit", "score", "comment"], ["Team A1a", 4, "x" * 1_000_000]])
    errors = reported(as_user(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.xlsx", content)}))
    assert list(errors) == [2] and errors[2][0][0] == "comment" and "at most 5000 characters" in errors[2][0][1]
    assert not Feedback.objects.exists()


def test_a_feedback_file_over_the_row_limit_is_refused_and_saves_nothing(cast, as_user, settings):
    settings.IMPORT_MAX_ROWS = 2
    content = "unit;score\n" + "Team A1a;4\n" * 3
    response = as_user(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.csv", content)})
    assert response.context["form"].errors["file"] == ["At most 2 rows can be imported at once."]
    assert not Feedback.objects.exists()


def test_a_date_at_the_end_of_the_calendar_is_an_error_on_its_row(cast, as_user):
    content = "unit;score;received_at\nTeam A1a;4;0001-01-01\nTeam A1a;4;9999-12-31 23:59\n"
    errors = reported(as_user(cast.qo_a).post(FEEDBACK, {"file": upload("feedback.csv", content)}))
    assert list(errors) == [2, 3]
    assert not Feedback.objects.exists()


# --- the feedback importer itself (what feedback_receive_many did) ---


def feedback_rows(*items) -> list[Row]:
    return [
        Row(line=line, cells={"unit": "Team A1a", "category": "product", **item})
        for line, item in enumerate(items, start=2)
    ]


def test_it_receives_the_rows_in_the_order_they_came_in_so_recurring_problems_add_up(cast):
    now = timezone.localtime()
    result = feedback_import(
        actor=cast.qo_a,
        rows=feedback_rows(
            {"score": "1", "received_at": now - datetime.timedelta(days=1)},
            {"score": "1", "received_at": now - datetime.timedelta(days=3)},
            {"score": "5", "received_at": now - datetime.timedelta(days=4)},
            {"score": "2", "received_at": now - datetime.timedelta(days=2)},
        ),
    )
    assert result.ok and result.created == 4
    escalation = FeedbackEscalation.objects.get()
    assert sorted(item.score for item in escalation.items.all()) == [1, 1, 2]
    assert Action.objects.filter(owner=cast.team_lead_a).count() == 3


def test_it_receives_none_when_one_row_is_wrong_and_reports_each_bad_row(cast):
    result = feedback_import(
        actor=cast.qo_a,
        rows=[
            *feedback_rows({"score": "1"}, {"score": "6"}, {"score": "", "comment": ""}),
            Row(line=5, cells={"unit": "X", "score": "1"}),
        ],
    )
    assert [(error.row, [column for column, _message in error.messages]) for error in result.errors] == [
        (3, ["score"]),
        (4, ["score"]),
        (5, ["unit"]),
    ]
    assert not Feedback.objects.exists() and not Action.objects.exists() and not Notification.objects.exists()


def test_a_row_for_a_unit_the_actor_may_not_register_for_is_refused_with_the_rest(cast):
    result = feedback_import(
        actor=cast.team_lead_a,
        rows=[*feedback_rows({"score": "1"}), Row(line=3, cells={"unit": cast.units.bu_a1.name, "score": "1"})],
    )
    assert [error.row for error in result.errors] == [3] and result.created == 0
    assert not Feedback.objects.exists() and not Action.objects.exists()
