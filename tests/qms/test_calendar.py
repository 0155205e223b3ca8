"""The service calendar (SPEC 5.1): service time added and measured, exact to the minute, with the Dutch
public holidays, the organisation's closed days, closed weekdays and the changes of clock."""

import datetime
import random
import zoneinfo

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.calendar import Calendar, calendar_for, calendars_for
from qms.models import ClosedDay, ServiceCalendar

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)
NL = holidays.country_holidays("NL", years=range(2025, 2030))


def at(*args):
    return datetime.datetime(*args, tzinfo=AMS)


def reference_between(hours, closed, start, end):
    """Service time from start to end, counted day by day without any shortcut (the slow, obvious way)."""
    total = datetime.timedelta()
    day = start.astimezone(AMS).date()
    while day <= end.astimezone(AMS).date():
        pair = hours[day.weekday()]
        if pair and day not in closed and day not in NL:
            midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=AMS)
            opening, closing = (
                (midnight + datetime.timedelta(hours=int(text[:2]), minutes=int(text[3:]))).astimezone(datetime.UTC)
                for text in pair
            )
            overlap = min(closing, end) - max(opening, start)
            total += max(overlap, datetime.timedelta())
        day += datetime.timedelta(days=1)
    return total


# Starts around the changes of clock of 2026 and 2027, Christmas, King's Day and Ascension, and anywhere.
HOT_SPOTS = [at(2026, 3, 27), at(2026, 10, 23), at(2027, 3, 26), at(2027, 10, 29), at(2026, 12, 22), at(2026, 4, 24)]
HOT_SPOTS += [at(2026, 5, 12)]


def random_start(rng):
    if rng.random() < 0.6:
        base = rng.choice(HOT_SPOTS)
        return (base + datetime.timedelta(minutes=rng.randrange(6 * 24 * 60))).astimezone(AMS)
    return (at(2026, 1, 1) + datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))).astimezone(AMS)


def random_duration(rng):
    unit = rng.choice([M, H, datetime.timedelta(seconds=1)])
    return rng.choice([0, 1, 30, rng.randrange(1, 600), rng.randrange(1, 30000)]) * unit


WEEKS = {
    "default": None,
    "wednesday closed": [["08:30", "17:00"]] * 2 + [None] + [["08:30", "17:00"]] * 2 + [None, None],
    "around the clock on Sunday": [["08:30", "17:00"]] * 5 + [None, ["00:00", "24:00"]],
    "nights of the clock change": [["01:30", "03:30"]] * 7,
}


@pytest.mark.parametrize("week", WEEKS, ids=list(WEEKS))
def test_it_measures_back_what_it_adds(week):
    calendar = Calendar(WEEKS[week], closed={datetime.date(2026, 5, 15)})
    rng = random.Random(20260515)
    for _ in range(400):
        start, duration = random_start(rng), random_duration(rng)
        end = calendar.add(start, duration)
        assert end >= start
        assert calendar.between(start, end) == duration, (start, duration, end)


@pytest.mark.parametrize("week", WEEKS, ids=list(WEEKS))
def test_it_counts_like_a_day_by_day_count(week):
    hours = WEEKS[week] or [["08:30", "17:00"]] * 5 + [None, None]
    closed = {datetime.date(2026, 5, 15), datetime.date(2026, 12, 31)}
    calendar = Calendar(hours, closed=closed)
    rng = random.Random(7)
    for _ in range(300):
        start = random_start(rng)
        end = start + rng.choice([M * rng.randrange(3000), H * rng.randrange(24 * 120)])
        expected = reference_between(hours, closed, start, end)
        assert calendar.between(start, end) == expected, (start, end)
        assert calendar.between(end, start) == -expected


def test_it_ends_where_the_service_time_runs_out():
    calendar = Calendar()
    rng = random.Random(3)
    for _ in range(300):
        start, duration = random_start(rng), random_duration(rng)
        end = calendar.add(start, duration)
        # The end lies in service hours, or is a closing moment exactly reached.
        assert calendar.is_open(end) or calendar.is_open(end - datetime.timedelta.resolution)
        if duration:
            # Not a moment later than needed.
            assert calendar.between(start, end - datetime.timedelta.resolution) < duration


def test_it_adds_a_working_week_from_monday_morning_to_friday_evening():
    assert Calendar().add(at(2026, 6, 1, 8, 30), 42.5 * H) == at(2026, 6, 5, 17, 0)
    assert Calendar().add(at(2026, 6, 1, 8, 30), 85 * H) == at(2026, 6, 12, 17, 0)


def test_it_starts_counting_at_the_next_opening():
    calendar = Calendar()
    assert calendar.add(at(2026, 6, 1, 7, 0), 4 * H) == at(2026, 6, 1, 12, 30)
    assert calendar.add(at(2026, 6, 5, 16, 0), 4 * H) == at(2026, 6, 8, 11, 30)  # Friday to Monday
    assert calendar.add(at(2026, 6, 6, 12, 0), H) == at(2026, 6, 8, 9, 30)  # Saturday


def test_it_adds_nothing_as_the_next_opening():
    calendar = Calendar()
    assert calendar.add(at(2026, 6, 1, 10, 15), datetime.timedelta()) == at(2026, 6, 1, 10, 15)
    assert calendar.add(at(2026, 6, 1, 17, 0), datetime.timedelta()) == at(2026, 6, 2, 8, 30)
    assert calendar.add(at(2026, 6, 6, 9, 0), datetime.timedelta()) == at(2026, 6, 8, 8, 30)
    assert calendar.add(at(2026, 6, 1, 8, 30), datetime.timedelta()) == at(2026, 6, 1, 8, 30)


def test_it_answers_in_amsterdam_time_from_any_zone():
    calendar = Calendar()
    start = datetime.datetime(2026, 6, 1, 6, 30, tzinfo=datetime.UTC)  # 08:30 in Amsterdam
    end = calendar.add(start, H)
    assert end == at(2026, 6, 1, 9, 30)
    assert end.tzinfo == AMS


def test_it_counts_nothing_on_public_holidays():
    calendar = Calendar()
    day = 8.5 * H
    # Christmas 2026 (Friday) to New Year 2027 (Friday): 21 Dec - 4 Jan, nine working days.
    assert calendar.between(at(2026, 12, 21), at(2027, 1, 5)) == 9 * day
    assert calendar.between(at(2026, 12, 25), at(2026, 12, 26)) == datetime.timedelta()
    # King's Day, Monday 27 April 2026, and Ascension, Thursday 14 May 2026.
    assert calendar.between(at(2026, 4, 27), at(2026, 4, 28)) == datetime.timedelta()
    assert calendar.between(at(2026, 5, 14), at(2026, 5, 15)) == datetime.timedelta()
    assert calendar.add(at(2026, 4, 24, 16, 0), 2 * H) == at(2026, 4, 28, 9, 30)
    assert calendar.add(at(2026, 5, 13, 17, 0), H) == at(2026, 5, 15, 9, 30)


def test_it_counts_nothing_on_the_organisations_closed_days():
    calendar = Calendar(closed={datetime.date(2026, 5, 15)})  # the day after Ascension
    assert calendar.between(at(2026, 5, 11), at(2026, 5, 18)) == 3 * 8.5 * H
    assert calendar.add(at(2026, 5, 13, 16, 0), 2 * H) == at(2026, 5, 18, 9, 30)


def test_it_skips_a_closed_weekday():
    calendar = Calendar(WEEKS["wednesday closed"])
    assert calendar.add(at(2026, 6, 2, 16, 0), 2 * H) == at(2026, 6, 4, 9, 30)
    assert calendar.between(at(2026, 6, 1), at(2026, 6, 8)) == 4 * 8.5 * H
    assert not calendar.is_working_day(datetime.date(2026, 6, 3))


def test_it_keeps_wall_clock_hours_over_the_change_of_clock():
    calendar = Calendar()
    # Friday before and Monday after the change to summer time (29 March 2026): both 08:30-17:00 local.
    assert calendar.add(at(2026, 3, 27, 16, 0), 2 * H) == at(2026, 3, 30, 9, 30)
    assert calendar.between(at(2026, 10, 23, 12, 0), at(2026, 10, 26, 12, 0)) == 8.5 * H
    around_the_clock = Calendar([None] * 6 + [["00:00", "24:00"]])
    assert around_the_clock.between(at(2026, 3, 29), at(2026, 3, 30)) == 23 * H
    assert around_the_clock.between(at(2026, 10, 25), at(2026, 10, 26)) == 25 * H


def test_it_is_symmetric():
    calendar = Calendar()
    assert calendar.between(at(2026, 6, 5, 12, 0), at(2026, 6, 1, 12, 0)) == -34 * H
    assert calendar.between(at(2026, 6, 1, 12, 0), at(2026, 6, 1, 12, 0)) == datetime.timedelta()


def test_it_refuses_naive_moments_and_negative_durations():
    calendar = Calendar()
    with pytest.raises(ValueError, match="aware"):
        calendar.add(datetime.datetime(2026, 6, 1, 9, 0), H)
    with pytest.raises(ValueError, match="aware"):
        calendar.between(at(2026, 6, 1), datetime.datetime(2026, 6, 2))
    with pytest.raises(ValueError, match="positive"):
        calendar.add(at(2026, 6, 1), -H)


def test_it_walks_days_not_minutes(monkeypatch):
    calendar = Calendar()
    calls = []
    opening = Calendar.opening
    monkeypatch.setattr(Calendar, "opening", lambda self, day: calls.append(day) or opening(self, day))
    start = at(2026, 1, 5, 8, 30)
    end = calendar.add(start, 5 * 52 * 42.5 * H)  # some five years of service time
    assert end.year == 2031
    # Only the weeks with a holiday or a change of clock are walked day by day (some 12 a year).
    assert len(calls) < 5 * 15 * 7
    calls.clear()
    assert calendar.between(start, end) == 5 * 52 * 42.5 * H
    assert len(calls) < 5 * 15 * 7


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (datetime.date(2026, 6, 1), 0, datetime.date(2026, 6, 1)),
        (datetime.date(2026, 6, 1), 1, datetime.date(2026, 6, 2)),
        (datetime.date(2026, 6, 5), 1, datetime.date(2026, 6, 8)),  # Friday to Monday
        (datetime.date(2026, 6, 6), 1, datetime.date(2026, 6, 8)),  # Saturday to Monday
        (datetime.date(2026, 4, 24), 1, datetime.date(2026, 4, 28)),  # over King's Day
        (datetime.date(2026, 5, 13), 1, datetime.date(2026, 5, 18)),  # over Ascension and the closed Friday
        (datetime.date(2026, 12, 24), 1, datetime.date(2026, 12, 28)),  # over Christmas
        (datetime.date(2026, 12, 31), 1, datetime.date(2027, 1, 4)),  # over New Year
    ],
)
def test_it_counts_working_days(day, days, expected):
    assert Calendar(closed={datetime.date(2026, 5, 15)}).working_days_after(day, days) == expected


# --- the organisation's calendar ------------------------------------------------------------------


def test_it_gives_an_organisation_without_hours_the_default_week(units):
    calendar = calendar_for(units.org_a)
    assert calendar.hours == [["08:30", "17:00"]] * 5 + [None, None]
    assert calendar.add(at(2026, 6, 1, 8, 30), 42.5 * H) == at(2026, 6, 5, 17, 0)


def test_it_reads_the_organisations_hours_and_closed_days_in_two_queries(units):
    ServiceCalendar.objects.create(organisation=units.org_a, hours=WEEKS["wednesday closed"])
    ClosedDay.objects.create(organisation=units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    ClosedDay.objects.create(organisation=units.org_b, date=datetime.date(2026, 5, 18), name="Elsewhere")
    with CaptureQueriesContext(connection) as queries:
        calendar = calendar_for(units.org_a)
    assert len(queries) == 2  # the hours, the closed days
    assert not calendar.is_working_day(datetime.date(2026, 6, 3))
    assert not calendar.is_working_day(datetime.date(2026, 5, 15))
    assert calendar.is_working_day(datetime.date(2026, 5, 18))


def test_it_finds_the_organisation_of_a_unit_or_an_id(units):
    ClosedDay.objects.create(organisation=units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    for unit in (units.team_a1a, units.bu_a1.pk, units.org_a.pk):
        assert not calendar_for(unit).is_working_day(datetime.date(2026, 5, 15))
    assert calendar_for(units.bu_b1).is_working_day(datetime.date(2026, 5, 15))


def test_it_reads_a_change_at_once(units):
    assert calendar_for(units.org_a).is_working_day(datetime.date(2026, 5, 15))
    ClosedDay.objects.create(organisation=units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    assert not calendar_for(units.org_a).is_working_day(datetime.date(2026, 5, 15))


def test_it_loads_several_calendars_in_two_queries(units):
    ClosedDay.objects.create(organisation=units.org_b, date=datetime.date(2026, 5, 15), name="Bridge day")
    with CaptureQueriesContext(connection) as queries:
        calendars = calendars_for([units.org_a.pk, units.org_b.pk])
    assert len(queries) == 2
    assert calendars[units.org_a.pk].is_working_day(datetime.date(2026, 5, 15))
    assert not calendars[units.org_b.pk].is_working_day(datetime.date(2026, 5, 15))


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ([["08:30", "17:00"]] * 6, "all seven weekdays"),
        ([["17:00", "08:30"]] + [None] * 6, "Monday: The closing time must be after the opening time."),
        ([None, ["8.30", "17:00"]] + [None] * 5, "Tuesday: Give the times as HH:MM"),
        ([None, None, ["08:30", "25:00"]] + [None] * 4, "Wednesday: Give the times as HH:MM"),
        ([None] * 7, "Open on at least one weekday"),
    ],
)
def test_it_refuses_hours_that_are_not_a_week(units, hours, message):
    with pytest.raises(ValidationError) as error:
        ServiceCalendar(organisation=units.org_a, hours=hours).full_clean()
    assert message in " ".join(error.value.message_dict["hours"])
    with pytest.raises(ValueError):
        Calendar(hours)


def test_it_keeps_a_calendar_for_organisations_only(units):
    with pytest.raises(ValidationError) as error:
        ServiceCalendar(organisation=units.bu_a1).full_clean()
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ClosedDay(organisation=units.team_a1a, date=datetime.date(2026, 5, 15), name="x").full_clean()
    assert "organisation" in error.value.message_dict
