"""Escalation contacts (SPEC 5.2, seed 003 section 6): per unit in four groups, a person or a mailbox;
who keeps them; the yearly confirmation as a daily sweep; the page and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents.choices import ContactGroup
from incidents.models import ContactConfirmation, EscalationContact
from incidents.selectors.contacts import contact_recipients
from incidents.services import contacts as services
from qms.choices import ActionStatus
from qms.escalations import registered_sweeps
from qms.models import Action
from qms.services.actions import action_set_status, sweep_overdue_actions

pytestmark = pytest.mark.django_db


def add(cast, **fields):
    values = {"actor": cast.qo_a, "unit": cast.units.bu_a1, "group": ContactGroup.FUNCTIONAL_ADMIN}
    values.update(fields)
    return services.contact_add(**values)


def test_it_adds_a_person_or_a_mailbox(cast):
    person = add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    mailbox = add(cast, mailbox="Servicedesk@Example.org", name="Service desk")
    assert person.user == cast.risk_owner_a and person.mailbox == ""
    assert mailbox.user is None and mailbox.name == "Service desk"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "user"),
        ({"mailbox": "desk@example.org", "user": "risk_owner_a"}, "mailbox"),
        ({"user": "member_b"}, "user"),  # not a member of organisation A
        ({"group": "nobody"}, "group"),
    ],
)
def test_it_refuses_a_contact_that_is_neither_or_both_or_out_of_the_organisation(cast, fields, field):
    fields = {name: getattr(cast, value) if name == "user" else value for name, value in fields.items()}
    with pytest.raises(ValidationError) as error:
        add(cast, **fields)
    assert field in error.value.message_dict
    assert not EscalationContact.objects.exists()


def test_it_refuses_duplicates_with_a_clear_message(cast):
    add(cast, user=cast.risk_owner_a)
    with pytest.raises(ValidationError) as error:
        add(cast, user=cast.risk_owner_a)
    assert "already a contact of this group" in error.value.message_dict["user"][0]
    add(cast, mailbox="desk@example.org")
    with pytest.raises(ValidationError) as error:
        add(cast, mailbox="DESK@example.org")
    assert error.value.message_dict["mailbox"] == ["This mailbox is already a contact of this group."]
    add(cast, user=cast.risk_owner_a, group=ContactGroup.BOARD)  # another group is fine


def test_who_keeps_the_contacts(cast, coordinator):
    for user in (cast.admin_a, coordinator):
        add(cast, actor=user, mailbox=f"{user.username}@example.org")
    for user in (cast.viewer_a, cast.risk_owner_a, cast.member_b, cast.outsider):
        with pytest.raises(PermissionDenied):
            add(cast, actor=user, mailbox="x@example.org")
    # The unit's formal contact keeps them too.
    add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    contact = add(cast, actor=cast.risk_owner_a, mailbox="fb@example.org")
    services.contact_remove(actor=cast.risk_owner_a, contact=contact)
    assert not EscalationContact.objects.filter(pk=contact.pk).exists()


def test_recipients_are_persons_and_mailboxes_each_once(cast):
    add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    add(cast, user=cast.risk_owner_a, group=ContactGroup.BOARD)
    add(cast, mailbox="desk@example.org")
    add(cast, unit=cast.units.org_a, mailbox="DESK@example.org")
    add(cast, unit=cast.units.org_a, user=cast.qo_a, group=ContactGroup.DATA_PROTECTION)
    users, mailboxes = contact_recipients([cast.units.bu_a1.pk, cast.units.org_a.pk])
    assert sorted(user.username for user in users) == ["qo_a", "risk_owner_a"]
    assert len(mailboxes) == 1
    users, mailboxes = contact_recipients([cast.units.bu_a1.pk], groups=[ContactGroup.BOARD])
    assert [user.username for user in users] == ["risk_owner_a"] and mailboxes == []


# --- the yearly confirmation -------------------------------------------------------------------------


def test_the_sweep_is_registered():
    assert "escalation_contacts_confirmation" in registered_sweeps()


def test_it_asks_each_unit_with_contacts_once_a_year(cast):
    add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    add(cast, unit=cast.units.org_b, actor=cast.member_b, mailbox="b@example.org")
    today = timezone.localdate()
    assert services.sweep_contact_confirmations(today=today) == 2
    assert services.sweep_contact_confirmations(today=today) == 0  # idempotent
    confirmation = ContactConfirmation.objects.get(unit=cast.units.bu_a1)
    assert confirmation.year == today.year
    assert confirmation.action.owner == cast.risk_owner_a  # the formal contact
    assert confirmation.action.due_date == today + datetime.timedelta(days=30)
    assert confirmation.action.source == confirmation
    # No formal contact: the organisation's quality officer.
    assert ContactConfirmation.objects.get(unit=cast.units.org_b).action.owner == cast.member_b
    # A unit without contacts is not asked.
    assert not ContactConfirmation.objects.filter(unit=cast.units.org_a).exists()


def test_confirming_completes_the_task_and_the_sweep_skips_a_confirmed_unit(cast):
    add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    services.sweep_contact_confirmations(today=timezone.localdate())
    confirmation = services.contacts_confirm(actor=cast.risk_owner_a, unit=cast.units.bu_a1)
    assert confirmation.confirmed_by == cast.risk_owner_a
    assert Action.objects.get(pk=confirmation.action_id).status == ActionStatus.DONE
    # A unit that confirmed this year before the sweep is not asked.
    add(cast, unit=cast.units.org_a, mailbox="a@example.org")
    services.contacts_confirm(actor=cast.qo_a, unit=cast.units.org_a)
    assert services.sweep_contact_confirmations(today=timezone.localdate()) == 0


def test_finishing_the_task_from_my_actions_confirms_the_contacts(cast):
    add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    services.sweep_contact_confirmations(today=timezone.localdate())
    confirmation = ContactConfirmation.objects.get()
    action_set_status(actor=cast.risk_owner_a, action=confirmation.action, status=ActionStatus.DONE)
    confirmation.refresh_from_db()
    assert confirmation.confirmed_at is not None and confirmation.confirmed_by == cast.risk_owner_a


def test_an_unconfirmed_task_is_escalated_by_the_overdue_actions_sweep(cast):
    add(cast, user=cast.risk_owner_a, group=ContactGroup.FORMAL)
    services.sweep_contact_confirmations(today=timezone.localdate())
    later = timezone.localdate() + datetime.timedelta(days=31)
    assert sweep_overdue_actions(today=later) == 1


def test_confirming_needs_contacts_and_the_right(cast):
    with pytest.raises(ValidationError):
        services.contacts_confirm(actor=cast.qo_a, unit=cast.units.bu_a1)
    add(cast, mailbox="desk@example.org")
    with pytest.raises(PermissionDenied):
        services.contacts_confirm(actor=cast.viewer_a, unit=cast.units.bu_a1)


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_the_groups_and_adds_removes_and_confirms(cast, as_user):
    client = as_user(cast.qo_a)
    url = reverse("incidents:contacts") + f"?unit={cast.units.bu_a1.pk}"
    page = client.get(url)
    assert page.status_code == 200
    for code in ContactGroup.values:
        assert f'data-testid="contact-group-{code}"'.encode() in page.content
    response = client.post(
        reverse("incidents:contact_add", args=[cast.units.bu_a1.pk]),
        {"group": ContactGroup.FORMAL, "user": cast.risk_owner_a.pk},
    )
    assert response.status_code == 302
    contact = EscalationContact.objects.get()
    client.post(reverse("incidents:contact_add", args=[cast.units.bu_a1.pk]), {"group": ContactGroup.FORMAL})
    assert EscalationContact.objects.count() == 1
    assert "Give a person or a group mailbox." in client.get(url).content.decode()
    client.post(reverse("incidents:contacts_confirm", args=[cast.units.bu_a1.pk]))
    assert ContactConfirmation.objects.get().confirmed_by == cast.qo_a
    assert b"Last confirmed on" in client.get(url).content
    assert client.get(reverse("incidents:contacts_history") + f"?unit={cast.units.bu_a1.pk}").status_code == 200
    client.post(reverse("incidents:contact_remove", args=[contact.pk]))
    assert not EscalationContact.objects.exists()


def test_the_page_is_404_out_of_sight_and_403_for_readers(cast, as_user):
    client = as_user(cast.member_b)
    assert client.get(reverse("incidents:contacts") + f"?unit={cast.units.bu_a1.pk}").status_code == 404
    assert client.get(reverse("incidents:contacts") + "?unit=abc").status_code == 404
    viewer = as_user(cast.viewer_a)
    page = viewer.get(reverse("incidents:contacts") + f"?unit={cast.units.bu_a1.pk}")
    assert page.status_code == 200 and b"contact-add" not in page.content
    response = viewer.post(reverse("incidents:contact_add", args=[cast.units.bu_a1.pk]), {"group": "formal"})
    assert response.status_code == 403
    assert as_user(cast.outsider).get(reverse("incidents:contacts")).status_code == 200  # empty state


# --- the API ------------------------------------------------------------------------------------


def test_the_api_lists_by_unit_creates_and_deletes(cast, api):
    client = api(cast.qo_a)
    url = "/api/v1/escalation-contacts/"
    created = client.post(
        url, {"unit": cast.units.bu_a1.pk, "group": "formal", "user": cast.risk_owner_a.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    assert set(created.json()) >= {"id", "unit", "group", "user", "mailbox", "name"}
    client.post(
        url, {"unit": cast.units.org_a.pk, "group": "board", "mailbox": "b@example.org", "name": "Board"}, format="json"
    )
    listed = client.get(url, {"unit": cast.units.bu_a1.pk}).json()
    assert listed["count"] == 1
    duplicate = client.post(
        url, {"unit": cast.units.bu_a1.pk, "group": "formal", "user": cast.risk_owner_a.pk}, format="json"
    )
    assert duplicate.status_code == 400 and "user" in duplicate.json()
    both = client.post(
        url,
        {"unit": cast.units.bu_a1.pk, "group": "formal", "user": cast.qo_a.pk, "mailbox": "x@example.org"},
        format="json",
    )
    assert both.status_code == 400 and "mailbox" in both.json()
    confirmed = client.post(url + "confirm/", {"unit": cast.units.bu_a1.pk}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["year"] == timezone.localdate().year
    assert client.delete(f"{url}{created.json()['id']}/").status_code == 204
    assert api(cast.member_b).get(f"{url}{listed['results'][0]['id']}/").status_code == 404
    refused = api(cast.viewer_a).post(
        url, {"unit": cast.units.bu_a1.pk, "group": "board", "mailbox": "v@example.org"}, format="json"
    )
    assert refused.status_code == 403, refused.content
