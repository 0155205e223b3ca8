"""Reads of the contacts part: who is told when an incident escalates."""

from incidents.models import EscalationContact


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
