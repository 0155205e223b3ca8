"""Service time (SPEC 5.1): how much of the organisation's service hours lies between two moments, and
which moment lies a given amount of service time after another. Every due date in working time uses it
(``calendar_for(unit).add(reported_at, timedelta(hours=4))``, ``working_days_after``), so the Dutch
public holidays and the organisation's own closed days count everywhere.

The arithmetic is plain Python on a ``Calendar`` built from the week's hours and the closed days; it
is exact to the microsecond and its cost grows with the number of days spanned, never with minutes:
runs of ordinary weeks are skipped in one step, and only weeks with a closed day or a change of clock
(daylight saving time) are walked day by day.

The choices, so that every caller counts alike:

- Service hours are wall-clock hours in ``settings.TIME_ZONE`` (Europe/Amsterdam): 08:30-17:00 is
  08:30-17:00 in winter and in summer; durations are real elapsed time (on the night the clocks change,
  an opening that spans 02:00-03:00 is an hour shorter or longer).
- Counting starts at the next opening when ``start`` falls outside service hours, so ``add(start, 0)``
  is ``start`` itself inside service hours, else the next opening. A closing moment counts as closed: at
  17:00 the next opening is the next working day's 08:30, while ``add(monday_0830, 42.5 h)`` ends on
  Friday at 17:00 (service time that runs out exactly at closing ends there, not at the next opening).
- ``between(a, b)`` is symmetric: ``between(b, a) == -between(a, b)``.
- Moments must be aware datetimes; results are aware datetimes in ``settings.TIME_ZONE``.
"""

import bisect
import datetime
import functools
import zoneinfo

import holidays
from django.conf import settings
from django.utils import translation

from qms.choices import UnitKind
from qms.models import ClosedDay, OrganisationUnit, ServiceCalendar
from qms.models.calendar import default_hours, hours_problems, minutes_of

ONE_DAY = datetime.timedelta(days=1)
ONE_WEEK = datetime.timedelta(days=7)
UTC = datetime.UTC

__all__ = ["Calendar", "calendar_for", "calendars_for", "public_holidays"]


# --- public holidays ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> dict[datetime.date, str]:
    return dict(holidays.country_holidays("NL", years=year, language=language))


def public_holidays(year: int) -> dict[datetime.date, str]:
    """The Dutch public holidays of ``year`` (as the ``holidays`` package defines them for NL), named
    in the active language."""
    language = "nl" if (translation.get_language() or "nl").startswith("nl") else "en_US"
    return _holidays(year, language)


@functools.lru_cache(maxsize=128)
def _holiday_dates(year: int) -> frozenset[datetime.date]:
    return frozenset(_holidays(year, "nl"))


@functools.lru_cache(maxsize=128)
def _clock_change_days(zone: str, year: int) -> frozenset[datetime.date]:
    """The days of ``year`` on which the clock changes in ``zone`` (the offset at midnight differs from
    the next midnight's). Some 366 look-ups, once per process and year."""
    tz = zoneinfo.ZoneInfo(zone)
    day = datetime.date(year, 1, 1)
    days = set()
    offset = datetime.datetime(year, 1, 1, tzinfo=tz).utcoffset()
    while day.year == year:
        following = day + ONE_DAY
        next_offset = datetime.datetime(following.year, following.month, following.day, tzinfo=tz).utcoffset()
        if next_offset != offset:
            days.add(day)
        day, offset = following, next_offset
    return frozenset(days)


# --- the calendar -------------------------------------------------------------------------------


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime) or moment.utcoffset() is None:
        raise ValueError("The service calendar counts with aware datetimes only.")
    return moment.astimezone(UTC)


class Calendar:
    """Service hours per weekday plus closed dates, and the arithmetic on them.

    ``hours`` is a week, Monday first, of ``["HH:MM", "HH:MM"]`` pairs (the end may be ``"24:00"``) or
    ``None`` for a closed weekday (the default: Monday-Friday 08:30-17:00). ``closed`` are the
    organisation's own closed dates; the Dutch public holidays are always closed.
    """

    def __init__(self, hours=None, closed=(), zone: str | None = None):
        hours = default_hours() if hours is None else [list(pair) if pair else None for pair in hours]
        problems = hours_problems(hours)
        if problems:
            raise ValueError(f"Invalid service hours: {problems}")
        self.hours = hours
        self.closed = frozenset(closed)
        self.zone = zone or settings.TIME_ZONE
        self.tz = zoneinfo.ZoneInfo(self.zone)
        # Minutes after midnight of the opening and closing, per weekday.
        self._minutes = [(minutes_of(pair[0]), minutes_of(pair[1])) if pair else None for pair in hours]
        self.week = sum(
            (datetime.timedelta(minutes=pair[1] - pair[0]) for pair in self._minutes if pair), datetime.timedelta()
        )
        self._irregular_by_year: dict[int, list[datetime.date]] = {}

    def __repr__(self):
        return f"Calendar(hours={self.hours!r}, closed={sorted(self.closed)!r})"

    # --- days

    def is_closed(self, day: datetime.date) -> bool:
        """A public holiday or one of the organisation's closed days."""
        return day in self.closed or day in _holiday_dates(day.year)

    def is_working_day(self, day: datetime.date) -> bool:
        """A day with service hours that is not closed."""
        return self._minutes[day.weekday()] is not None and not self.is_closed(day)

    def working_days_after(self, day: datetime.date, days: int) -> datetime.date:
        """The ``days``-th working day after ``day`` (``day`` itself when ``days`` is 0). Due dates counted
        in working days (feedback follow-ups, KPI grace) use this."""
        while days > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                days -= 1
        return day

    def opening(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime] | None:
        """The service hours of ``day`` as (opening, closing) in UTC, or None when it is not a working day."""
        if not self.is_working_day(day):
            return None
        start, end = self._minutes[day.weekday()]
        midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        # Wall-clock arithmetic (the same tzinfo), then to UTC: the offset of each end is its own.
        return (
            (midnight + datetime.timedelta(minutes=start)).astimezone(UTC),
            (midnight + datetime.timedelta(minutes=end)).astimezone(UTC),
        )

    def _irregular(self, year: int) -> list[datetime.date]:
        """The days of ``year`` that make a week differ from an ordinary one: a closed day on a weekday
        with service hours, or a change of clock. Sorted."""
        days = self._irregular_by_year.get(year)
        if days is None:
            candidates = {day for day in self.closed if day.year == year} | _holiday_dates(year)
            candidates |= _clock_change_days(self.zone, year)
            days = sorted(day for day in candidates if self._minutes[day.weekday()] is not None)
            self._irregular_by_year[year] = days
        return days

    def _ordinary_weeks(self, day: datetime.date, weeks: int) -> int:
        """How many of the ``weeks`` weeks from ``day`` on pass before the first irregular day."""
        limit = day + ONE_WEEK * weeks
        for year in range(day.year, limit.year + 1):
            days = self._irregular(year)
            index = bisect.bisect_left(days, day)
            if index < len(days):
                return min(weeks, (days[index] - day).days // 7)
        return weeks

    # --- moments

    def add(self, start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
        """The moment ``duration`` of service time after ``start`` (counted from the next opening when
        ``start`` is outside service hours; ``add(start, 0)`` is that opening, or ``start`` when open)."""
        if duration < datetime.timedelta():
            raise ValueError("The service calendar adds positive durations only.")
        moment = _utc(start)
        day = moment.astimezone(self.tz).date()
        remaining = duration
        window = self.opening(day)
        if window and moment < window[1]:
            begin = max(moment, window[0])
            if remaining <= window[1] - begin:
                return (begin + remaining).astimezone(self.tz)
            remaining -= window[1] - begin
        day += ONE_DAY
        while True:
            # Whole ordinary weeks in one step, as long as some service time is left after them (time that
            # runs out exactly at a closing ends there, which the day walk finds).
            if remaining > self.week:
                weeks = self._ordinary_weeks(day, (remaining - datetime.timedelta.resolution) // self.week)
                if weeks:
                    day += ONE_WEEK * weeks
                    remaining -= self.week * weeks
                    continue
            window = self.opening(day)
            if window:
                if remaining <= window[1] - window[0]:
                    return (window[0] + remaining).astimezone(self.tz)
                remaining -= window[1] - window[0]
            day += ONE_DAY

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """The service time from ``start`` to ``end`` (negative when ``end`` is before ``start``)."""
        first, last = _utc(start), _utc(end)
        if last < first:
            return -self.between(end, start)
        first_day = day = first.astimezone(self.tz).date()
        last_day = last.astimezone(self.tz).date()
        total = datetime.timedelta()
        while day <= last_day:
            # Days strictly between the first and the last lie wholly inside: skip ordinary weeks of them.
            if day > first_day:
                weeks = self._ordinary_weeks(day, (last_day - day).days // 7)
                if weeks:
                    total += self.week * weeks
                    day += ONE_WEEK * weeks
                    continue
            window = self.opening(day)
            if window:
                overlap = min(window[1], last) - max(window[0], first)
                if overlap > datetime.timedelta():
                    total += overlap
            day += ONE_DAY
        return total

    def is_open(self, moment: datetime.datetime) -> bool:
        """True inside service hours (the closing moment itself is closed)."""
        moment = _utc(moment)
        window = self.opening(moment.astimezone(self.tz).date())
        return bool(window) and window[0] <= moment < window[1]


# --- loading ------------------------------------------------------------------------------------


def _organisation_id(unit) -> int:
    """The id of the organisation ``unit`` (a unit or its id) belongs to; a group stands for itself."""
    if not isinstance(unit, OrganisationUnit):
        unit = OrganisationUnit.objects.only("kind", "path").get(pk=unit)
    if unit.kind in (UnitKind.ORGANISATION, UnitKind.GROUP):
        return unit.pk
    return (
        OrganisationUnit.objects.filter(pk__in=unit.ancestor_ids, kind__in=(UnitKind.ORGANISATION, UnitKind.GROUP))
        .order_by("-depth")
        .values_list("pk", flat=True)
        .first()
        or unit.pk
    )


def calendars_for(organisation_ids) -> dict[int, Calendar]:
    """The calendars of several organisations (ids of organisations, not of units below them), in two
    queries; an organisation without its own hours has the default week."""
    ids = set(organisation_ids)
    hours = dict(ServiceCalendar.objects.filter(organisation__in=ids).values_list("organisation_id", "hours"))
    closed = {organisation_id: [] for organisation_id in ids}
    for organisation_id, day in ClosedDay.objects.filter(organisation__in=ids).values_list("organisation_id", "date"):
        closed[organisation_id].append(day)
    return {organisation_id: Calendar(hours.get(organisation_id), closed[organisation_id]) for organisation_id in ids}


def calendar_for(organisation) -> Calendar:
    """The service calendar of the organisation ``organisation`` (a unit or its id) belongs to.

    Read fresh from the database every time (two queries: the hours and the closed days, plus one or
    two to find the organisation when given a unit below it or an id), so a change counts at once;
    the public holidays are computed once per process and year.
    """
    organisation_id = _organisation_id(organisation)
    return calendars_for([organisation_id])[organisation_id]
