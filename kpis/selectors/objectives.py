"""Reads of objectives: the goal tree with each objective's progress (its key results' weighted
progress, or its sub-objectives' rolled up) and the SMART properties it misses, in a fixed number of
queries whatever the size of the tree."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Q

from kpis.choices import SmartProperty
from kpis.models import KeyResult, Kpi, Objective


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
