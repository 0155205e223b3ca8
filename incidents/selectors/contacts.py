"""Reads of the contacts part: who is told when an incident escalates."""

from incidents.choices import ContactGroup
from incidents.models import ContactConfirmation, EscalationContact


def contact_recipients(unit_ids, groups=None) -> tuple[list, list[str]]:
    """The escalation contacts of these units (optionally only these groups), in one query: the people
    (active users, each once) and the group mailboxes (each once)."""
    contacts = EscalationContact.objects.filter(unit_id__in=list(unit_ids)).select_related("user")
    if groups:
        contacts = contacts.filter(group__in=list(groups))
    users, mailboxes = {}, {}
    for contact in contacts:
        if contact.user_id and contact.user.is_active:
            users.setdefault(contact.user_id, contact.user)
        elif contact.mailbox:
            mailboxes.setdefault(contact.mailbox.lower(), contact.mailbox)
    return list(users.values()), list(mailboxes.values())


def contacts_by_group(unit) -> list[tuple[str, str, list[EscalationContact]]]:
    """The unit's contacts in the source's four groups, in their order: (code, label, contacts), one query."""
    grouped: dict[str, list[EscalationContact]] = {code: [] for code in ContactGroup.values}
    for contact in EscalationContact.objects.filter(unit=unit).select_related("user").order_by("pk"):
        grouped.setdefault(contact.group, []).append(contact)
    return [(code, label, grouped[code]) for code, label in ContactGroup.choices]


def last_confirmation(unit):
    """The unit's most recent confirmation of its contacts (or None)."""
    return (
        ContactConfirmation.objects.filter(unit=unit, confirmed_at__isnull=False)
        .select_related("confirmed_by")
        .order_by("-confirmed_at")
        .first()
    )


def open_confirmation(unit, year: int):
    """This year's request to confirm, while it is not confirmed (or None)."""
    return (
        ContactConfirmation.objects.filter(unit=unit, year=year, confirmed_at__isnull=True)
        .select_related("action")
        .first()
    )
