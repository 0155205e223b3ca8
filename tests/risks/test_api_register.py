"""The risk register through the API: the same rules and errors as the pages and the services.
For each resource: anonymous, outsider, other organisation (404), wrong role, right role."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS

from qms.choices import ActionStatus, Role
from qms.models import Action, Notification
from risks.choices import RiskStatus
from risks.models import Risk, RiskApproval, RiskCategory
from tests.factories import MembershipFactory, UserFactory
from tests.factories.risks import RiskFactory, add_measure, category

LISTS = ["/api/v1/risks/", "/api/v1/risk-measures/", "/api/v1/risk-approvals/"]
NEXT_MONTH = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def risk_payload(cast, **overrides):
    category("security")
    data = {
        "title": "Data centre outage",
        "category": "security",
        "unit": cast.units.bu_a1.pk,
        "owner": cast.risk_owner_a.pk,
        "cause": "One site",
        "consequence": "No service",
        "likelihood": 3,
        "impact": 4,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def measure_payload(risk, owner, **overrides):
    return {"risk": risk.pk, "description": "Second site", "owner": owner.pk, "due_date": NEXT_MONTH, **overrides}


def submit(client, risk, **data):
    return client.post(f"/api/v1/risks/{risk.pk}/submit/", data, format="json")


def decide(client, risk, body="board", decision="approved", reason=""):
    payload = {"body": body, "decision": decision, "reason": reason}
    return client.post(f"/api/v1/risks/{risk.pk}/decide/", payload, format="json")


def group_quality_officer(cast):
    """A quality officer of the group: registers risks in both organisations (group management decides on
    risks; it does not register them)."""
    user = UserFactory(username="group_qo")
    MembershipFactory(user=user, unit=cast.units.group, role=Role.QUALITY_OFFICER)
    return user


@pytest.fixture
def board_b(cast):
    user = UserFactory(username="board_b")
    MembershipFactory(user=user, unit=cast.units.org_b, role=Role.BOARD_MEMBER)
    return user


@pytest.fixture
def pending(cast, api, high_risk):
    """The high risk, submitted: waiting for the board of organisation A."""
    assert submit(api(cast.qo_a), high_risk).status_code == 200
    return high_risk


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_it_answers_anonymous_callers_with_401(api, db, path):
    response = api().get(path)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("path", LISTS)
def test_it_lists_nothing_for_an_outsider(cast, api, pending, path):
    response = api(cast.outsider).get(path)
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("path", LISTS)
def test_it_lists_the_register_for_the_organisation(cast, api, pending, path):
    assert api(cast.viewer_a).get(path).json()["count"] == 1


def test_another_organisation_cannot_list_open_guess_or_change_the_risks(cast, api, pending, board_b):
    measure = Action.objects.for_source(pending).get()
    approval = RiskApproval.objects.get(risk=pending)
    for user in (cast.member_b, board_b):
        client = api(user)
        for path in LISTS:
            assert client.get(path).json()["count"] == 0
        assert client.get(f"/api/v1/risks/{pending.pk}/").status_code == 404
        assert client.patch(f"/api/v1/risks/{pending.pk}/", {"title": "Ours"}, format="json").status_code == 404
        assert client.put(f"/api/v1/risks/{pending.pk}/", risk_payload(cast), format="json").status_code == 404
        assert submit(client, pending).status_code == 404
        assert decide(client, pending).status_code == 404
        assert client.post(f"/api/v1/risks/{pending.pk}/close/", {"reason": "x"}, format="json").status_code == 404
        assert client.get(f"/api/v1/risk-measures/{measure.pk}/").status_code == 404
        assert (
            client.patch(f"/api/v1/risk-measures/{measure.pk}/", {"description": "x"}, format="json").status_code == 404
        )
        assert client.get(f"/api/v1/risk-approvals/{approval.pk}/").status_code == 404
        # Adding a measure to a risk out of sight: the risk "does not exist".
        response = client.post("/api/v1/risk-measures/", measure_payload(pending, user), format="json")
        assert response.status_code == 400 and "risk" in response.json()
    pending.refresh_from_db()
    assert (pending.title != "Ours", pending.status) == (True, RiskStatus.AWAITING_APPROVAL)
    assert RiskApproval.objects.pending().filter(risk=pending).count() == 1
    assert Action.objects.for_source(pending).count() == 1


def test_a_business_unit_sees_only_its_own_risks(cast, api, high_risk):
    other = RiskFactory(unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a)
    response = api(cast.risk_owner_a).get("/api/v1/risks/")
    assert ids(response) == [high_risk.pk]
    assert api(cast.risk_owner_a).get(f"/api/v1/risks/{other.pk}/").status_code == 404


def test_it_shows_a_risk_with_its_derived_fields(cast, api, pending):
    body = api(cast.viewer_a).get(f"/api/v1/risks/{pending.pk}/").json()
    assert body["category"] == "operational"
    assert body["unit"]["id"] == cast.units.bu_a1.pk and body["unit"]["url"].endswith(f"/units/{cast.units.bu_a1.pk}/")
    assert body["organisation"]["display"] == "Organisation A"
    assert body["owner"]["id"] == cast.risk_owner_a.pk
    assert (body["likelihood"], body["impact"], body["level"]) == (3, 4, "high")
    assert (body["residual_level"], body["status"]) == ("", "awaiting_approval")
    assert body["required_approvals"] == ["board"]
    assert body["awaiting_approval_of"] == ["board"]
    assert (body["measure_count"], body["overdue_measure_count"], body["has_plan"]) == (1, 0, True)
    assert body["review_overdue"] is False


# --- viewers and other wrong roles -------------------------------------------------------------


def test_a_viewer_cannot_write(cast, api, high_risk):
    client = api(cast.viewer_a)
    assert client.post("/api/v1/risks/", risk_payload(cast), format="json").status_code == 403
    assert client.patch(f"/api/v1/risks/{high_risk.pk}/", {"title": "Mine"}, format="json").status_code == 403
    assert submit(client, high_risk).status_code == 403
    assert client.post(f"/api/v1/risks/{high_risk.pk}/close/", {"reason": "x"}, format="json").status_code == 403
    review = {"likelihood": 1, "impact": 1}
    assert client.post(f"/api/v1/risks/{high_risk.pk}/review/", review, format="json").status_code == 403
    response = client.post("/api/v1/risk-measures/", measure_payload(high_risk, cast.risk_owner_a), format="json")
    assert response.status_code == 403
    measure = Action.objects.for_source(high_risk).get()
    assert client.patch(f"/api/v1/risk-measures/{measure.pk}/", {"description": "x"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/risk-measures/{measure.pk}/", {}, format="json").status_code == 403
    assert client.post(f"/api/v1/risk-measures/{measure.pk}/remove/", {}, format="json").status_code == 403
    high_risk.refresh_from_db()
    assert (Risk.objects.count(), high_risk.title != "Mine", high_risk.status) == (1, True, RiskStatus.DRAFT)
    assert Action.objects.for_source(high_risk).get().title == "Measure"


def test_an_auditor_reads_but_cannot_register(cast, api, high_risk):
    client = api(cast.auditor_a)
    assert ids(client.get("/api/v1/risks/")) == [high_risk.pk]
    assert client.post("/api/v1/risks/", risk_payload(cast), format="json").status_code == 403


def test_risk_approvals_are_read_only(cast, api, pending):
    approval = RiskApproval.objects.get(risk=pending)
    client = api(cast.board_a)
    assert client.post("/api/v1/risk-approvals/", {"risk": pending.pk}, format="json").status_code == 405
    assert client.patch(f"/api/v1/risk-approvals/{approval.pk}/", {"decision": "approved"}).status_code == 405


# --- bad input: 400 with field messages, nothing changed ---------------------------------------


@pytest.mark.parametrize(
    ("who", "change", "field"),
    [
        ("qo_a", {"likelihood": 6}, "likelihood"),
        ("qo_a", {"impact": 0}, "impact"),
        ("qo_a", {"residual_likelihood": 2}, "residual_impact"),
        ("qo_a", {"residual_likelihood": 7, "residual_impact": 1}, "residual_likelihood"),
        ("qo_a", {"owner": None}, "owner"),
        ("qo_a", {"title": ""}, "title"),
        ("qo_a", {"category": "astrology"}, "category"),
        ("qo_a", {"unit": 999999}, "unit"),
        # An owner of another organisation: out of the caller's sight, so what an owner must be ...
        ("qo_a", {"owner": "member_b"}, "owner"),
        # ... and when the caller sees both organisations, the service says why.
        ("group_qo", {"owner": "member_b"}, "owner"),
        ("group_qo", {"unit": "group"}, "unit"),
    ],
)
def test_bad_input_on_create_is_a_400_with_the_field_and_changes_nothing(cast, api, who, change, field):
    if change.get("owner") == "member_b":
        change["owner"] = cast.member_b.pk
    if change.get("unit") == "group":
        change["unit"] = cast.units.group.pk
    user = group_quality_officer(cast) if who == "group_qo" else getattr(cast, who)
    response = api(user).post("/api/v1/risks/", risk_payload(cast, **change), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert all(isinstance(message, str) and message for message in response.json()[field])
    assert not Risk.objects.exists()


def test_the_service_explains_an_owner_outside_the_organisation(cast, api):
    payload = risk_payload(cast, owner=cast.member_b.pk)
    response = api(group_quality_officer(cast)).post("/api/v1/risks/", payload, format="json")
    assert response.json() == {"owner": [f"{cast.member_b} is not a member of Organisation A."]}


@pytest.mark.parametrize("owner", ["member_b", "nobody"])
def test_an_owner_out_of_sight_gets_the_same_clear_message_whether_or_not_they_exist(cast, api, high_risk, owner):
    owner_id = cast.member_b.pk if owner == "member_b" else 999999
    client = api(cast.qo_a)
    expected = {"owner": ["The owner must be an active member of the organisation of the risk."]}
    response = client.post("/api/v1/risks/", risk_payload(cast, owner=owner_id), format="json")
    assert (response.status_code, response.json()) == (400, expected)
    response = client.post(
        "/api/v1/risk-measures/", {**measure_payload(high_risk, cast.qo_a), "owner": owner_id}, format="json"
    )
    assert (response.status_code, response.json()) == (400, expected)
    assert Risk.objects.count() == 1 and Action.objects.for_source(high_risk).count() == 1


def test_the_matrix_message_names_its_size(cast, api):
    response = api(cast.qo_a).post("/api/v1/risks/", risk_payload(cast, likelihood=6), format="json")
    assert response.json() == {"likelihood": ["Choose a value from 1 to 5 (the organisation's matrix)."]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"likelihood": 9}, "likelihood"),
        ({"owner": None}, "owner"),
        ({"category": "astrology"}, "category"),
        ({"unit": "org_a"}, "unit"),
    ],
)
def test_bad_input_on_change_is_a_400_and_changes_nothing(cast, api, high_risk, change, field):
    if change.get("unit") == "org_a":
        change["unit"] = cast.units.org_a.pk
    if "owner" in change:
        change = {"owner": None}
    response = api(cast.qo_a).patch(f"/api/v1/risks/{high_risk.pk}/", change, format="json")
    assert response.status_code == 400
    assert field in response.json()
    before = high_risk.updated_at
    high_risk.refresh_from_db()
    assert (high_risk.likelihood, high_risk.owner, high_risk.unit, high_risk.updated_at) == (
        3,
        cast.risk_owner_a,
        cast.units.bu_a1,
        before,
    )


def test_submitting_without_a_plan_is_a_400(cast, api):
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    response = submit(api(cast.qo_a), risk)
    assert response.status_code == 400
    assert "measures" in response.json()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.DRAFT


@pytest.mark.parametrize(
    ("who", "body", "field"),
    [
        ("qo_a", "board", "body"),  # the wrong role
        ("viewer_a", "board", "body"),
        ("group_mgmt", "board", "body"),  # group management is not the board
        ("board_a", "group", "body"),  # the wrong body: the board cannot decide for group management
        ("group_mgmt", "group", "body"),  # not before the board
    ],
)
def test_a_decision_by_the_wrong_role_or_body_is_a_400_and_changes_nothing(cast, api, pending, who, body, field):
    response = decide(api(getattr(cast, who)), pending, body=body)
    assert response.status_code == 400
    assert field in response.json()
    assert RiskApproval.objects.get(risk=pending).decision == ""
    pending.refresh_from_db()
    assert pending.status == RiskStatus.AWAITING_APPROVAL


def test_a_board_member_of_another_organisation_cannot_even_find_the_risk(cast, api, pending, board_b):
    assert decide(api(board_b), pending).status_code == 404
    assert RiskApproval.objects.get(risk=pending).decision == ""


def test_a_decision_on_a_risk_not_awaiting_it_is_a_400(cast, api, high_risk):
    response = decide(api(cast.board_a), high_risk)
    assert response.status_code == 400
    assert response.json() == {"body": ["This risk is not awaiting a decision of the board."]}
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.DRAFT
    assert not RiskApproval.objects.exists()


@pytest.mark.parametrize("decision", ["rejected", "changes_requested"])
def test_rejecting_or_asking_changes_without_a_reason_is_a_400(cast, api, pending, decision):
    response = decide(api(cast.board_a), pending, decision=decision, reason="  ")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give a reason for this decision."]}
    assert RiskApproval.objects.get(risk=pending).decision == ""


@pytest.mark.parametrize(("payload", "field"), [({"body": "ceo"}, "body"), ({"decision": "maybe"}, "decision")])
def test_an_unknown_body_or_decision_is_a_400(cast, api, pending, payload, field):
    data = {"body": "board", "decision": "approved", **payload}
    response = api(cast.board_a).post(f"/api/v1/risks/{pending.pk}/decide/", data, format="json")
    assert response.status_code == 400 and field in response.json()


def test_the_owner_cannot_approve_their_own_risk(cast, api):
    MembershipFactory(user=cast.board_a, unit=cast.units.org_a, role=Role.RISK_OWNER)
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.board_a, actor=cast.qo_a)
    add_measure(risk)
    assert submit(api(cast.qo_a), risk).status_code == 200
    response = decide(api(cast.board_a), risk)
    assert response.status_code == 400
    assert response.json() == {"decision": ["You own this risk: someone else must decide on it."]}
    assert RiskApproval.objects.get(risk=risk).decision == ""


# --- the workflow through the API --------------------------------------------------------------


def test_the_full_flow_a_high_risk_approved_by_the_board(cast, api):
    qo = api(cast.qo_a)
    response = qo.post("/api/v1/risks/", risk_payload(cast), format="json")
    assert response.status_code == 201, response.json()
    risk = response.json()
    assert (risk["level"], risk["status"], risk["required_approvals"]) == ("high", "draft", ["board"])
    assert (risk["has_plan"], risk["next_review"]) == (
        False,
        str(timezone.localdate().replace(year=timezone.localdate().year + 1)),
    )
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="risk_assigned").exists()

    response = qo.post("/api/v1/risk-measures/", measure_payload(Risk(pk=risk["id"]), cast.team_lead_a), format="json")
    assert response.status_code == 201, response.json()
    measure = response.json()
    assert (measure["risk"]["id"], measure["owner"]["id"], measure["status"]) == (
        risk["id"],
        cast.team_lead_a.pk,
        "open",
    )
    # The measure is an action in its owner's "my actions".
    mine = api(cast.team_lead_a).get("/api/v1/actions/?mine=true&open=true").json()
    assert [row["id"] for row in mine["results"]] == [measure["id"]]

    response = qo.post(f"/api/v1/risks/{risk['id']}/submit/", {"note": "Please decide"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["awaiting_approval_of"]) == ("awaiting_approval", ["board"])
    queue = api(cast.board_a).get("/api/v1/risk-approvals/?pending=true&body=board").json()
    assert [row["risk"]["id"] for row in queue["results"]] == [risk["id"]]
    assert queue["results"][0]["submission_note"] == "Please decide"

    response = api(cast.board_a).post(
        f"/api/v1/risks/{risk['id']}/decide/", {"body": "board", "decision": "approved"}, format="json"
    )
    assert response.status_code == 200, response.json()
    approval = response.json()
    assert (approval["decision"], approval["decided_by"]["id"], approval["is_pending"]) == (
        "approved",
        cast.board_a.pk,
        False,
    )

    owner = api(cast.risk_owner_a)
    assert owner.get(f"/api/v1/risks/{risk['id']}/").json()["status"] == "approved"
    seen = owner.get(f"/api/v1/risk-approvals/?risk={risk['id']}").json()["results"]
    assert [(row["decision"], row["decided_by"]["id"]) for row in seen] == [("approved", cast.board_a.pk)]
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="risk_approved").exists()


def test_a_very_high_risk_goes_to_group_management_after_the_board(cast, api, very_high_risk):
    assert submit(api(cast.qo_a), very_high_risk).status_code == 200
    body = api(cast.qo_a).get(f"/api/v1/risks/{very_high_risk.pk}/").json()
    assert body["required_approvals"] == ["board", "group"]
    assert decide(api(cast.board_a), very_high_risk).status_code == 200
    body = api(cast.qo_a).get(f"/api/v1/risks/{very_high_risk.pk}/").json()
    assert (body["status"], body["awaiting_approval_of"]) == ("awaiting_approval", ["group"])
    assert decide(api(cast.group_mgmt), very_high_risk, body="group").status_code == 200
    assert api(cast.qo_a).get(f"/api/v1/risks/{very_high_risk.pk}/").json()["status"] == "approved"
    decided = api(cast.risk_owner_a).get(f"/api/v1/risk-approvals/?risk={very_high_risk.pk}&ordering=id").json()
    assert [(row["body"], row["decision"]) for row in decided["results"]] == [
        ("board", "approved"),
        ("group", "approved"),
    ]


def test_a_rejection_with_reason_is_recorded_and_the_risk_can_be_submitted_again(cast, api, pending):
    response = decide(api(cast.board_a), pending, decision="rejected", reason="Plan too thin")
    assert response.status_code == 200
    assert (response.json()["decision"], response.json()["reason"]) == ("rejected", "Plan too thin")
    assert api(cast.risk_owner_a).get(f"/api/v1/risks/{pending.pk}/").json()["status"] == "rejected"
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="risk_rejected").exists()
    assert submit(api(cast.risk_owner_a), pending).status_code == 200
    assert RiskApproval.objects.pending().get(risk=pending).round == 2


def test_deciding_twice_is_refused(cast, api, pending):
    assert decide(api(cast.board_a), pending).status_code == 200
    response = decide(api(cast.board_a), pending)
    assert response.status_code == 400 and "body" in response.json()


def approved(cast, api, risk):
    assert submit(api(cast.qo_a), risk).status_code == 200
    assert decide(api(cast.board_a), risk).status_code == 200
    risk.refresh_from_db()
    assert risk.status == RiskStatus.APPROVED
    return risk


def test_a_higher_level_after_approval_asks_again(cast, api, high_risk):
    approved(cast, api, high_risk)
    response = api(cast.qo_a).patch(
        f"/api/v1/risks/{high_risk.pk}/", {"likelihood": 5, "impact": 5, "change_reason": "New threat"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], body["status"], body["awaiting_approval_of"]) == (
        "very_high",
        "awaiting_approval",
        ["board"],
    )
    assert high_risk.history.filter(history_change_reason="New threat").exists()


def test_a_lower_level_after_approval_keeps_the_approval(cast, api, high_risk):
    approved(cast, api, high_risk)
    response = api(cast.qo_a).patch(f"/api/v1/risks/{high_risk.pk}/", {"likelihood": 3, "impact": 3}, format="json")
    assert (response.json()["level"], response.json()["status"]) == ("medium", "approved")


@pytest.mark.parametrize("change", ["add", "reschedule", "cancel", "remove"])
def test_a_change_of_plan_after_approval_asks_again(cast, api, high_risk, change):
    approved(cast, api, high_risk)
    client = api(cast.qo_a)
    measure = Action.objects.for_source(high_risk).get()
    later = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    if change == "add":
        response = client.post("/api/v1/risk-measures/", measure_payload(high_risk, cast.qo_a), format="json")
    elif change == "reschedule":
        response = client.patch(f"/api/v1/risk-measures/{measure.pk}/", {"due_date": later}, format="json")
    elif change == "cancel":
        response = client.patch(
            f"/api/v1/risk-measures/{measure.pk}/", {"status": "cancelled", "note": "Not needed"}, format="json"
        )
    else:
        response = client.post(f"/api/v1/risk-measures/{measure.pk}/remove/", {"reason": "Not needed"}, format="json")
    assert response.status_code in (200, 201), response.json()
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.AWAITING_APPROVAL


def test_finishing_a_measure_is_not_a_change_of_plan(cast, api, high_risk):
    approved(cast, api, high_risk)
    measure = Action.objects.for_source(high_risk).get()
    response = api(cast.risk_owner_a).patch(
        f"/api/v1/risk-measures/{measure.pk}/", {"status": "done", "note": "Built"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["completion_note"]) == ("done", "Built")
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.APPROVED


def test_a_refused_status_change_keeps_the_other_changes_unsaved(cast, api, high_risk):
    measure = Action.objects.for_source(high_risk).get()
    add_measure(high_risk, title="Other")
    measure.status = ActionStatus.DONE
    measure.completed_at = timezone.now()
    measure.save()
    response = api(cast.qo_a).patch(
        f"/api/v1/risk-measures/{measure.pk}/", {"description": "Renamed", "status": "in_progress"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()
    measure.refresh_from_db()
    assert (measure.title, measure.status) == ("Measure", ActionStatus.DONE)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": "member_b"}, "owner"),
        ({"due_date": "2000-01-01"}, "due_date"),
        ({"status": "done"}, "status"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_measures_are_a_400_and_add_nothing(cast, api, high_risk, change, field):
    if change.get("owner") == "member_b":
        change["owner"] = cast.member_b.pk
    response = api(group_quality_officer(cast)).post(
        "/api/v1/risk-measures/", {**measure_payload(high_risk, cast.qo_a), **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Action.objects.for_source(high_risk).count() == 1


def test_a_measure_cannot_move_to_another_risk(cast, api, high_risk):
    other = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    measure = Action.objects.for_source(high_risk).get()
    response = api(cast.qo_a).patch(f"/api/v1/risk-measures/{measure.pk}/", {"risk": other.pk}, format="json")
    assert response.status_code == 400 and "risk" in response.json()


def test_only_measures_of_risks_are_risk_measures(cast, api, high_risk):
    from tests.factories import ActionFactory

    plain = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    client = api(cast.qo_a)
    assert plain.pk not in ids(client.get("/api/v1/risk-measures/"))
    assert client.get(f"/api/v1/risk-measures/{plain.pk}/").status_code == 404


def test_review_sets_the_next_date_and_close_needs_a_reason(cast, api, high_risk):
    client = api(cast.risk_owner_a)
    next_review = (timezone.localdate() + datetime.timedelta(days=180)).isoformat()
    response = client.post(
        f"/api/v1/risks/{high_risk.pk}/review/",
        {"likelihood": 2, "impact": 2, "note": "Calmer", "next_review": next_review},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["level"], response.json()["next_review"]) == ("low", next_review)
    assert response.json()["last_reviewed"] == timezone.localdate().isoformat()
    too_late = (timezone.localdate() + datetime.timedelta(days=800)).isoformat()
    response = client.post(
        f"/api/v1/risks/{high_risk.pk}/review/", {"likelihood": 2, "impact": 2, "next_review": too_late}, format="json"
    )
    assert response.status_code == 400 and "next_review" in response.json()

    response = client.post(f"/api/v1/risks/{high_risk.pk}/close/", {}, format="json")
    assert response.status_code == 400 and response.json() == {"reason": ["Say why the risk is closed."]}
    response = client.post(f"/api/v1/risks/{high_risk.pk}/close/", {"reason": "Site moved"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    response = client.patch(f"/api/v1/risks/{high_risk.pk}/", {"title": "Again"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_a_category_of_the_organisation_is_written_as_its_code(cast, api):
    RiskCategory.objects.create(organisation=cast.units.org_a, code="aviation", name="Aviation")
    RiskCategory.objects.create(organisation=cast.units.org_b, code="shipping", name="Shipping")
    client = api(cast.qo_a)
    response = client.post("/api/v1/risks/", risk_payload(cast, category="aviation"), format="json")
    assert response.status_code == 201 and response.json()["category"] == "aviation"
    response = client.post("/api/v1/risks/", risk_payload(cast, category="shipping"), format="json")
    assert response.status_code == 400 and "category" in response.json()


def test_a_full_update_replaces_the_risk(cast, api, high_risk):
    payload = risk_payload(cast, title="Renamed", likelihood=1, impact=2, residual_likelihood=1, residual_impact=1)
    response = api(cast.risk_owner_a).put(f"/api/v1/risks/{high_risk.pk}/", payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["level"], body["residual_level"], body["category"]) == (
        "Renamed",
        "low",
        "low",
        "security",
    )


# --- filters and ordering ----------------------------------------------------------------------


def test_the_register_filters_like_the_page(cast, api, high_risk):
    client = api(cast.qo_a)
    low = RiskFactory(unit=cast.units.bu_a1, owner=cast.qo_a, actor=cast.qo_a, likelihood=1, impact=1, title="Dust")
    very_high = RiskFactory(
        unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, likelihood=5, impact=5, category=category("legal")
    )
    add_measure(very_high, due_date=timezone.localdate() - datetime.timedelta(days=1))
    submit(client, high_risk)
    Risk.objects.filter(pk=low.pk).update(next_review=timezone.localdate() - datetime.timedelta(days=1))

    def found(query):
        response = client.get(f"/api/v1/risks/?{query}")
        assert response.status_code == 200, response.json()
        return set(ids(response))

    assert found("level=high&level=very_high") == {high_risk.pk, very_high.pk}
    assert found("category=legal") == {very_high.pk}
    assert found("missing_plan=true") == {low.pk}
    assert found("review_overdue=true") == {low.pk}
    assert found("measures_overdue=true") == {very_high.pk}
    assert found("awaiting=board") == {high_risk.pk}
    assert found("status=awaiting_approval") == {high_risk.pk}
    assert found(f"unit={cast.units.bu_a1.pk}") == {high_risk.pk, low.pk}
    assert found(f"organisation={cast.units.org_a.pk}") == {high_risk.pk, low.pk, very_high.pk}
    assert found(f"owner={cast.risk_owner_a.pk}") == {high_risk.pk}
    assert found("q=dust") == {low.pk}
    assert found("residual_level=low") == set()
    assert ids(client.get("/api/v1/risks/?ordering=-level")) == [very_high.pk, high_risk.pk, low.pk]
    assert ids(client.get("/api/v1/risks/?ordering=level")) == [low.pk, high_risk.pk, very_high.pk]
    assert ids(client.get("/api/v1/risks/?ordering=title"))[0] == low.pk
    body = client.get(f"/api/v1/risks/{very_high.pk}/").json()
    assert (body["overdue_measure_count"], body["measure_count"]) == (1, 1)


def test_an_invalid_filter_is_a_400(cast, api):
    response = api(cast.qo_a).get("/api/v1/risks/?level=extreme")
    assert response.status_code == 400 and "level" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/risks/?missing_plan=maybe",
        "/api/v1/risks/?review_overdue=2",
        "/api/v1/risks/?measures_overdue=yes-ish",
        "/api/v1/risk-measures/?overdue=perhaps",
        "/api/v1/risk-approvals/?pending=sometimes",
    ],
)
def test_a_yes_or_no_filter_that_is_neither_is_a_400(cast, api, path):
    response = api(cast.qo_a).get(path)
    assert response.status_code == 400
    [(field, messages)] = response.json().items()
    assert path.split("?")[1].startswith(field) and messages == ["Give true or false."]


def test_measures_and_approvals_filter(cast, api, pending):
    other = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    late = add_measure(other, owner=cast.qo_a, due_date=timezone.localdate() - datetime.timedelta(days=2))
    client = api(cast.qo_a)
    assert ids(client.get(f"/api/v1/risk-measures/?risk={other.pk}")) == [late.pk]
    assert ids(client.get("/api/v1/risk-measures/?overdue=true")) == [late.pk]
    assert ids(client.get(f"/api/v1/risk-measures/?owner={cast.qo_a.pk}")) == [late.pk]
    assert len(ids(client.get("/api/v1/risk-measures/?status=open"))) == 2
    assert len(ids(client.get(f"/api/v1/risk-approvals/?risk={pending.pk}&pending=true"))) == 1
    assert ids(client.get("/api/v1/risk-approvals/?decision=approved")) == []
    assert ids(client.get("/api/v1/risk-approvals/?body=group")) == []


# --- pagination and query counts ---------------------------------------------------------------


def make_rows(cast, index):
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, title=f"Risk {index}")
    add_measure(risk, owner=cast.team_lead_a)
    add_measure(risk, due_date=timezone.localdate() - datetime.timedelta(days=1))
    from risks.services.register import risk_submit

    risk_submit(actor=cast.qo_a, risk=risk)


@pytest.mark.parametrize("path", [*LISTS, "/api/v1/risks/?ordering=-level&missing_plan=false"])
def test_list_query_count_does_not_grow_with_rows(cast, api, path, count_queries):
    client = api(cast.qo_a)
    make_rows(cast, 0)
    client.get(path)  # warm the content type cache
    few = count_queries(client, path)
    for index in range(1, 51):
        make_rows(cast, index)
    body = client.get(path).json()
    assert body["count"] >= 51 and len(body["results"]) == 50  # the project's default page
    assert count_queries(client, path) == few


def test_pages_are_at_most_500(cast, api, settings):
    from qms.api.pagination import LimitOffsetPagination
    from risks.api.register import RiskApprovalViewSet, RiskMeasureViewSet, RiskViewSet

    for viewset in (RiskViewSet, RiskMeasureViewSet, RiskApprovalViewSet):
        assert viewset.pagination_class is LimitOffsetPagination
    assert (LimitOffsetPagination.default_limit, LimitOffsetPagination.max_limit) == (50, 500)
    make_rows(cast, 0)
    body = api(cast.qo_a).get("/api/v1/risk-measures/?limit=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and "offset=1" in body["next"]


def test_the_schema_is_valid_and_has_the_register(tmp_path):
    schema_file = tmp_path / "schema.yml"
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))
    content = schema_file.read_text()
    for path in [
        "/api/v1/risks/",
        "/api/v1/risks/{id}/submit/",
        "/api/v1/risks/{id}/decide/",
        "/api/v1/risks/{id}/review/",
        "/api/v1/risks/{id}/close/",
        "/api/v1/risks/{id}/reopen/",
        "/api/v1/risk-measures/",
        "/api/v1/risk-measures/{id}/remove/",
        "/api/v1/risk-approvals/",
    ]:
        assert f"  {path}:" in content


# --- two decisions at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_decisions_on_one_approval_one_wins(cast, api, pending, row_locks):
    import threading

    from django.db import connections

    second = UserFactory(username="board_a2")
    MembershipFactory(user=second, unit=cast.units.org_a, role=Role.BOARD_MEMBER)
    barrier = threading.Barrier(2)
    responses, errors = [], []

    def run(user, decision, reason):
        try:
            client = api(user)
            barrier.wait()
            responses.append((user, decide(client, pending, decision=decision, reason=reason)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(cast.board_a, "approved", "")),
        threading.Thread(target=run, args=(second, "rejected", "Too risky")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    codes = sorted(response.status_code for _user, response in responses)
    assert codes == [200, 400]
    winner, won = next((user, response) for user, response in responses if response.status_code == 200)
    lost = next(response for _user, response in responses if response.status_code == 400)
    assert lost.json() == {"body": ["This risk is not awaiting a decision of the board."]}
    decided = RiskApproval.objects.filter(risk=pending).exclude(decision="")
    assert decided.count() == 1
    assert decided.get().decided_by == winner
    assert decided.get().decision == won.json()["decision"]
    pending.refresh_from_db()
    assert pending.status == {"approved": RiskStatus.APPROVED, "rejected": RiskStatus.REJECTED}[won.json()["decision"]]


# --- a measure changed through the core action API ---------------------------------------------


def approved_risk(cast, api, risk):
    assert submit(api(cast.qo_a), risk).status_code == 200
    assert decide(api(cast.board_a), risk).status_code == 200
    risk.refresh_from_db()
    return risk


def test_cancelling_a_measure_through_the_actions_api_needs_a_reason_and_asks_again(cast, api, high_risk):
    risk = approved_risk(cast, api, high_risk)
    measure = Action.objects.for_source(risk).get()
    client = api(cast.qo_a)
    response = client.patch(f"/api/v1/actions/{measure.pk}/", {"status": "cancelled"}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.APPROVED
    response = client.patch(
        f"/api/v1/actions/{measure.pk}/", {"status": "cancelled", "note": "Supplier gone"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = client.get(f"/api/v1/risks/{risk.pk}/").json()
    assert (body["status"], body["awaiting_approval_of"], body["has_plan"]) == (
        "awaiting_approval",
        ["board"],
        False,
    )


def test_rescheduling_a_measure_through_the_actions_api_asks_again(cast, api, high_risk):
    risk = approved_risk(cast, api, high_risk)
    measure = Action.objects.for_source(risk).get()
    later = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    response = api(cast.qo_a).patch(f"/api/v1/actions/{measure.pk}/", {"due_date": later}, format="json")
    assert response.status_code == 200, response.json()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_the_actions_api_refuses_a_plan_change_by_someone_who_may_not_change_the_risk(cast, api, high_risk):
    risk = approved_risk(cast, api, high_risk)
    measure = add_measure(risk, owner=cast.viewer_a, title="Viewer's measure")
    later = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    response = api(cast.viewer_a).patch(
        f"/api/v1/actions/{measure.pk}/", {"due_date": later, "status": "cancelled", "note": "x"}, format="json"
    )
    assert response.status_code in (400, 403)
    measure.refresh_from_db()
    risk.refresh_from_db()
    assert (measure.status, measure.due_date.isoformat() != later, risk.status) == (
        ActionStatus.OPEN,
        True,
        RiskStatus.APPROVED,
    )
    response = api(cast.viewer_a).patch(
        f"/api/v1/actions/{measure.pk}/", {"status": "cancelled", "note": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "only those who may change the risk change its plan" in response.json()["status"][0]


def test_removing_a_measure_needs_a_reason(cast, api, high_risk):
    measure = Action.objects.for_source(high_risk).get()
    response = api(cast.qo_a).post(f"/api/v1/risk-measures/{measure.pk}/remove/", {}, format="json")
    assert response.json() == {"reason": ["Say why the measure is taken out of the plan."]}
    response = api(cast.qo_a).patch(f"/api/v1/risk-measures/{measure.pk}/", {"status": "cancelled"}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    measure.refresh_from_db()
    assert measure.status == ActionStatus.OPEN


# --- while approvals wait ---------------------------------------------------------------------


def test_a_plan_change_while_group_management_decides_goes_back_to_the_board(cast, api, very_high_risk):
    assert submit(api(cast.qo_a), very_high_risk).status_code == 200
    assert decide(api(cast.board_a), very_high_risk).status_code == 200
    response = api(cast.qo_a).post("/api/v1/risk-measures/", measure_payload(very_high_risk, cast.qo_a), format="json")
    assert response.status_code == 201
    body = api(cast.qo_a).get(f"/api/v1/risks/{very_high_risk.pk}/").json()
    assert (body["status"], body["awaiting_approval_of"]) == ("awaiting_approval", ["board"])
    rows = api(cast.qo_a).get(f"/api/v1/risk-approvals/?risk={very_high_risk.pk}&ordering=id").json()["results"]
    assert [(row["round"], row["body"], row["decision"]) for row in rows] == [
        (1, "board", "approved"),
        (1, "group", "withdrawn"),
        (2, "board", ""),
    ]
    assert decide(api(cast.group_mgmt), very_high_risk, body="group").status_code == 400


# --- who decides does not shape ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["board_a", "group_mgmt"])
def test_the_board_and_group_management_cannot_change_risks_or_plans(cast, api, high_risk, who):
    client = api(getattr(cast, who))
    measure = Action.objects.for_source(high_risk).get()
    assert client.patch(f"/api/v1/risks/{high_risk.pk}/", {"title": "Ours"}, format="json").status_code == 403
    assert client.post("/api/v1/risks/", risk_payload(cast), format="json").status_code == 403
    assert (
        client.post("/api/v1/risk-measures/", measure_payload(high_risk, cast.qo_a), format="json").status_code == 403
    )
    assert client.patch(f"/api/v1/risk-measures/{measure.pk}/", {"description": "x"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/risk-measures/{measure.pk}/", {}, format="json").status_code == 403
    assert submit(client, high_risk).status_code == 403
    high_risk.refresh_from_db()
    assert (high_risk.title != "Ours", high_risk.status) == (True, RiskStatus.DRAFT)


def test_who_changed_the_plan_in_this_round_cannot_approve_it_through_the_api(cast, api, high_risk):
    MembershipFactory(user=cast.board_a, unit=cast.units.org_a, role=Role.QUALITY_OFFICER)
    client = api(cast.board_a)
    assert (
        client.post("/api/v1/risk-measures/", measure_payload(high_risk, cast.qo_a), format="json").status_code == 201
    )
    assert submit(api(cast.qo_a), high_risk).status_code == 200
    response = decide(client, high_risk)
    assert response.status_code == 400
    assert response.json() == {
        "decision": ["You changed this risk or its plan in this round: someone else must approve it."]
    }


# --- the next review --------------------------------------------------------------------------


@pytest.mark.parametrize("next_review", ["2020-01-01", "2035-01-01"])
def test_a_next_review_in_the_past_or_beyond_a_year_is_a_400(cast, api, high_risk, next_review):
    client = api(cast.qo_a)
    response = client.post("/api/v1/risks/", risk_payload(cast, next_review=next_review), format="json")
    assert response.status_code == 400 and list(response.json()) == ["next_review"]
    response = client.patch(f"/api/v1/risks/{high_risk.pk}/", {"next_review": next_review}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["next_review"]
    assert Risk.objects.count() == 1


# --- reopening --------------------------------------------------------------------------------


def test_a_closed_risk_is_reopened_through_the_api(cast, api, high_risk):
    client = api(cast.qo_a)
    assert client.post(f"/api/v1/risks/{high_risk.pk}/reopen/", {"reason": "x"}, format="json").status_code == 400
    assert client.post(f"/api/v1/risks/{high_risk.pk}/close/", {"reason": "Gone"}, format="json").status_code == 200
    response = api(cast.risk_owner_a).post(f"/api/v1/risks/{high_risk.pk}/reopen/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert api(cast.member_b).post(f"/api/v1/risks/{high_risk.pk}/reopen/", {"reason": "x"}).status_code == 404
    response = client.post(f"/api/v1/risks/{high_risk.pk}/reopen/", {}, format="json")
    assert response.json() == {"reason": ["Say why the risk is reopened."]}
    response = client.post(f"/api/v1/risks/{high_risk.pk}/reopen/", {"reason": "Back"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert submit(client, high_risk).json()["status"] == "awaiting_approval"


def test_a_risk_keeps_a_category_its_organisation_no_longer_uses(cast, api, high_risk):
    from risks.services import register as services

    services.category_set_active(
        actor=cast.qo_a, category=high_risk.category, organisation=cast.units.org_a, active=False
    )
    client = api(cast.qo_a)
    payload = risk_payload(cast, category=high_risk.category.code, title="Still here")
    response = client.put(f"/api/v1/risks/{high_risk.pk}/", payload, format="json")
    assert response.status_code == 200, response.json()
    response = client.post("/api/v1/risks/", risk_payload(cast, category=high_risk.category.code), format="json")
    assert response.status_code == 400 and "category" in response.json()


# --- measures as SPEC 9 has them (issue 10) --------------------------------------------------------


def test_a_measure_is_written_with_description_and_title_reads_the_same(cast, api, high_risk):
    client = api(cast.qo_a)
    response = client.post(
        "/api/v1/risk-measures/",
        measure_payload(high_risk, cast.qo_a, details="A second data centre in Zwolle"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["risk"]["id"], body["description"], body["title"], body["details"]) == (
        high_risk.pk,
        "Second site",
        "Second site",
        "A second data centre in Zwolle",
    )
    measure = Action.objects.get(pk=body["id"])
    assert (measure.title, measure.description) == ("Second site", "A second data centre in Zwolle")
    response = client.patch(f"/api/v1/risk-measures/{measure.pk}/", {"description": "Third site"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["description"], response.json()["title"]) == ("Third site", "Third site")
    # The object read back and sent again (title unchanged with it) is fine.
    body = client.get(f"/api/v1/risk-measures/{measure.pk}/").json()
    echo = {"description": body["description"], "title": body["title"], "details": "Zwolle"}
    assert client.patch(f"/api/v1/risk-measures/{measure.pk}/", echo, format="json").status_code == 200


def test_a_measure_sent_with_title_only_is_a_400_that_says_what_to_send(cast, api, high_risk):
    client = api(cast.qo_a)
    payload = measure_payload(high_risk, cast.qo_a)
    payload["title"] = payload.pop("description")
    response = client.post("/api/v1/risk-measures/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["description"] == [
        "Give the measure's text as description: title is read only (deprecated)."
    ]
    measure = Action.objects.for_source(high_risk).get()
    response = client.patch(f"/api/v1/risk-measures/{measure.pk}/", {"title": "Renamed"}, format="json")
    assert response.status_code == 400 and "description" in response.json()
    measure.refresh_from_db()
    assert measure.title == "Measure"


def test_the_schema_marks_the_measure_s_title_deprecated(cast, api):
    schema = api(cast.qo_a).get("/api/schema/?format=json").json()["components"]["schemas"]
    properties = schema["RiskMeasure"]["properties"]
    assert properties["title"]["deprecated"] is True and properties["title"]["readOnly"] is True
    assert "Deprecated: use description" in properties["title"]["description"]
    assert "description" in schema["RiskMeasure"]["required"]
