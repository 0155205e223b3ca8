"""Reads of the KPI app that need shaping; the pages and the API start them from ``visible_to(user)``.

Each works on a whole page of records in a fixed number of queries: the overview's tiles, the
goal tree's progress, a KPI's series.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from kpis import conf
from kpis.choices import EFFECT_ACTION_KINDS, STATUS_COLOURS, SmartProperty, Verdict
from kpis.models import IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from qms.choices import Role, UnitKind
from qms.models import OrganisationUnit
from qms.periods import Frequency, Period, last_due_period, period_containing, periods_between
from qms.scoping import scope_for

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


def new_organisations_of(user):
    """The organisations without any KPI yet where ``user`` is a quality officer or administrator on
    the organisation itself (not above it): they get the default set when that person first opens
    the KPI overview. One query, none for anybody else."""
    unit_ids = {
        grant.unit_id for grant in scope_for(user).grants if grant.role in (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
    }
    if not unit_ids:
        return OrganisationUnit.objects.none()
    return (
        OrganisationUnit.objects.filter(pk__in=unit_ids, kind=UnitKind.ORGANISATION, is_active=True)
        .exclude(Exists(Kpi.objects.filter(organisation=OuterRef("pk"))))
        .order_by("pk")
    )


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


# --- objectives ---------------------------------------------------------------------------------


@dataclass
class KeyResultProgress:
    key_result: KeyResult
    current: Decimal | None

    @property
    def progress(self) -> Decimal | None:
        return self.key_result.progress(self.current)


@dataclass
class ObjectiveNode:
    """An objective in the goal tree, with its key results' progress and its sub-objectives.

    ``children`` are the sub-objectives the page shows (those visible and matching its filters);
    ``sub_objectives`` are all of them, for the roll-up of an objective without key results.
    """

    objective: Objective
    key_results: list[KeyResultProgress] = field(default_factory=list)
    children: list["ObjectiveNode"] = field(default_factory=list)
    sub_objectives: list["ObjectiveNode"] = field(default_factory=list)
    depth: int = 0

    @cached_property
    def progress(self) -> Decimal | None:
        """The weighted mean of the key results' progress; a key result without a measurement yet
        counts as 0%. Without key results of its own: the mean of its sub-objectives' progress, each
        counting equally (those without any progress left out). None when there is neither."""
        if self.key_results:
            return weighted_progress([(item.key_result.weight, item.progress) for item in self.key_results])
        return weighted_progress(
            [(Decimal(1), child.progress) for child in self.sub_objectives if child.progress is not None]
        )

    @property
    def progress_is_rolled_up(self) -> bool:
        """True when the progress comes from the sub-objectives (the page says so)."""
        return not self.key_results and self.progress is not None

    @property
    def smart_missing(self) -> list[SmartProperty]:
        return self.objective.smart_missing(key_results=[item.key_result for item in self.key_results])


def weighted_progress(items) -> Decimal | None:
    """``items``: (weight, progress or None) pairs."""
    total = sum((weight for weight, _progress in items), Decimal(0))
    if not items or total <= 0:
        return None
    weighted = sum((weight * (progress or Decimal(0)) for weight, progress in items), Decimal(0))
    return (weighted / total).quantize(Decimal("0.1"))


def latest_values(kpi_ids) -> dict[int, Decimal]:
    """The latest measured value of each KPI (one query)."""
    rows = (
        Kpi.objects.filter(pk__in=set(kpi_ids))
        .with_latest()
        .filter(latest_value__isnull=False)
        .values_list("pk", "latest_value")
    )
    return dict(rows)


def objectives_below(objectives: list[Objective], exclude) -> list[Objective]:
    """The objectives in the units of ``objectives`` and below them, but for those in ``exclude``
    (ids): every sub-objective lies there, as it serves an objective of its own unit or above. One
    query (none without objectives). Whoever sees an objective sees these too: they are in its unit
    or below it."""
    roots: list[str] = []
    for path in sorted({objective.unit.path for objective in objectives}):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    if not roots:
        return []
    condition = Q()
    for root in roots:
        condition |= Q(unit__path__startswith=root)
    return list(Objective.objects.filter(condition).exclude(pk__in=exclude).only("pk", "parent_id", "unit_id"))


def objective_nodes(objectives) -> list[ObjectiveNode]:
    """``objectives`` (a scoped queryset, or a page of it) as nodes with their progress, in four
    queries: the objectives, the objectives below them (for the roll-up), their key results with
    KPIs, the KPIs' latest values."""
    if hasattr(objectives, "select_related"):
        objectives = objectives.select_related("unit", "owner", "parent")
    objectives = list(objectives)
    below = objectives_below(objectives, exclude=[objective.pk for objective in objectives])
    every = objectives + below
    key_results = list(
        KeyResult.objects.filter(objective__in=[objective.pk for objective in every]).select_related("kpi")
    )
    values = latest_values(key_result.kpi_id for key_result in key_results)
    nodes = {objective.pk: ObjectiveNode(objective=objective) for objective in every}
    for key_result in key_results:
        node = nodes[key_result.objective_id]
        key_result.objective = node.objective
        node.key_results.append(KeyResultProgress(key_result=key_result, current=values.get(key_result.kpi_id)))
    for node in nodes.values():
        parent = nodes.get(node.objective.parent_id)
        if parent is not None and parent is not node:
            parent.sub_objectives.append(node)
    return [nodes[objective.pk] for objective in objectives]


def objective_tree(objectives) -> list[ObjectiveNode]:
    """The goal tree of the visible ``objectives``, depth first: an objective whose parent is not
    among them (out of sight, or filtered out) is a root."""
    nodes = objective_nodes(objectives)
    by_id = {node.objective.pk: node for node in nodes}
    roots = []
    for node in nodes:
        parent = by_id.get(node.objective.parent_id)
        (parent.children if parent else roots).append(node)
    ordered: list[ObjectiveNode] = []

    def walk(node: ObjectiveNode, depth: int) -> None:
        node.depth = depth
        ordered.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return ordered


def objective_node(objective: Objective) -> ObjectiveNode:
    return objective_nodes(Objective.objects.filter(pk=objective.pk))[0]


def attach_progress(objectives) -> list[Objective]:
    """Give each of ``objectives`` its node (``objective.node``: key results, progress, SMART gaps)."""
    nodes = objective_nodes(objectives)
    for node in nodes:
        node.objective.node = node
    return [node.objective for node in nodes]


# --- effects of improvement actions --------------------------------------------------------------


@dataclass
class UnitEffects:
    """How the measured effects of one unit's improvement actions came out."""

    unit: OrganisationUnit
    reached: int
    partly: int
    not_reached: int
    not_measurable: int
    pending: int


def effects_per_unit(effects) -> list[UnitEffects]:
    """Per unit of the actions (in tree order), how many of ``effects`` (a scoped, filtered queryset)
    reached their effect, partly, not, or are not measured yet: two queries, whatever the number."""
    rows = (
        effects.order_by()
        .values("action__unit")
        .annotate(
            reached=Count("pk", filter=Q(verdict=Verdict.REACHED)),
            partly=Count("pk", filter=Q(verdict=Verdict.PARTLY)),
            not_reached=Count("pk", filter=Q(verdict=Verdict.NOT_REACHED)),
            not_measurable=Count("pk", filter=Q(verdict=Verdict.NOT_MEASURABLE)),
            pending=Count("pk", filter=Q(verdict="")),
        )
    )
    counts = {row.pop("action__unit"): row for row in rows}
    if not counts:
        return []
    units = OrganisationUnit.objects.filter(pk__in=list(counts)).order_by("path")
    return [UnitEffects(unit=unit, **counts[unit.pk]) for unit in units]


def baseline_measurement_count(effect: IntendedEffect) -> int:
    """How many measurements the effect's KPI has in its baseline window (one query): none means the
    effect cannot be measured unless they are entered."""
    first, last = effect.kpi.period(effect.baseline_from), effect.kpi.period(effect.baseline_to)
    return KpiMeasurement.objects.filter(
        kpi_id=effect.kpi_id, period_start__gte=first.start, period_start__lte=last.start
    ).count()


def action_effect_panel(user, action) -> dict | None:
    """What an action's own page shows of its intended effect (the core action page asks through
    ``qms.views.actions.ACTION_PANELS``): the effect and its verdict, or, for an action that may
    state one and has none, whether ``user`` may state it. None for other kinds of action. One query."""
    from kpis.services.effects import can_state_effect

    if action.kind not in EFFECT_ACTION_KINDS:
        return None
    effect = IntendedEffect.objects.visible_to(user).filter(action=action).select_related("kpi").first()
    return {"effect": effect, "can_state": effect is None and can_state_effect(user, action)}
