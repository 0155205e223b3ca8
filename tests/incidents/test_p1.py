"""P1 (SPEC 5.2): the affected units' contacts told at once, hourly updates 07:00-22:00 Amsterdam,
reminders after a missed hour and the quality officers after a second."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from incidents.choices import Impact, Urgency
from incidents.models import EscalationContact
from incidents.services.incidents import (
    incident_post_update,
    incident_resolve,
    incident_update,
    next_update_hour,
    p1_updates_run,
)
from qms.models import Notification
from tests.factories import UserFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db

P1 = {"impact": Impact.UNIT, "urgency": Urgency.STOPS}


@pytest.fixture
def contacts(cast):
    """A person on the reporting unit A1, a person and a group mailbox on the affected team A1a."""
    units = cast.units
    reporting = UserFactory(username="contact_a1", email="contact_a1@example.org")
    affected = UserFactory(username="contact_team", email="contact_team@example.org")
    EscalationContact.objects.create(unit=units.bu_a1, group="formal", user=reporting)
    EscalationContact.objects.create(unit=units.team_a1a, group="functional_admin", user=affected)
    EscalationContact.objects.create(unit=units.team_a1a, group="board", mailbox="board-team@example.org")
    return [reporting, affected]


def verbs(user, prefix="incident_"):
    return list(
        Notification.objects.filter(recipient=user, verb__startswith=prefix)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_it_tells_the_contacts_of_every_affected_unit_at_once(
    cast, clock, register, coordinator, contacts, django_capture_on_commit_callbacks
):
    clock.set(ams(2026, 11, 2, 9, 20))
    with django_capture_on_commit_callbacks(execute=True):
        incident = register(affected_units=[cast.units.team_a1a], **P1)
    assert incident.priority == 1
    assert incident.p1_since == ams(2026, 11, 2, 9, 20)
    assert incident.next_update_due == ams(2026, 11, 2, 10, 0)
    for contact in contacts:
        assert verbs(contact) == ["incident_p1"]
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert "board-team@example.org" in recipients
    assert "contact_team@example.org" in recipients


def test_it_tells_the_contacts_when_an_incident_becomes_p1(cast, clock, register, coordinator, contacts):
    clock.set(ams(2026, 11, 2, 9, 20))
    incident = register(affected_units=[cast.units.team_a1a])
    assert verbs(contacts[1]) == []
    incident_update(actor=cast.qo_a, incident=incident, impact=Impact.MULTIPLE_UNITS)
    assert verbs(contacts[1]) == ["incident_p1"]


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (ams(2026, 11, 2, 9, 20), ams(2026, 11, 2, 10, 0)),
        (ams(2026, 11, 2, 6, 59), ams(2026, 11, 2, 7, 0)),
        (ams(2026, 11, 2, 21, 59), ams(2026, 11, 2, 22, 0)),
        (ams(2026, 11, 2, 22, 0), ams(2026, 11, 3, 7, 0)),
        (ams(2026, 11, 2, 23, 30), ams(2026, 11, 3, 7, 0)),
        # The clocks go back on 25 October 2026: still whole Amsterdam hours.
        (ams(2026, 10, 25, 2, 30), ams(2026, 10, 25, 7, 0)),
        (ams(2026, 10, 25, 12, 10), ams(2026, 10, 25, 13, 0)),
    ],
)
def test_it_schedules_updates_on_the_hour_from_7_to_22(moment, due):
    assert next_update_hour(moment) == due


def test_it_answers_the_due_hour_with_an_update_and_mails_it(
    cast, clock, register, coordinator, contacts, django_capture_on_commit_callbacks
):
    clock.set(ams(2026, 11, 2, 9, 20))
    incident = register(affected_units=[cast.units.team_a1a], **P1)
    clock.set(ams(2026, 11, 2, 9, 45))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update = incident_post_update(actor=coordinator, incident=incident, text="Supplier is on it")
    assert (update.due_at, update.late) == (ams(2026, 11, 2, 10, 0), False)
    incident.refresh_from_db()
    assert incident.next_update_due == ams(2026, 11, 2, 11, 0)
    assert verbs(contacts[1]) == ["incident_p1", "incident_update"]
    assert any(
        message.to == ["board-team@example.org"] and "Supplier is on it" in message.body for message in mail.outbox
    )
    # Posted after the hour (the watch has not run yet): late.
    clock.set(ams(2026, 11, 2, 11, 10))
    update = incident_post_update(actor=coordinator, incident=incident, text="Still working")
    assert (update.due_at, update.late) == (ams(2026, 11, 2, 11, 0), True)
    incident.refresh_from_db()
    assert incident.next_update_due == ams(2026, 11, 2, 12, 0)


def test_it_reminds_the_owner_after_a_missed_hour_and_the_quality_officers_after_two(
    cast, clock, register, coordinator, contacts
):
    clock.set(ams(2026, 11, 2, 9, 20))
    incident = register(**P1)
    assert p1_updates_run(now=ams(2026, 11, 2, 9, 59)) == {"reminded": 0, "escalated": 0}
    assert p1_updates_run(now=ams(2026, 11, 2, 10, 1)) == {"reminded": 1, "escalated": 0}
    assert p1_updates_run(now=ams(2026, 11, 2, 10, 6)) == {"reminded": 0, "escalated": 0}
    incident.refresh_from_db()
    assert (incident.missed_updates, incident.next_update_due) == (1, ams(2026, 11, 2, 11, 0))
    assert verbs(coordinator, "incident_update_missed") == ["incident_update_missed"]
    assert verbs(cast.qo_a, "incident_update_missed") == []
    assert p1_updates_run(now=ams(2026, 11, 2, 11, 0)) == {"reminded": 1, "escalated": 1}
    assert verbs(cast.qo_a, "incident_update_missed") == ["incident_update_missed"]
    # An update at last answers the missed hour, late, and the count starts again.
    clock.set(ams(2026, 11, 2, 11, 20))
    update = incident_post_update(actor=coordinator, incident=incident, text="Sorry, here we are")
    assert (update.due_at, update.late) == (ams(2026, 11, 2, 11, 0), True)
    incident.refresh_from_db()
    assert (incident.missed_updates, incident.next_update_due) == (0, ams(2026, 11, 2, 12, 0))


def test_it_asks_nothing_between_22_and_7(cast, clock, register, coordinator):
    clock.set(ams(2026, 11, 2, 21, 30))
    incident = register(**P1)
    assert incident.next_update_due == ams(2026, 11, 2, 22, 0)
    assert p1_updates_run(now=ams(2026, 11, 2, 22, 1))["reminded"] == 1
    incident.refresh_from_db()
    assert incident.next_update_due == ams(2026, 11, 3, 7, 0)
    for hour in (23, 0, 3, 6):
        day = 2 if hour == 23 else 3
        assert p1_updates_run(now=ams(2026, 11, day, hour, 30))["reminded"] == 0
    assert p1_updates_run(now=ams(2026, 11, 3, 7, 0))["reminded"] == 1


def test_it_stops_the_schedule_when_resolved_and_refuses_updates_then(cast, clock, register, coordinator):
    clock.set(ams(2026, 11, 2, 9, 20))
    incident = register(**P1)
    clock.set(ams(2026, 11, 2, 9, 40))
    incident = incident_resolve(actor=coordinator, incident=incident, resolution="Restored")
    assert p1_updates_run(now=ams(2026, 11, 2, 12, 0))["reminded"] == 0
    with pytest.raises(ValidationError) as error:
        incident_post_update(actor=coordinator, incident=incident, text="One more")
    assert "incident" in error.value.message_dict


def test_it_takes_updates_on_other_priorities_without_a_schedule(cast, clock, register, coordinator):
    clock.set(ams(2026, 11, 2, 9, 20))
    incident = register()
    update = incident_post_update(actor=coordinator, incident=incident, text="Looking into it")
    assert (update.due_at, update.late) == (None, False)
    incident.refresh_from_db()
    assert incident.next_update_due is None
    with pytest.raises(ValidationError) as error:
        incident_post_update(actor=coordinator, incident=incident, text="   ")
    assert "text" in error.value.message_dict
