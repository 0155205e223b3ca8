"""The maturity reports: per organisation and year (the mean calibrated maturity per principle over
the audited units, rounded half up to a whole level as the source reports it, with exact mean, min, max,
number of units and the distribution of levels), the common threads (themes recurring in two or more
units), year-on-year per principle and per unit over years. Each costs a constant number of queries,
whatever the number of units, assessors and years (``benchmark_audits``)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def level_half_up(mean: Decimal) -> int:
    """A mean rounded to a whole level half up (2.5 -> 3), as the source reports it."""
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class PrincipleMaturity:
    principle_id: int
    principle: object  # the Principle
    average: Decimal  # exact mean of the units' calibrated scores
    level: int  # average rounded half up
    min: int
    max: int
    units: int
    distribution: dict[int, int]  # level (every one, 1-5) -> number of units


def maturity_by_principle(*, organisation, year: int) -> list[PrincipleMaturity]:
    """One entry per principle with calibrated scores in the organisation's audits of ``year``, in the
    principles' order. Callers check the organisation is visible first.

    Counted: the calibrated scores of the audits that completed calibration (draft report onwards), one
    per audited unit (an audit is one unit in one year). Three queries whatever the number of units,
    assessors and years: the figures per principle (sum, count, min, max: the mean is the exact
    ``Decimal(sum) / count``, never the database's floating AVG), the distribution (principle, score,
    count) and the principles."""
    from django.db.models import Count, Max, Min, Sum

    from audits.choices import AUDIT_FLOW, LEVEL_MAX, LEVEL_MIN, AuditStatus
    from audits.models import AuditCalibration, Principle

    calibrated = AUDIT_FLOW[AUDIT_FLOW.index(AuditStatus.DRAFT_REPORT) :]
    of_year = AuditCalibration.objects.filter(
        audit__organisation=organisation, audit__year=year, audit__status__in=calibrated
    ).order_by()
    figures = {
        row["principle_id"]: row
        for row in of_year.values("principle_id").annotate(
            total=Sum("score"), units=Count("id"), low=Min("score"), high=Max("score")
        )
    }
    distribution: dict[int, dict[int, int]] = {}
    for principle_id, score, count in (
        of_year.values("principle_id", "score").annotate(n=Count("id")).values_list("principle_id", "score", "n")
    ):
        distribution.setdefault(principle_id, {})[score] = count
    result = []
    for principle in Principle.objects.filter(pk__in=list(figures)).order_by("position", "id"):
        row = figures[principle.pk]
        average = Decimal(row["total"]) / Decimal(row["units"])
        counts = distribution.get(principle.pk, {})
        result.append(
            PrincipleMaturity(
                principle_id=principle.pk,
                principle=principle,
                average=average,
                level=level_half_up(average),
                min=row["low"],
                max=row["high"],
                units=row["units"],
                distribution={level: counts.get(level, 0) for level in range(LEVEL_MIN, LEVEL_MAX + 1)},
            )
        )
    return result
