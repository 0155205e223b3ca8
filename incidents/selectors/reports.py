"""The SLA report of an organisation per month (or year): per priority, the share of resolved incidents
that met their restore target, the mean and p90 time to restore in service hours, the counts and the
breaches; a trend of twelve months; and the bars of its chart (inline SVG, drawn from these figures).

A fixed number of queries whatever the volume: one grouped aggregate for the period's counts and mean
times to restore per priority, the p90s (on PostgreSQL two aggregates with ``percentile_disc``;
elsewhere one ranked row per priority), one grouped query for the trend. The time to restore is service
time (the service calendar: service hours, public holidays and the organisation's closed days) from the
report to the resolution, less the service time on hold; the calendar is Python, so
``incident_resolve`` stores it (``Incident.restore_time``) and the database averages and ranks it here.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from incidents.choices import Priority
from incidents.selectors.incidents import policy_for
from qms.periods import month_label, month_shift

TREND_MONTHS = 12
HOUR = datetime.timedelta(hours=1)
PRIORITIES = tuple(Priority.values)


def zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "TIME_ZONE", "Europe/Amsterdam") or "Europe/Amsterdam")


@dataclass
class Figures:
    """The figures of one priority (or of all, ``priority`` None) in a period."""

    priority: int | None
    target_hours: Decimal | None = None
    reported: int = 0
    resolved: int = 0
    met: int = 0
    breached: int = 0
    mean_time: datetime.timedelta | None = None
    p90_time: datetime.timedelta | None = None

    @property
    def share_met(self) -> Decimal | None:
        """Percent of the resolved incidents that met the target (one decimal), None when none resolved."""
        if not self.resolved:
            return None
        return (Decimal(100 * self.met) / self.resolved).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def mean_hours(self) -> Decimal | None:
        return hours(self.mean_time / HOUR) if self.mean_time is not None else None

    @property
    def p90_hours(self) -> Decimal | None:
        return hours(self.p90_time / HOUR) if self.p90_time is not None else None


def hours(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def as_duration(value) -> datetime.timedelta | None:
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=float(value))  # SQLite averages the stored microseconds


def restore_times(resolved) -> tuple[datetime.timedelta | None, datetime.timedelta | None]:
    """The mean and the nearest-rank p90 (the smallest value with at least 90 % of the values at or
    below it) of the stored times to restore: an aggregate, then the one row at that rank."""
    figures = resolved.aggregate(count=Count("restore_time"), mean=Avg("restore_time"))
    if not figures["count"]:
        return None, None
    return as_duration(figures["mean"]), nearest_rank(resolved, figures["count"])


def nearest_rank(resolved, count: int) -> datetime.timedelta:
    rank = max(1, math.ceil(90 * count / 100))
    return resolved.order_by("restore_time").values_list("restore_time", flat=True)[rank - 1]


def p90_by_priority(resolved, counts: dict[int | None, int]) -> dict[int | None, datetime.timedelta]:
    """The p90 per priority and of all (key None): on PostgreSQL one pass (``percentile_disc``, the same
    nearest rank, grouped by ``ROLLUP(priority)``: the total's row has priority NULL), elsewhere one
    ranked row per priority."""
    if connection.vendor == "postgresql":
        sql, params = resolved.values("priority", "restore_time").order_by().query.sql_with_params()
        with connection.cursor() as cursor:
            # Django's own SQL with its parameters, wrapped: nothing of the request is in the text.
            query = f"SELECT t.priority, percentile_disc(0.9) WITHIN GROUP (ORDER BY t.restore_time) FROM ({sql}) t"  # noqa: S608
            cursor.execute(query + " GROUP BY ROLLUP(t.priority)", params)
            return {priority: as_duration(p90) for priority, p90 in cursor.fetchall()}
    return {
        priority: nearest_rank(resolved if priority is None else resolved.filter(priority=priority), count)
        for priority, count in counts.items()
        if count
    }


def period_bounds(year: int, month: int | None) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's first moment and the first moment after it, in Amsterdam time."""
    first = datetime.date(year, month or 1, 1)
    after = month_shift(first, 1 if month else 12)
    tz = zone()
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(after, datetime.time(), tzinfo=tz),
    )


def sla_report(*, incidents, organisation, year: int, month: int | None = None, with_trend: bool = True) -> dict:
    """The SLA report of ``organisation`` for ``year`` (or one ``month`` of it) over ``incidents`` (the
    reader's ``Incident.objects.visible_to(user)``): ``rows`` per priority, ``total``, ``trend`` (the
    twelve months up to the period's last one; a third pass over the incidents, left out with
    ``with_trend=False``: empty) and ``chart``."""
    start, end = period_bounds(year, month)
    incidents = incidents.filter(organisation=organisation).order_by()
    policy = policy_for(organisation)
    rows = {priority: Figures(priority, target_hours=policy.restore_target(priority)) for priority in PRIORITIES}
    total = Figures(None)

    resolved_in = Q(resolved_at__gte=start, resolved_at__lt=end)
    reported_in = Q(reported_at__gte=start, reported_at__lt=end)
    counted = (
        incidents.filter(resolved_in | reported_in)
        .values("priority")
        .annotate(
            reported=Count("pk", filter=reported_in),
            resolved=Count("pk", filter=resolved_in),
            met=Count("pk", filter=resolved_in & Q(sla_met=True)),
            breached=Count("pk", filter=resolved_in & Q(sla_met=False)),
            timed=Count("restore_time", filter=resolved_in),
            mean=Avg("restore_time", filter=resolved_in),
        )
    )
    counted = list(counted)
    for entry in counted:
        figures = rows.get(entry["priority"])
        if figures is None:
            continue
        for name in ("reported", "resolved", "met", "breached"):
            setattr(figures, name, entry[name])
            setattr(total, name, getattr(total, name) + entry[name])

    timed = {None: 0}
    weighted = datetime.timedelta()
    for entry in counted:
        figures = rows.get(entry["priority"])
        if figures is None or not entry["timed"]:
            continue
        figures.mean_time = as_duration(entry["mean"])
        timed[entry["priority"]] = entry["timed"]
        timed[None] += entry["timed"]
        weighted += figures.mean_time * entry["timed"]
    if timed[None]:
        total.mean_time = weighted / timed[None]
    p90 = p90_by_priority(incidents.filter(resolved_in, restore_time__isnull=False), timed)
    for priority, value in p90.items():
        (total if priority is None else rows[priority]).p90_time = value

    trend = monthly_trend(incidents, last=datetime.date(year, month or 12, 1)) if with_trend else []
    figures = [rows[priority] for priority in PRIORITIES]
    return {
        "organisation": organisation,
        "year": year,
        "month": month,
        "label": month_label(datetime.date(year, month, 1)) if month else str(year),
        "start": start,
        "end": end,
        "rows": figures,
        "total": total,
        "trend": trend,
        "chart": share_chart(figures),
        "trend_chart": trend_chart(trend),
    }


def monthly_trend(incidents, *, last: datetime.date) -> list[dict]:
    """Per month (the ``TREND_MONTHS`` up to ``last``) and priority: resolved, met, breached, share met;
    one grouped query."""
    first = month_shift(last, 1 - TREND_MONTHS)
    start, _ = period_bounds(first.year, first.month)
    _, end = period_bounds(last.year, last.month)
    months = [month_shift(first, index) for index in range(TREND_MONTHS)]
    table = {month: {priority: Figures(priority) for priority in PRIORITIES} for month in months}
    grouped = (
        incidents.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(month=TruncMonth("resolved_at", tzinfo=zone()))
        .values("month", "priority")
        .annotate(
            resolved=Count("pk"),
            met=Count("pk", filter=Q(sla_met=True)),
            breached=Count("pk", filter=Q(sla_met=False)),
        )
        .order_by()
    )
    for entry in grouped:
        month = entry["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        cell = table.get(month.replace(day=1), {}).get(entry["priority"])
        if cell is not None:
            cell.resolved, cell.met, cell.breached = entry["resolved"], entry["met"], entry["breached"]
    trend = []
    for month in months:
        cells = [table[month][priority] for priority in PRIORITIES]
        all_priorities = Figures(None)
        for cell in cells:
            all_priorities.resolved += cell.resolved
            all_priorities.met += cell.met
            all_priorities.breached += cell.breached
        trend.append({"month": month, "label": month_label(month), "rows": cells, "total": all_priorities})
    return trend


# --- the chart: bars as inline SVG (no script, so the Content-Security-Policy has nothing to allow) ---

CHART_HEIGHT = 120  # the bars' area, in SVG units; labels go below it


def share_chart(figures: list[Figures]) -> dict:
    """One bar per priority: its share met (0-100 %), with the target line at 100 %."""
    width, gap = 60, 30
    bars = []
    for index, row in enumerate(figures):
        share = float(row.share_met) if row.share_met is not None else 0.0
        height = round(CHART_HEIGHT * share / 100, 1)
        bars.append(
            {
                "x": gap + index * (width + gap),
                "y": round(CHART_HEIGHT - height, 1),
                "width": width,
                "height": height,
                "label": f"P{row.priority}",
                "value": row.share_met,
                "empty": row.share_met is None,
                "priority": row.priority,
                "text_x": gap + index * (width + gap) + width / 2,
                "text_y": round(max(CHART_HEIGHT - height - 4, 10), 1),
            }
        )
    return {
        "bars": bars,
        "width": gap + len(figures) * (width + gap),
        "height": CHART_HEIGHT + 20,
        "base": CHART_HEIGHT,
    }


def trend_chart(trend: list[dict]) -> dict:
    """One bar per month: the share met of all priorities."""
    width, gap = 24, 8
    bars = []
    for index, month in enumerate(trend):
        share = month["total"].share_met
        height = round(CHART_HEIGHT * float(share or 0) / 100, 1)
        bars.append(
            {
                "x": gap + index * (width + gap),
                "y": round(CHART_HEIGHT - height, 1),
                "width": width,
                "height": height,
                "label": month["month"].strftime("%m"),
                "title": month["label"],
                "value": share,
                "empty": share is None,
                "text_x": gap + index * (width + gap) + width / 2,
            }
        )
    return {"bars": bars, "width": gap + len(trend) * (width + gap), "height": CHART_HEIGHT + 20, "base": CHART_HEIGHT}


def report_month(value: str | None) -> tuple[int, int | None] | None:
    """``YYYY-MM`` as (year, month), ``YYYY`` as (year, None); None when it is neither (or out of range)."""
    from qms.periods import year_in_range

    text = (value or "").strip()
    try:
        if len(text) == 4 and text.isdigit():
            year, month = int(text), None
        elif len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            if not 1 <= month <= 12:
                return None
        else:
            return None
    except ValueError:
        return None
    return (year, month) if year_in_range(year) else None


def default_period() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month
