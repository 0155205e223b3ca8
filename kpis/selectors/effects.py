"""Reads of the effects of improvement actions: how they came out per unit, and what an effect's
baseline window holds."""

from dataclasses import dataclass

from django.db.models import Count, Q

from kpis.choices import Verdict
from kpis.models import IntendedEffect, KpiMeasurement
from qms.models import OrganisationUnit


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
