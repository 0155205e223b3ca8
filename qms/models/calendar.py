"""The service calendar of an organisation (SPEC 5.1): its service hours per weekday and the days it is
closed besides the Dutch public holidays. The arithmetic lives in ``qms.calendar``."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.choices import UnitKind
from qms.periods import FIRST_YEAR, LAST_YEAR, year_in_range
from qms.querysets import ScopedQuerySet

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
END_OF_DAY = "24:00"


def default_hours() -> list:
    """Monday to Friday 08:30-17:00, closed at the weekend."""
    return [["08:30", "17:00"]] * 5 + [None, None]


def minutes_of(text: str) -> int | None:
    """``HH:MM`` (or ``24:00``, the end of the day) as minutes after midnight; None when it is not one."""
    if text == END_OF_DAY:
        return 24 * 60
    match = TIME_PATTERN.match(text) if isinstance(text, str) else None
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def hours_problems(hours) -> dict[int, str]:
    """What is wrong with a week of service hours, per weekday (0 is Monday); ``{-1: message}`` when the
    value is not a week at all. Empty when the week is valid. The model and the form both ask this."""
    if not isinstance(hours, list) or len(hours) != 7:
        return {-1: _("Give the service hours of all seven weekdays.")}
    problems = {}
    for weekday, pair in enumerate(hours):
        if pair is None:
            continue
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            problems[weekday] = _("Give an opening and a closing time, or mark the day closed.")
            continue
        start, end = minutes_of(pair[0]), minutes_of(pair[1])
        if start is None or start == 24 * 60 or end is None:
            problems[weekday] = _("Give the times as HH:MM, from 00:00 to 24:00.")
        elif end <= start:
            problems[weekday] = _("The closing time must be after the opening time.")
    if not problems and all(pair is None for pair in hours):
        problems[-1] = _("Open on at least one weekday: due dates in service time need service hours.")
    return problems


class ServiceCalendarQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class ServiceCalendar(models.Model):
    """The service hours of one organisation: per weekday (Monday first) an opening and closing time in
    wall-clock time (Europe/Amsterdam), or none when closed that day. An organisation without a row has
    the default week (Monday-Friday 08:30-17:00)."""

    organisation = models.OneToOneField(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="service_calendar",
        limit_choices_to={"kind": UnitKind.ORGANISATION},
    )
    hours = models.JSONField(
        _("service hours"),
        default=default_hours,
        help_text=_("Per weekday, Monday first, the opening and closing time (HH:MM), or nothing when closed."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ServiceCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")
        ordering = ["organisation_id"]

    def __str__(self):
        return str(self.organisation)

    def get_absolute_url(self):
        return reverse("qms:calendar_detail", args=[self.organisation_id])

    def clean(self):
        if self.organisation_id and self.organisation.kind != UnitKind.ORGANISATION:
            raise ValidationError({"organisation": _("Only an organisation has a service calendar.")})
        problems = hours_problems(self.hours)
        if problems:
            raise ValidationError(
                {
                    "hours": [
                        message if weekday < 0 else f"{WEEKDAYS[weekday]}: {message}"
                        for weekday, message in sorted(problems.items())
                    ]
                }
            )


class ClosedDayQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class ClosedDay(models.Model):
    """A day an organisation is closed besides the public holidays (e.g. the day after Ascension)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="closed_days",
        limit_choices_to={"kind": UnitKind.ORGANISATION},
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, help_text=_("For example: the day after Ascension."))

    history = HistoricalRecords()
    objects = ClosedDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["organisation_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "date"],
                name="closedday_once_per_date",
                violation_error_message=_("This day is closed already."),
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"

    def get_absolute_url(self):
        return reverse("qms:calendar_detail", args=[self.organisation_id])

    def clean(self):
        if self.organisation_id and self.organisation.kind != UnitKind.ORGANISATION:
            raise ValidationError({"organisation": _("Only an organisation has closed days.")})
        if self.date and not year_in_range(self.date.year):
            raise ValidationError(
                {"date": _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}}
            )
