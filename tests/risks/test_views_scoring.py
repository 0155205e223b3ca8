"""The monthly risk score's pages: who sees and changes what, the month grid and its correction, the
areas as one edit, the investigations and the dashboards (issue 4; the import: test_imports_scoring.py)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qms.models import Action, Course, TrainingAssignment
from qms.periods import month_shift
from risks.choices import InvestigationStatus, MonthStatus
from risks.forms.scoring import plain_number
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea
from risks.models.scoring import TRAINING_FORMULA
from risks.services import scoring as services

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = month_shift(THIS_MONTH, -1)
TWO_AGO = month_shift(THIS_MONTH, -2)
NEXT_MONTH = month_shift(THIS_MONTH, 1)
ALL_90 = {"legal": 90, "security": 90, "sustainability": 90, "supplier": 90, "financial": 90}
IN_A_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def label(month) -> str:
    return month.strftime("%Y-%m")


@pytest.fixture
def org(cast):
    """Organisation A with the default areas; the security area is owned by the risk owner, who works in
    a business unit below the organisation (and so does not see the organisation's scores)."""
    services.areas_ensure_defaults(organisation=cast.units.org_a)
    ScoreArea.objects.filter(organisation=cast.units.org_a, code="security").update(owner=cast.risk_owner_a)
    return cast.units.org_a


@pytest.fixture
def trained(cast, org):
    """Everyone who must follow the course completed it: the derived training area scores 100."""
    course = Course.objects.create(organisation=org, title="Security awareness")
    for year in {TWO_AGO.year, LAST_MONTH.year}:
        TrainingAssignment.objects.create(
            course=course, user=cast.qo_a, year=year, completed_on=TWO_AGO if year == TWO_AGO.year else None
        )
    return course


def enter(cast, org, month, **scores):
    return services.scores_enter(actor=cast.qo_a, organisation=org, month=month, scores={**ALL_90, **scores})


def grid(month_scores=None, **extra):
    """The month grid's POST data."""
    data = {f"area_{code}": value for code, value in {**ALL_90, **(month_scores or {})}.items()}
    data.update({"vasp_level": "", "visp_level": ""})
    data.update(extra)
    return data


@pytest.fixture
def dropped(cast, org, trained):
    """Two closed months in which the security score dropped from 90 to 80: one investigation."""
    enter(cast, org, TWO_AGO)
    services.monthly_run(month=TWO_AGO)
    enter(cast, org, LAST_MONTH, security=80)
    services.monthly_run(month=LAST_MONTH)
    return Investigation.objects.get()


def areas_data(org, **changes):
    """The areas page's formset POST data, with ``changes`` per area code ({code: {field: value}})."""
    areas = list(ScoreArea.objects.filter(organisation=org).order_by("position", "id"))
    data = {
        "areas-TOTAL_FORMS": str(len(areas) + 1),
        "areas-INITIAL_FORMS": str(len(areas)),
        "areas-MIN_NUM_FORMS": "0",
        "areas-MAX_NUM_FORMS": "1000",
    }
    for index, area in enumerate(areas):
        row = {
            "name": area.name,
            "weight": plain_number(area.weight),
            "owner": str(area.owner_id or ""),
            "description": area.description,
            "source": area.source,
            "is_active": "on" if area.is_active else "",
        }
        row.update(changes.get(area.code, {}))
        for name, value in row.items():
            if value != "":
                data[f"areas-{index}-{name}"] = value
    data[f"areas-{len(areas)}-source"] = "manual"
    data[f"areas-{len(areas)}-is_active"] = "on"
    return data


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# --- who may see and do what -------------------------------------------------------------------


def org_paths(org, investigation):
    return [
        f"/risks/scores/{org.pk}/",
        f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/",
        f"/risks/scores/{org.pk}/areas/",
        f"/risks/scores/{org.pk}/import/",
        f"/risks/scores/{org.pk}/import/template.csv",
        f"/risks/scores/investigations/{investigation.pk}/",
        f"/risks/scores/investigations/{investigation.pk}/history/",
        f"/risks/scores/investigations/{investigation.pk}/reassign/",
    ]


def test_it_sends_anonymous_visitors_to_the_login_page(cast, client, org, dropped):
    paths = [
        "/risks/scores/",
        "/risks/scores/investigations/",
        f"/risks/scores/group/{cast.units.group.pk}/",
        *org_paths(org, dropped),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    posts = [
        f"/risks/scores/{org.pk}/{label(THIS_MONTH)}/",
        f"/risks/scores/{org.pk}/areas/",
        f"/risks/scores/{org.pk}/import/",
        f"/risks/scores/investigations/{dropped.pk}/steps/add/",
        f"/risks/scores/investigations/{dropped.pk}/close/",
        f"/risks/scores/investigations/{dropped.pk}/reassign/",
    ]
    for path in posts:
        response = client.post(path, grid())
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    assert not MonthlyScore.objects.filter(month=THIS_MONTH).exists()


@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_it_answers_404_for_the_scores_of_another_organisation(cast, as_user, org, dropped, user):
    client = as_user(getattr(cast, user))
    for path in org_paths(org, dropped):
        assert client.get(path).status_code == 404, path
    for path in [
        f"/risks/scores/{org.pk}/{label(THIS_MONTH)}/",
        f"/risks/scores/{org.pk}/areas/",
        f"/risks/scores/investigations/{dropped.pk}/steps/add/",
        f"/risks/scores/investigations/{dropped.pk}/close/",
        f"/risks/scores/investigations/{dropped.pk}/reassign/",
    ]:
        assert client.post(path, grid(cause="x", owner=cast.board_a.pk)).status_code == 404, path
    assert not MonthlyScore.objects.filter(month=THIS_MONTH).exists()
    assert dropped.steps.count() == 0


def test_it_answers_404_for_a_group_the_person_does_not_see(cast, as_user, org):
    assert as_user(cast.qo_a).get(f"/risks/scores/group/{cast.units.group.pk}/").status_code == 404
    assert as_user(cast.group_mgmt).get(f"/risks/scores/group/{cast.units.org_a.pk}/").status_code == 404


def test_it_answers_404_for_a_malformed_month(cast, as_user, org):
    client = as_user(cast.qo_a)
    for month in ["2026-13", "january", "26-01", "0001-01", "9999-12", "2101-01"]:
        assert client.get(f"/risks/scores/{org.pk}/{month}/").status_code == 404, month
    first = client.get(f"/risks/scores/{org.pk}/2000-01/")
    assert first.status_code == 200 and first.context["previous_month"] is None


def test_it_lets_a_viewer_read_but_not_write(cast, as_user, org, dropped):
    client = as_user(cast.viewer_a)
    dashboard = client.get(f"/risks/scores/{org.pk}/")
    assert dashboard.status_code == 200 and b"Enter scores" not in dashboard.content
    month = client.get(f"/risks/scores/{org.pk}/{label(THIS_MONTH)}/")
    assert month.status_code == 200 and month.context["form"] is None
    assert b'data-testid="month-form"' not in month.content
    areas = client.get(f"/risks/scores/{org.pk}/areas/")
    assert areas.status_code == 200 and "formset" not in areas.context
    assert b'data-testid="areas-table"' in areas.content
    detail = client.get(f"/risks/scores/investigations/{dropped.pk}/")
    assert detail.context["step_form"] is None and detail.context["close_form"] is None

    assert client.post(f"/risks/scores/{org.pk}/{label(THIS_MONTH)}/", grid()).status_code == 403
    assert client.post(f"/risks/scores/{org.pk}/areas/", areas_data(org)).status_code == 403
    assert client.get(f"/risks/scores/{org.pk}/import/").status_code == 403
    csv_file = upload("scores.csv", f"month,area,score\n{label(THIS_MONTH)},legal,50\n")
    assert client.post(f"/risks/scores/{org.pk}/import/", {"file": csv_file}).status_code == 403
    step = {"title": "Look", "owner": cast.viewer_a.pk, "due_date": IN_A_WEEK}
    assert client.post(f"/risks/scores/investigations/{dropped.pk}/steps/add/", step).status_code == 403
    assert client.post(f"/risks/scores/investigations/{dropped.pk}/close/", {"cause": "x"}).status_code == 403
    reassign = {"owner": cast.board_a.pk}
    assert client.post(f"/risks/scores/investigations/{dropped.pk}/reassign/", reassign).status_code == 403
    assert detail.context["reassign_form"] is None
    assert not MonthlyScore.objects.filter(month=THIS_MONTH).exists()
    assert dropped.steps.count() == 0
    dropped.refresh_from_db()
    assert dropped.owner == cast.risk_owner_a


def test_it_shows_an_area_owner_outside_the_organisation_their_own_investigation_only(cast, as_user, org, dropped):
    client = as_user(cast.risk_owner_a)
    assert client.get(f"/risks/scores/{org.pk}/").status_code == 404
    response = client.get(f"/risks/scores/investigations/{dropped.pk}/")
    assert response.status_code == 200
    assert response.context["step_form"] is not None and response.context["close_form"] is not None
    listed = client.get("/risks/scores/investigations/")
    assert [row.record for row in listed.context["table"].rows] == [dropped]


# --- the index ---------------------------------------------------------------------------------


def test_the_index_shows_each_organisation_with_its_latest_total_and_change(cast, as_user, org, dropped):
    MonthlyScore.objects.filter(organisation=org, month=LAST_MONTH).update(vasp_level="gold", visp_level="platinum")
    response = as_user(cast.qo_a).get("/risks/scores/")
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row["organisation"], row["latest"].month, row["latest"].total, row["change"]) == (
        org,
        LAST_MONTH,
        Decimal("88.0"),
        Decimal("-2.5"),
    )
    assert row["open_investigations"] == 1
    html = response.content.decode()
    assert "88.0" in html and "-2.5" in html and "Gold" in html and "Platinum" in html
    assert f'href="/risks/scores/{org.pk}/"' in html
    assert 'href="/risks/scores/"' in html  # the risks sub-navigation's "Risk score"
    assert 'data-testid="group-link"' not in html


def test_the_index_links_group_management_to_the_group_comparison(cast, as_user, org):
    response = as_user(cast.group_mgmt).get("/risks/scores/")
    assert {row["organisation"] for row in response.context["rows"]} == {cast.units.org_a, cast.units.org_b}
    assert f'href="/risks/scores/group/{cast.units.group.pk}/"' in response.content.decode()


def test_the_index_is_empty_for_someone_who_sees_no_organisation(cast, as_user, org):
    response = as_user(cast.team_lead_a).get("/risks/scores/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert b'data-testid="empty-state"' in response.content


# --- the month grid ----------------------------------------------------------------------------


def test_it_enters_a_month_in_the_grid_and_shows_the_total(cast, as_user, org, trained):
    client = as_user(cast.qo_a)
    page = client.get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    assert "area_legal" in page.context["form"].fields
    response = client.post(
        f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/", grid({"legal": "80.5"}, vasp_level="gold", visp_level="")
    )
    assert response.status_code == 302 and response["Location"] == f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/"
    monthly = MonthlyScore.objects.get(organisation=org, month=LAST_MONTH)
    # 80.5*.25 + 90*.70 + 100*.05 = 88.125
    assert (monthly.total, monthly.vasp_level) == (Decimal("88.1"), "gold")
    shown = client.get(response["Location"])
    assert b"88.1" in shown.content and b"The scores of" in shown.content


def test_a_month_with_an_area_left_empty_is_incomplete_and_names_it(cast, as_user, org, trained):
    client = as_user(cast.qo_a)
    data = grid()
    del data["area_financial"]
    client.post(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/", data)
    response = client.get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    assert [area.code for area in response.context["missing"]] == ["financial"]
    assert "missing Financial reporting" in response.content.decode()


def test_a_bad_score_re_renders_the_grid_with_the_message_and_saves_nothing(cast, as_user, org):
    client = as_user(cast.qo_a)
    response = client.post(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/", grid({"legal": "101", "security": "50.25"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["area_legal"] == ["Ensure this value is less than or equal to 100."]
    assert "area_security" in form.errors
    assert not MonthlyScore.objects.exists() and not AreaScore.objects.exists()


def test_a_month_in_the_future_is_refused_with_a_clear_message(cast, as_user, org):
    client = as_user(cast.qo_a)
    page = client.get(f"/risks/scores/{org.pk}/{label(NEXT_MONTH)}/")
    assert page.status_code == 200 and page.context["form"] is None
    assert b"Scores cannot be entered for a month in the future." in page.content
    response = client.post(f"/risks/scores/{org.pk}/{label(NEXT_MONTH)}/", grid())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Scores cannot be entered for a month in the future."]
    assert not MonthlyScore.objects.exists()


def test_the_training_area_shows_its_computed_score_and_formula_not_an_input(cast, as_user, org, trained):
    response = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    assert "area_training" not in response.context["form"].fields
    [row] = [row for row in response.context["rows"] if row["area"].code == "training"]
    assert row["derived"] and row["derived_now"] == Decimal("100.0")
    assert str(TRAINING_FORMULA) in response.content.decode()


def test_the_month_picker_goes_to_the_chosen_month(cast, as_user, org):
    client = as_user(cast.qo_a)
    response = client.get(f"/risks/scores/{org.pk}/{label(THIS_MONTH)}/", {"go": label(TWO_AGO)})
    assert response.status_code == 302 and response["Location"] == f"/risks/scores/{org.pk}/{label(TWO_AGO)}/"
    page = client.get(f"/risks/scores/{org.pk}/{label(THIS_MONTH)}/")
    assert page.context["next_month"] is None and page.context["previous_month"] == label(LAST_MONTH)


def test_a_closed_month_is_read_only_and_its_correction_needs_a_reason(cast, as_user, org, dropped):
    client = as_user(cast.qo_a)
    path = f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/"
    page = client.get(path)
    assert page.context["is_closed"] and b'data-testid="correct-form"' in page.content
    assert b'data-testid="month-form"' not in page.content
    assert "reason" in page.context["form"].fields

    response = client.post(path, grid({"security": "85"}, reason=""))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Say why the closed month is corrected."]
    assert AreaScore.objects.get(monthly__month=LAST_MONTH, area__code="security").score == 80

    response = client.post(path, grid({"security": "85"}, reason="Typo in the group's file"))
    assert response.status_code == 302
    assert AreaScore.objects.get(monthly__month=LAST_MONTH, area__code="security").score == 85
    assert AreaScore.history.filter(history_change_reason="Typo in the group's file").exists()
    assert MonthlyScore.objects.get(organisation=org, month=LAST_MONTH).status == MonthStatus.CLOSED


# --- from the UI to one investigation ----------------------------------------------------------


def test_two_months_entered_in_the_ui_with_a_drop_give_exactly_one_investigation(cast, as_user, org, trained):
    client = as_user(cast.qo_a)
    assert client.post(f"/risks/scores/{org.pk}/{label(TWO_AGO)}/", grid()).status_code == 302
    assert client.post(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/", grid({"security": "80"})).status_code == 302
    services.monthly_run(month=TWO_AGO)
    services.monthly_run(month=LAST_MONTH)
    services.monthly_run(month=LAST_MONTH)  # again: changes nothing

    response = client.get(f"/risks/scores/{org.pk}/")
    investigations = response.context["investigations"]
    assert [(item.area.code, item.owner) for item in investigations] == [("security", cast.risk_owner_a)]
    assert response.content.decode().count("data-investigation=") == 1
    # 90*.95 + 100*.05 = 90.5; then 90*.70 + 80*.25 + 100*.05 = 88.0
    totals = {row["monthly"].month: row["monthly"].total for row in response.context["rows"]}
    assert totals == {TWO_AGO: Decimal("90.5"), LAST_MONTH: Decimal("88.0")}


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_trend_contributions_drops_and_levels(cast, as_user, org, dropped):
    MonthlyScore.objects.filter(organisation=org, month=LAST_MONTH).update(vasp_level="gold", visp_level="platinum")
    response = as_user(cast.board_a).get(f"/risks/scores/{org.pk}/")
    assert response.status_code == 200
    context = response.context
    assert context["chart"]["labels"] == [label(TWO_AGO), label(LAST_MONTH)]
    assert context["chart"]["datasets"][0]["data"] == [90.5, 88.0]
    security = next(item for item in context["chart"]["datasets"] if item["label"] == "Security")
    assert security["data"] == [90.0, 80.0]
    contributions = {score.area.code: score.contribution for score in context["contributions"]}
    assert contributions["security"] == Decimal("20.0") and contributions["training"] == Decimal("5.0")
    html = response.content.decode()
    assert 'id="score-trend-data"' in html and "chart.umd.min.js" in html
    assert '<table class="table table-sm score-table mb-0" data-testid="trend-table">' in html
    assert "<caption" in html and "Platinum" in html
    assert f'href="/risks/scores/investigations/{dropped.pk}/"' in html


def test_the_dashboard_lists_incomplete_months_with_the_missing_areas(cast, as_user, org):
    services.scores_enter(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"legal": 80})
    response = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/")
    [row] = response.context["incomplete"]
    assert {area.code for area in row["missing"]} == {"security", "sustainability", "training", "supplier", "financial"}
    assert b'data-testid="incomplete"' in response.content


def test_the_dashboard_says_when_there_are_no_scores_yet(cast, as_user, org):
    response = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/")
    assert response.status_code == 200 and b'data-testid="empty-state"' in response.content
    assert b"chart.umd.min.js" not in response.content


# --- the areas ---------------------------------------------------------------------------------


def test_it_changes_the_weights_as_one_edit(cast, as_user, org):
    response = as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/areas/",
        areas_data(org, legal={"weight": "20"}, security={"weight": "30", "owner": str(cast.board_a.pk)}),
    )
    assert response.status_code == 302
    weights = dict(ScoreArea.objects.filter(organisation=org).values_list("code", "weight"))
    assert (weights["legal"], weights["security"]) == (20, 30)
    assert ScoreArea.objects.get(organisation=org, code="security").owner == cast.board_a


def test_weights_that_do_not_add_up_to_100_re_render_with_the_message_and_change_nothing(cast, as_user, org):
    response = as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/areas/", areas_data(org, legal={"weight": "20"}, financial={"name": "Money"})
    )
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["The weights of the active areas add up to 95%, not 100%."]
    assert b"add up to 95%, not 100%" in response.content
    area = ScoreArea.objects.get(organisation=org, code="legal")
    assert area.weight == 25 and ScoreArea.objects.get(organisation=org, code="financial").name == "Financial reporting"


def test_it_adds_an_area_in_the_empty_row_and_keeps_the_codes_of_existing_ones(cast, as_user, org):
    data = areas_data(org, legal={"weight": "20", "code": "renamed"})
    data.update({"areas-6-code": "privacy", "areas-6-name": "Privacy", "areas-6-weight": "5"})
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/areas/", data)
    assert response.status_code == 302
    codes = list(ScoreArea.objects.filter(organisation=org, is_active=True).values_list("code", flat=True))
    assert "privacy" in codes and "legal" in codes and "renamed" not in codes


def test_an_owner_from_elsewhere_cannot_be_chosen(cast, as_user, org):
    response = as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/areas/", areas_data(org, legal={"owner": str(cast.member_b.pk)})
    )
    assert response.status_code == 200 and response.context["formset"].forms[0].errors["owner"]
    assert ScoreArea.objects.get(organisation=org, code="legal").owner is None


# --- investigations ----------------------------------------------------------------------------


def test_the_investigation_list_filters_and_exports(cast, as_user, org, dropped):
    client = as_user(cast.qo_a)
    rows = lambda response: [row.record for row in response.context["table"].rows]  # noqa: E731
    assert rows(client.get("/risks/scores/investigations/", {"organisation": org.pk, "area": "security"})) == [dropped]
    assert rows(client.get("/risks/scores/investigations/", {"status": "closed"})) == []
    assert rows(client.get("/risks/scores/investigations/", {"overdue": "true"})) == []
    assert rows(client.get("/risks/scores/investigations/", {"owner": cast.risk_owner_a.pk})) == [dropped]
    export = client.get("/risks/scores/investigations/", {"export": "csv"})
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[1][:5] == ["Security", "Organisation A", label(LAST_MONTH), "90.0", "80.0"]


def test_the_investigation_list_shows_an_overdue_one(cast, as_user, org, dropped):
    Investigation.objects.filter(pk=dropped.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    response = as_user(cast.qo_a).get("/risks/scores/investigations/", {"overdue": "true"})
    assert [row.record for row in response.context["table"].rows] == [dropped]
    assert '<span class="text-danger fw-semibold">' in response.content.decode()


def test_the_investigation_list_costs_the_same_queries_for_1_or_20_rows(cast, as_user, org):
    area = ScoreArea.objects.get(organisation=org, code="legal")

    def add(months):
        for index in months:
            Investigation.objects.create(
                organisation=org,
                area=area,
                month=month_shift(LAST_MONTH, -index),
                previous_score=90,
                score=80,
                owner=cast.qo_a,
                due_date=timezone.localdate(),
            )

    client = as_user(cast.qo_a)

    def queries(rows):
        with CaptureQueriesContext(connection) as context:
            response = client.get("/risks/scores/investigations/")
        assert len(response.context["table"].rows) == rows
        return len(context)

    add(range(1))
    client.get("/risks/scores/investigations/")  # warm the session
    one = queries(1)
    add(range(1, 20))
    assert queries(20) == one


def test_the_investigation_page_shows_the_drop_plan_and_follow_up(cast, as_user, org, dropped):
    services.scores_enter(actor=cast.qo_a, organisation=org, month=THIS_MONTH, scores={**ALL_90, "security": 92})
    response = as_user(cast.qo_a).get(f"/risks/scores/investigations/{dropped.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="from">90.0<' in html and 'data-testid="to">80.0<' in html
    assert response.context["follow_up"]["recovered"] is True
    assert 'data-testid="recovered"' in html
    assert b"Only the owner" in response.content  # the quality officer does not close it
    assert response.context["step_form"] is not None and response.context["close_form"] is None


def test_it_adds_a_step_and_re_renders_the_form_on_a_bad_due_date(cast, as_user, org, dropped):
    client = as_user(cast.qo_a)
    path = f"/risks/scores/investigations/{dropped.pk}/steps/add/"
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(path, {"title": "Patch", "owner": cast.risk_owner_a.pk, "due_date": yesterday})
    assert response.status_code == 200
    assert response.context["step_form"].errors["due_date"] == ["The due date cannot be in the past."]
    assert dropped.steps.count() == 0
    response = client.post(path, {"title": "Patch", "owner": cast.risk_owner_a.pk, "due_date": IN_A_WEEK})
    assert response.status_code == 302
    step = Action.objects.for_source(dropped).get()
    assert (step.title, step.owner) == ("Patch", cast.risk_owner_a)
    page = client.get(f"/risks/scores/investigations/{dropped.pk}/")
    assert b'data-testid="steps"' in page.content and b"Patch" in page.content


def test_closing_needs_a_plan_and_a_cause_and_only_the_owner_closes(cast, as_user, org, dropped):
    path = f"/risks/scores/investigations/{dropped.pk}/close/"
    assert as_user(cast.qo_a).post(path, {"cause": "Backlog"}).status_code == 403
    client = as_user(cast.risk_owner_a)
    response = client.post(path, {"cause": "Backlog"})
    assert response.status_code == 200
    assert response.context["close_form"].non_field_errors() == [
        "Plan at least one specific step to undo the drop before closing."
    ]
    client.post(
        f"/risks/scores/investigations/{dropped.pk}/steps/add/",
        {"title": "Clear the backlog", "owner": cast.risk_owner_a.pk, "due_date": IN_A_WEEK},
    )
    response = client.post(path, {"cause": " "})
    assert response.context["close_form"].errors["cause"] == ["Record the cause of the drop."]
    response = client.post(path, {"cause": "Patch backlog after a migration"})
    assert response.status_code == 302
    dropped.refresh_from_db()
    assert (dropped.status, dropped.cause) == (InvestigationStatus.CLOSED, "Patch backlog after a migration")
    page = client.get(f"/risks/scores/investigations/{dropped.pk}/")
    assert page.context["close_form"] is None and page.context["step_form"] is None


def test_the_investigation_has_a_history_tab(cast, as_user, org, dropped):
    response = as_user(cast.qo_a).get(f"/risks/scores/investigations/{dropped.pk}/history/")
    assert response.status_code == 200 and response.context["tab"] == "history"
    assert b'data-testid="history"' in response.content


# --- the group ---------------------------------------------------------------------------------


def test_the_group_comparison_shows_the_organisations_side_by_side(cast, as_user, org, dropped):
    services.areas_ensure_defaults(organisation=cast.units.org_b)
    response = as_user(cast.group_mgmt).get(f"/risks/scores/group/{cast.units.group.pk}/")
    assert response.status_code == 200
    entries = {entry["organisation"]: entry for entry in response.context["comparison"]["organisations"]}
    assert set(entries) == {cast.units.org_a, cast.units.org_b}
    assert entries[cast.units.org_a]["latest"]["latest"].total == Decimal("88.0")
    assert entries[cast.units.org_b]["latest"] is None
    chart = response.context["chart"]
    assert len(chart["labels"]) == 12 and chart["labels"][-1] == label(LAST_MONTH)
    series = {item["label"]: item["data"] for item in chart["datasets"]}
    assert series["Organisation A"][-2:] == [90.5, 88.0] and series["Organisation B"] == [None] * 12
    assert b'data-testid="group-table"' in response.content and b"<caption" in response.content


# --- corrections, weights, training data, language (the acceptance review of issue 4) ----------


def test_the_month_page_the_api_and_the_closed_month_agree_after_weights_change(cast, as_user, api, org, trained):
    client = as_user(cast.qo_a)
    client.post(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/", grid({"legal": "50"}))
    client.post(f"/risks/scores/{org.pk}/areas/", areas_data(org, legal={"weight": "45"}, financial={"weight": "5"}))
    page = client.get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    weights = {row["area"].code: row["weight"] for row in page.context["rows"]}
    assert (weights["legal"], weights["financial"]) == (45, 5)
    # 50*.45 + 90*.50 + 100*.05 = 72.5
    assert page.context["monthly"].total == Decimal("72.5")
    monthly = MonthlyScore.objects.get()
    assert api(cast.qo_a).get(f"/api/v1/risk-scores/{monthly.pk}/").json()["total"] == "72.5"
    services.monthly_run(month=LAST_MONTH)
    monthly.refresh_from_db()
    assert monthly.total == Decimal("72.5")


def test_a_deactivated_area_shows_it_does_not_count_in_an_open_month(cast, as_user, org, trained):
    enter(cast, org, LAST_MONTH, supplier=10)
    as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/areas/", areas_data(org, supplier={"is_active": ""}, legal={"weight": "30"})
    )
    page = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    [row] = [row for row in page.context["rows"] if row["area"].code == "supplier"]
    assert row["weight"] == 0 and b"(does not count)" in page.content
    assert page.context["monthly"].total == Decimal("90.5")  # 90*.95 + 100*.05


def test_an_incomplete_closed_month_is_completed_in_the_correction_form(cast, as_user, org, trained):
    services.monthly_run(month=LAST_MONTH)
    client = as_user(cast.qo_a)
    path = f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/"
    page = client.get(path)
    assert page.context["is_closed"] and page.context["monthly"].total is None
    response = client.post(path, grid(reason="The group's file came late"))
    assert response.status_code == 302, response.context["form"].errors
    monthly = MonthlyScore.objects.get()
    # The training area had no score: the correction computes it (100), the month is complete.
    assert (monthly.status, monthly.total) == (MonthStatus.CLOSED, Decimal("90.5"))


def test_a_correction_recomputes_the_training_area_only_when_asked(cast, as_user, org, trained, dropped):
    TrainingAssignment.objects.update(completed_on=None)  # the completions were recorded by mistake
    client = as_user(cast.qo_a)
    path = f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/"
    page = client.get(path)
    assert "recompute_derived" in page.context["form"].fields and b'name="recompute_derived"' in page.content
    client.post(path, grid({"security": "80"}, reason="Levels"))
    training = AreaScore.objects.get(monthly__month=LAST_MONTH, area__code="training")
    assert training.score == 100
    client.post(path, grid({"security": "80"}, reason="Completions were wrong", recompute_derived="on"))
    training.refresh_from_db()
    assert training.score == 0


def test_a_correction_that_removes_the_drop_withdraws_the_investigation_on_its_page(cast, as_user, org, dropped):
    client = as_user(cast.qo_a)
    client.post(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/", grid({"security": "95"}, reason="It was 95"))
    dropped.refresh_from_db()
    assert dropped.status == InvestigationStatus.WITHDRAWN
    page = as_user(cast.risk_owner_a).get(f"/risks/scores/investigations/{dropped.pk}/")
    html = page.content.decode()
    assert "Withdrawn" in html and "It was 95" in html and 'data-testid="no-drop"' in html
    assert page.context["step_form"] is None and page.context["close_form"] is None
    assert page.context["reassign_form"] is None
    dashboard = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/")
    assert dashboard.context["open_investigations"] == 0


def test_the_month_and_dashboard_explain_a_training_area_without_training_data(cast, as_user, org):
    enter(cast, org, LAST_MONTH)
    client = as_user(cast.qo_a)
    page = client.get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    explanation = (
        f"The training area has no mandatory courses with people assigned in {LAST_MONTH.year}, so its score "
        "cannot be derived: enter it by hand (it counts until there is training data), or add courses and assign "
        "them."
    )
    assert page.context["no_training_data"] and explanation in page.content.decode()
    dashboard = client.get(f"/risks/scores/{org.pk}/")
    [row] = dashboard.context["incomplete"]
    assert row["no_training_data"] == str(LAST_MONTH.year)
    assert explanation in dashboard.content.decode()


def test_a_month_with_training_data_has_no_explanation(cast, as_user, org, trained):
    services.scores_enter(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"legal": 80})
    page = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    assert not page.context["no_training_data"] and b'data-testid="training-explanation"' not in page.content


def test_english_pages_show_default_areas_and_the_formula_in_english(cast, as_user, units):
    from django.utils import translation

    with translation.override("nl"):
        services.areas_ensure_defaults(organisation=units.org_a)
        dutch_formula = str(TRAINING_FORMULA)
    client = as_user(cast.qo_a)
    page = client.get(f"/risks/scores/{units.org_a.pk}/{label(LAST_MONTH)}/").content.decode()
    assert str(TRAINING_FORMULA) in page and dutch_formula not in page
    assert "Training &amp; awareness" in page and "Training en bewustwording" not in page
    assert 'for="id_area_legal">Legal<' in page
    areas = client.get(f"/risks/scores/{units.org_a.pk}/areas/")
    assert "Financial reporting" in areas.content.decode()
    # A Dutch reader reads the same areas in Dutch.
    from qms.models import User

    User.objects.filter(pk=cast.qo_a.pk).update(language="nl")
    dutch = client.get(f"/risks/scores/{units.org_a.pk}/{label(LAST_MONTH)}/").content.decode()
    assert "Training en bewustwording" in dutch and dutch_formula in dutch


def test_the_trend_covers_calendar_months_with_gaps(cast, as_user, org):
    ScoreArea.objects.filter(organisation=org, code="training").update(source="manual")
    three_ago = month_shift(THIS_MONTH, -3)
    enter(cast, org, three_ago, training=100)
    enter(cast, org, LAST_MONTH, training=100)
    response = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/")
    chart = response.context["chart"]
    assert chart["labels"] == [label(three_ago), label(TWO_AGO), label(LAST_MONTH)]
    assert chart["datasets"][0]["data"] == [90.5, None, 90.5]
    assert [row["monthly"] is None for row in response.context["rows"]] == [False, True, False]
    assert response.content.decode().count('data-testid="trend-gap"') == 1


def test_the_trend_shows_at_most_24_calendar_months(cast, as_user, org):
    old = month_shift(LAST_MONTH, -30)
    MonthlyScore.objects.create(organisation=org, month=old)
    MonthlyScore.objects.create(organisation=org, month=LAST_MONTH)
    response = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/")
    assert len(response.context["chart"]["labels"]) == 1  # the month 30 months back is outside the window
    MonthlyScore.objects.create(organisation=org, month=month_shift(LAST_MONTH, -23))
    labels = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/").context["chart"]["labels"]
    assert len(labels) == 24 and labels[-1] == label(LAST_MONTH)


def test_a_quality_officer_reassigns_an_investigation_on_its_page(cast, as_user, org, dropped):
    client = as_user(cast.qo_a)
    page = client.get(f"/risks/scores/investigations/{dropped.pk}/")
    form = page.context["reassign_form"]
    assert cast.board_a in form.fields["owner"].queryset and cast.risk_owner_a not in form.fields["owner"].queryset
    path = f"/risks/scores/investigations/{dropped.pk}/reassign/"
    response = client.post(path, {"owner": cast.member_b.pk})
    assert response.status_code == 200 and response.context["reassign_form"].errors["owner"]
    response = client.post(path, {"owner": cast.board_a.pk, "reason": "Board's area now"})
    assert response.status_code == 302 and response["Location"] == f"/risks/scores/investigations/{dropped.pk}/"
    dropped.refresh_from_db()
    assert dropped.owner == cast.board_a


def test_an_owner_who_gives_the_investigation_away_goes_back_to_the_list(cast, as_user, org, dropped):
    client = as_user(cast.risk_owner_a)
    page = client.get(f"/risks/scores/investigations/{dropped.pk}/")
    assert cast.auditor_a in page.context["reassign_form"].fields["owner"].queryset  # their business unit's
    response = client.post(f"/risks/scores/investigations/{dropped.pk}/reassign/", {"owner": cast.auditor_a.pk})
    assert response.status_code == 302 and response["Location"] == "/risks/scores/investigations/"
    assert client.get(f"/risks/scores/investigations/{dropped.pk}/").status_code == 404


def test_the_score_pages_create_nothing_on_get(cast, as_user):
    # An organisation without areas (loaded without its defaults): the pages show it as it is.
    org = cast.units.org_a
    client = as_user(cast.qo_a)
    for path in (
        "/risks/scores/",
        f"/risks/scores/{org.pk}/",
        f"/risks/scores/{org.pk}/areas/",
        f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/",
        f"/risks/scores/{org.pk}/import/",
    ):
        assert client.get(path).status_code == 200, path
    assert not ScoreArea.objects.exists()
    assert not MonthlyScore.objects.exists()
