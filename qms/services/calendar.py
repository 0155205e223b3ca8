"""Writes of the service calendar (SPEC 5.1): an organisation's service hours and its closed days, by its
quality officers and administrators."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms.calendar import public_holidays
from qms.choices import Role, UnitKind
from qms.models import ClosedDay, OrganisationUnit, ServiceCalendar
from qms.scoping import scope_for
from qms.services.base import deny, save_validated


def can_edit_calendar(user, organisation: OrganisationUnit) -> bool:
    """The quality officers and administrators of an organisation keep its calendar."""
    return organisation.kind == UnitKind.ORGANISATION and scope_for(user).has_role(
        organisation, Role.QUALITY_OFFICER, Role.ADMINISTRATOR
    )


def _check(actor, organisation: OrganisationUnit) -> None:
    if not can_edit_calendar(actor, organisation):
        deny(_("Only the quality officers and administrators of this organisation change its service calendar."))


@transaction.atomic
def calendar_set_hours(*, actor, organisation: OrganisationUnit, hours: list) -> ServiceCalendar:
    """Set the organisation's service hours: per weekday, Monday first, ``["HH:MM", "HH:MM"]`` or None."""
    _check(actor, organisation)
    calendar = ServiceCalendar.objects.select_for_update().filter(organisation=organisation).first()
    if calendar is None:
        calendar = ServiceCalendar(organisation=organisation)
    calendar.hours = hours
    return save_validated(calendar, actor=actor)


@transaction.atomic
def closed_day_add(*, actor, organisation: OrganisationUnit, date: datetime.date, name: str) -> ClosedDay:
    """Close the organisation on ``date`` (a day besides the public holidays, which are closed anyway)."""
    _check(actor, organisation)
    holiday = public_holidays(date.year).get(date) if date else None
    if holiday:
        raise ValidationError({"date": _("This is a public holiday (%(name)s): closed already.") % {"name": holiday}})
    if ClosedDay.objects.filter(organisation=organisation, date=date).exists():
        raise ValidationError({"date": _("This day is closed already.")})
    return save_validated(ClosedDay(organisation=organisation, date=date, name=(name or "").strip()), actor=actor)


@transaction.atomic
def closed_day_remove(*, actor, closed_day: ClosedDay) -> None:
    """Open the organisation again on a day it had closed (kept in the history)."""
    _check(actor, closed_day.organisation)
    closed_day._history_user = actor
    closed_day.delete()
