"""The risk register's rules, one by one, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.choices import ActionStatus, Role
from qms.models import Action, Notification
from risks import services
from risks.choices import ApprovalBody, Decision, RiskLevel, RiskStatus
from risks.models import RiskApproval, RiskCategory
from risks.selectors import default_matrix, matrix_for
from tests.factories import MembershipFactory, UserFactory
from tests.factories.risks import RiskFactory, add_measure, category

TODAY = timezone.localdate


def create(cast, **overrides):
    data = {
        "actor": cast.qo_a,
        "unit": cast.units.bu_a1,
        "owner": cast.risk_owner_a,
        "title": "Data centre outage",
        "category": category("security"),
        "likelihood": 3,
        "impact": 4,
    }
    data.update(overrides)
    return services.risk_create(**data)


def submitted(cast, risk):
    return services.risk_submit(actor=cast.qo_a, risk=risk)


# --- matrix and levels ---


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [
        (1, 1, "low"),
        (2, 2, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (3, 4, "high"),
        (4, 4, "very_high"),
        (5, 5, "very_high"),
    ],
)
def test_it_derives_the_level_from_the_default_matrix(cast, likelihood, impact, level):
    risk = create(cast, likelihood=likelihood, impact=impact)
    assert risk.level == level


def test_it_derives_the_residual_level(cast):
    risk = create(cast, likelihood=5, impact=5, residual_likelihood=1, residual_impact=2)
    assert (risk.level, risk.residual_level) == (RiskLevel.VERY_HIGH, RiskLevel.LOW)


@pytest.mark.parametrize("field", ["likelihood", "impact", "residual_likelihood"])
def test_it_refuses_an_assessment_outside_the_matrix(cast, field):
    values = {"residual_likelihood": 1, "residual_impact": 1, field: 6}
    with pytest.raises(ValidationError) as error:
        create(cast, **values)
    assert field in error.value.message_dict


def test_it_refuses_half_a_residual_assessment(cast):
    with pytest.raises(ValidationError) as error:
        create(cast, residual_likelihood=2)
    assert "residual_impact" in error.value.message_dict


def test_it_requires_an_owner_from_the_organisation(cast):
    with pytest.raises(ValidationError) as error:
        create(cast, owner=cast.member_b)
    assert "owner" in error.value.message_dict


def test_it_refuses_a_risk_from_a_viewer(cast):
    with pytest.raises(PermissionDenied):
        create(cast, actor=cast.viewer_a)


def test_it_refuses_a_risk_in_another_organisation(cast):
    with pytest.raises(PermissionDenied):
        create(cast, unit=cast.units.bu_b1, owner=cast.member_b)


def test_it_refuses_a_category_of_another_organisation(cast):
    other = RiskCategory.objects.create(organisation=cast.units.org_b, code="b-only", name="B only")
    with pytest.raises(ValidationError) as error:
        create(cast, category=other)
    assert "category" in error.value.message_dict


def test_it_sets_the_first_review_a_year_ahead(cast):
    risk = create(cast)
    assert risk.next_review == services.one_year_after(TODAY())
    assert risk.organisation == cast.units.org_a


def test_changing_the_matrix_re_derives_open_risks_and_records_it(cast):
    risk = create(cast, likelihood=2, impact=2)
    matrix = default_matrix(cast.units.org_a)
    bands = [["high"] * 5 for _ in range(5)]
    services.matrix_update(
        actor=cast.qo_a,
        organisation=cast.units.org_a,
        likelihood_steps=matrix.likelihood_steps,
        impact_steps=matrix.impact_steps,
        bands=bands,
    )
    risk.refresh_from_db()
    assert risk.level == RiskLevel.HIGH
    assert risk.history.first().history_change_reason == "Risk matrix changed"
    assert matrix_for(cast.units.org_a).pk is not None


def test_a_smaller_matrix_is_refused_while_risks_sit_outside_it(cast):
    create(cast, likelihood=5, impact=5)
    steps = [{"label": str(n)} for n in range(3)]
    with pytest.raises(ValidationError) as error:
        services.matrix_update(
            actor=cast.qo_a,
            organisation=cast.units.org_a,
            likelihood_steps=steps,
            impact_steps=steps,
            bands=[["low"] * 3] * 3,
        )
    assert "bands" in error.value.message_dict


def test_only_administrators_and_quality_officers_change_the_matrix(cast):
    matrix = default_matrix(cast.units.org_a)
    with pytest.raises(PermissionDenied):
        services.matrix_update(
            actor=cast.board_a,
            organisation=cast.units.org_a,
            likelihood_steps=matrix.likelihood_steps,
            impact_steps=matrix.impact_steps,
            bands=matrix.bands,
        )


def test_a_matrix_with_an_unknown_level_is_refused(cast):
    matrix = default_matrix(cast.units.org_a)
    bands = [list(row) for row in matrix.bands]
    bands[0][0] = "catastrophic"
    with pytest.raises(ValidationError) as error:
        services.matrix_update(
            actor=cast.qo_a,
            organisation=cast.units.org_a,
            likelihood_steps=matrix.likelihood_steps,
            impact_steps=matrix.impact_steps,
            bands=bands,
        )
    assert "bands" in error.value.message_dict


# --- the mitigation plan ---


def test_it_refuses_to_submit_a_risk_without_a_plan(cast):
    risk = create(cast)
    with pytest.raises(ValidationError) as error:
        submitted(cast, risk)
    assert "measures" in error.value.message_dict
    risk.refresh_from_db()
    assert risk.status == RiskStatus.DRAFT


def test_a_cancelled_measure_is_no_plan(cast):
    risk = create(cast)
    add_measure(risk, status=ActionStatus.CANCELLED)
    with pytest.raises(ValidationError):
        submitted(cast, risk)


def test_a_measure_is_an_action_of_its_owner(cast):
    risk = create(cast)
    measure = services.measure_create(
        actor=cast.qo_a, risk=risk, title="Second data centre", owner=cast.team_lead_a, due_date=TODAY()
    )
    assert measure.source == risk
    assert Action.objects.visible_to(cast.team_lead_a).filter(owner=cast.team_lead_a).get() == measure
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="action_assigned").exists()


def test_a_measure_owner_must_belong_to_the_organisation(cast):
    risk = create(cast)
    with pytest.raises(ValidationError) as error:
        services.measure_create(actor=cast.qo_a, risk=risk, title="X", owner=cast.member_b, due_date=TODAY())
    assert "owner" in error.value.message_dict


def test_a_viewer_cannot_change_the_plan(cast, high_risk):
    with pytest.raises(PermissionDenied):
        services.measure_create(actor=cast.viewer_a, risk=high_risk, title="X", owner=cast.qo_a, due_date=TODAY())


def test_the_register_flags_risks_without_plan_and_with_overdue_measures(cast, high_risk):
    bare = create(cast, title="No plan")
    late = create(cast, title="Late")
    add_measure(late, due_date=TODAY() - datetime.timedelta(days=1))
    from risks.models import Risk

    assert set(Risk.objects.without_plan()) == {bare}
    assert set(Risk.objects.with_overdue_measures()) == {late}
    counts = Risk.objects.with_plan_counts().get(pk=late.pk)
    assert (counts.measure_count, counts.open_measure_count, counts.overdue_measure_count) == (1, 1, 1)


# --- submission and approval ---


def test_a_low_risk_needs_no_approval(cast):
    risk = create(cast, likelihood=1, impact=1)
    add_measure(risk)
    risk = submitted(cast, risk)
    assert risk.status == RiskStatus.ACCEPTED
    assert risk.required_approvals == []
    assert not risk.approvals.exists()


@pytest.mark.parametrize(("likelihood", "impact"), [(3, 3), (3, 4)])
def test_it_escalates_medium_and_high_risks_to_the_board(cast, likelihood, impact):
    risk = create(cast, likelihood=likelihood, impact=impact)
    add_measure(risk)
    risk = submitted(cast, risk)
    assert risk.status == RiskStatus.AWAITING_APPROVAL
    approval = risk.approvals.get()
    assert (approval.body, approval.decision, approval.submitted_by) == (ApprovalBody.BOARD, "", cast.qo_a)
    assert Notification.objects.filter(recipient=cast.board_a, verb="risk_approval_requested").exists()
    assert not Notification.objects.filter(recipient=cast.group_mgmt).exists()


def test_the_board_approves_a_high_risk(cast, high_risk):
    submitted(cast, high_risk)
    approval = services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="approved")
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.APPROVED
    assert high_risk.approved_level == RiskLevel.HIGH
    assert (approval.decided_by, approval.decision) == (cast.board_a, Decision.APPROVED)
    assert approval.decided_at is not None
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="risk_approved").exists()


def test_a_very_high_risk_goes_to_group_management_after_the_board(cast, very_high_risk):
    submitted(cast, very_high_risk)
    services.approval_decide(actor=cast.board_a, risk=very_high_risk, body="board", decision="approved")
    very_high_risk.refresh_from_db()
    assert very_high_risk.status == RiskStatus.AWAITING_APPROVAL
    pending = RiskApproval.objects.pending().get(risk=very_high_risk)
    assert pending.body == ApprovalBody.GROUP
    assert Notification.objects.filter(recipient=cast.group_mgmt, verb="risk_approval_requested").exists()
    services.approval_decide(actor=cast.group_mgmt, risk=very_high_risk, body="group", decision="approved")
    very_high_risk.refresh_from_db()
    assert very_high_risk.status == RiskStatus.APPROVED


def test_group_management_cannot_decide_before_the_board(cast, very_high_risk):
    submitted(cast, very_high_risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=cast.group_mgmt, risk=very_high_risk, body="group", decision="approved")
    assert "body" in error.value.message_dict


@pytest.mark.parametrize("who", ["qo_a", "viewer_a", "group_mgmt", "member_b", "outsider"])
def test_only_the_board_of_the_organisation_decides_for_the_board(cast, high_risk, who):
    submitted(cast, high_risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=getattr(cast, who), risk=high_risk, body="board", decision="approved")
    assert "body" in error.value.message_dict
    assert RiskApproval.objects.pending().filter(risk=high_risk).count() == 1


def test_a_board_member_of_another_organisation_cannot_decide(cast, high_risk):
    board_b = UserFactory(username="board_b")
    MembershipFactory(user=board_b, unit=cast.units.org_b, role=Role.BOARD_MEMBER)
    submitted(cast, high_risk)
    with pytest.raises(ValidationError):
        services.approval_decide(actor=board_b, risk=high_risk, body="board", decision="approved")


def test_the_owner_cannot_approve_their_own_risk(cast):
    MembershipFactory(user=cast.board_a, unit=cast.units.org_a, role=Role.RISK_OWNER)
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.board_a, actor=cast.qo_a)
    add_measure(risk)
    submitted(cast, risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=cast.board_a, risk=risk, body="board", decision="approved")
    assert "decision" in error.value.message_dict


@pytest.mark.parametrize("decision", [Decision.REJECTED, Decision.CHANGES_REQUESTED])
def test_rejecting_or_asking_changes_needs_a_reason(cast, high_risk, decision):
    submitted(cast, high_risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision=decision, reason="  ")
    assert "reason" in error.value.message_dict
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("decision", "status"),
    [(Decision.REJECTED, RiskStatus.REJECTED), (Decision.CHANGES_REQUESTED, RiskStatus.CHANGES_REQUESTED)],
)
def test_a_decision_with_reason_is_recorded_and_told_to_the_owner(cast, high_risk, decision, status):
    submitted(cast, high_risk)
    approval = services.approval_decide(
        actor=cast.board_a, risk=high_risk, body="board", decision=decision, reason="Plan is too thin"
    )
    high_risk.refresh_from_db()
    assert high_risk.status == status
    assert approval.reason == "Plan is too thin"
    note = Notification.objects.get(recipient=cast.risk_owner_a, verb=f"risk_{decision}")
    assert "Plan is too thin" in note.body


def test_a_rejected_risk_can_be_submitted_again_in_a_new_round(cast, high_risk):
    submitted(cast, high_risk)
    services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="rejected", reason="No")
    submitted(cast, high_risk)
    assert list(high_risk.approvals.order_by("round").values_list("round", "decision")) == [(1, "rejected"), (2, "")]


def test_deciding_a_risk_that_is_not_waiting_is_refused(cast, high_risk):
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="approved")
    assert "body" in error.value.message_dict


def test_deciding_twice_is_refused(cast, high_risk):
    submitted(cast, high_risk)
    services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="approved")
    with pytest.raises(ValidationError):
        services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="rejected", reason="x")


def test_an_unknown_decision_is_refused(cast, high_risk):
    submitted(cast, high_risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="maybe")
    assert "decision" in error.value.message_dict


def test_a_risk_awaiting_approval_cannot_be_submitted_again(cast, high_risk):
    submitted(cast, high_risk)
    with pytest.raises(ValidationError):
        submitted(cast, high_risk)


# --- material changes ---


def approved(cast, risk):
    submitted(cast, risk)
    services.approval_decide(actor=cast.board_a, risk=risk, body="board", decision="approved")
    risk.refresh_from_db()
    return risk


def test_a_higher_level_after_approval_asks_for_approval_again(cast, high_risk):
    risk = approved(cast, high_risk)
    risk = services.risk_update(actor=cast.qo_a, risk=risk, likelihood=5, impact=5)
    assert risk.status == RiskStatus.AWAITING_APPROVAL
    assert RiskApproval.objects.pending().get(risk=risk).round == 2


def test_a_lower_level_after_approval_keeps_the_approval(cast, high_risk):
    risk = approved(cast, high_risk)
    risk = services.risk_update(actor=cast.qo_a, risk=risk, likelihood=3, impact=3)
    assert risk.status == RiskStatus.APPROVED


def test_a_change_of_plan_after_approval_asks_for_approval_again(cast, high_risk):
    risk = approved(cast, high_risk)
    services.measure_create(actor=cast.qo_a, risk=risk, title="Extra", owner=cast.qo_a, due_date=TODAY())
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_rescheduling_a_measure_after_approval_asks_for_approval_again(cast, high_risk):
    risk = approved(cast, high_risk)
    measure = Action.objects.for_source(risk).get()
    services.measure_update(actor=cast.qo_a, measure=measure, due_date=TODAY() + datetime.timedelta(days=90))
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_finishing_a_measure_is_not_a_change_of_plan(cast, high_risk):
    from qms.services.actions import action_set_status

    risk = approved(cast, high_risk)
    action_set_status(actor=cast.risk_owner_a, action=Action.objects.for_source(risk).get(), status="done")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.APPROVED


def test_lowering_the_level_does_not_drop_a_pending_approval(cast, high_risk):
    submitted(cast, high_risk)
    services.risk_update(actor=cast.qo_a, risk=high_risk, likelihood=1, impact=1)
    high_risk.refresh_from_db()
    assert high_risk.level == RiskLevel.LOW
    assert high_risk.status == RiskStatus.AWAITING_APPROVAL
    assert RiskApproval.objects.pending().filter(risk=high_risk, body="board").exists()
    services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="approved")
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.APPROVED


def test_a_pending_risk_that_becomes_very_high_also_needs_group_management(cast, high_risk):
    submitted(cast, high_risk)
    services.risk_update(actor=cast.qo_a, risk=high_risk, likelihood=5, impact=5)
    services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="approved")
    assert RiskApproval.objects.pending().get(risk=high_risk).body == ApprovalBody.GROUP


def test_a_low_accepted_risk_that_rises_goes_to_the_board(cast):
    risk = create(cast, likelihood=1, impact=1)
    add_measure(risk)
    submitted(cast, risk)
    risk = services.risk_update(actor=cast.qo_a, risk=risk, likelihood=3, impact=4)
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_closing_withdraws_pending_approvals(cast, high_risk):
    submitted(cast, high_risk)
    risk = services.risk_close(actor=cast.qo_a, risk=high_risk, reason="Supplier replaced")
    assert risk.status == RiskStatus.CLOSED
    assert not RiskApproval.objects.pending().filter(risk=risk).exists()
    with pytest.raises(ValidationError):
        services.risk_update(actor=cast.qo_a, risk=risk, title="x")


# --- reviews ---


def test_a_review_records_the_reassessment_and_sets_the_next_date(cast, high_risk):
    review = services.risk_review(actor=cast.risk_owner_a, risk=high_risk, likelihood=2, impact=2, note="Fine")
    high_risk.refresh_from_db()
    assert (review.level, high_risk.level) == (RiskLevel.LOW, RiskLevel.LOW)
    assert high_risk.last_reviewed == TODAY()
    assert high_risk.next_review == services.one_year_after(TODAY()) == review.next_review


def test_a_review_cannot_be_set_more_than_a_year_ahead(cast, high_risk):
    with pytest.raises(ValidationError) as error:
        services.risk_review(
            actor=cast.qo_a, risk=high_risk, likelihood=2, impact=2, next_review=TODAY() + datetime.timedelta(days=400)
        )
    assert "next_review" in error.value.message_dict


def test_the_sweep_escalates_an_overdue_review_once_a_day(cast, high_risk):
    high_risk.next_review = TODAY() - datetime.timedelta(days=1)
    high_risk.save()
    assert services.sweep_overdue_reviews(today=TODAY()) == 1
    assert services.sweep_overdue_reviews(today=TODAY()) == 0
    recipients = set(
        Notification.objects.filter(verb="risk_review_overdue").values_list("recipient__username", flat=True)
    )
    assert recipients == {"risk_owner_a", "qo_a"}
    assert services.sweep_overdue_reviews(today=TODAY() + datetime.timedelta(days=1)) == 1


def test_run_escalations_includes_the_review_sweep(cast, high_risk):
    from qms.escalations import escalations_run

    high_risk.next_review = TODAY() - datetime.timedelta(days=1)
    high_risk.save()
    assert escalations_run(today=TODAY())["risk_reviews_overdue"] == 1


def test_every_change_is_in_the_history_with_who(cast, high_risk):
    services.risk_update(actor=cast.risk_owner_a, risk=high_risk, title="Renamed")
    latest = high_risk.history.first()
    assert (latest.title, latest.history_user) == ("Renamed", cast.risk_owner_a)
