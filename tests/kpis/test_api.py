"""The KPI API: the same rules and errors as the services, scoped to what the caller may see, and
lists whose query count does not grow with their rows."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from kpis.services import effects as effect_services
from kpis.services import feedback as feedback_services
from kpis.services import objectives as objective_services
from qms.models import Action
from tests.factories.kpis import KpiFactory, lower_is_better, measure, series
from tests.kpis.conftest import first_day, month, quarter

LISTS = [
    "/api/v1/kpis/",
    "/api/v1/kpi-measurements/",
    "/api/v1/feedback/",
    "/api/v1/objectives/",
    "/api/v1/key-results/",
    "/api/v1/intended-effects/",
]


def kpi_payload(cast, **overrides):
    return {
        "code": "uptime",
        "name": "Infrastructure uptime",
        "category": "technical",
        "org_unit": cast.units.org_a.pk,
        "measure_unit": "%",
        "direction": "higher_is_better",
        "frequency": "monthly",
        "target": "99.9",
        "good_threshold": "99.9",
        "acceptable_threshold": "99.5",
        "owner": cast.qo_a.pk,
        **overrides,
    }


# --- who may do what ---


@pytest.mark.parametrize("path", LISTS)
def test_it_answers_anonymous_callers_with_401_or_403(db, api, path):
    assert api().get(path).status_code in (401, 403)


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_it_shows_another_organisation_nothing_and_404s_its_records(cast, api, csat, who):
    measurement = measure(csat, month(1), "4.4")
    feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.bu_a1, score=1)
    objective = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.org_a, title="Happy customers", period="2026"
    )
    client = api(getattr(cast, who))
    for path in LISTS:
        assert client.get(path).json()["count"] == 0, path
    for path in [
        f"/api/v1/kpis/{csat.pk}/",
        f"/api/v1/kpi-measurements/{measurement.pk}/",
        f"/api/v1/feedback/{Feedback.objects.get().pk}/",
        f"/api/v1/objectives/{objective.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/api/v1/kpi-measurements/{measurement.pk}/correct/", {"value": 1, "reason": "x"}).status_code
        == 404
    )
    response = client.post("/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(2), "value": "1"})
    assert response.status_code == 400 and "kpi" in response.json()
    assert KpiMeasurement.objects.count() == 1


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_it_404s_every_record_and_write_of_another_organisation(cast, api, csat, who):
    measurement = measure(csat, month(1), "4.4")
    objective = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.org_a, title="Happy", period="2026"
    )
    key_result = objective_services.key_result_create(
        actor=cast.qo_a, objective=objective, kpi=csat, baseline=Decimal(4), target=Decimal(5)
    )
    action = Action.objects.create(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        title="Improve",
        due_date=objective.created_at.date(),
        kind="improvement",
    )
    effect = effect_services.effect_create(actor=cast.qo_a, action=action, kpi=csat, expectation="back_to_green")
    client = api(getattr(cast, who))
    for path in [f"/api/v1/key-results/{key_result.pk}/", f"/api/v1/intended-effects/{effect.pk}/"]:
        assert client.get(path).status_code == 404, path
    assert client.patch(f"/api/v1/kpis/{csat.pk}/", {"name": "Ours"}).status_code == 404
    assert client.patch(f"/api/v1/objectives/{objective.pk}/", {"title": "Ours"}).status_code == 404
    assert client.delete(f"/api/v1/key-results/{key_result.pk}/").status_code == 404
    assert client.post(f"/api/v1/intended-effects/{effect.pk}/confirm/", {"explanation": "x"}).status_code == 404
    bulk = client.post("/api/v1/kpi-measurements/bulk/", {"period": month(2), "values": [{"kpi": csat.pk, "value": 4}]})
    assert bulk.status_code == 400 and "kpi" in bulk.json()["values"]["0"]
    defaults = client.post("/api/v1/kpis/defaults/", {"organisation": cast.units.org_a.pk})
    assert defaults.status_code == 400 and "organisation" in defaults.json()
    assert [m.pk for m in KpiMeasurement.objects.all()] == [measurement.pk] and KeyResult.objects.count() == 1
    assert Kpi.objects.get().name == "CSAT" and Objective.objects.get().title == "Happy"


def test_it_forbids_a_viewer_to_write(cast, api, csat):
    client = api(cast.viewer_a)
    assert client.get("/api/v1/kpis/").json()["count"] == 1
    assert client.post("/api/v1/kpis/", kpi_payload(cast)).status_code == 403
    assert client.patch(f"/api/v1/kpis/{csat.pk}/", {"name": "Mine now"}).status_code == 403
    assert client.post("/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(1), "value": 4}).status_code == 403
    bulk = {"period": month(1), "values": [{"kpi": csat.pk, "value": 4}]}
    assert client.post("/api/v1/kpi-measurements/bulk/", bulk).status_code == 403
    assert client.post("/api/v1/feedback/", {"unit": cast.units.org_a.pk, "score": 1}).status_code == 403
    objective = {"unit": cast.units.org_a.pk, "title": "Vague", "period": "2026"}
    assert client.post("/api/v1/objectives/", objective).status_code == 403
    assert not KpiMeasurement.objects.exists() and not Feedback.objects.exists() and not Objective.objects.exists()
    assert client.post("/api/v1/kpis/defaults/", {"organisation": cast.units.org_a.pk}).status_code == 403
    measurement = measure(csat, month(1), "4")
    correct = client.post(f"/api/v1/kpi-measurements/{measurement.pk}/correct/", {"value": "1", "reason": "Mine"})
    assert correct.status_code == 403
    owned = objective_services.objective_create(actor=cast.qo_a, unit=cast.units.org_a, title="Happy", period="2026")
    assert client.patch(f"/api/v1/objectives/{owned.pk}/", {"title": "Vague"}).status_code == 403
    key_result = {"objective": owned.pk, "kpi": csat.pk, "baseline": "4", "target": "5"}
    assert client.post("/api/v1/key-results/", key_result).status_code == 403
    created = objective_services.key_result_create(
        actor=cast.qo_a, objective=owned, kpi=csat, baseline=Decimal(4), target=Decimal(5)
    )
    assert client.delete(f"/api/v1/key-results/{created.pk}/").status_code == 403
    action = Action.objects.create(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        title="Improve",
        due_date=owned.created_at.date(),
        kind="improvement",
    )
    effect = {"action": action.pk, "kpi": csat.pk, "expectation": "back_to_green"}
    assert client.post("/api/v1/intended-effects/", effect).status_code == 403
    stated = effect_services.effect_create(actor=cast.qo_a, action=action, kpi=csat, expectation="back_to_green")
    assert client.post(f"/api/v1/intended-effects/{stated.pk}/confirm/", {"explanation": "x"}).status_code == 403
    assert KpiMeasurement.objects.get().value == Decimal(4) and KeyResult.objects.count() == 1
    assert Kpi.objects.count() == 1 and Objective.objects.get().title == "Happy"


# --- KPIs ---


def test_a_quality_officer_defines_a_kpi_with_norms(cast, api):
    response = api(cast.qo_a).post("/api/v1/kpis/", kpi_payload(cast))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["target"], body["good_threshold"], body["latest_status"]) == (
        "UPTIME",
        "99.9",
        "99.9",
        None,
    )
    assert body["organisation"]["id"] == cast.units.org_a.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"acceptable_threshold": "99.95"}, "acceptable_threshold"),
        ({"target": "99"}, "target"),
        ({"direction": "lower_is_better"}, "acceptable_threshold"),
        ({"target": "ninety"}, "target"),
        ({"frequency": "weekly"}, "frequency"),
        ({"owner": 999999}, "owner"),
    ],
)
def test_bad_kpi_input_is_a_400_with_the_field_and_changes_nothing(cast, api, change, field):
    response = api(cast.qo_a).post("/api/v1/kpis/", kpi_payload(cast, **change))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Kpi.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"acceptable_threshold": "4.4"}, "acceptable_threshold"),
        ({"target": "4"}, "target"),
        ({"direction": "lower_is_better"}, "acceptable_threshold"),
        ({"good_threshold": "lots"}, "good_threshold"),
    ],
)
def test_a_kpi_change_with_norms_in_the_wrong_order_is_a_400_and_changes_nothing(cast, api, csat, change, field):
    measurement = measure(csat, month(1), "4.3")
    response = api(cast.qo_a).patch(f"/api/v1/kpis/{csat.pk}/", change)
    assert response.status_code == 400 and field in response.json(), response.json()
    csat.refresh_from_db()
    assert (csat.direction, csat.target, csat.good_threshold, csat.acceptable_threshold) == (
        "higher_is_better",
        Decimal("4.5"),
        Decimal("4.2"),
        Decimal("3.8"),
    )
    measurement.refresh_from_db()
    assert measurement.status == "green" and csat.history.count() == 1


def test_it_refuses_a_kpi_in_a_unit_out_of_sight(cast, api):
    response = api(cast.qo_a).post("/api/v1/kpis/", kpi_payload(cast, org_unit=cast.units.org_b.pk))
    assert response.status_code == 400 and "org_unit" in response.json()


def test_it_gives_an_organisation_the_default_set_through_the_api(cast, api):
    client = api(cast.qo_a)
    response = client.post("/api/v1/kpis/defaults/", {"organisation": cast.units.org_a.pk})
    assert response.status_code == 201
    assert {row["code"] for row in response.json()} == {
        "UPTIME",
        "DEFECTS",
        "ENPS",
        "WORKLOAD",
        "PNPS",
        "CSAT",
        "CHURN",
    }
    assert client.post("/api/v1/kpis/defaults/", {"organisation": cast.units.org_a.pk}).json() == []


def test_it_filters_kpis_by_category_unit_and_latest_status(cast, api, csat):
    churn = KpiFactory(
        org_unit=cast.units.team_a1a, owner=cast.qo_a, actor=cast.qo_a, category="technical", **lower_is_better()
    )
    measure(csat, month(1), "3")
    measure(churn, month(1), "1")
    client = api(cast.qo_a)

    def codes(query):
        return [row["code"] for row in client.get(f"/api/v1/kpis/?{query}").json()["results"]]

    assert codes("category=technical") == [churn.code]
    assert codes(f"unit={cast.units.bu_a1.pk}") == [churn.code]
    assert codes("status=red") == ["CSAT"]
    assert codes("status=green") == [churn.code]


# --- measurements ---


@pytest.mark.parametrize(("value", "status"), [("4.2", "green"), ("3.8", "amber"), ("3.79", "red")])
def test_it_derives_the_status_of_a_posted_measurement(cast, api, csat, value, status):
    response = api(cast.qo_a).post(
        "/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(1), "value": value, "status": "green"}
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["value"]) == (status, value)
    assert api(cast.qo_a).get(f"/api/v1/kpis/{csat.pk}/").json()["latest_status"] == status


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"value": "abc"}, "value", "valid number"),
        ({"value": True}, "value", "valid number"),
        ({"period": quarter(1)}, "period", "measured monthly"),
        ({"period": "01-2025"}, "period", "YYYY-MM"),
        ({"kpi": 999999}, "kpi", ""),
    ],
)
def test_bad_measurement_input_is_a_400_with_the_field_and_changes_nothing(cast, api, csat, change, field, message):
    payload = {"kpi": csat.pk, "period": month(1), "value": "4.3", **change}
    response = api(cast.qo_a).post("/api/v1/kpi-measurements/", payload)
    assert response.status_code == 400
    assert field in response.json() and message in response.json()[field][0]
    assert not KpiMeasurement.objects.exists()


def test_it_refuses_a_duplicate_period_and_corrects_with_a_reason(cast, api, csat):
    client = api(cast.qo_a)
    first = client.post("/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(1), "value": "3.5"}).json()
    duplicate = client.post("/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(1), "value": "4.5"})
    assert duplicate.status_code == 400
    assert "correct it" in duplicate.json()["period"][0]
    path = f"/api/v1/kpi-measurements/{first['id']}/correct/"
    assert client.post(path, {"value": "4.5", "reason": ""}).status_code == 400
    corrected = client.post(path, {"value": "4.5", "reason": "Late survey responses"})
    assert corrected.status_code == 200
    assert (corrected.json()["value"], corrected.json()["status"]) == ("4.5", "green")
    assert KpiMeasurement.objects.get().history.count() == 2


def test_it_has_no_update_or_delete_of_measurements_but_the_correction(cast, api, csat):
    measurement = measure(csat, month(1), "4")
    client = api(cast.qo_a)
    assert client.patch(f"/api/v1/kpi-measurements/{measurement.pk}/", {"value": "1"}).status_code == 405
    assert client.delete(f"/api/v1/kpi-measurements/{measurement.pk}/").status_code == 405


def test_it_posts_many_kpis_for_one_period_in_one_request(cast, api, csat):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="CHURN", **lower_is_better())
    response = api(cast.qo_a).post(
        "/api/v1/kpi-measurements/bulk/",
        {"period": month(1), "values": [{"kpi": csat.pk, "value": "4.4"}, {"kpi": churn.pk, "value": 4}]},
    )
    assert response.status_code == 201, response.json()
    assert sorted((row["kpi"]["id"], row["status"]) for row in response.json()) == sorted(
        [(csat.pk, "green"), (churn.pk, "red")]
    )


def test_a_bulk_post_with_one_bad_value_saves_nothing_and_says_which(cast, api, csat):
    quarterly = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, frequency="quarterly")
    measure(csat, month(2), "4")
    client = api(cast.qo_a)
    response = client.post(
        "/api/v1/kpi-measurements/bulk/",
        {"period": month(1), "values": [{"kpi": csat.pk, "value": "4.4"}, {"kpi": quarterly.pk, "value": 4}]},
    )
    assert response.status_code == 400
    values = response.json()["values"]
    assert list(values) == ["1"] and "measured quarterly" in values["1"]["period"][0]
    duplicate = client.post(
        "/api/v1/kpi-measurements/bulk/", {"period": month(2), "values": [{"kpi": csat.pk, "value": "4.4"}]}
    )
    assert "correct it" in duplicate.json()["values"]["0"]["period"][0]
    typed = client.post(
        "/api/v1/kpi-measurements/bulk/",
        {"period": month(1), "values": [{"kpi": csat.pk, "value": "x"}, {"kpi": 999999, "value": 1}]},
    )
    assert typed.status_code == 400
    assert "value" in typed.json()["values"]["0"] and "kpi" in typed.json()["values"]["1"]
    assert KpiMeasurement.objects.count() == 1


def test_it_filters_measurements_by_kpi_code_period_and_status(cast, api, csat):
    series(csat, month(3), ["3", "4", "4.5"])
    client = api(cast.qo_a)
    assert client.get("/api/v1/kpi-measurements/?code=csat&status=green").json()["count"] == 1
    assert client.get(f"/api/v1/kpi-measurements/?period={month(3)}").json()["results"][0]["value"] == "3"


# --- feedback ---


def test_low_csat_posted_through_the_api_is_in_the_team_leads_actions_at_once(cast, api):
    response = api(cast.qo_a).post(
        "/api/v1/feedback/", {"unit": cast.units.team_a1a.pk, "channel": "survey", "score": 2, "comment": "Slow"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["flagged"], body["flag_reason"], body["assigned_to"]["id"]) == (True, "low_score", cast.team_lead_a.pk)
    mine = api(cast.team_lead_a).get("/api/v1/actions/?mine=true&open=true").json()["results"]
    assert [(row["id"], row["kind"], row["source_type"]) for row in mine] == [
        (body["follow_up"]["id"], "follow_up", "kpis.feedback")
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"score": 6}, "score"), ({"score": 0}, "score"), ({"score": "good"}, "score"), ({"comment": ""}, "score")],
)
def test_bad_feedback_is_a_400_and_changes_nothing(cast, api, payload, field):
    response = api(cast.qo_a).post("/api/v1/feedback/", {"unit": cast.units.bu_a1.pk, **payload})
    assert response.status_code == 400
    assert field in response.json()
    assert not Feedback.objects.exists() and not Action.objects.exists()


def test_good_feedback_is_not_flagged(cast, api):
    body = api(cast.qo_a).post("/api/v1/feedback/", {"unit": cast.units.bu_a1.pk, "score": 5}).json()
    assert (body["flagged"], body["assigned_to"], body["follow_up"]) == (False, None, None)


# --- objectives ---


def test_it_builds_an_objective_with_key_results_whose_progress_follows_the_kpi(cast, api, csat):
    client = api(cast.qo_a)
    objective = client.post(
        "/api/v1/objectives/",
        {"unit": cast.units.org_a.pk, "title": "Happier customers", "period": "2026", "specific": "CSAT up"},
    )
    assert objective.status_code == 201, objective.json()
    assert objective.json()["smart_missing"] == ["measurable", "achievable", "relevant", "time_bound"]
    key_result = client.post(
        "/api/v1/key-results/",
        {"objective": objective.json()["id"], "kpi": csat.pk, "baseline": "4.0", "target": "4.5"},
    )
    assert key_result.status_code == 201, key_result.json()
    measure(csat, month(1), "4.25")
    body = client.get(f"/api/v1/objectives/{objective.json()['id']}/").json()
    assert body["progress"] == "50"
    assert body["key_results"][0]["progress"] == "50" and body["key_results"][0]["current"] == "4.25"
    assert "measurable" not in body["smart_missing"]


def test_it_refuses_a_key_result_aiming_the_wrong_way(cast, api, csat):
    objective = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.org_a, title="Happy", period="2026"
    )
    response = api(cast.qo_a).post(
        "/api/v1/key-results/", {"objective": objective.pk, "kpi": csat.pk, "baseline": "4.5", "target": "4.0"}
    )
    assert response.status_code == 400 and "target" in response.json()
    assert not KeyResult.objects.exists()


# --- query counts ---


def make_rows(cast, index):
    kpi = KpiFactory(org_unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, code=f"K{index}")
    series(kpi, month(3), ["4", "4.3", "3"])
    feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.team_a1a, score=1 + index % 5)
    objective = objective_services.objective_create(
        actor=cast.qo_a, unit=cast.units.bu_a1, title=f"Objective {index}", period="2026", owner=cast.risk_owner_a
    )
    key_result = objective_services.key_result_create(
        actor=cast.qo_a, objective=objective, kpi=kpi, baseline=Decimal(3), target=Decimal(5)
    )
    action = Action.objects.create(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        title=f"Improve {index}",
        due_date=key_result.objective.created_at.date(),
        kind="improvement",
    )
    effect_services.effect_create(actor=cast.qo_a, action=action, kpi=kpi, expectation="back_to_green")


@pytest.mark.parametrize("path", LISTS)
def test_list_query_count_does_not_grow_with_rows(cast, api, path, count_queries):
    client = api(cast.qo_a)
    make_rows(cast, 0)
    few = count_queries(client, path)
    for index in range(1, 50):
        make_rows(cast, index)
    assert client.get(path).json()["count"] >= 50
    assert count_queries(client, path) == few


def test_the_measurements_of_one_kpi_take_as_many_queries_for_one_as_for_many(cast, api, csat, count_queries):
    client = api(cast.qo_a)
    measure(csat, month(1), "4")
    path = f"/api/v1/kpi-measurements/?kpi={csat.pk}&limit=50"
    one = count_queries(client, path)
    series(csat, month(61), ["4.1"] * 60)
    assert client.get(path).json()["count"] == 61
    assert count_queries(client, path) == one


def test_the_schema_is_valid_and_has_the_kpi_resources(tmp_path):
    schema_file = tmp_path / "schema.yml"
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))
    content = schema_file.read_text()
    for path in ["/api/v1/kpis/", "/api/v1/kpi-measurements/bulk/", "/api/v1/feedback/", "/api/v1/objectives/"]:
        assert f"  {path}:" in content


# --- from the acceptance review ---


def test_it_answers_400_for_effect_windows_that_do_not_fit_the_action(cast, api, csat):
    action = Action.objects.create(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        title="Improve",
        due_date=first_day(month(-2)),
        kind="improvement",
    )
    response = api(cast.qo_a).post(
        "/api/v1/intended-effects/",
        {
            "action": action.pk,
            "kpi": csat.pk,
            "expectation": "back_to_green",
            "baseline_from": month(3),
            "baseline_to": month(1),
            "evaluation_from": month(0),
            "evaluation_to": month(-1),
        },
    )
    assert response.status_code == 400
    assert "situation after the action" in response.json()["evaluation_from"][0]
    assert not IntendedEffect.objects.exists()


@pytest.fixture
def proposal(cast):
    for _index in range(3):
        feedback_services.feedback_receive(actor=cast.qo_a, unit=cast.units.team_a1a, score=1, category="invoicing")
    return FeedbackEscalation.objects.get()


def test_it_lists_escalations_with_their_items_and_links_feedback_to_them(cast, api, proposal):
    client = api(cast.team_lead_a)
    body = client.get("/api/v1/feedback-escalations/?status=proposed").json()
    assert [row["id"] for row in body["results"]] == [proposal.pk]
    assert sorted(body["results"][0]["items"]) == sorted(proposal.items.values_list("pk", flat=True))
    feedback = client.get(f"/api/v1/feedback/{proposal.items.first().pk}/").json()
    assert feedback["escalation"]["id"] == proposal.pk
    assert api(cast.member_b).get("/api/v1/feedback-escalations/").json()["results"] == []
    assert api(cast.member_b).get(f"/api/v1/feedback-escalations/{proposal.pk}/").status_code == 404
    assert api().get("/api/v1/feedback-escalations/").status_code in (401, 403)


def test_a_quality_officer_decides_on_an_escalation_through_the_api(cast, api, proposal):
    path = f"/api/v1/feedback-escalations/{proposal.pk}/decide/"
    assert api(cast.team_lead_a).post(path, {"status": "escalated"}).status_code == 403
    assert api(cast.member_b).post(path, {"status": "escalated"}).status_code == 404
    refused = api(cast.qo_a).post(path, {"status": "dismissed"})
    assert refused.status_code == 400 and "note" in refused.json()
    assert api(cast.qo_a).post(path, {"status": "proposed"}).status_code == 400
    decided = api(cast.qo_a).post(path, {"status": "escalated", "note": "Third invoice error this month"})
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"]["id"]) == ("escalated", cast.qo_a.pk)
    again = api(cast.qo_a).post(path, {"status": "dismissed", "note": "No"})
    assert again.status_code == 400 and "status" in again.json()


def test_the_escalations_take_as_many_queries_for_one_as_for_many(cast, api, count_queries):
    client = api(cast.qo_a)
    units = [cast.units.team_a1a, cast.units.bu_a1]
    categories = ["invoicing", "delivery", "product"]

    def propose(unit, category):
        for _index in range(3):
            feedback_services.feedback_receive(actor=cast.qo_a, unit=unit, score=1, category=category)

    propose(units[0], categories[0])
    one = count_queries(client, "/api/v1/feedback-escalations/")
    for unit in units:
        for category in categories:
            if (unit, category) != (units[0], categories[0]):
                propose(unit, category)
    assert client.get("/api/v1/feedback-escalations/").json()["count"] == 6
    assert count_queries(client, "/api/v1/feedback-escalations/") == one
