"""The SLA report per month and year: figures against hand-computed values, the page, its export,
scoping and its fixed number of queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from incidents.models import Incident
from incidents.selectors.reports import restore_times, sla_report
from tests.factories.incidents import IncidentFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db

REPORT = reverse("incidents:sla_report")
HOUR = datetime.timedelta(hours=1)


def resolved(unit, reported_at, resolved_at, *, priority_impact="unit", met=True, held=datetime.timedelta()):
    return IncidentFactory(
        unit=unit,
        impact=priority_impact,
        reported_at=reported_at,
        resolved_at=resolved_at,
        status="resolved",
        sla_met=met,
        held_for=held,
    )


@pytest.fixture
def november(cast):
    """Organisation A in November 2026 (service hours Mon-Fri 08:30-17:00, no holidays that week)."""
    a1 = cast.units.bu_a1
    resolved(a1, ams(2026, 11, 2, 9, 0), ams(2026, 11, 2, 11, 0))  # P1, 2 h
    resolved(a1, ams(2026, 11, 2, 15, 0), ams(2026, 11, 3, 10, 30))  # P1, 2 h + 2 h overnight
    resolved(a1, ams(2026, 11, 4, 9, 0), ams(2026, 11, 4, 16, 0), met=False, held=HOUR)  # P1, 7 h less 1 h on hold
    resolved(a1, ams(2026, 11, 5, 9, 0), ams(2026, 11, 5, 10, 0), priority_impact="limited_group")  # P2, 1 h
    IncidentFactory(unit=a1, impact="one_person", reported_at=ams(2026, 11, 6, 9, 0))  # P3, open
    resolved(a1, ams(2026, 10, 5, 9, 0), ams(2026, 10, 5, 10, 0))  # October
    resolved(cast.units.bu_b1, ams(2026, 11, 2, 9, 0), ams(2026, 11, 2, 10, 0))  # organisation B


def test_it_computes_the_month_as_by_hand(cast, november):
    report = sla_report(incidents=Incident.objects.all(), organisation=cast.units.org_a, year=2026, month=11)
    p1, p2, p3 = report["rows"]
    assert (p1.reported, p1.resolved, p1.met, p1.breached) == (3, 3, 2, 1)
    assert p1.share_met == Decimal("66.7")
    assert p1.mean_hours == Decimal("4.00") and p1.p90_hours == Decimal("6.00")
    assert (p2.resolved, p2.share_met) == (1, Decimal("100.0"))
    assert p2.mean_hours == p2.p90_hours == Decimal("1.00")
    assert (p3.reported, p3.resolved, p3.share_met, p3.mean_hours) == (1, 0, None, None)
    total = report["total"]
    assert (total.reported, total.resolved, total.met, total.breached) == (5, 4, 3, 1)
    assert total.share_met == Decimal("75.0")
    assert total.mean_hours == Decimal("3.25") and total.p90_hours == Decimal("6.00")
    assert p1.target_hours == Decimal("4") and p3.target_hours == Decimal("42.5")


def test_it_computes_the_year_and_the_trend(cast, november):
    report = sla_report(incidents=Incident.objects.all(), organisation=cast.units.org_a, year=2026)
    assert report["total"].resolved == 5
    trend = {month["label"]: month for month in report["trend"]}
    assert len(report["trend"]) == 12 and report["trend"][0]["label"] == "2026-01"
    assert trend["2026-10"]["total"].resolved == 1 and trend["2026-10"]["total"].share_met == Decimal("100.0")
    assert trend["2026-11"]["rows"][0].breached == 1
    month = sla_report(incidents=Incident.objects.all(), organisation=cast.units.org_a, year=2026, month=11)
    assert month["trend"][-1]["label"] == "2026-11" and month["trend"][0]["label"] == "2025-12"


@pytest.mark.parametrize(("count", "p90"), [(1, 1), (10, 9), (11, 10)])
def test_it_takes_the_nearest_rank_percentile(cast, count, p90):
    step = datetime.timedelta(minutes=20)
    for n in range(1, count + 1):  # restored after 20, 40, ... minutes on Monday 2 November
        resolved(cast.units.bu_a1, ams(2026, 11, 2, 8, 30), ams(2026, 11, 2, 8, 30) + n * step)
    mean, ninetieth = restore_times(Incident.objects.filter(resolved_at__isnull=False))
    assert ninetieth == p90 * step
    assert mean == (count + 1) / 2 * step


def test_it_shows_the_report_with_its_chart(cast, as_user, november):
    page = as_user(cast.qo_a).get(REPORT + f"?organisation={cast.units.org_a.pk}&month=2026-11").content.decode()
    assert 'data-testid="share-chart"' in page and "<rect" in page
    assert 'data-testid="trend-table"' in page and "66.7" in page


def test_it_exports_the_report(cast, as_user, november):
    response = as_user(cast.qo_a).get(REPORT + f"?organisation={cast.units.org_a.pk}&month=2026-11&export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    p1 = next(row for row in rows if row[0] == "2026-11" and row[1] == "P1" and row[3])
    assert p1[4:10] == ["3", "2", "1", "66.7", "4.00", "6.00"]


def test_it_scopes_the_report(cast, as_user, november):
    assert as_user(cast.member_b).get(REPORT + f"?organisation={cast.units.org_a.pk}").status_code == 404
    page = as_user(cast.outsider).get(REPORT).content.decode()
    assert 'data-testid="empty-state"' in page


@pytest.mark.parametrize("month", ["2026-13", "26-11", "abcd", "0000-01", "9999", "2026-1'"])
def test_it_answers_a_bad_month_with_a_message(cast, as_user, month):
    response = as_user(cast.qo_a).get(REPORT, {"month": month})
    assert response.status_code == 200
    assert "Give the month as YYYY-MM" in response.content.decode()


def test_it_refuses_a_bad_organisation(cast, as_user):
    assert as_user(cast.qo_a).get(REPORT + "?organisation=abc").status_code == 404
    assert as_user(cast.qo_a).get(REPORT + "?organisation=99999999").status_code == 404


def test_it_keeps_the_report_at_a_fixed_number_of_queries(cast, as_user, count_queries):
    client = as_user(cast.qo_a)
    path = REPORT + f"?organisation={cast.units.org_a.pk}&month=2026-11"
    resolved(cast.units.bu_a1, ams(2026, 11, 2, 9, 0), ams(2026, 11, 2, 11, 0))
    one = count_queries(client, path)
    for day in range(2, 27):
        resolved(cast.units.bu_a1, ams(2026, 11, day, 9, 0), ams(2026, 11, day, 11, 0))
        resolved(cast.units.bu_a1, ams(2026, 10, day, 9, 0), ams(2026, 10, day, 11, 0), met=False)
    assert count_queries(client, path) == one
