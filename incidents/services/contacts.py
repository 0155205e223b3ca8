"""Writes of the contacts part (SPEC 5.2, seed 003 section 6): the escalation contacts of a unit in the
source's four groups, each a person (a user of the system) or a group mailbox, and the yearly request to
confirm them (``sweep_contact_confirmations``, a daily sweep; ``contacts_confirm``).
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.choices import ContactGroup
from incidents.models import ContactConfirmation, EscalationContact
from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders, user_belongs_to_organisation
from qms.services.actions import action_create, action_set_status
from qms.services.base import deny, save_validated, system_note

logger = logging.getLogger(__name__)

# Who keeps a unit's contacts, besides the unit's own formal contact.
CONTACT_EDITOR_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR, Role.INCIDENT_COORDINATOR)
# The unit's formal contact has this long to confirm the contacts (then the overdue-actions sweep escalates).
CONFIRMATION_DAYS = 30


def is_formal_contact(user, unit: OrganisationUnit) -> bool:
    return EscalationContact.objects.filter(unit=unit, group=ContactGroup.FORMAL, user_id=user.pk).exists()


def can_edit_contacts(user, unit: OrganisationUnit) -> bool:
    """Quality officers, administrators and incident coordinators of the unit's organisation (the role
    held on the unit or a unit above it), and the unit's formal contact."""
    if not user.is_authenticated:
        return False
    return scope_for(user).has_role(unit, *CONTACT_EDITOR_ROLES) or is_formal_contact(user, unit)


def _check_editor(actor, unit: OrganisationUnit) -> None:
    if not can_edit_contacts(actor, unit):
        deny(_("You cannot change the escalation contacts of %(unit)s.") % {"unit": unit})


@transaction.atomic
def contact_add(
    *, actor, unit: OrganisationUnit, group: str, user: User | None = None, mailbox: str = "", name: str = ""
) -> EscalationContact:
    """Add a contact to one of the unit's four groups: a person (an active member of the unit's
    organisation, so nobody outside it receives its incidents) or a group mailbox with a name."""
    _check_editor(actor, unit)
    if unit.kind == UnitKind.GROUP:
        raise ValidationError({"unit": _("Escalation contacts belong to an organisation or one of its units.")})
    if group not in ContactGroup.values:
        raise ValidationError({"group": _("Choose one of the four groups.")})
    mailbox = (mailbox or "").strip()
    name = (name or "").strip()
    if user is not None and mailbox:
        raise ValidationError({"mailbox": _("Give a person or a group mailbox, not both.")})
    if user is None and not mailbox:
        raise ValidationError({"user": _("Give a person or a group mailbox.")})
    if user is not None:
        if not user.is_active or not user_belongs_to_organisation(user, unit.organisation):
            raise ValidationError(
                {
                    "user": _("%(person)s is not an active member of %(organisation)s.")
                    % {"person": user, "organisation": unit.organisation}
                }
            )
        name = ""  # a person is named by their account
        if EscalationContact.objects.filter(unit=unit, group=group, user=user).exists():
            raise ValidationError({"user": _("%(person)s is already a contact of this group.") % {"person": user}})
    elif EscalationContact.objects.filter(unit=unit, group=group, mailbox__iexact=mailbox).exists():
        raise ValidationError({"mailbox": _("This mailbox is already a contact of this group.")})
    contact = EscalationContact(unit=unit, group=group, user=user, mailbox=mailbox, name=name)
    return save_validated(contact, actor=actor)


@transaction.atomic
def contact_remove(*, actor, contact: EscalationContact) -> None:
    """Remove a contact (its history keeps who it was and who removed it)."""
    contact = EscalationContact.objects.select_for_update(of=("self",)).select_related("unit").get(pk=contact.pk)
    _check_editor(actor, contact.unit)
    contact._history_user = actor
    contact.delete()


def _current_year() -> int:
    return timezone.localdate().year


@transaction.atomic
def contacts_confirm(*, actor, unit: OrganisationUnit) -> ContactConfirmation:
    """Record that the unit's contacts are right, for the current year; the yearly task (if there is
    one) is done. Confirming again later in the year records the new date."""
    _check_editor(actor, unit)
    if not EscalationContact.objects.filter(unit=unit).exists():
        raise ValidationError(_("Add the unit's contacts before confirming them."))
    year = _current_year()
    confirmation = ContactConfirmation.objects.select_for_update().filter(unit=unit, year=year).first()
    if confirmation is None:
        confirmation = ContactConfirmation(unit=unit, year=year)
    confirmation.confirmed_at = timezone.now()
    confirmation.confirmed_by = actor
    save_validated(confirmation, actor=actor, reason=system_note(gettext_lazy("Contacts confirmed")))
    if confirmation.action_id:
        action = Action.objects.get(pk=confirmation.action_id)
        if action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
            action_set_status(actor=actor, action=action, status=ActionStatus.DONE, check_permission=False)
    return confirmation


def confirmation_action_changed(*, actor, action: Action, changed: set[str], previous: dict) -> None:
    """The hook on the confirmation task (``register_action_hook``): its owner who marks it done from
    "my actions" confirms the contacts, as the button on the contacts page does."""
    if "status" not in changed or action.status != ActionStatus.DONE:
        return
    confirmation = ContactConfirmation.objects.select_for_update().filter(pk=action.source_object_id).first()
    if confirmation is None or confirmation.confirmed_at is not None:
        return  # confirmed already (contacts_confirm completes the task itself)
    confirmation.confirmed_at = timezone.now()
    confirmation.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
    save_validated(confirmation, actor=actor, reason=system_note(gettext_lazy("Contacts confirmed")))


# --- the yearly request ------------------------------------------------------------------------


def units_to_ask(year: int):
    """The units with contacts and no confirmation (request) for ``year``: one query."""
    return (
        OrganisationUnit.objects.filter(Exists(EscalationContact.objects.filter(unit=OuterRef("pk"))))
        .exclude(Exists(ContactConfirmation.objects.filter(unit=OuterRef("pk"), year=year)))
        .order_by("pk")
    )


def sweep_contact_confirmations(*, today: datetime.date) -> int:
    """Once per calendar year ask each unit with contacts to confirm them (from 1 January, or from the
    day a unit gets its first contact): a ``ContactConfirmation`` for the year and a core action for the
    unit's formal contact (a person of group "formal contact"; else the organisation's quality officer),
    due in 30 days. Not done by then, the action is overdue and the daily ``overdue_actions`` sweep
    escalates it (owner, their manager or team lead, the quality officers) like every other action.

    Idempotent by the unique constraint (unit, year): the confirmation is claimed first, in its own
    transaction, so a second or concurrent run asks nobody twice. A unit that confirmed this year
    already (``contacts_confirm``) is not asked. Returns how many units were asked."""
    units = list(units_to_ask(today.year))
    if not units:
        return 0
    formal: dict[int, User] = {}
    for contact in (
        EscalationContact.objects.filter(
            unit__in=units, group=ContactGroup.FORMAL, user__isnull=False, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ):
        formal.setdefault(contact.unit_id, contact.user)
    holders = RoleHolders(units, [Role.QUALITY_OFFICER])
    asked = 0
    for unit in units:
        candidates = [formal[unit.pk]] if unit.pk in formal else []
        candidates += holders.nearest(unit, Role.QUALITY_OFFICER)
        owner = next((user for user in candidates if user_belongs_to_organisation(user, unit.organisation)), None)
        if owner is None:
            logger.warning("unit %s has escalation contacts but nobody to confirm them", unit.pk)
            continue
        try:
            with transaction.atomic():
                confirmation = ContactConfirmation.objects.create(unit=unit, year=today.year)
                action = action_create(
                    actor=None,
                    unit=unit,
                    owner=owner,
                    title=system_note(
                        gettext_lazy("Confirm the escalation contacts of %(unit)s for %(year)s"),
                        unit=unit,
                        year=today.year,
                    )[:200],
                    description=system_note(
                        gettext_lazy(
                            "Check the unit's board members, formal contact, functional administrators and "
                            "data-protection officer, correct them where needed, and confirm them on the "
                            "contacts page."
                        )
                    ),
                    due_date=today + datetime.timedelta(days=CONFIRMATION_DAYS),
                    kind=ActionKind.GENERAL,
                    source=confirmation,
                    check_permission=False,
                )
                confirmation.action = action
                confirmation.save(update_fields=["action"])
        except IntegrityError:
            continue  # asked by a concurrent run
        asked += 1
    return asked
