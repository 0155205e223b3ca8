"""The service calendar pages: quality officers and administrators of the organisation keep it, others in
sight read it, outsiders get a 404."""

import datetime

import pytest
from django.urls import reverse

from qms.calendar import calendar_for
from qms.models import ClosedDay, ServiceCalendar

WEEK = {f"{day}_{part}": "" for day in ("saturday", "sunday") for part in ("start", "end")}
WEEK.update(
    {
        f"{day}_{part}": time
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        for part, time in (("start", "08:00"), ("end", "16:30"))
    }
)


def url(name, pk):
    return reverse(f"qms:{name}", args=[pk])


def test_it_shows_the_hours_closed_days_and_public_holidays(cast, as_user):
    ClosedDay.objects.create(organisation=cast.units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    response = as_user(cast.viewer_a).get(url("calendar_detail", cast.units.org_a.pk) + "?year=2026")
    assert response.status_code == 200
    content = response.content.decode()
    assert "08:30" in content and "Bridge day" in content and "King" in content
    assert reverse("qms:calendar_hours", args=[cast.units.org_a.pk]) not in content  # a viewer does not edit


def test_it_links_the_calendar_from_the_organisation_page(cast, as_user):
    response = as_user(cast.viewer_a).get(cast.units.org_a.get_absolute_url())
    assert url("calendar_detail", cast.units.org_a.pk) in response.content.decode()


@pytest.mark.parametrize("who", ["qo_a", "admin_a"])
def test_it_lets_quality_officers_and_administrators_edit_the_hours(cast, as_user, who):
    client = as_user(getattr(cast, who))
    assert client.get(url("calendar_hours", cast.units.org_a.pk)).status_code == 200
    response = client.post(url("calendar_hours", cast.units.org_a.pk), WEEK)
    assert response.status_code == 302
    calendar = ServiceCalendar.objects.get(organisation=cast.units.org_a)
    assert calendar.hours == [["08:00", "16:30"]] * 5 + [None, None]
    assert calendar.history.first().history_user == getattr(cast, who)
    assert calendar_for(cast.units.team_a1a).week == datetime.timedelta(hours=42.5)


@pytest.mark.parametrize("who", ["viewer_a", "board_a", "risk_owner_a", "member_b"])
def test_it_refuses_others_in_sight(cast, as_user, who):
    client = as_user(getattr(cast, who))
    # Who does not see the organisation (its units below, another organisation) gets a 404.
    status = 404 if who in ("member_b", "risk_owner_a") else 403
    assert client.post(url("calendar_hours", cast.units.org_a.pk), WEEK).status_code == status
    assert (
        client.post(url("closed_day_add", cast.units.org_a.pk), {"date": "2026-05-15", "name": "x"}).status_code
        == status
    )
    assert not ServiceCalendar.objects.exists() and not ClosedDay.objects.exists()


def test_it_hides_the_calendar_from_an_outsider(cast, as_user):
    client = as_user(cast.outsider)
    assert client.get(url("calendar_detail", cast.units.org_a.pk)).status_code == 404
    assert client.get(url("calendar_history", cast.units.org_a.pk)).status_code == 404
    closed = ClosedDay.objects.create(organisation=cast.units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    assert client.post(url("closed_day_remove", closed.pk)).status_code == 404
    assert ClosedDay.objects.exists()


def test_it_has_no_calendar_below_an_organisation(cast, as_user):
    assert as_user(cast.qo_a).get(url("calendar_detail", cast.units.bu_a1.pk)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"monday_start": "17:00", "monday_end": "08:30"},
            "monday_end",
            "The closing time must be after the opening time.",
        ),
        ({"tuesday_start": "8.30"}, "tuesday_start", "Give the time as HH:MM"),
        ({"wednesday_end": "25:00"}, "wednesday_end", "Give the time as HH:MM"),
        ({"thursday_end": ""}, "thursday_end", "Give both times"),
    ],
)
def test_it_shows_what_is_wrong_with_the_hours(cast, as_user, changes, field, message):
    response = as_user(cast.qo_a).post(url("calendar_hours", cast.units.org_a.pk), {**WEEK, **changes})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not ServiceCalendar.objects.exists()


def test_it_refuses_a_week_without_service_hours(cast, as_user):
    week = dict.fromkeys(WEEK, "")
    response = as_user(cast.qo_a).post(url("calendar_hours", cast.units.org_a.pk), week)
    assert response.status_code == 200
    assert "Open on at least one weekday" in response.content.decode()


def test_it_adds_and_removes_a_closed_day(cast, as_user):
    client = as_user(cast.qo_a)
    response = client.post(url("closed_day_add", cast.units.org_a.pk), {"date": "2026-05-15", "name": "Bridge day"})
    assert response.status_code == 302
    closed = ClosedDay.objects.get()
    assert not calendar_for(cast.units.org_a).is_working_day(datetime.date(2026, 5, 15))
    assert client.post(url("closed_day_remove", closed.pk)).status_code == 302
    assert not ClosedDay.objects.exists()
    assert calendar_for(cast.units.org_a).is_working_day(datetime.date(2026, 5, 15))
    history = client.get(url("calendar_history", cast.units.org_a.pk))
    assert history.status_code == 200 and "Closed day" in history.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-04-27", "name": "King"}, "public holiday"),
        ({"date": "2026-05-15", "name": "Again"}, "closed already"),
        ({"date": "", "name": "No date"}, "required"),
    ],
)
def test_it_refuses_a_closed_day_that_is_closed_already(cast, as_user, data, message):
    ClosedDay.objects.create(organisation=cast.units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    response = as_user(cast.qo_a).post(url("closed_day_add", cast.units.org_a.pk), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["date"])
    assert ClosedDay.objects.count() == 1


def test_a_viewer_cannot_remove_a_closed_day(cast, as_user):
    closed = ClosedDay.objects.create(organisation=cast.units.org_a, date=datetime.date(2026, 5, 15), name="Bridge day")
    assert as_user(cast.viewer_a).post(url("closed_day_remove", closed.pk)).status_code == 403
    assert ClosedDay.objects.exists()
