"""``changes/`` (SPEC 9): the fields of the contract, the steps as POST actions with the rules and
errors of the pages (400 with field messages), scoping (404 out of sight), constant query counts."""

import datetime
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy

from incidents.choices import ChangeStatus
from incidents.models import Change
from incidents.services import changes as services
from qms.choices import Role
from qms.services.base import system_note
from tests.factories import MembershipFactory, UserFactory
from tests.factories.risks import category

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
SPEC_FIELDS = {
    "id",
    "kind",
    "title",
    "description",
    "unit",
    "owner",
    "status",
    "privacy_impact",
    "security_impact",
    "governance_impact",
    "architecture_impact",
    "dpia_required",
    "planned_start",
    "planned_end",
    "in_maintenance_window",
}
ASSESSMENT = {
    "privacy_impact": "low",
    "security_impact": "low",
    "governance_impact": "none",
    "architecture_impact": "none",
    "fits_requirements": True,
    "risk_likelihood": 2,
    "risk_impact": 2,
}


@pytest.fixture
def people(cast):
    coordinator = UserFactory(username="coordinator_a")
    MembershipFactory(user=coordinator, unit=cast.units.org_a, role=Role.INCIDENT_COORDINATOR)
    dpo = UserFactory(username="dpo_a")
    MembershipFactory(user=dpo, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    cast.coordinator, cast.dpo = coordinator, dpo
    category("operational")
    return cast


def create(api, people, **data):
    body = {"kind": "change", "title": "Bulk export", "unit": people.units.bu_a1.pk, **data}
    return api(people.risk_owner_a).post("/api/v1/changes/", body, format="json")


def step(api, user, change_id, name, body):
    return api(user).post(f"/api/v1/changes/{change_id}/{name}/", body, format="json")


def to_approved(api, people, **assessment):
    change_id = create(api, people).json()["id"]
    assert step(api, people.qo_a, change_id, "assess", {**ASSESSMENT, **assessment}).status_code == 200
    assert step(api, people.board_a, change_id, "decide", {"approved": True, "reason": "Good."}).status_code == 200
    assert step(api, people.coordinator, change_id, "conclude", {"approved": True, "reason": "Ok."}).status_code == 200
    return change_id


def test_it_creates_a_change_with_the_fields_of_the_contract(people, api):
    response = create(api, people)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= SPEC_FIELDS
    assert body["status"] == "submitted"
    assert body["owner"]["id"] == people.coordinator.pk
    assert body["in_maintenance_window"] is None


def test_it_answers_bad_input_with_field_messages(people, api):
    response = api(people.risk_owner_a).post(
        "/api/v1/changes/", {"kind": "upgrade", "unit": people.units.org_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert {"kind", "title", "unit"} <= set(response.json())


def test_it_refuses_a_status_sent_with_the_record(people, api):
    change_id = create(api, people).json()["id"]
    response = api(people.coordinator).patch(f"/api/v1/changes/{change_id}/", {"status": "released"}, format="json")
    assert response.status_code == 200
    assert Change.objects.get(pk=change_id).status == ChangeStatus.SUBMITTED


def test_it_hides_changes_out_of_sight(people, api):
    change_id = create(api, people).json()["id"]
    assert api(people.outsider).get(f"/api/v1/changes/{change_id}/").status_code == 404
    assert api(people.member_b).get(f"/api/v1/changes/{change_id}/").status_code == 404
    assert step(api, people.member_b, change_id, "withdraw", {"reason": "x"}).status_code == 404
    assert api(people.member_b).get("/api/v1/changes/").json()["count"] == 0


def test_the_assess_step_needs_the_ratings_and_forces_the_dpia(people, api):
    change_id = create(api, people).json()["id"]
    response = step(api, people.qo_a, change_id, "assess", {"privacy_impact": "severe"})
    assert response.status_code == 400
    assert {"privacy_impact", "security_impact", "governance_impact", "architecture_impact"} <= set(response.json())
    response = step(
        api, people.qo_a, change_id, "assess", {**ASSESSMENT, "privacy_impact": "high", "dpia_required": False}
    )
    assert response.status_code == 400
    assert "dpia_required" in response.json()
    response = step(api, people.qo_a, change_id, "assess", {**ASSESSMENT, "privacy_impact": "high"})
    assert response.status_code == 200
    assert response.json()["dpia_required"] is True and response.json()["dpia_pending"] is True


def test_a_high_risk_creates_a_register_risk(people, api):
    change_id = create(api, people).json()["id"]
    response = step(api, people.qo_a, change_id, "assess", {**ASSESSMENT, "risk_likelihood": 4, "risk_impact": 4})
    assert response.status_code == 200
    assert response.json()["risk_level"] == "very_high"
    assert response.json()["risk"]["display"] == system_note(
        gettext_lazy("Change #%(id)s: %(title)s"), id=change_id, title="Bulk export"
    )


def test_a_patch_of_the_ratings_runs_the_assessment(people, api):
    change_id = create(api, people).json()["id"]
    client = api(people.qo_a)
    response = client.patch(f"/api/v1/changes/{change_id}/", {"privacy_impact": "high"}, format="json")
    assert response.status_code == 400
    assert "security_impact" in response.json()
    response = client.patch(f"/api/v1/changes/{change_id}/", {**ASSESSMENT, "privacy_impact": "high"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "assessed" and response.json()["dpia_required"] is True


def test_decisions_need_reasons_and_the_right_role(people, api):
    change_id = create(api, people).json()["id"]
    step(api, people.qo_a, change_id, "assess", ASSESSMENT)
    response = step(api, people.board_a, change_id, "decide", {"approved": True})
    assert response.status_code == 400 and "reason" in response.json()
    assert step(api, people.viewer_a, change_id, "decide", {"approved": True, "reason": "x"}).status_code == 403
    assert step(api, people.risk_owner_a, change_id, "decide", {"approved": True, "reason": "x"}).status_code == 403
    response = step(api, people.board_a, change_id, "decide", {"approved": "maybe", "reason": "x"})
    assert response.status_code == 400 and "approved" in response.json()
    response = step(api, people.board_a, change_id, "decide", {"approved": True, "reason": "Useful."})
    assert response.json()["decisions"][0]["reason"] == "Useful."


def test_planning_outside_the_window_needs_a_reason(people, api):
    change_id = to_approved(api, people)
    body = {"planned_start": "2030-01-03T09:00", "planned_end": "2030-01-03T10:00"}
    response = step(api, people.coordinator, change_id, "plan", body)
    assert response.status_code == 400
    assert "outside_window_reason" in response.json()
    response = step(api, people.coordinator, change_id, "plan", {**body, "outside_window_reason": "Emergency."})
    assert response.status_code == 200
    assert response.json()["in_maintenance_window"] is False


def test_a_time_without_a_zone_is_amsterdam_time(people, api):
    change_id = to_approved(api, people)
    body = {"planned_start": "2030-07-04T16:00", "planned_end": "2030-07-04T17:00"}
    response = step(api, people.coordinator, change_id, "plan", body)
    assert response.status_code == 200
    assert response.json()["in_maintenance_window"] is True
    change = Change.objects.get(pk=change_id)
    assert change.planned_start == datetime.datetime(2030, 7, 4, 16, tzinfo=AMS)


def test_planning_refuses_bad_moments(people, api):
    change_id = to_approved(api, people)
    for body in (
        {"planned_start": "0001-01-01T00:00", "planned_end": "0001-01-01T01:00"},
        {"planned_start": "2030-01-03T17:00", "planned_end": "2030-01-03T16:00"},
        {"planned_start": "yesterday", "planned_end": None},
    ):
        response = step(api, people.coordinator, change_id, "plan", body)
        assert response.status_code == 400, body
    response = step(
        api,
        people.coordinator,
        change_id,
        "plan",
        {"planned_start": "2030-01-03T17:00", "planned_end": "2030-01-03T16:00"},
    )
    assert "planned_end" in response.json()


def test_release_is_refused_untested_or_with_a_dpia_pending(people, api):
    change_id = to_approved(api, people, privacy_impact="high")
    step(
        api,
        people.coordinator,
        change_id,
        "plan",
        {"planned_start": "2030-01-03T16:00", "planned_end": "2030-01-03T17:00"},
    )
    response = step(api, people.coordinator, change_id, "release", {})
    assert response.status_code == 400
    assert "untested" in str(response.json())
    response = step(
        api, people.coordinator, change_id, "record-test", {"tested_at": "2026-01-01T10:00", "result": "failed"}
    )
    assert response.status_code == 400 and "notes" in response.json()
    response = step(
        api, people.coordinator, change_id, "record-test", {"tested_at": "2026-01-01T10:00", "result": "passed"}
    )
    assert response.json()["status"] == "tested"
    response = step(api, people.coordinator, change_id, "release", {})
    assert response.status_code == 400
    assert "DPIA" in str(response.json())
    assert step(api, people.qo_a, change_id, "record-dpia", {"outcome": "Fine."}).status_code == 403
    assert step(api, people.dpo, change_id, "record-dpia", {"outcome": ""}).status_code == 400
    assert step(api, people.dpo, change_id, "record-dpia", {"outcome": "Acceptable."}).status_code == 200
    response = step(api, people.coordinator, change_id, "release", {})
    assert response.status_code == 200 and response.json()["status"] == "released"
    assert step(api, people.coordinator, change_id, "close", {}).json()["status"] == "closed"


def test_withdraw_needs_a_reason(people, api):
    change_id = create(api, people).json()["id"]
    response = step(api, people.risk_owner_a, change_id, "withdraw", {})
    assert response.status_code == 400 and "reason" in response.json()
    assert (
        step(api, people.risk_owner_a, change_id, "withdraw", {"reason": "Not needed."}).json()["status"] == "withdrawn"
    )


def test_it_filters_by_status_and_dpia_pending(people, api):
    pending = to_approved(api, people, privacy_impact="high")
    create(api, people)
    client = api(people.qo_a)
    assert [row["id"] for row in client.get("/api/v1/changes/?dpia_pending=true").json()["results"]] == [pending]
    assert client.get("/api/v1/changes/?status=approved").json()["count"] == 1
    assert client.get("/api/v1/changes/?status=bogus").status_code == 400


def test_the_list_costs_the_same_for_1_and_50_rows(people, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(people.qo_a)
    change = services.change_create(actor=people.qo_a, kind="change", title="One", unit=people.units.org_a)
    services.change_assess(actor=people.qo_a, change=change, **ASSESSMENT)
    services.change_decide(actor=people.board_a, change=change, approved=True, reason="Yes.")

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/v1/changes/?limit=50").status_code == 200
        return len(context.captured_queries)

    one = count()
    for index in range(49):
        other = services.change_create(actor=people.qo_a, kind="wish", title=f"Wish {index}", unit=people.units.org_a)
        services.change_assess(actor=people.qo_a, change=other, **ASSESSMENT)
        services.change_decide(actor=people.board_a, change=other, approved=False, reason="No.")
    assert count() == one


HOSTILE_VALUES = [None, "", "x", 10**30, -1, 1.5, True, "2026-02-30", "0001-01-01T00:00", "9999-12-31T23:59", [], {}]
STEP_FIELDS = {
    "assess": [*ASSESSMENT, "dpia_required", "risk", "privacy_note"],
    "decide": ["approved", "reason"],
    "conclude": ["approved", "reason"],
    "plan": ["planned_start", "planned_end", "outside_window_reason"],
    "record-test": ["tested_at", "result", "notes", "tested_by"],
    "record-dpia": ["outcome"],
    "release": ["released_at"],
    "close": ["note"],
    "withdraw": ["reason"],
}


def test_every_step_answers_hostile_input_without_a_500(people, api):
    change_id = to_approved(api, people)
    client = api(people.coordinator)
    for name, fields in STEP_FIELDS.items():
        for field in fields:
            for value in HOSTILE_VALUES:
                response = client.post(f"/api/v1/changes/{change_id}/{name}/", {field: value}, format="json")
                assert response.status_code < 500, (name, field, value)
    for field in ("title", "owner", "unit", "kind", "privacy_impact", "risk", "planned_start", "risk_likelihood"):
        for value in HOSTILE_VALUES:
            response = client.patch(f"/api/v1/changes/{change_id}/", {field: value}, format="json")
            assert response.status_code < 500, (field, value)


def test_the_requester_corrects_the_request_but_does_not_hand_it_over(people, api):
    body = create(api, people).json()
    client = api(people.risk_owner_a)
    response = client.patch(
        f"/api/v1/changes/{body['id']}/", {"title": "Bulk export (CSV)", "owner": body["owner"]["id"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["title"] == "Bulk export (CSV)"
    response = client.patch(f"/api/v1/changes/{body['id']}/", {"owner": people.qo_a.pk}, format="json")
    assert response.status_code == 400 and "owner" in response.json()
