"""The KPI pages: who sees what, forms through the services, and constant query counts (the imports are in
test_imports.py)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from kpis.services import effects as effect_services
from kpis.services import feedback as feedback_services
from kpis.services import objectives as objective_services
from qms.choices import Role
from qms.models import Action, Notification
from tests.factories import ActionFactory, MembershipFactory
from tests.factories.kpis import KpiFactory, lower_is_better, measure, series
from tests.kpis.conftest import backdate, due_month, first_day, month, past_action

PAGES = ["/kpis/", "/kpis/objectives/", "/kpis/feedback/", "/kpis/effects/"]


@pytest.fixture
def english(cast):
    for user in (cast.qo_a, cast.viewer_a, cast.team_lead_a, cast.risk_owner_a):
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


@pytest.fixture
def records(cast, csat):
    """One of everything in organisation A."""
    measurement = measure(csat, month(1), "4.4")
    feedback = feedback_services.feedback_receive(
        actor=cast.qo_a, unit=cast.units.team_a1a, score=1, comment="Too slow"
    )
    objective = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.org_a, title="Happy customers", period="2026"
    )
    key_result = objective_services.key_result_create(
        actor=cast.qo_a, objective=objective, kpi=csat, baseline=Decimal(4), target=Decimal(5)
    )
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind="improvement")
    effect = effect_services.effect_create(actor=cast.qo_a, action=action, kpi=csat, expectation="back_to_green")
    return {
        "measurement": measurement,
        "feedback": feedback,
        "objective": objective,
        "key_result": key_result,
        "effect": effect,
    }


def upload(name, content):
    return SimpleUploadedFile(name, content.encode("utf-8") if isinstance(content, str) else content)


def record_paths(csat, records):
    return [
        f"/kpis/{csat.pk}/",
        f"/kpis/{csat.pk}/history/",
        f"/kpis/{csat.pk}/edit/",
        f"/kpis/{csat.pk}/measurements/add/",
        f"/kpis/measurements/{records['measurement'].pk}/correct/",
        f"/kpis/measurements/{records['measurement'].pk}/history/",
        f"/kpis/feedback/{records['feedback'].pk}/",
        f"/kpis/feedback/{records['feedback'].pk}/history/",
        f"/kpis/objectives/{records['objective'].pk}/",
        f"/kpis/objectives/{records['objective'].pk}/edit/",
        f"/kpis/objectives/{records['objective'].pk}/history/",
        f"/kpis/objectives/{records['objective'].pk}/key-results/add/",
        f"/kpis/key-results/{records['key_result'].pk}/edit/",
        f"/kpis/effects/{records['effect'].pk}/",
        f"/kpis/effects/{records['effect'].pk}/history/",
        f"/kpis/effects/{records['effect'].pk}/edit/",
    ]


# --- who sees what ---


@pytest.mark.parametrize("path", [*PAGES, "/kpis/add/", "/kpis/import/"])
def test_it_sends_anonymous_visitors_to_the_login_page(db, client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_sends_anonymous_visitors_to_the_login_page_from_every_record_and_write(client, csat, records):
    for path in record_paths(csat, records):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/"), path
    for path in [
        f"/kpis/{csat.pk}/measurements/add/",
        f"/kpis/key-results/{records['key_result'].pk}/delete/",
        f"/kpis/effects/{records['effect'].pk}/confirm/",
        "/kpis/feedback/import/",
    ]:
        response = client.post(path, {"period": month(2), "value": "1", "explanation": "x"})
        assert response.status_code == 302 and response.url.startswith("/login/"), path
    assert KpiMeasurement.objects.count() == 1 and KeyResult.objects.count() == 1


@pytest.mark.parametrize("path", PAGES)
def test_it_shows_every_page_to_a_member(cast, login, records, path):
    assert login(cast.viewer_a).get(path).status_code == 200


def test_it_shows_a_member_every_record_page(cast, login, csat, records):
    client = login(cast.qo_a)
    for path in record_paths(csat, records):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_it_answers_404_for_records_of_another_organisation(cast, login, csat, records, who):
    client = login(getattr(cast, who))
    for path in record_paths(csat, records):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/kpis/{csat.pk}/measurements/add/", {"period": month(2), "value": "1"}).status_code == 404
    assert client.post(f"/kpis/effects/{records['effect'].pk}/confirm/", {"explanation": "x"}).status_code == 404
    assert client.post(f"/kpis/key-results/{records['key_result'].pk}/delete/").status_code == 404
    assert KpiMeasurement.objects.count() == 1 and KeyResult.objects.count() == 1


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_it_lists_nothing_of_another_organisation(cast, login, csat, records, who):
    client = login(getattr(cast, who))
    assert [
        tile.kpi for tile in client.get("/kpis/").context["tiles"] if tile.kpi.organisation != cast.units.org_b
    ] == []
    assert list(client.get("/kpis/feedback/").context["table"].data) == []
    assert client.get("/kpis/objectives/").context["nodes"] == []
    assert list(client.get("/kpis/effects/").context["table"].data) == []


def test_it_forbids_a_viewer_every_write(cast, login, csat, records):
    client = login(cast.viewer_a)
    for path in [
        "/kpis/add/",
        "/kpis/defaults/",
        "/kpis/import/",
        f"/kpis/{csat.pk}/edit/",
        f"/kpis/{csat.pk}/measurements/add/",
        f"/kpis/measurements/{records['measurement'].pk}/correct/",
        "/kpis/feedback/add/",
        "/kpis/objectives/add/",
        f"/kpis/objectives/{records['objective'].pk}/key-results/add/",
        f"/kpis/objectives/{records['objective'].pk}/edit/",
        f"/kpis/key-results/{records['key_result'].pk}/edit/",
        "/kpis/effects/add/",
        f"/kpis/effects/{records['effect'].pk}/edit/",
        "/kpis/feedback/import/",
    ]:
        assert client.get(path).status_code == 403, path
    assert client.post(f"/kpis/{csat.pk}/measurements/add/", {"period": month(2), "value": "4"}).status_code == 403
    assert client.post("/kpis/feedback/add/", {"unit": cast.units.org_a.pk, "score": 1}).status_code == 403
    assert client.post(f"/kpis/key-results/{records['key_result'].pk}/delete/").status_code == 403
    assert client.post(f"/kpis/effects/{records['effect'].pk}/confirm/", {"explanation": "x"}).status_code == 403
    file = upload("feedback.csv", f"unit;score\n{cast.units.org_a.name};1\n")
    assert client.post("/kpis/feedback/import/", {"file": file}).status_code == 403
    assert KpiMeasurement.objects.count() == 1 and Feedback.objects.count() == 1 and KeyResult.objects.count() == 1
    assert client.get("/kpis/").status_code == 200 and not Kpi.objects.filter(organisation=cast.units.org_b).exists()
    content = client.get(f"/kpis/{csat.pk}/").content.decode()
    assert 'id="add-measurement"' not in content and f"/kpis/{csat.pk}/edit/" not in content


# --- the overview ---


def test_it_shows_a_tile_per_kpi_with_status_trend_and_missing_periods(english, login, csat):
    cast = english
    series(csat, month(3), ["4.5", "4.0", "3.5"])
    content = login(cast.qo_a).get("/kpis/").content.decode()
    assert content.count('data-testid="kpi-tile"') == 1
    assert "Red (not good enough)" in content
    assert '<svg class="sparkline text-danger"' in content
    assert "worse" in content
    assert "without a measurement" not in content or "period" in content


def test_a_tile_shows_a_latest_measurement_older_than_its_sparkline(english, login, csat):
    backdate(csat, days=800)
    series(csat, month(20), ["3.9", "4.4"])
    response = login(english.qo_a).get("/kpis/")
    tile = response.context["tiles"][0]
    assert (tile.latest.period, tile.latest.value, tile.latest.status, tile.values) == (
        month(19),
        Decimal("4.4"),
        "green",
        [],
    )
    assert tile.missing >= 17
    content = response.content.decode()
    assert "Green (good)" in content and "No measurement yet" not in content


def test_it_filters_the_overview_by_unit_and_category_with_htmx(cast, login, csat):
    churn = KpiFactory(
        org_unit=cast.units.team_a1a, owner=cast.qo_a, actor=cast.qo_a, category="technical", **lower_is_better()
    )
    client = login(cast.qo_a)
    by_unit = client.get(f"/kpis/?unit={cast.units.bu_a1.pk}")
    assert [tile.kpi for tile in by_unit.context["tiles"]] == [churn]
    by_category = client.get("/kpis/?category=customer", HTTP_HX_REQUEST="true")
    assert [tile.kpi for tile in by_category.context["tiles"]] == [csat]
    assert by_category.templates[0].name == "kpis/_kpi_tiles.html"


def test_it_exports_the_overview(cast, login, csat):
    measure(csat, month(1), "4.4")
    response = login(cast.qo_a).get("/kpis/?export=csv")
    assert response.status_code == 200 and "CSAT" in response.content.decode("utf-8-sig")


def test_the_overview_query_count_does_not_grow_with_kpis(cast, login, csat, count_queries):
    client = login(cast.qo_a)
    series(csat, month(13), ["4"] * 12)
    few = count_queries(client, "/kpis/")
    for index in range(47):
        kpi = KpiFactory(org_unit=cast.units.bu_a1, owner=cast.qo_a, actor=cast.qo_a, code=f"K{index}")
        series(kpi, month(13), ["4"] * 12)
    assert len(client.get("/kpis/").context["tiles"]) == 48
    assert count_queries(client, "/kpis/") == few


# --- a KPI and its measurements ---


def test_it_shows_the_chart_data_the_table_the_trend_and_the_missing_periods(english, login, csat):
    cast = english
    measure(csat, month(6), "3.5")
    measure(csat, month(4), "4.4")
    response = login(cast.qo_a).get(f"/kpis/{csat.pk}/")
    content = response.content.decode()
    # Every period is on the axis, up to the last due one: those without a measurement are gaps.
    chart = response.context["chart"]
    assert chart["periods"][:3] == [month(6), month(5), month(4)] and chart["periods"][-1] == due_month()
    assert chart["values"][:3] == [3.5, None, 4.4] and set(chart["values"][3:]) == {None}
    assert response.context["chart"]["good"] == 4.2 and response.context["chart"]["higherIsBetter"]
    assert 'id="kpi-chart-data"' in content and "chart.umd.min.js" in content and "js/kpis.js" in content
    assert 'data-testid="chart-table"' in content
    assert month(5) in [str(period) for period in response.context["missing"]]
    assert response.context["trend"].direction == "better"


def test_a_quality_officer_defines_a_kpi_through_the_form(english, login):
    cast = english
    data = {
        "org_unit": cast.units.bu_a1.pk,
        "code": "churn",
        "name": "Churn",
        "category": "customer",
        "measure_unit": "%",
        "direction": "lower_is_better",
        "frequency": "monthly",
        "owner": cast.risk_owner_a.pk,
        "target": "1",
        "good_threshold": "1.5",
        "acceptable_threshold": "3",
        "is_active": "on",
    }
    client = login(cast.qo_a)
    wrong = client.post("/kpis/add/", {**data, "acceptable_threshold": "1"})
    assert wrong.status_code == 200
    assert "When lower is better, the threshold for good enough cannot be below" in wrong.content.decode()
    assert not Kpi.objects.exists()
    response = client.post("/kpis/add/", data)
    kpi = Kpi.objects.get()
    assert response.status_code == 302 and response.url == kpi.get_absolute_url()
    assert (kpi.code, kpi.good_threshold) == ("CHURN", Decimal("1.5"))


def test_it_adds_a_measurement_and_refuses_a_second_for_the_period(english, login, csat):
    client = login(english.qo_a)
    response = client.post(f"/kpis/{csat.pk}/measurements/add/", {"period": month(1), "value": "4,3"})
    assert response.status_code == 302
    assert KpiMeasurement.objects.get().status == "green"
    again = client.post(f"/kpis/{csat.pk}/measurements/add/", {"period": month(1), "value": "3"})
    assert again.status_code == 200
    assert "correct it, with a reason, instead" in again.content.decode()
    wrong = client.post(f"/kpis/{csat.pk}/measurements/add/", {"period": "2025-Q1", "value": "3"})
    assert "measured monthly" in wrong.content.decode()
    assert KpiMeasurement.objects.get().value == Decimal("4.3")


def test_it_corrects_a_measurement_with_a_reason(english, login, csat):
    measurement = measure(csat, month(1), "3")
    client = login(english.qo_a)
    path = f"/kpis/measurements/{measurement.pk}/correct/"
    assert client.post(path, {"value": "4.5", "reason": ""}).status_code == 200
    assert client.post(path, {"value": "4.5", "reason": "Typo"}).status_code == 302
    measurement.refresh_from_db()
    assert (measurement.value, measurement.status) == (Decimal("4.5"), "green")
    history = client.get(f"/kpis/measurements/{measurement.pk}/history/").content.decode()
    assert "Typo" in history


def test_a_quality_officer_changes_the_norms_through_the_form_and_the_statuses_follow(cast, as_user, csat):
    measurement = measure(csat, month(1), "4.0")
    client = as_user(cast.qo_a)
    form = client.get(f"/kpis/{csat.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(good_threshold="3.9", acceptable_threshold="3.5", is_active="on")
    response = client.post(f"/kpis/{csat.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    measurement.refresh_from_db()
    assert measurement.status == "green"
    assert measurement.history.first().history_change_reason == "Norms changed"


def test_it_shows_the_forms_to_those_who_may_use_them(cast, login, csat, records):
    client = login(cast.risk_owner_a)
    for path in ["/kpis/import/", "/kpis/feedback/import/", "/kpis/feedback/add/", "/kpis/objectives/add/"]:
        assert client.get(path).status_code == 200, path
    client = login(cast.qo_a)
    for path in ["/kpis/add/", "/kpis/defaults/", f"/kpis/effects/add/?action={records['effect'].action_id}"]:
        assert client.get(path).status_code == 200, path


def test_it_gives_the_default_set_from_the_page(cast, login):
    response = login(cast.qo_a).post("/kpis/defaults/", {"organisation": cast.units.org_a.pk})
    assert response.status_code == 302
    assert Kpi.objects.filter(organisation=cast.units.org_a).count() == 7


# --- feedback ---


def test_low_csat_entered_in_the_form_is_in_the_team_leads_actions_at_once(cast, login):
    response = login(cast.qo_a).post(
        "/kpis/feedback/add/",
        {"unit": cast.units.team_a1a.pk, "channel": "phone", "category": "service", "score": "2", "comment": "Slow"},
    )
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response.url == feedback.get_absolute_url()
    assert feedback.flagged and feedback.assigned_to == cast.team_lead_a
    actions = login(cast.team_lead_a).get("/actions/").context["table"].data
    assert [action.pk for action in actions] == [feedback.follow_up_id]
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="action_assigned").count() == 1


def test_the_feedback_list_shows_proposed_escalations(english, login):
    cast = english
    for _index in range(3):
        feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.bu_a1, score=1, category="invoicing")
    content = login(cast.qo_a).get("/kpis/feedback/").content.decode()
    assert 'data-testid="escalations"' in content and "Recurring feedback on invoicing in Business unit A1" in content


# --- objectives and effects ---


def test_the_goal_tree_shows_progress_and_missing_smart_properties(english, login, csat):
    cast = english
    parent = objective_services.objective_create(
        actor=cast.qo_a,
        unit=cast.units.org_a,
        title="Loyal customers",
        period="2026",
        specific="CSAT to 4.5",
        achievable="Done by others",
        relevant="Churn follows CSAT",
    )
    child = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.team_a1a, title="Faster answers", period="2026", parent=parent
    )
    objective_services.key_result_create(
        actor=cast.qo_a, objective=parent, kpi=csat, baseline=Decimal(4), target=Decimal(5)
    )
    measure(csat, month(1), "4.5")
    response = login(cast.qo_a).get("/kpis/objectives/")
    nodes = response.context["nodes"]
    assert [(node.objective, node.depth, node.progress) for node in nodes] == [
        (parent, 0, Decimal("50.0")),
        (child, 1, None),
    ]
    content = response.content.decode()
    assert "missing: Time-bound: a deadline" in content
    assert "missing: Measurable" in content


def test_it_adds_a_key_result_and_an_objective_through_the_forms(cast, login, csat):
    client = login(cast.qo_a)
    response = client.post(
        "/kpis/objectives/add/", {"unit": cast.units.org_a.pk, "title": "Loyal customers", "period": "2026"}
    )
    objective = Objective.objects.get()
    assert response.status_code == 302
    response = client.post(
        f"/kpis/objectives/{objective.pk}/key-results/add/",
        {"kpi": csat.pk, "baseline": "4", "target": "3", "weight": "1"},
    )
    assert response.status_code == 200  # aims the wrong way
    response = client.post(
        f"/kpis/objectives/{objective.pk}/key-results/add/",
        {"kpi": csat.pk, "baseline": "4", "target": "5", "weight": "2"},
    )
    assert response.status_code == 302 and objective.key_results.get().weight == Decimal(2)


def test_it_changes_an_objective_and_its_key_results_through_the_forms(cast, as_user, csat, records):
    client = as_user(cast.qo_a)
    objective, key_result = records["objective"], records["key_result"]
    response = client.post(
        f"/kpis/objectives/{objective.pk}/edit/",
        {"title": "Loyal customers", "period": "2026", "specific": "CSAT to 4.5", "deadline": "2026-12-31"},
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.specific, objective.unit) == ("Loyal customers", "CSAT to 4.5", cast.units.org_a)
    response = client.post(
        f"/kpis/key-results/{key_result.pk}/edit/", {"kpi": csat.pk, "baseline": "4", "target": "4.8", "weight": "2"}
    )
    assert response.status_code == 302
    key_result.refresh_from_db()
    assert (key_result.target, key_result.weight) == (Decimal("4.8"), Decimal(2))
    # Removing asks first: a post without the confirmation removes nothing.
    assert "Yes, remove this key result" in client.get(f"/kpis/key-results/{key_result.pk}/delete/").content.decode()
    assert client.post(f"/kpis/key-results/{key_result.pk}/delete/").status_code == 200
    assert KeyResult.objects.exists()
    assert client.post(f"/kpis/key-results/{key_result.pk}/delete/", {"confirm": "on"}).status_code == 302
    assert not KeyResult.objects.exists()


def test_it_changes_an_intended_effect_until_it_is_measured(english, login, csat, records):
    cast = english
    effect = records["effect"]
    client = login(cast.qo_a)
    # The action was made today and is due within weeks: the windows are held to it.
    data = {
        "kpi": csat.pk,
        "expectation": "change",
        "expected_change": "0.3",
        "baseline_from": month(8),
        "baseline_to": month(6),
        "evaluation_from": month(-2),
        "evaluation_to": month(-4),
    }
    assert client.post(f"/kpis/effects/{effect.pk}/edit/", data).status_code == 302
    effect.refresh_from_db()
    assert (effect.expected_change, effect.baseline_from) == (Decimal("0.3"), month(8))
    IntendedEffect.objects.filter(pk=effect.pk).update(verdict="partly")
    assert client.get(f"/kpis/effects/{effect.pk}/edit/").status_code == 403
    owner = login(cast.risk_owner_a)
    response = owner.post(f"/kpis/effects/{effect.pk}/confirm/", {"explanation": ""}, follow=True)
    assert "Explain why the effect was not (fully) reached." in response.content.decode()
    effect.refresh_from_db()
    assert effect.confirmed_at is None


def test_it_states_an_intended_effect_and_shows_the_verdict(english, login, csat):
    cast = english
    action = past_action(
        first_day(month(5)),
        first_day(month(5)),
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        kind="improvement",
        created_by=cast.qo_a,
    )
    client = login(cast.qo_a)
    response = client.post(
        f"/kpis/effects/add/?action={action.pk}",
        {
            "action": action.pk,
            "kpi": csat.pk,
            "expectation": "change",
            "expected_change": "0.5",
            "baseline_from": month(8),
            "baseline_to": month(6),
            "evaluation_from": month(4),
            "evaluation_to": month(2),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    effect = IntendedEffect.objects.get()
    series(csat, month(8), ["3.8", "3.8", "3.8", "4", "4.4", "4.4", "4.4"])
    effect_services.sweep_effects(today=effect.evaluate_after + datetime.timedelta(days=1))
    content = login(cast.risk_owner_a).get(effect.get_absolute_url()).content.decode()
    assert "Effect reached" in content and 'action="/kpis/effects/' in content
    # The windows compared are stated on the page, with the means measured in them.
    assert f"{month(8)} – {month(6)}" in content and f"{month(4)} – {month(2)}" in content
    assert "3.8" in content and "4.4" in content
    confirmed = login(cast.risk_owner_a).post(f"/kpis/effects/{effect.pk}/confirm/", {"explanation": ""})
    assert confirmed.status_code == 302
    effect.refresh_from_db()
    assert effect.confirmed_by == cast.risk_owner_a
    assert Action.objects.filter(kind="follow_up").count() == 0


# --- the default set for a new organisation ---


def test_opening_the_overview_writes_nothing(cast, login):
    for who in (cast.qo_a, cast.admin_a, cast.member_b):
        assert login(who).get("/kpis/").status_code == 200
    assert not Kpi.objects.exists()


def test_an_organisation_created_on_its_page_has_the_default_set_owned_by_its_creator(cast, login):
    MembershipFactory(user=cast.group_mgmt, unit=cast.units.group, role=Role.ADMINISTRATOR)
    response = login(cast.group_mgmt).post(
        "/units/add/", {"name": "Organisation C", "kind": "organisation", "parent": cast.units.group.pk}
    )
    assert response.status_code == 302
    kpis = Kpi.objects.filter(organisation__name="Organisation C")
    assert sorted(kpis.values_list("code", flat=True)) == sorted(
        ["UPTIME", "DEFECTS", "ENPS", "WORKLOAD", "PNPS", "CSAT", "CHURN"]
    )
    assert set(kpis.values_list("owner", flat=True)) == {cast.group_mgmt.pk}


def test_a_quality_officer_adds_the_default_set_to_an_organisation_made_before(cast, login):
    response = login(cast.qo_a).post("/kpis/defaults/", {"organisation": cast.units.org_a.pk})
    assert response.status_code == 302
    assert Kpi.objects.filter(organisation=cast.units.org_a, owner=cast.qo_a).count() == 7
    # Only organisations where they configure KPIs are offered.
    form = login(cast.qo_a).get("/kpis/defaults/").context["form"]
    assert list(form.fields["organisation"].queryset) == [cast.units.org_a]


# --- exports ---


def read_export(response):
    if response["Content-Type"].startswith("text/csv"):
        return response.content.decode("utf-8-sig")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(
        ",".join(str(cell) for cell in row if cell is not None) for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_hold_what_the_user_may_see_and_nothing_else(cast, login, csat, records, fmt):
    KpiFactory(org_unit=cast.units.org_b, owner=cast.member_b, actor=cast.member_b, code="BONLY", name="B only")
    feedback_services.feedback_receive(actor=cast.member_b, unit=cast.units.bu_b1, score=5, comment="Comment of B")
    action_b = ActionFactory(unit=cast.units.bu_b1, owner=cast.member_b, kind="improvement", title="Action of B")
    effect_services.effect_create(
        actor=cast.member_b, action=action_b, kpi=Kpi.objects.get(code="BONLY"), expectation="back_to_green"
    )
    client = login(cast.qo_a)
    kpis = read_export(client.get(f"/kpis/?export={fmt}"))
    assert "CSAT" in kpis and "BONLY" not in kpis
    feedback = read_export(client.get(f"/kpis/feedback/?export={fmt}"))
    assert "Too slow" in feedback and "Comment of B" not in feedback
    effects = read_export(client.get(f"/kpis/effects/?export={fmt}"))
    assert records["effect"].action.title in effects and "Action of B" not in effects
    other = read_export(login(cast.member_b).get(f"/kpis/feedback/?export={fmt}"))
    assert "Comment of B" in other and "Too slow" not in other


def test_an_export_follows_the_filters(cast, login, csat):
    feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.bu_a1, score=5, comment="All fine")
    feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.bu_a1, score=1, comment="Too slow")
    content = read_export(login(cast.qo_a).get("/kpis/feedback/?flagged=true&export=csv"))
    assert "Too slow" in content and "All fine" not in content


# --- which measures worked, per unit ---


def test_the_effect_report_counts_the_verdicts_per_unit_and_follows_the_filters(english, login, csat):
    cast = english
    effects = []
    for unit in (cast.units.bu_a1, cast.units.bu_a1, cast.units.bu_a1, cast.units.team_a1a):
        action = ActionFactory(unit=unit, owner=cast.risk_owner_a, kind="improvement")
        effects.append(
            effect_services.effect_create(actor=cast.qo_a, action=action, kpi=csat, expectation="back_to_green")
        )
    for effect, verdict in zip(effects, ["reached", "reached", "not_reached"], strict=False):
        IntendedEffect.objects.filter(pk=effect.pk).update(verdict=verdict)
    client = login(cast.qo_a)
    response = client.get("/kpis/effects/")
    assert [
        (row.unit, row.reached, row.partly, row.not_reached, row.pending) for row in response.context["per_unit"]
    ] == [
        (cast.units.bu_a1, 2, 0, 1, 0),
        (cast.units.team_a1a, 0, 0, 0, 1),
    ]
    assert "Which measures worked, per unit" in response.content.decode()
    filtered = client.get("/kpis/effects/?verdict=reached", HTTP_HX_REQUEST="true")
    assert [(row.unit, row.reached) for row in filtered.context["per_unit"]] == [(cast.units.bu_a1, 2)]
    assert 'hx-swap-oob="true"' in filtered.content.decode()
    assert login(cast.member_b).get("/kpis/effects/").context["per_unit"] == []


# --- measurements: the period suggested, the way to the correction ---


def test_the_add_form_suggests_a_period_that_has_no_measurement_yet(english, login, csat):
    cast = english
    backdate(csat)
    measure(csat, due_month(), "4.4")
    client = login(cast.qo_a)
    suggested = client.get(f"/kpis/{csat.pk}/").context["measurement_form"].initial["period"]
    assert suggested != due_month() and not KpiMeasurement.objects.filter(kpi=csat, period=suggested).exists()
    assert client.get(f"/kpis/{csat.pk}/measurements/add/").context["form"].initial["period"] == suggested
    asked = client.get(f"/kpis/{csat.pk}/measurements/add/?period={month(3)}")
    assert asked.context["form"].initial["period"] == month(3)


def test_a_duplicate_links_to_the_correction_and_writes_the_value_the_dutch_way(cast, login, csat):
    measurement = measure(csat, month(1), "4.5")
    response = login(cast.qo_a).post(f"/kpis/{csat.pk}/measurements/add/", {"period": month(1), "value": "3"})
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="correction-hint"' in content
    assert f'href="/kpis/measurements/{measurement.pk}/correct/"' in content
    assert "(4,5)" in content and "4.5" not in content
    assert KpiMeasurement.objects.get().value == Decimal("4.5")


def test_add_titles_start_with_a_capital_in_dutch(cast, login):
    client = login(cast.qo_a)
    assert client.get("/kpis/objectives/add/").context["title"] == "Doelstelling toevoegen"
    assert client.get("/kpis/effects/add/").context["title"] == "Beoogd effect toevoegen"


def test_the_kpi_form_explains_the_thresholds_in_both_directions(english, login):
    content = login(english.qo_a).get("/kpis/add/").content.decode()
    assert "for a lower-is-better KPI, green means at or below this value" in content


# --- objectives: removing a key result, the roll-up, the deadline ---


def test_removing_a_key_result_asks_first_and_only_who_manages_the_objective_may(cast, login, csat, records):
    key_result = records["key_result"]
    path = f"/kpis/key-results/{key_result.pk}/delete/"
    assert login(cast.viewer_a).get(path).status_code == 403
    assert login(cast.member_b).get(path).status_code == 404
    client = login(cast.qo_a)
    objective_page = client.get(f"/kpis/objectives/{records['objective'].pk}/").content.decode()
    assert f'href="{path}"' in objective_page and f'action="{path}"' not in objective_page
    assert client.get(path).status_code == 200
    assert client.post(path, {}).status_code == 200 and KeyResult.objects.exists()
    assert client.post(path, {"confirm": "on"}).url == records["objective"].get_absolute_url()
    assert not KeyResult.objects.exists()


def test_the_goal_tree_says_when_progress_comes_from_sub_objectives(english, login, csat):
    cast = english
    top = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.org_a, title="Loyal customers", period="2026"
    )
    child = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.bu_a1, title="Faster answers", period="2026", parent=top
    )
    objective_services.key_result_create(
        actor=cast.qo_a, objective=child, kpi=csat, baseline=Decimal(4), target=Decimal(5)
    )
    measure(csat, month(1), "4.5")
    client = login(cast.qo_a)
    response = client.get("/kpis/objectives/")
    assert [(node.objective, node.progress) for node in response.context["nodes"]] == [
        (top, Decimal("50.0")),
        (child, Decimal("50.0")),
    ]
    assert response.content.decode().count('data-testid="rolled-up"') == 1
    assert "from sub-objectives" in client.get(top.get_absolute_url()).content.decode()


def test_an_objective_form_refuses_a_deadline_in_the_past(english, login):
    response = login(english.qo_a).post(
        "/kpis/objectives/add/",
        {"unit": english.units.org_a.pk, "title": "Late", "period": "2020", "deadline": "2020-12-31"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == ["The deadline cannot be in the past."]
    assert not Objective.objects.exists()


# --- effects: the windows, the unmeasurable, the confirmation, the action's page ---


def test_the_effect_form_refuses_windows_before_the_action(english, login, csat, records):
    action = ActionFactory(unit=english.units.bu_a1, owner=english.risk_owner_a, kind="improvement")
    response = login(english.qo_a).post(
        "/kpis/effects/add/",
        {
            "action": action.pk,
            "kpi": csat.pk,
            "expectation": "back_to_green",
            "baseline_from": month(3),
            "baseline_to": month(0),
            "evaluation_from": month(2),
            "evaluation_to": month(1),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "situation before the action" in errors["baseline_to"][0]
    assert not IntendedEffect.objects.filter(action=action).exists()


def test_it_warns_when_the_baseline_window_has_no_measurements(english, login, csat):
    cast = english
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind="improvement")
    client = login(cast.qo_a)
    data = {"action": action.pk, "kpi": csat.pk, "expectation": "back_to_green"}
    response = client.post("/kpis/effects/add/", data, follow=True)
    assert "no measurements in the baseline window" in response.content.decode()
    assert 'data-testid="baseline-empty"' in response.content.decode()
    effect = IntendedEffect.objects.get()
    measure(csat, effect.baseline_to, "4")
    assert 'data-testid="baseline-empty"' not in client.get(effect.get_absolute_url()).content.decode()


def test_the_effect_page_says_why_an_effect_cannot_be_measured(english, login, csat):
    cast = english
    action = past_action(
        first_day(month(8)), first_day(month(7)), unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind="improvement"
    )
    effect = effect_services.effect_create(actor=cast.qo_a, action=action, kpi=csat, expectation="back_to_green")
    series(csat, effect.evaluation_from, ["4", "4", "4"])
    client = login(cast.risk_owner_a)
    assert effect_services.sweep_effects(today=timezone.localdate()) == 1
    content = client.get(effect.get_absolute_url()).content.decode()
    assert "Cannot be measured" in content
    assert f"no measurements in the baseline window ({effect.baseline_from} – {effect.baseline_to})" in content
    effects = client.get("/kpis/effects/")
    assert [(row.unit, row.not_measurable) for row in effects.context["per_unit"]] == [(cast.units.bu_a1, 1)]


def test_only_the_owner_or_a_quality_officer_sees_the_confirmation_and_it_says_on_whose_behalf(
    english, login, csat, records
):
    cast = english
    effect = records["effect"]
    IntendedEffect.objects.filter(pk=effect.pk).update(verdict="reached", evaluated_at=timezone.now())
    assert 'action="/kpis/effects/' not in login(cast.admin_a).get(effect.get_absolute_url()).content.decode()
    assert login(cast.admin_a).post(f"/kpis/effects/{effect.pk}/confirm/", {"explanation": ""}).status_code == 403
    client = login(cast.qo_a)
    assert 'action="/kpis/effects/' in client.get(effect.get_absolute_url()).content.decode()
    assert client.post(f"/kpis/effects/{effect.pk}/confirm/", {"explanation": ""}).status_code == 302
    content = client.get(effect.get_absolute_url()).content.decode()
    assert f"on behalf of {cast.risk_owner_a}" in content and 'action="/kpis/effects/' not in content
    again = login(cast.risk_owner_a).post(f"/kpis/effects/{effect.pk}/confirm/", {"explanation": ""}, follow=True)
    assert "The verdict was confirmed already" in again.content.decode()


def test_the_action_page_shows_the_intended_effect_or_offers_to_state_it(english, login, csat, records):
    cast = english
    effect = records["effect"]
    content = login(cast.risk_owner_a).get(f"/actions/{effect.action_id}/").content.decode()
    assert 'data-testid="action-effect"' in content and f'href="{effect.get_absolute_url()}"' in content
    assert "Not measured yet" in content
    bare = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind="improvement", created_by=cast.qo_a)
    offer = f'href="/kpis/effects/add/?action={bare.pk}"'
    assert offer in login(cast.qo_a).get(f"/actions/{bare.pk}/").content.decode()
    assert offer in login(cast.risk_owner_a).get(f"/actions/{bare.pk}/").content.decode()
    viewer = login(cast.viewer_a).get(f"/actions/{bare.pk}/").content.decode()
    assert offer not in viewer and "No intended effect stated." in viewer
    general = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind="general")
    assert 'data-testid="action-effect"' not in login(cast.qo_a).get(f"/actions/{general.pk}/").content.decode()
    assert login(cast.member_b).get(f"/actions/{bare.pk}/").status_code == 404


# --- recurring feedback: the decision ---


@pytest.fixture
def proposal(cast):
    for _index in range(3):
        feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.team_a1a, score=1, category="invoicing")
    return FeedbackEscalation.objects.get()


def test_the_escalation_page_is_for_its_organisation_only(cast, client, login, proposal):
    path = proposal.get_absolute_url()
    assert client.get(path).url.startswith("/login/")
    assert client.post(f"{path}decide/", {"status": "escalated"}).url.startswith("/login/")
    for who in ("member_b", "outsider"):
        assert login(getattr(cast, who)).get(path).status_code == 404
        assert login(getattr(cast, who)).post(f"{path}decide/", {"status": "escalated"}).status_code == 404
    assert login(cast.qo_a).get(f"{path}history/").status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_team_lead_sees_the_escalation_but_does_not_decide(cast, login, proposal):
    client = login(cast.team_lead_a)
    content = client.get(proposal.get_absolute_url()).content.decode()
    assert proposal.items.first().get_absolute_url() in content and 'value="dismissed"' not in content
    assert client.post(f"{proposal.get_absolute_url()}decide/", {"status": "escalated"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_quality_officer_dismisses_with_a_reason_or_escalates_from_the_page(english, login, proposal):
    client = login(english.qo_a)
    listing = client.get("/kpis/feedback/").content.decode()
    assert f'href="{proposal.get_absolute_url()}"' in listing
    path = f"{proposal.get_absolute_url()}decide/"
    refused = client.post(path, {"status": "dismissed", "note": ""})
    assert refused.status_code == 200 and "Say why the escalation is dismissed." in refused.content.decode()
    assert client.post(path, {"status": "dismissed", "note": "A one-off price change"}).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_note) == (
        "dismissed",
        english.qo_a,
        "A one-off price change",
    )
    content = client.get(proposal.get_absolute_url()).content.decode()
    assert "A one-off price change" in content and 'value="escalated"' not in content
    assert 'data-testid="escalations"' not in client.get("/kpis/feedback/").content.decode()
