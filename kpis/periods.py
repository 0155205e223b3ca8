"""Measurement periods: ``YYYY-MM`` for monthly KPIs, ``YYYY-Qn`` for quarterly ones.

A period is stored as its label (what people and the API read) and its first day (what is sorted,
windowed and counted).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kpis.choices import Frequency

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_PATTERN = re.compile(r"^(\d{4})-[Qq]([1-4])$")
MONTHS_PER = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}


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
        return Period(_month_shift(self.start, periods * self.months), self.frequency)

    @property
    def end(self) -> datetime.date:
        return self.shift(1).start - datetime.timedelta(days=1)

    def __sub__(self, other: "Period") -> int:
        """How many periods ``other`` lies before this one."""
        months = (self.start.year - other.start.year) * 12 + self.start.month - other.start.month
        return months // self.months


def _month_shift(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def example(frequency: str) -> str:
    return "2026-Q1" if frequency == Frequency.QUARTERLY else "2026-01"


def parse_period(value, frequency: str, field: str = "period") -> Period:
    """``value`` as a period of ``frequency``; a clear error when it is not one (or one of the other
    frequency: a month for a quarterly KPI)."""
    text = str(value or "").strip()
    month, quarter = MONTH_PATTERN.match(text), QUARTER_PATTERN.match(text)
    if frequency == Frequency.QUARTERLY and quarter:
        year, number = int(quarter.group(1)), int(quarter.group(2))
        return Period(datetime.date(year, (number - 1) * 3 + 1, 1), frequency)
    if frequency == Frequency.MONTHLY and month:
        return Period(datetime.date(int(month.group(1)), int(month.group(2)), 1), frequency)
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
                "example": example(frequency),
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


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The day ``days`` working days after ``day``, skipping Saturdays and Sundays (the code base has
    no calendar of public holidays yet)."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
