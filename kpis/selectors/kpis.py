"""Reads of KPIs and their measurements that need shaping: the overview's tiles, a KPI's series and
chart, the missing periods (for the pages and the daily sweep). The pages and the API start them from
``visible_to(user)``; each works on a whole page of records in a fixed number of queries.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from kpis import conf
from kpis.choices import STATUS_COLOURS
from kpis.models import Kpi, KpiMeasurement
from qms.periods import Frequency, Period, last_due_period, period_containing, periods_between

SPARKLINE_PERIODS = 12


def last_due_periods(today: datetime.date | None = None) -> dict[str, Period]:
    """Per frequency, the latest period whose measurement is due."""
    today = today or timezone.localdate()
    grace = conf.measurement_grace_days()
    return {frequency: last_due_period(today, frequency, grace) for frequency in Frequency.values}


def kpis_missing_due_measurement(today: datetime.date):
    """Active KPIs (of any organisation: for the sweep) without a measurement for their last due
    period, among those that existed before that period ended."""
    condition = Q()
    for frequency, due in last_due_periods(today).items():
        measured = KpiMeasurement.objects.filter(kpi=OuterRef("pk"), period=str(due))
        condition |= Q(frequency=frequency, created_at__date__lte=due.end) & ~Exists(measured)
    return Kpi.objects.active().filter(condition)


def first_expected_period(kpi: Kpi, first_measured: datetime.date | None) -> Period:
    """Measurements are expected from the KPI's first measurement, or from when it was defined."""
    defined = timezone.localdate(kpi.created_at) if kpi.created_at else timezone.localdate()
    start = min(first_measured, defined) if first_measured else defined
    return period_containing(start, kpi.frequency)


def missing_periods(kpi: Kpi, measured: set[str], today: datetime.date | None = None) -> list[Period]:
    """The due periods of ``kpi`` without a measurement (``measured``: the labels it has)."""
    due = last_due_periods(today)[kpi.frequency]
    first_measured = min((kpi.period(label).start for label in measured), default=None)
    first = first_expected_period(kpi, first_measured)
    return [period for period in periods_between(first, due) if str(period) not in measured]


@dataclass
class Trend:
    """The latest measurement against the one before it, in the KPI's terms."""

    latest: KpiMeasurement | None
    previous: KpiMeasurement | None

    @property
    def change(self) -> Decimal | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest.value - self.previous.value

    @property
    def direction(self) -> str:
        """ "better", "worse", "same", or "" when there is nothing to compare."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "same"
        return "better" if self.latest.kpi.is_better(self.latest.value, self.previous.value) else "worse"

    @property
    def previous_is_adjacent(self) -> bool:
        """True when the previous measurement is of the period right before the latest one."""
        if self.latest is None or self.previous is None:
            return False
        return Period(self.previous.period_start, self.latest.kpi.frequency).shift(1).start == self.latest.period_start


def trend_of(measurements: list[KpiMeasurement]) -> Trend:
    """``measurements`` oldest first."""
    return Trend(
        latest=measurements[-1] if measurements else None,
        previous=measurements[-2] if len(measurements) > 1 else None,
    )


@dataclass
class KpiTile:
    """What the overview shows of one KPI."""

    kpi: Kpi
    recent: list[KpiMeasurement] = field(default_factory=list)
    missing: int = 0

    @property
    def trend(self) -> Trend:
        return trend_of(self.recent)

    @property
    def latest(self) -> KpiMeasurement | None:
        """The latest measurement; one older than the sparkline's window comes from the KPI's
        ``with_latest()`` annotations (the overview's queryset has them), so it shows all the same."""
        if self.recent:
            return self.recent[-1]
        if getattr(self.kpi, "latest_period", None):
            return KpiMeasurement(
                kpi=self.kpi,
                period=self.kpi.latest_period,
                value=self.kpi.latest_value,
                status=self.kpi.latest_status,
            )
        return None

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.latest.status, "secondary") if self.latest else "secondary"

    @property
    def values(self) -> list[Decimal]:
        return [measurement.value for measurement in self.recent]


def kpi_tiles(kpis, today: datetime.date | None = None) -> list[KpiTile]:
    """Tiles for a page of KPIs: the last measurements (for the sparkline and the trend) and the
    number of missing periods, in two queries whatever the number of KPIs or measurements."""
    today = today or timezone.localdate()
    kpis = list(kpis)
    if not kpis:
        return []
    ids = [kpi.pk for kpi in kpis]
    due = last_due_periods(today)
    # Query 1: per KPI, the first measured period and how many of the due periods are measured.
    due_condition = Q()
    for frequency, period in due.items():
        due_condition |= Q(kpi__frequency=frequency, period_start__lte=period.start)
    counts = {
        row["kpi"]: row
        for row in KpiMeasurement.objects.filter(kpi_id__in=ids)
        .values("kpi")
        .annotate(first=Min("period_start"), measured_due=Count("id", filter=due_condition))
        .order_by()
    }
    # Query 2: the measurements of the sparkline window, the last 12 periods of each KPI's frequency
    # (a window per frequency: 12 months of a monthly KPI, not the 36 of 12 quarters).
    window = Q()
    for frequency in {kpi.frequency for kpi in kpis}:
        since = period_containing(today, frequency).shift(-SPARKLINE_PERIODS).start
        window |= Q(kpi_id__in=[kpi.pk for kpi in kpis if kpi.frequency == frequency], period_start__gte=since)
    recent = defaultdict(list)
    for measurement in KpiMeasurement.objects.filter(window).order_by("kpi_id", "period_start"):
        recent[measurement.kpi_id].append(measurement)
    tiles = []
    kpi_by_id = {kpi.pk: kpi for kpi in kpis}
    for kpi in kpis:
        row = counts.get(kpi.pk, {})
        first = first_expected_period(kpi, row.get("first"))
        expected = max(due[kpi.frequency] - first + 1, 0)
        series = recent.get(kpi.pk, [])[-SPARKLINE_PERIODS:]
        for measurement in series:
            measurement.kpi = kpi_by_id[kpi.pk]
        tiles.append(KpiTile(kpi=kpi, recent=series, missing=max(expected - row.get("measured_due", 0), 0)))
    return tiles


def kpi_detail(kpi: Kpi, today: datetime.date | None = None) -> dict:
    """The series of one KPI (oldest first), its trend and its missing periods (one query)."""
    measurements = list(kpi.measurements.select_related("entered_by").order_by("period_start"))
    for measurement in measurements:
        measurement.kpi = kpi
    return {
        "measurements": measurements,
        "trend": trend_of(measurements),
        "missing": missing_periods(kpi, {measurement.period for measurement in measurements}, today),
    }


def next_period_to_measure(kpi: Kpi, measured: set[str], today: datetime.date | None = None) -> Period | None:
    """The period a new measurement is most likely for: the latest due period without one, else
    the first period after the last due one that has started and has none (the current one); None
    when every period up to now is measured."""
    today = today or timezone.localdate()
    missing = missing_periods(kpi, measured, today)
    if missing:
        return missing[-1]
    due = last_due_periods(today)[kpi.frequency]
    for period in periods_between(due.shift(1), period_containing(today, kpi.frequency)):
        if str(period) not in measured:
            return period
    return None


def chart_series(kpi: Kpi, measurements: list[KpiMeasurement], today: datetime.date | None = None) -> list:
    """Every period from the first measurement up to the last measured or due one, each with its
    measurement or None: a period without one is a gap on the chart's axis, not skipped."""
    if not measurements:
        return []
    by_period = {measurement.period: measurement for measurement in measurements}
    first = kpi.period(measurements[0].period)
    last = max(kpi.period(measurements[-1].period), last_due_periods(today)[kpi.frequency])
    return [(period, by_period.get(str(period))) for period in periods_between(first, last)]
