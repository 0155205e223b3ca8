"""audits/, audit-scores/, audit-calibrations/, audit-findings/ and audits/maturity/ (SPEC 9): planning
with its field errors, the steps as POSTs with their gates as 400s, cross-wise visibility (an assessor
from another unit sees their audit and nothing else of the unit), blind scoring before calibration, the
calibration's reason, the maturity figures, 404 out of sight, and a fixed query count for 1 and 20 rows."""

import pytest
from django.urls import reverse

from audits.choices import AuditStatus
from audits.models import Audit, AuditCalibration, AuditScore, Finding
from audits.services.audits import AUDIT_STEPS
from qms.choices import Role, UnitKind
from tests.factories import MembershipFactory, UnitFactory
from tests.factories.audits import (
    advance,
    audit_with_assessors,
    auditor,
    calibrated,
    principles_of,
    scored,
    sibling_unit,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/audits/"
SCORES = "/api/v1/audit-scores/"
CALIBRATIONS = "/api/v1/audit-calibrations/"
FINDINGS = "/api/v1/audit-findings/"
MATURITY = "/api/v1/audits/maturity/"


@pytest.fixture
def assessors(cast):
    home = UnitFactory(name="Business unit A2", kind=UnitKind.BUSINESS_UNIT, parent=cast.units.org_a)
    return [auditor(home, username="assessor_1"), auditor(home, username="assessor_2")]


@pytest.fixture
def audit(cast, assessors):
    return audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=assessors, principles=2, actor=cast.qo_a)


def plan_body(cast, people, /, **fields):
    principles = principles_of(cast.units.org_a, 2)
    body = {
        "unit": cast.units.bu_a1.pk,
        "year": 2026,
        "principles": [principle.pk for principle in principles],
        "assessors": [person.pk for person in people],
        "lead_assessor": people[0].pk,
        "scope_note": "Two districts",
    }
    body.update(fields)
    return body


def result_ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- planning --------------------------------------------------------------------------------------


def test_a_quality_officer_plans_an_audit_and_it_answers_the_spec_fields(cast, api, assessors):
    response = api(cast.qo_a).post(URL, plan_body(cast, assessors), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "unit", "year", "principles", "assessors", "lead_assessor", "status"} <= set(body)
    assert {"organisation", "scope_note", "planned_start", "planned_end", "created_at", "next_step"} <= set(body)
    assert body["status"] == "planned" and body["next_step"] == "start-fieldwork"
    assert body["allowed_steps"] == ["start-fieldwork"]
    assert api(assessors[1]).get(f"{URL}{body['id']}/").json()["allowed_steps"] == []
    assert api(assessors[0]).get(f"{URL}{body['id']}/").json()["allowed_steps"] == ["start-fieldwork"]
    assert body["organisation"]["id"] == cast.units.org_a.pk
    assert {person["id"] for person in body["assessors"]} == {assessor.pk for assessor in assessors}
    assert len(body["principles"]) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda cast, assessors: {"unit": cast.units.bu_b1.pk}, "unit"),
        (lambda cast, assessors: {"assessors": [assessors[0].pk]}, "assessors"),
        (lambda cast, assessors: {"assessors": [assessors[0].pk, cast.auditor_a.pk]}, "assessors"),
        (lambda cast, assessors: {"lead_assessor": cast.auditor_a.pk}, "lead_assessor"),
        (lambda cast, assessors: {"principles": [principles_of(cast.units.org_b, 1)[0].pk]}, "principles"),
        (lambda cast, assessors: {"year": 1900}, "year"),
        (lambda cast, assessors: {"status": "final", "year": "x"}, "year"),
        (lambda cast, assessors: {"planned_start": "2026-05-02", "planned_end": "2026-05-01"}, "planned_end"),
    ],
)
def test_it_answers_bad_planning_with_a_field_error(cast, api, assessors, change, field):
    response = api(cast.qo_a).post(URL, plan_body(cast, assessors, **change(cast, assessors)), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Audit.objects.exists()


def test_it_refuses_a_second_audit_of_the_unit_in_the_year(cast, api, assessors, audit):
    response = api(cast.qo_a).post(URL, plan_body(cast, assessors), format="json")
    assert response.status_code == 400, response.content
    assert Audit.objects.count() == 1


def test_a_change_keeps_unit_and_year_and_status_moves_only_by_steps(cast, api, audit):
    client = api(cast.qo_a)
    response = client.patch(f"{URL}{audit.pk}/", {"scope_note": "Three districts"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["scope_note"] == "Three districts"
    response = client.patch(f"{URL}{audit.pk}/", {"unit": cast.units.team_a1a.pk}, format="json")
    assert response.status_code == 400 and "unit" in response.json()
    response = client.patch(f"{URL}{audit.pk}/", {"status": "final"}, format="json")
    assert response.status_code == 400 and "start-calibration/" in str(response.json()["status"])
    response = client.patch(f"{URL}{audit.pk}/", {"status": "planned", "year": 2026}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "planned"


def test_a_viewer_reads_but_does_not_plan_or_step(cast, api, assessors, audit):
    client = api(cast.viewer_a)
    assert audit.pk in result_ids(client.get(URL))
    assert client.get(f"{URL}{audit.pk}/").status_code == 200
    assert client.post(URL, plan_body(cast, assessors, year=2027), format="json").status_code == 403
    assert client.patch(f"{URL}{audit.pk}/", {"scope_note": "x"}, format="json").status_code == 403
    assert client.post(f"{URL}{audit.pk}/start-fieldwork/", {}, format="json").status_code == 403
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.PLANNED


def test_it_hides_audits_from_other_organisations_and_anonymous(cast, api, audit):
    client = api(cast.member_b)
    assert client.get(f"{URL}{audit.pk}/").status_code == 404
    assert client.post(f"{URL}{audit.pk}/start-fieldwork/", {}, format="json").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert api(cast.outsider).get(SCORES).json()["count"] == 0
    for path in (URL, SCORES, CALIBRATIONS, FINDINGS, f"{URL}{audit.pk}/"):
        assert api().get(path).status_code in (401, 403), path
    assert api().post(f"{URL}{audit.pk}/start-fieldwork/", {}).status_code in (401, 403)


def test_an_assessor_from_another_unit_sees_their_audit_and_nothing_else_of_the_unit(cast, api, assessors, audit):
    other = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, year=2025, principles=1)
    client = api(assessors[1])
    assert result_ids(client.get(URL)) == {audit.pk}
    assert client.get(f"{URL}{audit.pk}/").status_code == 200
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{cast.units.bu_a1.pk}/").status_code == 404
    assert client.get(URL, {"mine": "true"}).json()["count"] == 1
    assert client.get(URL, {"assessor": assessors[1].pk}).json()["count"] == 1


def test_there_is_a_post_for_every_step(audit):
    for step in AUDIT_STEPS:
        assert reverse(f"api:audit-{step}", args=[audit.pk]) == f"{URL}{audit.pk}/{step}/"


def test_the_lead_takes_the_steps_and_start_calibration_waits_for_every_score(cast, api, assessors, audit):
    client = api(assessors[0])
    response = client.post(f"{URL}{audit.pk}/start-calibration/", {}, format="json")
    assert response.status_code == 400, response.content
    assert client.post(f"{URL}{audit.pk}/start-fieldwork/", {}, format="json").json()["status"] == "fieldwork"
    response = client.post(f"{URL}{audit.pk}/start-scoring/", {}, format="json")
    assert response.status_code == 200 and response.json()["next_step"] == "start-calibration"
    principles = list(audit.principles.all())
    scored(audit, {assessors[0]: dict.fromkeys(principles, 3), assessors[1]: {principles[0]: 4}})
    response = client.post(f"{URL}{audit.pk}/start-calibration/", {}, format="json")
    assert response.status_code == 400, response.content
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.SCORING
    scored(audit, {assessors[1]: {principles[1]: 2}})
    response = client.post(f"{URL}{audit.pk}/start-calibration/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "calibration"
    response = client.post(f"{URL}{audit.pk}/complete-calibration/", {}, format="json")
    assert response.status_code == 400, response.content


# --- scores ----------------------------------------------------------------------------------------


def score_body(audit, principle, /, **fields):
    return {"audit": audit.pk, "principle": principle.pk, "score": 3, "rationale": "Seen in practice", **fields}


def test_an_assessor_scores_changes_and_withdraws_as_themselves(cast, api, assessors, audit):
    audit = advance(audit, AuditStatus.FIELDWORK)
    principle = audit.principles.first()
    client = api(assessors[1])
    response = client.post(SCORES, score_body(audit, principle, design_note="On paper"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessor"]["id"] == assessors[1].pk and body["score"] == 3 and body["design_note"] == "On paper"
    assert {"id", "audit", "principle", "rationale", "existence_note", "operation_note"} <= set(body)
    response = client.patch(f"{SCORES}{body['id']}/", {"score": 4}, format="json")
    assert response.status_code == 200 and response.json()["score"] == 4
    assert response.json()["rationale"] == "Seen in practice"
    assert api(assessors[0]).patch(f"{SCORES}{body['id']}/", {"score": 1}, format="json").status_code == 404
    assert client.delete(f"{SCORES}{body['id']}/").status_code == 204
    assert not AuditScore.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"score": 7}, "score"),
        ({"score": 0}, "score"),
        ({"score": "high"}, "score"),
        ({"rationale": ""}, "rationale"),
        ({"rationale": None}, "rationale"),
        ({"audit": None}, "audit"),
        ({"audit": 10**30}, "audit"),
    ],
)
def test_it_answers_a_bad_score_with_a_field_error(cast, api, assessors, audit, fields, field):
    audit = advance(audit, AuditStatus.FIELDWORK)
    body = score_body(audit, audit.principles.first(), **fields)
    response = api(assessors[0]).post(SCORES, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not AuditScore.objects.exists()


def test_it_refuses_a_principle_out_of_the_audit_and_a_second_score(cast, api, assessors, audit):
    audit = advance(audit, AuditStatus.FIELDWORK)
    outside = principles_of(cast.units.org_a, 3)[2]
    client = api(assessors[0])
    response = client.post(SCORES, score_body(audit, outside), format="json")
    assert response.status_code == 400 and "principle" in response.json()
    principle = audit.principles.first()
    assert client.post(SCORES, score_body(audit, principle), format="json").status_code == 201
    response = client.post(SCORES, score_body(audit, principle, score=4), format="json")
    assert response.status_code == 400 and "principle" in response.json()
    assert AuditScore.objects.get().score == 3


def test_someone_who_is_not_an_assessor_cannot_score(cast, api, audit):
    audit = advance(audit, AuditStatus.FIELDWORK)
    body = score_body(audit, audit.principles.first())
    assert api(cast.qo_a).post(SCORES, body, format="json").status_code in (400, 403)
    assert api(cast.member_b).post(SCORES, body, format="json").status_code == 400  # the audit is out of sight
    assert not AuditScore.objects.exists()


def test_scores_are_blind_until_calibration(cast, api, assessors, audit):
    principles = list(audit.principles.all())
    audit = scored(audit, {assessors[0]: dict.fromkeys(principles, 2), assessors[1]: dict.fromkeys(principles, 4)})
    mine = set(AuditScore.objects.filter(assessor=assessors[0]).values_list("pk", flat=True))
    theirs = AuditScore.objects.filter(assessor=assessors[1]).first()
    client = api(assessors[0])
    assert result_ids(client.get(SCORES)) == mine
    assert client.get(SCORES, {"assessor": assessors[1].pk}).json()["count"] == 0
    assert client.get(f"{SCORES}{theirs.pk}/").status_code == 404
    assert api(cast.qo_a).get(SCORES).json()["count"] == 0
    assert api(cast.superuser).get(SCORES).json()["count"] == 0
    advance(audit, AuditStatus.CALIBRATION)
    assert client.get(SCORES, {"audit": audit.pk}).json()["count"] == 4
    assert client.get(f"{SCORES}{theirs.pk}/").status_code == 200
    assert api(cast.qo_a).get(SCORES).json()["count"] == 4


# --- calibration -----------------------------------------------------------------------------------


def test_a_calibrated_score_off_the_median_needs_a_reason(cast, api, assessors, audit):
    first, second = audit.principles.all()
    audit = scored(audit, {assessors[0]: {first: 2, second: 3}, assessors[1]: {first: 4, second: 3}})
    audit = advance(audit, AuditStatus.CALIBRATION)
    client = api(assessors[0])
    response = client.post(CALIBRATIONS, {"audit": audit.pk, "principle": first.pk, "score": 4}, format="json")
    assert response.status_code == 400, response.content
    assert "reason" in response.json()
    assert not AuditCalibration.objects.exists()
    response = client.post(
        CALIBRATIONS, {"audit": audit.pk, "principle": first.pk, "score": 4, "reason": "Strong evidence"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["median"] == "3.0" and body["calibrated_by"]["id"] == assessors[0].pk and body["calibrated_at"]
    response = client.post(CALIBRATIONS, {"audit": audit.pk, "principle": second.pk, "score": 3}, format="json")
    assert response.status_code == 201, response.content
    response = client.post(CALIBRATIONS, {"audit": audit.pk, "principle": second.pk, "score": 3}, format="json")
    assert response.status_code == 400 and "principle" in response.json()
    response = client.patch(f"{CALIBRATIONS}{body['id']}/", {"score": 2, "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.patch(f"{CALIBRATIONS}{body['id']}/", {"score": 3, "reason": ""}, format="json")
    assert response.status_code == 200 and response.json()["score"] == 3
    response = client.post(CALIBRATIONS, {"audit": audit.pk, "principle": first.pk, "score": 9}, format="json")
    assert response.status_code == 400 and "score" in response.json()
    assert client.post(f"{URL}{audit.pk}/complete-calibration/", {}, format="json").json()["status"] == "draft_report"


def test_only_the_lead_calibrates(cast, api, assessors, audit):
    audit = advance(audit, AuditStatus.CALIBRATION)
    body = {"audit": audit.pk, "principle": audit.principles.first().pk, "score": 3}
    assert api(assessors[1]).post(CALIBRATIONS, body, format="json").status_code in (400, 403)
    assert api(cast.member_b).post(CALIBRATIONS, body, format="json").status_code == 400
    assert not AuditCalibration.objects.exists()


# --- findings --------------------------------------------------------------------------------------


def test_an_assessor_records_a_finding_with_a_theme(cast, api, assessors, audit):
    audit = advance(audit, AuditStatus.FIELDWORK)
    principle = audit.principles.first()
    body = {
        "audit": audit.pk,
        "kind": "good_example",
        "principle": principle.pk,
        "theme": "Klantpanel",
        "title": "Panel every quarter",
    }
    response = api(assessors[0]).post(FINDINGS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["theme"] == "Klantpanel" and response.json()["kind"] == "good_example"
    outside = principles_of(cast.units.org_a, 3)[2]
    response = api(assessors[0]).post(FINDINGS, {**body, "principle": outside.pk}, format="json")
    assert response.status_code == 400 and "principle" in response.json()
    assert api(cast.qo_a).get(FINDINGS, {"kind": "good_example", "q": "panel"}).json()["count"] == 1
    assert api(cast.member_b).get(FINDINGS).json()["count"] == 0
    assert Finding.objects.count() == 1


# --- maturity --------------------------------------------------------------------------------------


def test_the_maturity_figures_per_principle(cast, api):
    org = cast.units.org_a
    first, second = principles_of(org, 2)
    units = [cast.units.bu_a1, *(sibling_unit(org) for _ in range(2))]
    # first: 2, 3, 3 (mean 2.6667, level 3); second: 2, 3 (mean 2.5, half up to 3)
    plans = [({first: 2, second: 2}, [first, second]), ({first: 3, second: 3}, [first, second]), ({first: 3}, [first])]
    for unit, (calibration, principles) in zip(units, plans, strict=True):
        audit = audit_with_assessors(org, unit, principles=principles, status=AuditStatus.CALIBRATION)
        calibrated(audit, calibration)
        advance(audit, AuditStatus.DRAFT_REPORT)
    audit_with_assessors(org, cast.units.team_a1a, year=2025, principles=[first], status=AuditStatus.DRAFT_REPORT)
    response = api(cast.qo_a).get(MATURITY, {"organisation": org.pk, "year": 2026})
    assert response.status_code == 200, response.content
    entries = {entry["principle"]["id"]: entry for entry in response.json()}
    assert list(entries) == [first.pk, second.pk]
    assert entries[first.pk] | {"principle": None} == {
        "principle": None,
        "average": "2.6667",
        "level": 3,
        "min": 2,
        "max": 3,
        "units": 3,
        "distribution": {"1": 0, "2": 1, "3": 2, "4": 0, "5": 0},
    }
    assert (entries[second.pk]["average"], entries[second.pk]["level"], entries[second.pk]["units"]) == ("2.5000", 3, 2)
    assert api(cast.qo_a).get(MATURITY, {"organisation": org.pk, "year": 2024}).json() == []


def test_the_maturity_figures_need_both_parameters_and_a_visible_organisation(cast, api):
    client = api(cast.qo_a)
    response = client.get(MATURITY)
    assert response.status_code == 400 and {"organisation", "year"} <= set(response.json())
    response = client.get(MATURITY, {"organisation": "abc", "year": 2026})
    assert response.status_code == 400 and "organisation" in response.json()
    response = client.get(MATURITY, {"organisation": cast.units.org_a.pk, "year": "20x6"})
    assert response.status_code == 400 and "year" in response.json()
    assert client.get(MATURITY, {"organisation": cast.units.org_b.pk, "year": 2026}).status_code == 404
    assert client.get(MATURITY, {"organisation": 10**12, "year": 2026}).status_code == 404
    for user in (cast.team_lead_a, cast.outsider):
        assert api(user).get(MATURITY, {"organisation": cast.units.org_a.pk, "year": 2026}).status_code == 404
    response = client.get(MATURITY, {"organisation": cast.units.org_a.pk, "year": 2026, "status": "final"})
    assert response.status_code == 400 and "status" in response.json()
    assert api().get(MATURITY, {"organisation": cast.units.org_a.pk, "year": 2026}).status_code in (401, 403)


# --- lists -----------------------------------------------------------------------------------------


def test_it_filters(cast, api, assessors, audit):
    audit_with_assessors(cast.units.org_a, cast.units.bu_a1, year=2025, principles=1, status=AuditStatus.FIELDWORK)
    client = api(cast.qo_a)
    assert client.get(URL, {"year": 2026}).json()["count"] == 1
    assert client.get(URL, {"status": "fieldwork"}).json()["count"] == 1
    assert client.get(URL, {"organisation": cast.units.org_a.pk, "unit": cast.units.org_a.pk}).json()["count"] == 2
    assert client.get(URL, {"principle": audit.principles.last().pk}).json()["count"] == 1
    assert client.get(URL, {"in_progress": "true"}).json()["count"] == 2
    assert client.get(URL, {"q": "Business unit A1"}).json()["count"] == 2
    assert client.get(URL, {"year": "abc"}).status_code == 400
    assert client.get(URL, {"status": "nonsense"}).status_code == 400


def test_the_list_costs_the_same_for_1_and_20_audits(cast, api, assessors, count_queries):
    principles = principles_of(cast.units.org_a, 3)
    client = api(cast.qo_a)

    def plan(year):
        audit_with_assessors(
            cast.units.org_a, cast.units.bu_a1, year=year, assessors=assessors, principles=principles, actor=cast.qo_a
        )

    plan(2000)
    client.get(URL)  # the process's first request reads the content types, cached afterwards
    one = count_queries(client, URL)
    for year in range(2001, 2020):
        plan(year)
    assert count_queries(client, f"{URL}?limit=50") == one
    assert count_queries(api(assessors[0]), f"{URL}?limit=50") == count_queries(api(assessors[0]), f"{URL}?limit=1")


def test_the_score_list_costs_the_same_for_1_and_20_scores(cast, api, count_queries):
    principles = principles_of(cast.units.org_a, 5)
    home = sibling_unit(cast.units.org_a)
    people = [auditor(home) for _ in range(4)]
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=people, principles=principles)
    scored(audit, {people[0]: {principles[0]: 3}})
    client = api(cast.qo_a)
    advance(audit, AuditStatus.CALIBRATION)
    client.get(SCORES)
    assert AuditScore.objects.count() == 20
    assert count_queries(client, f"{SCORES}?limit=1") == count_queries(client, f"{SCORES}?limit=50")


def test_the_unit_and_those_above_see_the_audit_a_team_below_does_not(cast, api, audit):
    member = MembershipFactory(unit=cast.units.team_a1a, role=Role.VIEWER).user
    assert audit.pk not in result_ids(api(member).get(URL))
    assert audit.pk in result_ids(api(cast.risk_owner_a).get(URL))


# --- response, evaluation, fieldwork -----------------------------------------------------------------


def test_the_units_management_responds_and_an_auditee_evaluates(cast, api, assessors, audit):
    audit = advance(audit, AuditStatus.DRAFT_REPORT)
    body = {"recognition": "partly", "comments": "We see most of it."}
    response = api(assessors[0]).post(f"{URL}{audit.pk}/respond/", body, format="json")
    assert response.status_code == 400 and "recognition" in response.json()
    response = api(cast.board_a).post(f"{URL}{audit.pk}/respond/", {**body, "comments": ""}, format="json")
    assert response.status_code == 400 and "comments" in response.json()
    response = api(cast.board_a).post(f"{URL}{audit.pk}/respond/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["management_response"]["recognition"] == "partly"
    assert response.json()["management_response"]["given_by"]["id"] == cast.board_a.pk
    response = api(cast.risk_owner_a).post(f"{URL}{audit.pk}/evaluate/", {"mark": 11}, format="json")
    assert response.status_code == 400 and "mark" in response.json()
    response = api(cast.risk_owner_a).post(f"{URL}{audit.pk}/evaluate/", {"mark": 8, "comment": "Fair"}, format="json")
    assert response.status_code == 200, response.content
    assert api(assessors[0]).post(f"{URL}{audit.pk}/evaluate/", {"mark": 8}, format="json").status_code == 403
    response = api(assessors[0]).get(f"{URL}{audit.pk}/")
    assert response.json()["management_response"]["comments"] == "We see most of it."


def test_an_assessor_logs_an_interview_that_the_interviewee_confirms(cast, api, assessors, audit):
    audit = advance(audit, AuditStatus.FIELDWORK)
    body = {
        "audit": audit.pk,
        "kind": "interview",
        "date": "2026-03-02",
        "subject": "Customer panel",
        "interviewee": cast.risk_owner_a.pk,
    }
    response = api(assessors[1]).post("/api/v1/audit-fieldwork/", body, format="json")
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["interviewee"]["id"] == cast.risk_owner_a.pk and item["confirmed_at"] is None
    assert item["recorded_by"]["id"] == assessors[1].pk
    path = f"/api/v1/audit-fieldwork/{item['id']}/confirm/"
    assert api(assessors[1]).post(path, {}, format="json").status_code == 403
    response = api(cast.risk_owner_a).post(path, {}, format="json")
    assert response.status_code == 200 and response.json()["confirmed_by"]["id"] == cast.risk_owner_a.pk
    assert api(cast.risk_owner_a).post(path, {}, format="json").status_code == 400
    response = api(assessors[1]).post("/api/v1/audit-fieldwork/", {**body, "date": "2026-02-30"}, format="json")
    assert response.status_code == 400 and "date" in response.json()
    response = api(cast.qo_a).post("/api/v1/audit-fieldwork/", body, format="json")
    assert response.status_code == 403
    assert api(cast.member_b).get("/api/v1/audit-fieldwork/").json()["count"] == 0
    assert api(cast.qo_a).get("/api/v1/audit-fieldwork/", {"confirmed": "true"}).json()["count"] == 1
