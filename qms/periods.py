"""Periods the product speaks of: months (the risk score), months and quarters (KPIs), years (training,
reviews, audits). One home for the arithmetic and for the words people type them in.

A month is the date of its first day. A ``Period`` is one month or one quarter, stored as its label
(``YYYY-MM`` / ``YYYY-Qn``, what people and the API read) and its first day (what is sorted, windowed
and counted). Years outside ``FIRST_YEAR``-``LAST_YEAR`` are typos (and year 0 or 9999 would overflow
the date arithmetic), so every parser here refuses them with a field message.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_YEAR, LAST_YEAR = 2000, 2100

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_PATTERN = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", gettext_lazy("Monthly")
    QUARTERLY = "quarterly", gettext_lazy("Quarterly")


MONTHS_PER = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}


# --- months -------------------------------------------------------------------------------------


def month_shift(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (or before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def this_month(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()).replace(day=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    return month_shift(this_month(today), -1)


def month_end(month: datetime.date) -> datetime.date:
    return month_shift(month, 1) - datetime.timedelta(days=1)


def month_label(month) -> str:
    return month.strftime("%Y-%m") if month else ""


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many months ``last`` lies after ``first`` (negative when before)."""
    return (last.year - first.year) * 12 + last.month - first.month


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def parse_month(value, field: str = "month") -> datetime.date:
    """``YYYY-MM`` (or a date) as the first day of that month, from FIRST_YEAR to LAST_YEAR."""
    if isinstance(value, datetime.date):
        year, number = value.year, value.month
    else:
        match = MONTH_PATTERN.match(str(value or "").strip())
        if not match:
            raise ValidationError({field: _("Give the month as YYYY-MM, e.g. 2026-01.")})
        year, number = int(match.group(1)), int(match.group(2))
    if not year_in_range(year):
        raise ValidationError(
            {
                field: _("Give a month from %(first)s to %(last)s.")
                % {"first": f"{FIRST_YEAR}-01", "last": f"{LAST_YEAR}-12"}
            }
        )
    month = datetime.date(year, number, 1)
    return month


# --- months and quarters ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """One month or one quarter. Ordered by its first day."""

    start: datetime.date
    frequency: str

    def __str__(self) -> str:
        if self.frequency == Frequency.QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def months(self) -> int:
        return MONTHS_PER[self.frequency]

    def shift(self, periods: int) -> "Period":
        return Period(month_shift(self.start, periods * self.months), self.frequency)

    @property
    def end(self) -> datetime.date:
        return self.shift(1).start - datetime.timedelta(days=1)

    def __sub__(self, other: "Period") -> int:
        """How many periods ``other`` lies before this one."""
        return months_between(other.start, self.start) // self.months


def period_example(frequency: str) -> str:
    return "2026-Q1" if frequency == Frequency.QUARTERLY else "2026-01"


def parse_period(value, frequency: str, field: str = "period") -> Period:
    """``value`` as a period of ``frequency``; a clear error when it is not one (or one of the other
    frequency: a month for a quarterly KPI), or lies outside FIRST_YEAR-LAST_YEAR."""
    text = str(value or "").strip()
    month, quarter = MONTH_PATTERN.match(text), QUARTER_PATTERN.match(text)
    match = quarter if frequency == Frequency.QUARTERLY else month
    if match:
        year = int(match.group(1))
        if not year_in_range(year):
            raise ValidationError(
                {field: _("Give a period from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}}
            )
        first_month = (int(match.group(2)) - 1) * 3 + 1 if frequency == Frequency.QUARTERLY else int(match.group(2))
        return Period(datetime.date(year, first_month, 1), frequency)
    if month or quarter:
        message = _("This KPI is measured %(frequency)s: give the period as %(format)s, e.g. %(example)s.")
    else:
        message = _("Give the period as %(format)s, e.g. %(example)s.")
    raise ValidationError(
        {
            field: message
            % {
                "frequency": Frequency(frequency).label.lower(),
                # The codes are translated with the words around them (JJJJ-MM in Dutch), as in the help texts.
                "format": _("YYYY-Qn") if frequency == Frequency.QUARTERLY else _("YYYY-MM"),
                "example": period_example(frequency),
            }
        }
    )


def period_containing(day: datetime.date, frequency: str) -> Period:
    first_month = (day.month - 1) // MONTHS_PER[frequency] * MONTHS_PER[frequency] + 1
    return Period(datetime.date(day.year, first_month, 1), frequency)


def last_due_period(today: datetime.date, frequency: str, grace_days: int) -> Period:
    """The latest period whose measurement is due: it ended more than ``grace_days`` before ``today``."""
    return period_containing(today - datetime.timedelta(days=grace_days), frequency).shift(-1)


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` up to and including ``last`` (empty if ``last`` is earlier)."""
    return [first.shift(n) for n in range(max(last - first + 1, 0))]


# --- years and days -----------------------------------------------------------------------------


def next_year() -> int:
    """The last year people plan for (training assignments): next year."""
    return timezone.localdate().year + 1


def selected_year(value) -> int:
    """A year from a query string, or this year when it is missing or out of range."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= next_year() else timezone.localdate().year
