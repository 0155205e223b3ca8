"""The data-breach protocol (SPEC 5.5): who sees a breach, opening one from an incident or directly, the
72-hour deadline in clock hours, the assessment, the notifications and their reasons, closing, and the
reminders at 24, 48 and 60 hours."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incidents.choices import BreachRisk, BreachStatus
from incidents.models import DataBreach
from incidents.models.breaches import authority_deadline_for
from incidents.services import breaches as services
from qms.choices import Role
from qms.models import Notification
from qms.scoping import scope_reset
from qms.services.base import system_note
from tests.factories import MembershipFactory, UserFactory
from tests.factories.incidents import IncidentFactory

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def dpo_a(cast):
    user = UserFactory(username="dpo_a")
    MembershipFactory(user=user, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    return user


@pytest.fixture
def incident(cast):
    return IncidentFactory(
        unit=cast.units.bu_a1,
        title="Grades list mailed to the wrong school",
        description="A list with 40 names and grades.",
        data_breach_suspected=True,
        reported_at=timezone.now() - datetime.timedelta(hours=2),
    )


@pytest.fixture
def breach(incident, dpo_a, cast):
    return services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)


def fresh(user):
    scope_reset(user)
    return user


def visible_ids(user):
    return set(DataBreach.objects.visible_to(fresh(user)).values_list("pk", flat=True))


# --- visibility --------------------------------------------------------------------------------


def test_it_shows_a_breach_only_to_its_owner_dpo_quality_officers_and_administrators(cast, breach, dpo_a):
    for user in (dpo_a, cast.qo_a, cast.admin_a, cast.superuser):
        assert visible_ids(user) == {breach.pk}, user
    for user in (cast.viewer_a, cast.team_lead_a, cast.risk_owner_a, cast.board_a, cast.group_mgmt, cast.member_b):
        assert visible_ids(user) == set(), user
    assert visible_ids(cast.outsider) == set()


def test_it_shows_a_breach_to_its_owner_while_they_see_the_organisation(cast, breach):
    # A quality officer of a business unit does not see the organisation's breaches.
    qo_unit = UserFactory(username="qo_unit")
    MembershipFactory(user=qo_unit, unit=cast.units.bu_a1, role=Role.QUALITY_OFFICER)
    assert visible_ids(qo_unit) == set()
    # An owner who no longer holds an officer's role still sees their breach, while in the organisation.
    DataBreach.objects.filter(pk=breach.pk).update(owner=cast.viewer_a)
    assert visible_ids(cast.viewer_a) == {breach.pk}
    DataBreach.objects.filter(pk=breach.pk).update(owner=qo_unit)
    assert visible_ids(qo_unit) == set()


def test_it_counts_a_role_held_on_the_group_above(cast, breach):
    group_dpo = UserFactory(username="group_dpo")
    MembershipFactory(user=group_dpo, unit=cast.units.group, role=Role.DATA_PROTECTION_OFFICER)
    assert visible_ids(group_dpo) == {breach.pk}


def test_it_scopes_in_a_constant_number_of_queries(cast, breach, django_assert_num_queries):
    user = fresh(cast.qo_a)
    list(DataBreach.objects.visible_to(user))  # loads the scope (memberships, unit ids)
    with django_assert_num_queries(1):
        list(DataBreach.objects.visible_to(user))


# --- opening -----------------------------------------------------------------------------------


def test_it_opens_a_breach_from_an_incident_for_the_dpo(cast, incident, dpo_a):
    breach = services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)
    assert breach.organisation == cast.units.org_a
    assert breach.incident == incident
    assert breach.owner == dpo_a
    assert breach.title == incident.title and breach.description == incident.description
    assert breach.discovered_at == incident.reported_at
    assert breach.authority_deadline == incident.reported_at + datetime.timedelta(hours=72)
    assert breach.status == BreachStatus.ASSESSMENT and breach.risk == ""
    told = set(Notification.objects.filter(verb="breach_opened").values_list("recipient__username", flat=True))
    assert told == {"dpo_a", "qo_a"}
    note = Notification.objects.get(recipient=dpo_a, verb="breach_opened")
    assert note.url == breach.get_absolute_url() and "72" in note.body  # in the reader's language


def test_it_opens_a_breach_once_per_incident(cast, incident, dpo_a):
    first = services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)
    again = services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)
    assert first.pk == again.pk and DataBreach.objects.count() == 1
    assert Notification.objects.filter(verb="breach_opened", recipient=dpo_a).count() == 1


def test_it_gives_the_breach_to_a_quality_officer_without_a_dpo(cast, incident):
    breach = services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)
    assert breach.owner == cast.qo_a


def test_it_prefers_the_nearest_dpo(cast, incident, dpo_a):
    group_dpo = UserFactory(username="group_dpo")
    MembershipFactory(user=group_dpo, unit=cast.units.group, role=Role.DATA_PROTECTION_OFFICER)
    breach = services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)
    assert breach.owner == dpo_a


def test_it_lets_dpo_quality_officer_and_administrator_open_a_breach_directly(cast, dpo_a):
    discovered = timezone.now() - 3 * HOUR
    for actor in (dpo_a, cast.qo_a, cast.admin_a):
        breach = services.breach_create(
            actor=fresh(actor), organisation=cast.units.org_a, title="Lost laptop", discovered_at=discovered
        )
        assert breach.owner == dpo_a and breach.incident is None
    for actor in (cast.viewer_a, cast.team_lead_a, cast.board_a, cast.member_b, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.breach_create(
                actor=fresh(actor), organisation=cast.units.org_a, title="Lost laptop", discovered_at=discovered
            )


def test_it_refuses_a_breach_discovered_in_the_future_or_owned_by_someone_else(cast, dpo_a):
    with pytest.raises(ValidationError) as error:
        services.breach_create(
            actor=cast.qo_a, organisation=cast.units.org_a, title="x", discovered_at=timezone.now() + HOUR
        )
    assert "discovered_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.breach_create(
            actor=cast.qo_a,
            organisation=cast.units.org_a,
            title="x",
            discovered_at=timezone.now(),
            owner=cast.viewer_a,
        )
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.breach_create(actor=cast.qo_a, organisation=cast.units.bu_a1, title="x", discovered_at=timezone.now())
    assert "organisation" in error.value.message_dict


# --- the deadline ------------------------------------------------------------------------------


def test_it_counts_72_clock_hours_across_the_end_of_summer_time():
    # Saturday 26 October 2024 12:00 CEST; the clocks go back on Sunday 27 October at 03:00.
    discovered = datetime.datetime(2024, 10, 26, 12, 0, tzinfo=AMSTERDAM)
    deadline = authority_deadline_for(discovered)
    assert (deadline - discovered.astimezone(datetime.UTC)) == datetime.timedelta(hours=72)
    # 72 real hours later the wall clock reads 11:00, not 12:00.
    assert deadline.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime.datetime(2024, 10, 29, 11, 0)


def test_it_counts_72_clock_hours_across_the_start_of_summer_time():
    discovered = datetime.datetime(2024, 3, 29, 12, 0, tzinfo=AMSTERDAM)  # the clocks go forward on the 31st
    deadline = authority_deadline_for(discovered)
    assert deadline.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime.datetime(2024, 4, 1, 13, 0)


def test_it_moves_the_deadline_with_the_discovery_time(cast, breach, dpo_a):
    earlier = breach.discovered_at - 5 * HOUR
    breach = services.breach_update(actor=dpo_a, breach=breach, discovered_at=earlier)
    assert breach.authority_deadline == earlier + datetime.timedelta(hours=72)
    assert breach.history.first().history_user == dpo_a


def test_it_shows_the_hours_left(breach):
    now = breach.discovered_at + 30 * HOUR
    assert breach.hours_left(now) == pytest.approx(42)
    assert not breach.is_overdue(now)
    assert breach.is_overdue(breach.discovered_at + 73 * HOUR)


# --- assessment and notifications --------------------------------------------------------------


def test_it_records_the_assessment(breach, dpo_a):
    breach = services.breach_assess(
        actor=dpo_a,
        breach=breach,
        personal_data=True,
        risk=BreachRisk.HIGH_RISK,
        data_categories="names, grades",
        people_affected=40,
        containment="Recipient asked to delete the mail.",
    )
    assert breach.status == BreachStatus.ASSESSED and breach.assessed_at is not None
    assert breach.risk == BreachRisk.HIGH_RISK and breach.people_affected == 40


def test_it_lets_only_handlers_assess(cast, breach):
    for actor in (cast.admin_a, cast.viewer_a, cast.board_a):
        with pytest.raises(PermissionDenied):
            services.breach_assess(actor=fresh(actor), breach=breach, personal_data=True, risk=BreachRisk.RISK)
    services.breach_assess(actor=fresh(cast.qo_a), breach=breach, personal_data=True, risk=BreachRisk.RISK)


def test_it_refuses_a_risk_without_personal_data(breach, dpo_a):
    with pytest.raises(ValidationError) as error:
        services.breach_assess(actor=dpo_a, breach=breach, personal_data=False, risk=BreachRisk.RISK)
    assert "risk" in error.value.message_dict


def test_it_refuses_a_notification_before_discovery_or_in_the_future(breach, dpo_a):
    for step in (services.breach_notify_authority, services.breach_notify_subjects):
        with pytest.raises(ValidationError) as error:
            step(actor=dpo_a, breach=breach, notified_at=breach.discovered_at - datetime.timedelta(minutes=1))
        assert "before the breach was discovered" in error.value.message_dict["notified_at"][0]
        with pytest.raises(ValidationError) as error:
            step(actor=dpo_a, breach=breach, notified_at=timezone.now() + HOUR)
        assert "notified_at" in error.value.message_dict
    breach.refresh_from_db()
    assert breach.authority_notified_at is None and breach.subjects_notified_at is None


def test_it_records_the_notification_of_the_authority(breach, dpo_a):
    at = breach.discovered_at + HOUR
    breach = services.breach_notify_authority(actor=dpo_a, breach=breach, notified_at=at, reference="AP-123")
    assert breach.authority_notified_at == at and breach.authority_reference == "AP-123"
    assert not breach.authority_pending


def test_it_needs_a_reason_not_to_notify_the_authority_unless_no_risk(breach, dpo_a):
    services.breach_assess(actor=dpo_a, breach=breach, personal_data=True, risk=BreachRisk.RISK)
    with pytest.raises(ValidationError) as error:
        services.breach_record_authority_not_notified(actor=dpo_a, breach=breach, reason=" ")
    assert "reason" in error.value.message_dict
    services.breach_assess(actor=dpo_a, breach=breach, personal_data=True, risk=BreachRisk.NONE)
    breach = services.breach_record_authority_not_notified(actor=dpo_a, breach=breach)
    assert breach.authority_not_notified_reason == system_note(
        gettext_lazy("Assessed as no risk to the people concerned (GDPR article 33(1)).")
    )


# --- closing -----------------------------------------------------------------------------------


def test_it_closes_only_when_assessed_and_the_questions_are_answered(breach, dpo_a):
    with pytest.raises(ValidationError, match="Assess the breach first"):
        services.breach_close(actor=dpo_a, breach=breach)
    services.breach_assess(actor=dpo_a, breach=breach, personal_data=True, risk=BreachRisk.HIGH_RISK)
    with pytest.raises(ValidationError) as error:
        services.breach_close(actor=dpo_a, breach=breach)
    assert len(error.value.messages) == 2  # the authority and the people concerned
    services.breach_notify_authority(actor=dpo_a, breach=breach, notified_at=breach.discovered_at + HOUR)
    with pytest.raises(ValidationError, match="people concerned"):
        services.breach_close(actor=dpo_a, breach=breach)
    services.breach_record_subjects_not_notified(actor=dpo_a, breach=breach, reason="The data was encrypted.")
    breach = services.breach_close(actor=dpo_a, breach=breach)
    assert breach.status == BreachStatus.CLOSED and breach.closed_at is not None
    with pytest.raises(ValidationError, match="closed"):
        services.breach_assess(actor=dpo_a, breach=breach, personal_data=True, risk=BreachRisk.RISK)


def test_it_closes_a_breach_assessed_as_no_risk(breach, dpo_a):
    services.breach_assess(actor=dpo_a, breach=breach, personal_data=False, risk=BreachRisk.NONE)
    assert services.breach_close(actor=dpo_a, breach=breach).status == BreachStatus.CLOSED


def test_it_keeps_the_history_of_every_step(breach, dpo_a):
    services.breach_assess(actor=dpo_a, breach=breach, personal_data=True, risk=BreachRisk.RISK)
    services.breach_notify_authority(actor=dpo_a, breach=breach, notified_at=breach.discovered_at + HOUR)
    history = list(breach.history.order_by("history_date"))
    assert [entry.status for entry in history] == ["assessment", "assessed", "assessed"]
    assert history[-1].authority_notified_at is not None and history[-1].history_user == dpo_a


# --- reminders ---------------------------------------------------------------------------------


def reminders(verb=None):
    notes = Notification.objects.exclude(verb="breach_opened")
    if verb:
        notes = notes.filter(verb=verb)
    return sorted(notes.values_list("verb", "recipient__username"))


def test_it_reminds_at_24_48_and_60_hours_once_each(cast, breach, dpo_a):
    start = breach.discovered_at
    assert services.breach_reminders_run(now=start + 23 * HOUR) == 0
    assert services.breach_reminders_run(now=start + 24 * HOUR) == 1
    assert reminders() == [("breach_reminder", "dpo_a")]
    assert services.breach_reminders_run(now=start + 25 * HOUR) == 0
    assert services.breach_reminders_run(now=start + 48 * HOUR) == 1
    assert services.breach_reminders_run(now=start + 49 * HOUR) == 0
    assert reminders("breach_reminder") == [("breach_reminder", "dpo_a")] * 2
    assert services.breach_reminders_run(now=start + 60 * HOUR) == 1
    assert reminders("breach_escalated") == [("breach_escalated", "dpo_a"), ("breach_escalated", "qo_a")]
    # The board is told that the clock runs, without the breach or a link.
    board = Notification.objects.get(verb="breach_board_alert")
    assert board.recipient == cast.board_a and board.url == "" and breach.title not in board.title
    assert services.breach_reminders_run(now=start + 61 * HOUR) == 0
    assert services.breach_reminders_run(now=start + 72 * HOUR + HOUR) == 1
    assert reminders("breach_overdue") == [("breach_overdue", "dpo_a"), ("breach_overdue", "qo_a")]
    assert services.breach_reminders_run(now=start + 100 * HOUR) == 0
    assert Notification.objects.filter(verb="breach_board_alert").count() == 1


def test_it_sends_only_the_latest_reminder_for_a_breach_recorded_late(cast, dpo_a):
    breach = services.breach_create(
        actor=cast.qo_a, organisation=cast.units.org_a, title="Found late", discovered_at=timezone.now() - 50 * HOUR
    )
    assert services.breach_reminders_run() == 1
    assert reminders() == [("breach_reminder", "dpo_a")]
    assert DataBreach.objects.get(pk=breach.pk).reminders_sent == 3


def test_it_stops_reminding_once_answered(breach, dpo_a):
    services.breach_notify_authority(actor=dpo_a, breach=breach, notified_at=breach.discovered_at + HOUR)
    assert services.breach_reminders_run(now=breach.discovered_at + 80 * HOUR) == 0
    breach.refresh_from_db()
    other = services.breach_create(
        actor=dpo_a, organisation=breach.organisation, title="No risk", discovered_at=timezone.now() - 30 * HOUR
    )
    services.breach_assess(actor=dpo_a, breach=other, personal_data=False, risk=BreachRisk.NONE)
    assert services.breach_reminders_run() == 0


def test_it_resolves_the_reminders_once_the_authority_is_notified(breach, dpo_a):
    services.breach_reminders_run(now=breach.discovered_at + 25 * HOUR)
    services.breach_notify_authority(actor=dpo_a, breach=breach, notified_at=timezone.now())
    assert not Notification.objects.filter(verb="breach_reminder", read_at__isnull=True).exists()


# --- privacy -----------------------------------------------------------------------------------


def test_it_hands_open_breaches_over_on_erasure(cast, breach, dpo_a):
    assert services.open_breaches(dpo_a).count() == 1
    assert services.reassign_breaches(user=dpo_a, successor=cast.qo_a, actor=fresh(cast.admin_a)) == 1
    breach.refresh_from_db()
    assert breach.owner == cast.qo_a
    with pytest.raises(ValidationError) as error:
        services.reassign_breaches(user=cast.qo_a, successor=cast.viewer_a, actor=cast.admin_a)
    assert "successor" in error.value.message_dict
