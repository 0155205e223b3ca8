"""The risk register's rules, one by one, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.choices import ActionStatus, Role
from qms.models import Action, Notification
from qms.services.actions import action_set_status, action_update
from risks.choices import BODY_ROLES, ApprovalBody, Decision, RiskLevel, RiskStatus, next_body
from risks.models import Risk, RiskApproval, RiskCategory
from risks.selectors.register import decidable_bodies, default_matrix, matrix_for
from risks.services import register as services
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
    # A note the system writes is stored in the organisation's language (Dutch), whoever's change caused it.
    assert risk.history.first().history_change_reason == "Risicomatrix gewijzigd"
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


def test_counting_plans_after_the_fetch_gives_the_annotated_counts(cast, high_risk):
    late = create(cast, title="Late")
    add_measure(late, due_date=TODAY() - datetime.timedelta(days=1))
    done = add_measure(late)
    action_set_status(actor=cast.qo_a, action=done, status=ActionStatus.DONE)
    cancelled = add_measure(late)
    Action.objects.filter(pk=cancelled.pk).update(status=ActionStatus.CANCELLED)
    create(cast, title="No plan")

    def counts(risks):
        return {(r.pk, r.measure_count, r.open_measure_count, r.overdue_measure_count) for r in risks}

    annotated = counts(Risk.objects.with_plan_counts())
    assert annotated == counts(Risk.objects.counting_plans())
    assert annotated == counts([Risk.objects.counting_plans().filter(pk=pk).get() for pk, *_ in annotated])
    assert (late.pk, 2, 1, 1) in annotated


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


# --- a measure changed through the core action paths (the action pages and API) ---------------


def test_cancelling_a_measure_as_an_action_sends_an_approved_plan_to_the_board_again(cast, high_risk):
    risk = approved(cast, high_risk)
    measure = Action.objects.for_source(risk).get()
    action_set_status(actor=cast.qo_a, action=measure, status=ActionStatus.CANCELLED, note="Supplier stopped")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL
    assert RiskApproval.objects.pending().get(risk=risk).round == 2


def test_cancelling_a_measure_as_an_action_needs_a_reason_like_removing_it(cast, high_risk):
    risk = approved(cast, high_risk)
    measure = Action.objects.for_source(risk).get()
    with pytest.raises(ValidationError) as error:
        action_set_status(actor=cast.qo_a, action=measure, status=ActionStatus.CANCELLED, note="")
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.measure_remove(actor=cast.qo_a, measure=measure, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why the measure is taken out of the plan."]}
    risk.refresh_from_db()
    measure.refresh_from_db()
    assert (risk.status, measure.status) == (RiskStatus.APPROVED, ActionStatus.OPEN)


def test_rescheduling_a_measure_as_an_action_sends_an_approved_plan_to_the_board_again(cast, high_risk):
    risk = approved(cast, high_risk)
    measure = Action.objects.for_source(risk).get()
    action_update(actor=cast.qo_a, action=measure, due_date=TODAY() + datetime.timedelta(days=120))
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_reopening_a_cancelled_measure_changes_the_plan_but_finishing_one_does_not(cast, high_risk):
    measure = Action.objects.for_source(high_risk).get()
    add_measure(high_risk, title="Second")
    action_set_status(actor=cast.qo_a, action=measure, status=ActionStatus.CANCELLED, note="Not needed")
    risk = approved(cast, high_risk)
    action_set_status(actor=cast.qo_a, action=measure, status=ActionStatus.OPEN)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_only_those_who_may_change_the_risk_cancel_its_measure_as_an_action(cast, high_risk):
    risk = approved(cast, high_risk)
    measure = add_measure(risk, owner=cast.viewer_a, title="Viewer's measure")
    with pytest.raises(ValidationError) as error:
        action_set_status(actor=cast.viewer_a, action=measure, status=ActionStatus.CANCELLED, note="Bored")
    assert risk.title in error.value.message_dict["status"][0]
    # Their own measure they move along: that is no change of the plan.
    action_set_status(actor=cast.viewer_a, action=measure, status=ActionStatus.DONE, note="Done")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.APPROVED


def test_the_plan_of_a_closed_risk_does_not_change_as_an_action_either(cast, high_risk):
    measure = Action.objects.for_source(high_risk).get()
    services.risk_close(actor=cast.qo_a, risk=high_risk, reason="Gone")
    with pytest.raises(ValidationError):
        action_update(actor=cast.qo_a, action=measure, title="Renamed")
    measure.refresh_from_db()
    assert measure.title == "Measure"


# --- a change while the approvals are in progress -----------------------------------------------


def test_a_plan_change_after_the_boards_approval_sends_a_very_high_risk_to_the_board_again(cast, very_high_risk):
    submitted(cast, very_high_risk)
    services.approval_decide(actor=cast.board_a, risk=very_high_risk, body="board", decision="approved")
    assert RiskApproval.objects.pending().get(risk=very_high_risk).body == ApprovalBody.GROUP
    Notification.objects.all().delete()

    services.measure_create(actor=cast.qo_a, risk=very_high_risk, title="Extra", owner=cast.qo_a, due_date=TODAY())

    withdrawn = RiskApproval.objects.get(risk=very_high_risk, body="group")
    assert (withdrawn.decision, withdrawn.decided_by) == (Decision.WITHDRAWN, cast.qo_a)
    assert withdrawn.reason  # why, in the organisation's language
    pending = RiskApproval.objects.pending().get(risk=very_high_risk)
    assert (pending.body, pending.round, pending.level) == (ApprovalBody.BOARD, 2, RiskLevel.VERY_HIGH)
    very_high_risk.refresh_from_db()
    assert very_high_risk.status == RiskStatus.AWAITING_APPROVAL
    assert very_high_risk.history.first().history_change_reason.startswith("Opnieuw ingediend")
    assert Notification.objects.filter(recipient=cast.board_a, verb="risk_approval_requested").exists()
    assert Notification.objects.filter(recipient=cast.group_mgmt, verb="risk_approval_withdrawn").exists()
    # The board decides on the plan as it is now, then group management.
    with pytest.raises(ValidationError):
        services.approval_decide(actor=cast.group_mgmt, risk=very_high_risk, body="group", decision="approved")
    services.approval_decide(actor=cast.board_a, risk=very_high_risk, body="board", decision="approved")
    services.approval_decide(actor=cast.group_mgmt, risk=very_high_risk, body="group", decision="approved")
    very_high_risk.refresh_from_db()
    assert very_high_risk.status == RiskStatus.APPROVED


def test_a_plan_change_while_the_board_decides_starts_a_new_round(cast, high_risk):
    submitted(cast, high_risk)
    measure = Action.objects.for_source(high_risk).get()
    services.measure_update(actor=cast.qo_a, measure=measure, title="Two data centres")
    rounds = list(high_risk.approvals.order_by("round").values_list("round", "body", "decision"))
    assert rounds == [(1, "board", Decision.WITHDRAWN), (2, "board", "")]


def test_a_level_rise_while_waiting_starts_a_new_round_at_the_new_level(cast, high_risk):
    submitted(cast, high_risk)
    services.risk_update(actor=cast.qo_a, risk=high_risk, likelihood=5, impact=5)
    pending = RiskApproval.objects.pending().get(risk=high_risk)
    assert (pending.round, pending.level) == (2, RiskLevel.VERY_HIGH)
    assert RiskApproval.objects.get(risk=high_risk, round=1).decision == Decision.WITHDRAWN


def test_a_change_that_is_not_material_keeps_the_round(cast, high_risk):
    submitted(cast, high_risk)
    services.risk_update(actor=cast.qo_a, risk=high_risk, title="Clearer title", likelihood=2, impact=2)
    assert list(high_risk.approvals.values_list("round", "decision")) == [(1, "")]


def test_a_plan_change_after_lowering_keeps_the_level_the_round_was_asked_at(cast, very_high_risk):
    submitted(cast, very_high_risk)
    services.risk_update(actor=cast.qo_a, risk=very_high_risk, likelihood=1, impact=1)
    services.measure_create(actor=cast.qo_a, risk=very_high_risk, title="Extra", owner=cast.qo_a, due_date=TODAY())
    pending = RiskApproval.objects.pending().get(risk=very_high_risk)
    assert (pending.body, pending.level) == (ApprovalBody.BOARD, RiskLevel.VERY_HIGH)
    services.approval_decide(actor=cast.board_a, risk=very_high_risk, body="board", decision="approved")
    assert RiskApproval.objects.pending().get(risk=very_high_risk).body == ApprovalBody.GROUP


def test_closing_keeps_the_withdrawn_approvals_with_the_reason(cast, high_risk):
    submitted(cast, high_risk)
    services.risk_close(actor=cast.qo_a, risk=high_risk, reason="Gone")
    approval = RiskApproval.objects.get(risk=high_risk)
    assert (approval.decision, approval.decided_by) == (Decision.WITHDRAWN, cast.qo_a)


def test_withdrawing_is_not_a_decision_anyone_takes(cast, high_risk):
    submitted(cast, high_risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="withdrawn", reason="x")
    assert "decision" in error.value.message_dict


def test_a_decision_is_in_the_risks_history_with_who_and_why(cast, very_high_risk):
    submitted(cast, very_high_risk)
    services.approval_decide(actor=cast.board_a, risk=very_high_risk, body="board", decision="approved")
    entry = very_high_risk.history.first()
    assert (entry.history_user, entry.history_change_reason) == (cast.board_a, "Raad van bestuur: Goedgekeurd")
    services.approval_decide(
        actor=cast.group_mgmt, risk=very_high_risk, body="group", decision="rejected", reason="Too thin"
    )
    assert very_high_risk.history.first().history_change_reason.endswith("— Too thin")


# --- who decides does not shape -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["board_a", "group_mgmt"])
def test_the_board_and_group_management_read_and_decide_but_do_not_edit(cast, high_risk, who):
    user = getattr(cast, who)
    assert not services.can_edit_risk(user, high_risk)
    with pytest.raises(PermissionDenied):
        services.risk_update(actor=user, risk=high_risk, title="Ours")
    with pytest.raises(PermissionDenied):
        services.measure_create(actor=user, risk=high_risk, title="X", owner=cast.qo_a, due_date=TODAY())
    with pytest.raises(PermissionDenied):
        services.risk_submit(actor=user, risk=high_risk)
    with pytest.raises(PermissionDenied):
        create(cast, actor=user)


def board_member_who_is_also_quality_officer(cast):
    MembershipFactory(user=cast.board_a, unit=cast.units.org_a, role=Role.QUALITY_OFFICER)
    from qms.scoping import scope_reset

    scope_reset(cast.board_a)
    return cast.board_a


def second_board_member(cast):
    user = UserFactory(username="board_a2")
    MembershipFactory(user=user, unit=cast.units.org_a, role=Role.BOARD_MEMBER)
    return user


def test_who_changed_the_plan_in_this_round_cannot_approve_it(cast, high_risk):
    board_qo = board_member_who_is_also_quality_officer(cast)
    assert services.can_edit_risk(board_qo, high_risk)
    services.measure_create(actor=board_qo, risk=high_risk, title="Extra", owner=cast.qo_a, due_date=TODAY())
    submitted(cast, high_risk)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=board_qo, risk=high_risk, body="board", decision="approved")
    assert error.value.message_dict == {
        "decision": ["You changed this risk or its plan in this round: someone else must approve it."]
    }
    # Asking for changes to it is fine; another board member approves.
    services.approval_decide(actor=board_qo, risk=high_risk, body="board", decision="changes_requested", reason="More")
    submitted(cast, high_risk)
    services.approval_decide(actor=second_board_member(cast), risk=high_risk, body="board", decision="approved")
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.APPROVED


def test_who_changed_the_risk_in_an_earlier_round_may_approve_this_one(cast, high_risk):
    board_qo = board_member_who_is_also_quality_officer(cast)
    services.risk_update(actor=board_qo, risk=high_risk, title="Sharper")
    submitted(cast, high_risk)
    services.approval_decide(
        actor=second_board_member(cast), risk=high_risk, body="board", decision="rejected", reason="No"
    )
    services.risk_update(actor=cast.qo_a, risk=high_risk, cause="Found it")
    submitted(cast, high_risk)
    services.approval_decide(actor=board_qo, risk=high_risk, body="board", decision="approved")
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.APPROVED


def test_finishing_a_measure_does_not_bar_its_owner_from_approving(cast, high_risk):
    board_qo = board_member_who_is_also_quality_officer(cast)
    measure = add_measure(high_risk, owner=board_qo, title="Board's own")
    submitted(cast, high_risk)
    action_set_status(actor=board_qo, action=measure, status=ActionStatus.DONE, note="Done")
    services.approval_decide(actor=board_qo, risk=high_risk, body="board", decision="approved")


# --- the next review ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, 367, 4000])
def test_a_new_risk_is_reviewed_within_a_year(cast, days):
    with pytest.raises(ValidationError) as error:
        create(cast, next_review=TODAY() + datetime.timedelta(days=days))
    assert "next_review" in error.value.message_dict
    assert not Risk.objects.exists()


def test_a_new_risk_may_be_reviewed_today_or_in_a_year(cast):
    assert create(cast, next_review=TODAY()).next_review == TODAY()
    assert create(cast, next_review=services.one_year_after(TODAY())).next_review == services.one_year_after(TODAY())


def test_a_changed_next_review_is_at_most_a_year_after_the_last_review(cast, high_risk):
    Risk.objects.filter(pk=high_risk.pk).update(last_reviewed=TODAY() - datetime.timedelta(days=100))
    high_risk.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.risk_update(actor=cast.qo_a, risk=high_risk, next_review=TODAY() + datetime.timedelta(days=300))
    assert "next_review" in error.value.message_dict
    risk = services.risk_update(actor=cast.qo_a, risk=high_risk, next_review=TODAY() + datetime.timedelta(days=200))
    assert risk.next_review == TODAY() + datetime.timedelta(days=200)
    with pytest.raises(ValidationError):
        services.risk_update(actor=cast.qo_a, risk=high_risk, next_review=TODAY() - datetime.timedelta(days=1))


def test_other_changes_leave_an_overdue_review_date_alone(cast, high_risk):
    Risk.objects.filter(pk=high_risk.pk).update(next_review=TODAY() - datetime.timedelta(days=5))
    high_risk.refresh_from_db()
    assert services.risk_update(actor=cast.qo_a, risk=high_risk, title="Renamed").title == "Renamed"


# --- reopening ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["qo_a", "admin_a"])
def test_a_closed_risk_is_reopened_as_a_draft_with_the_reason(cast, high_risk, who):
    risk = approved(cast, high_risk)
    services.risk_close(actor=cast.qo_a, risk=risk, reason="Gone")
    risk = services.risk_reopen(actor=getattr(cast, who), risk=risk, reason="It is back")
    assert (risk.status, risk.approved_level) == (RiskStatus.DRAFT, "")
    assert risk.history.first().history_change_reason == "It is back"
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="risk_reopened").exists()
    # A draft again: it goes to the board when submitted.
    assert submitted(cast, risk).status == RiskStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("who", ["risk_owner_a", "board_a", "viewer_a"])
def test_only_quality_officers_and_administrators_reopen_a_risk(cast, high_risk, who):
    services.risk_close(actor=cast.qo_a, risk=high_risk, reason="Gone")
    with pytest.raises(PermissionDenied):
        services.risk_reopen(actor=getattr(cast, who), risk=high_risk, reason="Back")


def test_reopening_needs_a_reason_and_a_closed_risk(cast, high_risk):
    with pytest.raises(ValidationError):
        services.risk_reopen(actor=cast.qo_a, risk=high_risk, reason="Back")
    services.risk_close(actor=cast.qo_a, risk=high_risk, reason="Gone")
    with pytest.raises(ValidationError) as error:
        services.risk_reopen(actor=cast.qo_a, risk=high_risk, reason=" ")
    assert "reason" in error.value.message_dict


# --- categories -----------------------------------------------------------------------------------


def test_an_organisation_renames_and_deactivates_its_own_category(cast):
    own = services.category_create(actor=cast.qo_a, organisation=cast.units.org_a, code="aviation", name="Aviation")
    services.category_rename(actor=cast.qo_a, category=own, organisation=cast.units.org_a, name="Air travel")
    own.refresh_from_db()
    assert str(own) == "Air travel"
    risk = create(cast, category=own)
    services.category_set_active(actor=cast.admin_a, category=own, organisation=cast.units.org_a, active=False)
    assert own not in RiskCategory.objects.for_organisation(cast.units.org_a)
    own.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        create(cast, category=own)
    assert "category" in error.value.message_dict
    risk.refresh_from_db()
    assert risk.category == own  # risks keep it
    services.category_set_active(actor=cast.qo_a, category=own, organisation=cast.units.org_a, active=True)
    assert own in RiskCategory.objects.for_organisation(cast.units.org_a)


def test_a_default_category_is_hidden_for_one_organisation_only(cast):
    legal = category("legal")
    services.category_set_active(actor=cast.qo_a, category=legal, organisation=cast.units.org_a, active=False)
    assert legal not in RiskCategory.objects.for_organisation(cast.units.org_a)
    assert legal in RiskCategory.objects.for_organisation(cast.units.org_b)
    with pytest.raises(ValidationError):
        create(cast, category=legal)
    with pytest.raises(ValidationError) as error:
        services.category_rename(actor=cast.qo_a, category=legal, organisation=cast.units.org_a, name="Law")
    assert "name" in error.value.message_dict
    services.category_set_active(actor=cast.qo_a, category=legal, organisation=cast.units.org_a, active=True)
    assert create(cast, category=legal).category == legal


@pytest.mark.parametrize("who", ["board_a", "risk_owner_a", "member_b"])
def test_only_the_organisations_quality_officers_and_administrators_change_categories(cast, who):
    own = services.category_create(actor=cast.qo_a, organisation=cast.units.org_a, code="aviation", name="Aviation")
    with pytest.raises(PermissionDenied):
        services.category_rename(actor=getattr(cast, who), category=own, organisation=cast.units.org_a, name="X")
    with pytest.raises(PermissionDenied):
        services.category_set_active(
            actor=getattr(cast, who), category=category("legal"), organisation=cast.units.org_a, active=False
        )


def test_risk_validate_reports_every_problem_at_once(cast):
    with pytest.raises(ValidationError) as error:
        services.risk_validate(
            actor=cast.qo_a,
            unit=cast.units.bu_a1,
            owner=cast.member_b,
            title="X",
            category=category("security"),
            likelihood=9,
            impact=2,
            next_review=TODAY() + datetime.timedelta(days=900),
        )
    assert set(error.value.message_dict) == {"owner", "likelihood", "next_review"}


def test_who_changed_the_plan_while_it_waited_cannot_approve_the_new_round(cast, high_risk):
    board_qo = board_member_who_is_also_quality_officer(cast)
    submitted(cast, high_risk)
    services.measure_create(actor=board_qo, risk=high_risk, title="Extra", owner=cast.qo_a, due_date=TODAY())
    assert RiskApproval.objects.pending().get(risk=high_risk).round == 2
    with pytest.raises(ValidationError) as error:
        services.approval_decide(actor=board_qo, risk=high_risk, body="board", decision="approved")
    assert "decision" in error.value.message_dict
    services.approval_decide(actor=second_board_member(cast), risk=high_risk, body="board", decision="approved")


@pytest.mark.parametrize(
    ("level", "body", "following"),
    [
        (RiskLevel.VERY_HIGH, ApprovalBody.BOARD, ApprovalBody.GROUP),
        (RiskLevel.VERY_HIGH, ApprovalBody.GROUP, None),
        (RiskLevel.HIGH, ApprovalBody.BOARD, None),
        (RiskLevel.MEDIUM, ApprovalBody.GROUP, None),
        (RiskLevel.LOW, ApprovalBody.BOARD, None),
    ],
)
def test_the_next_body_of_a_round_follows_from_the_level(level, body, following):
    assert next_body(level, body) == following


def test_board_members_decide_for_the_board_and_group_management_for_the_group(cast):
    assert BODY_ROLES == {ApprovalBody.BOARD: Role.BOARD_MEMBER, ApprovalBody.GROUP: Role.GROUP_MANAGEMENT}
    assert decidable_bodies(cast.board_a, cast.units.org_a) == {ApprovalBody.BOARD}
    assert decidable_bodies(cast.group_mgmt, cast.units.org_a) == {ApprovalBody.GROUP}
    assert decidable_bodies(cast.board_a, cast.units.org_b) == set()
    assert decidable_bodies(cast.qo_a, cast.units.org_a) == set()


# --- notifications of decided items (issue 10) ----------------------------------------------------


@pytest.fixture
def other_board_member(cast):
    member = UserFactory(username="board_a2")
    MembershipFactory(user=member, unit=cast.units.org_a, role=Role.BOARD_MEMBER)
    return member


def approval_requests(user, risk):
    return Notification.objects.about(risk).filter(recipient=user, verb="risk_approval_requested")


def test_a_decision_settles_the_other_board_members_requests(cast, high_risk, other_board_member):
    submitted(cast, high_risk)
    [request] = approval_requests(other_board_member, high_risk)
    assert request.read_at is None and request.resolved_at is None
    services.approval_decide(actor=cast.board_a, risk=high_risk, body=ApprovalBody.BOARD, decision=Decision.APPROVED)
    request.refresh_from_db()
    assert request.resolved_at is not None and request.read_at is not None
    assert not Notification.objects.filter(recipient=other_board_member).unread().exists()


def test_the_next_body_is_asked_after_the_board_s_requests_are_settled(cast, very_high_risk, other_board_member):
    submitted(cast, very_high_risk)
    services.approval_decide(
        actor=cast.board_a, risk=very_high_risk, body=ApprovalBody.BOARD, decision=Decision.APPROVED
    )
    assert not approval_requests(other_board_member, very_high_risk).unread().exists()
    [request] = approval_requests(cast.group_mgmt, very_high_risk)
    assert request.read_at is None and request.resolved_at is None


def test_closing_a_risk_settles_its_requests(cast, high_risk, other_board_member):
    submitted(cast, high_risk)
    services.risk_close(actor=cast.qo_a, risk=high_risk, reason="No longer applies")
    assert not approval_requests(other_board_member, high_risk).unread().exists()
    assert not approval_requests(cast.board_a, high_risk).unread().exists()


def test_a_new_round_asks_again_after_the_withdrawn_one_is_settled(cast, high_risk, other_board_member):
    submitted(cast, high_risk)
    # The plan changes while the board waits: the round is withdrawn and a new one asks the board again.
    services.measure_create(
        actor=cast.qo_a, risk=high_risk, title="Second site", owner=cast.qo_a, due_date=TODAY() + datetime.timedelta(30)
    )
    requests = approval_requests(other_board_member, high_risk)
    assert requests.count() == 2
    assert requests.unread().count() == 1 and requests.exclude(resolved_at=None).count() == 1
