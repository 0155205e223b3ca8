"""Feedback intake, rule by rule: flagging, assignment to the team lead in the same call, and the
escalation proposal for recurring problems."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kpis.models import Feedback, FeedbackEscalation
from kpis.services import feedback as services
from qms.calendar import calendar_for
from qms.choices import ActionKind, Role
from qms.models import Action, ClosedDay, Notification
from tests.factories import MembershipFactory, UserFactory


def receive(cast, **overrides):
    data = {"actor": cast.qo_a, "unit": cast.units.team_a1a, "score": 4, "comment": ""}
    data.update(overrides)
    return services.feedback_receive(**data)


@pytest.mark.parametrize(("score", "flagged"), [(1, True), (2, True), (3, False), (5, False)])
def test_it_flags_a_csat_score_at_or_below_the_threshold(cast, score, flagged):
    feedback = receive(cast, score=score)
    assert feedback.flagged is flagged
    assert feedback.flag_reason == ("low_score" if flagged else "")


def test_it_reads_the_threshold_from_the_settings(cast, settings):
    settings.FEEDBACK_CSAT_THRESHOLD = 3
    assert receive(cast, score=3).flagged


def test_it_flags_negative_feedback_without_a_score(cast):
    feedback = receive(cast, score=None, comment="The invoice was wrong again", negative=True)
    assert (feedback.flagged, feedback.flag_reason) == (True, "negative")


def test_it_assigns_flagged_feedback_to_the_team_lead_with_a_due_date_in_the_same_call(cast):
    feedback = receive(cast, score=1, comment="Nobody called back", customer_reference="T-1234")
    action = Action.objects.get()
    assert (feedback.assigned_to, feedback.follow_up) == (cast.team_lead_a, action)
    assert (action.owner, action.kind, action.unit, action.source) == (
        cast.team_lead_a,
        ActionKind.FOLLOW_UP,
        cast.units.team_a1a,
        feedback,
    )
    assert action.due_date == calendar_for(cast.units.org_a).working_days_after(timezone.localdate(), 2)
    assert action.due_date.weekday() < 5
    assert "T-1234" in action.title and action.description == "Nobody called back"
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="action_assigned").count() == 1


def test_it_assigns_to_the_nearest_quality_officer_when_the_unit_has_no_team_lead(cast):
    feedback = receive(cast, unit=cast.units.bu_a1, score=1)
    assert feedback.assigned_to == cast.qo_a


def test_it_assigns_to_a_team_lead_above_the_unit(cast):
    team = cast.units.team_a1a
    lead_above = UserFactory(username="lead_bu")
    MembershipFactory(user=lead_above, unit=cast.units.bu_a1, role=Role.TEAM_LEAD)
    from tests.factories import UnitFactory

    sub_team = UnitFactory(name="Sub team", kind="team", parent=team)
    assert receive(cast, unit=sub_team, score=1).assigned_to == cast.team_lead_a


def test_it_does_not_assign_feedback_that_is_not_flagged(cast):
    feedback = receive(cast, score=5, comment="Great")
    assert (feedback.assigned_to, feedback.follow_up) == (None, None)
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": None, "comment": ""}, "score"),
        ({"received_at": timezone.now() + datetime.timedelta(days=1)}, "received_at"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_it_refuses_bad_feedback_and_changes_nothing(cast, overrides, field):
    with pytest.raises(ValidationError) as error:
        receive(cast, **{"score": 1, **overrides})
    assert field in error.value.message_dict
    assert not Feedback.objects.exists() and not Action.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "auditor_a", "member_b", "outsider"])
def test_it_lets_no_reader_or_stranger_register_feedback(cast, who):
    with pytest.raises(PermissionDenied):
        receive(cast, actor=getattr(cast, who), score=1)
    assert not Feedback.objects.exists()


# --- recurring problems ---


def test_the_third_flagged_item_of_a_unit_and_category_within_30_days_proposes_an_escalation(cast):
    now = timezone.now()
    first = receive(cast, score=1, category="invoicing", received_at=now - datetime.timedelta(days=20))
    receive(cast, score=5, category="invoicing")  # not flagged: does not count
    receive(cast, score=1, category="delivery")  # another category
    second = receive(cast, score=2, category="invoicing", received_at=now - datetime.timedelta(days=3))
    assert not FeedbackEscalation.objects.exists()
    third = receive(cast, score=None, negative=True, comment="Wrong invoice", category="invoicing")
    escalation = FeedbackEscalation.objects.get()
    assert (escalation.unit, escalation.category, escalation.status) == (cast.units.team_a1a, "invoicing", "proposed")
    assert set(escalation.items.all()) == {first, second, third}
    notifications = Notification.objects.filter(verb="feedback_recurring")
    assert [n.recipient for n in notifications] == [cast.qo_a]


def test_a_fourth_item_joins_the_proposal_without_telling_the_quality_officer_again(cast):
    for _index in range(4):
        receive(cast, score=1, category="invoicing")
    assert FeedbackEscalation.objects.get().items.count() == 4
    assert Notification.objects.filter(verb="feedback_recurring").count() == 1


def test_items_older_than_the_window_do_not_count(cast):
    old = timezone.now() - datetime.timedelta(days=31)
    receive(cast, score=1, category="invoicing", received_at=old)
    receive(cast, score=1, category="invoicing")
    receive(cast, score=1, category="invoicing")
    assert not FeedbackEscalation.objects.exists()


def test_the_window_and_count_come_from_the_settings(cast, settings):
    settings.FEEDBACK_RECURRING_COUNT = 2
    settings.FEEDBACK_RECURRING_DAYS = 7
    receive(cast, score=1, category="product", received_at=timezone.now() - datetime.timedelta(days=8))
    receive(cast, score=1, category="product")
    assert not FeedbackEscalation.objects.exists()
    receive(cast, score=1, category="product")
    assert FeedbackEscalation.objects.get().items.count() == 2


def test_other_units_do_not_add_up(cast):
    receive(cast, score=1, category="invoicing", unit=cast.units.team_a1a)
    receive(cast, score=1, category="invoicing", unit=cast.units.bu_a1)
    receive(cast, score=1, category="invoicing", unit=cast.units.org_a)
    assert not FeedbackEscalation.objects.exists()


def test_a_later_episode_is_a_new_proposal_and_the_quality_officer_is_told_again(cast):
    now = timezone.now()

    def days_ago(days):
        return receive(cast, score=1, category="invoicing", received_at=now - datetime.timedelta(days=days))

    first_episode = [days_ago(50), days_ago(49), days_ago(48)]
    joined = days_ago(25)  # all of the proposal's items lie within its 30 days: the same episode
    proposal = FeedbackEscalation.objects.get()
    assert set(proposal.items.all()) == {*first_episode, joined}
    assert Notification.objects.filter(verb="feedback_recurring").count() == 1
    later = [days_ago(1), days_ago(0)]  # three in 30 days again, but the proposal reaches back 50 days
    second = FeedbackEscalation.objects.exclude(pk=proposal.pk).get()
    assert set(second.items.all()) == set(later)
    assert set(proposal.items.all()) == {*first_episode, joined}
    assert Notification.objects.filter(verb="feedback_recurring").count() == 2


def test_items_of_a_decided_escalation_count_no_more(cast):
    for _index in range(3):
        receive(cast, score=1, category="invoicing")
    proposal = FeedbackEscalation.objects.get()
    services.feedback_escalation_decide(actor=cast.qo_a, escalation=proposal, status="dismissed", note="Known bug")
    receive(cast, score=1, category="invoicing")
    assert FeedbackEscalation.objects.count() == 1
    receive(cast, score=1, category="invoicing")
    receive(cast, score=1, category="invoicing")
    new = FeedbackEscalation.objects.get(status="proposed")
    assert new.items.count() == 3 and proposal.items.count() == 3


def test_a_quality_officer_escalates_or_dismisses_a_proposal_and_who_when_and_why_are_kept(cast):
    for _index in range(3):
        receive(cast, score=1, category="invoicing")
    proposal = FeedbackEscalation.objects.get()
    with pytest.raises(ValidationError) as error:
        services.feedback_escalation_decide(actor=cast.qo_a, escalation=proposal, status="dismissed", note=" ")
    assert "note" in error.value.message_dict
    escalated = services.feedback_escalation_decide(actor=cast.qo_a, escalation=proposal, status="escalated")
    assert (escalated.status, escalated.decided_by) == ("escalated", cast.qo_a)
    assert escalated.decided_at is not None
    with pytest.raises(ValidationError) as error:
        services.feedback_escalation_decide(actor=cast.qo_a, escalation=proposal, status="dismissed", note="No")
    assert "cannot become dismissed" in error.value.message_dict["status"][0]
    assert [entry.status for entry in proposal.history.order_by("history_date")] == ["proposed", "escalated"]


def test_a_dismissal_keeps_its_reason_in_the_history(cast):
    for _index in range(3):
        receive(cast, score=1, category="delivery")
    proposal = FeedbackEscalation.objects.get()
    services.feedback_escalation_decide(
        actor=cast.qo_a, escalation=proposal, status="dismissed", note="One carrier strike"
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("dismissed", "One carrier strike")
    assert proposal.history.first().history_change_reason == "One carrier strike"
    assert proposal.history.first().history_user == cast.qo_a


@pytest.mark.parametrize("who", ["team_lead_a", "admin_a", "viewer_a", "member_b"])
def test_only_a_quality_officer_decides_on_an_escalation(cast, who):
    for _index in range(3):
        receive(cast, score=1, category="invoicing")
    proposal = FeedbackEscalation.objects.get()
    with pytest.raises(PermissionDenied):
        services.feedback_escalation_decide(actor=getattr(cast, who), escalation=proposal, status="escalated")
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and proposal.decided_by is None


def test_the_follow_up_is_due_in_working_days_of_the_organisations_calendar(cast, settings):
    settings.FEEDBACK_FOLLOW_UP_DAYS = 1
    calendar = calendar_for(cast.units.org_a)
    friday = datetime.date(2026, 11, 27)
    assert calendar.working_days_after(friday, 1) == datetime.date(2026, 11, 30)
    assert calendar.working_days_after(datetime.date(2026, 12, 24), 1) == datetime.date(2026, 12, 28)  # Christmas
    # A day the organisation closes counts too.
    tomorrow = calendar.working_days_after(timezone.localdate(), 1)
    ClosedDay.objects.create(organisation=cast.units.org_a, date=tomorrow, name="Bridge day")
    feedback = receive(cast, score=1)
    assert feedback.follow_up.due_date == calendar_for(cast.units.org_a).working_days_after(tomorrow, 1)


def test_generated_titles_are_in_the_organisations_language_whoever_registers(cast, settings):
    # The active language here is English (the tests' default), the organisation's is Dutch.
    settings.LANGUAGE_CODE = "nl"
    feedback = receive(cast, score=1)
    assert feedback.follow_up.title == "Feedback met CSAT-score 1 opvolgen"
    with translation.override("nl"):
        other = receive(cast, score=None, negative=True, comment="Boos")
    assert other.follow_up.title == "Negatieve feedback opvolgen"
    settings.LANGUAGE_CODE = "en"
    assert receive(cast, score=2).follow_up.title == "Follow up on feedback with CSAT score 2"
