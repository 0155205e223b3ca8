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


# --- common threads, good examples, year-on-year, per unit, per audit ------------------------------


def _mean(total, count) -> Decimal | None:
    """The exact mean of ``count`` integers summing to ``total`` (a Decimal: 2.5 stays 2.5 for half up)."""
    return Decimal(total) / Decimal(count) if count else None


def _reported_audits(organisation):
    """The organisation's audits the reports count, as ``maturity_by_principle`` does: those that
    completed calibration (draft report onwards)."""
    from audits.choices import AUDIT_FLOW, AuditStatus
    from audits.models import Audit

    reported = AUDIT_FLOW[AUDIT_FLOW.index(AuditStatus.DRAFT_REPORT) :]
    return Audit.objects.filter(organisation=organisation, status__in=reported)


@dataclass(frozen=True)
class CommonThread:
    theme: object  # the Theme
    units: list  # the OrganisationUnits it recurs in, by name
    findings: list  # its findings and recommendations, by unit, principle and kind


def common_threads(*, organisation, year: int) -> list[CommonThread]:
    """Themes of findings or recommendations that recur in two or more units of the organisation's
    reported audits of ``year`` (the source's "rode draden"), most units first; one query."""
    from django.db.models import Count

    from audits.choices import FindingKind
    from audits.models import Finding

    kinds = (FindingKind.FINDING, FindingKind.RECOMMENDATION)
    of_year = Finding.objects.filter(audit__in=_reported_audits(organisation).filter(year=year), kind__in=kinds)
    recurring = (
        of_year.order_by()
        .values("theme")
        .annotate(units=Count("audit__unit", distinct=True))
        .filter(units__gte=2)
        .values("theme")
    )
    findings = (
        of_year.filter(theme__in=recurring)
        .select_related("theme", "principle", "audit__unit")
        .order_by("theme__name", "audit__unit__name", "principle__position", "kind", "id")
    )
    threads: dict[int, dict] = {}
    for finding in findings:
        thread = threads.setdefault(finding.theme_id, {"theme": finding.theme, "units": {}, "findings": []})
        thread["units"][finding.audit.unit_id] = finding.audit.unit
        thread["findings"].append(finding)
    result = [
        CommonThread(theme=t["theme"], units=list(t["units"].values()), findings=t["findings"])
        for t in threads.values()
    ]
    return sorted(result, key=lambda thread: (-len(thread.units), thread.theme.name))


def good_examples(*, organisation, year: int) -> list:
    """The good examples of the organisation's reported audits of ``year``, by principle and unit; one
    query."""
    from audits.choices import FindingKind
    from audits.models import Finding

    audits = _reported_audits(organisation).filter(year=year)
    return list(
        Finding.objects.filter(audit__in=audits, kind=FindingKind.GOOD_EXAMPLE)
        .select_related("theme", "principle", "audit__unit")
        .order_by("principle__position", "principle_id", "audit__unit__name", "id")
    )


@dataclass(frozen=True)
class YearMaturity:
    year: int
    average: Decimal  # exact mean of the units' calibrated scores
    level: int  # half up
    units: int


@dataclass(frozen=True)
class PrincipleTrend:
    principle: object  # the Principle
    points: list  # one YearMaturity or None per year of ``MaturityTrend.years``


@dataclass(frozen=True)
class MaturityTrend:
    years: list[int]
    principles: list[PrincipleTrend]


def maturity_over_years(*, organisation, years=None) -> MaturityTrend:
    """Per principle per year (of ``years``, default every year with calibrated scores): the mean of the
    units' calibrated scores and its level. Two queries (the grouped figures, the principles) however
    many units and years."""
    from django.db.models import Count, Sum

    from audits.models import AuditCalibration, Principle

    calibrations = AuditCalibration.objects.filter(audit__in=_reported_audits(organisation))
    if years is not None:
        calibrations = calibrations.filter(audit__year__in=list(years))
    rows = (
        calibrations.order_by()
        .values("principle_id", "audit__year")
        .annotate(total=Sum("score"), units=Count("id"))
        .values_list("principle_id", "audit__year", "total", "units")
    )
    figures: dict[int, dict[int, YearMaturity]] = {}
    seen_years = set()
    for principle_id, year, total, units in rows:
        average = _mean(total, units)
        figures.setdefault(principle_id, {})[year] = YearMaturity(year, average, level_half_up(average), units)
        seen_years.add(year)
    shown = sorted(set(years) if years is not None else seen_years)
    principles = Principle.objects.filter(organisation=organisation, pk__in=list(figures)).order_by("position", "id")
    return MaturityTrend(
        years=shown,
        principles=[
            PrincipleTrend(principle, [figures[principle.pk].get(year) for year in shown]) for principle in principles
        ],
    )


@dataclass(frozen=True)
class UnitYear:
    year: int
    scores: dict  # principle id -> calibrated score
    average: Decimal | None  # mean over its principles


@dataclass(frozen=True)
class UnitTrend:
    unit_id: int
    unit_name: str
    years: list  # one UnitYear or None per year of the report's years


@dataclass(frozen=True)
class UnitsOverYears:
    years: list[int]
    units: list[UnitTrend]


def unit_over_years(*, organisation, years=None) -> UnitsOverYears:
    """Per audited unit per year (of ``years``, default every year with calibrated scores) per principle:
    the calibrated score. One query, however many units and years."""
    from audits.models import AuditCalibration

    calibrations = AuditCalibration.objects.filter(audit__in=_reported_audits(organisation))
    if years is not None:
        calibrations = calibrations.filter(audit__year__in=list(years))
    rows = calibrations.order_by().values_list(
        "audit__unit_id", "audit__unit__name", "audit__year", "principle_id", "score"
    )
    by_unit: dict[int, tuple[str, dict[int, dict[int, int]]]] = {}
    seen_years = set()
    for unit_id, unit_name, year, principle_id, score in rows:
        by_unit.setdefault(unit_id, (unit_name, {}))[1].setdefault(year, {})[principle_id] = score
        seen_years.add(year)
    shown = sorted(set(years) if years is not None else seen_years)
    units = []
    for unit_id, (unit_name, by_year) in sorted(by_unit.items(), key=lambda item: (item[1][0].lower(), item[0])):
        cells = []
        for year in shown:
            scores = by_year.get(year)
            cells.append(UnitYear(year, scores, _mean(sum(scores.values()), len(scores))) if scores else None)
        units.append(UnitTrend(unit_id, unit_name, cells))
    return UnitsOverYears(years=shown, units=units)


@dataclass(frozen=True)
class AuditScoreRow:
    principle: object  # the Principle
    calibrated: int | None
    median: Decimal | None  # the assessors' median the calibrated score was set against
    reason: str
    scores: list  # one AuditScore or None per column of ``AuditScoresTable.assessors``


@dataclass(frozen=True)
class AuditScoresTable:
    assessors: list  # the columns: the assessors whose scores the reader may see (the lead first)
    rows: list[AuditScoreRow]
    blind: bool  # before calibration: each assessor sees only their own scores


def audit_scores_table(*, audit, user) -> AuditScoresTable:
    """The audit's principles with the calibrated score and the scores per assessor the reader may see
    (``AuditScore.objects.visible_to``: before calibration only one's own). Four queries."""
    from audits.models import AuditCalibration, AuditScore

    principles = list(audit.principles.order_by("position", "id"))
    assessors = sorted(audit.assessors.all(), key=lambda person: (person.pk != audit.lead_assessor_id, str(person)))
    scores = {
        (score.principle_id, score.assessor_id): score
        for score in AuditScore.objects.visible_to(user).filter(audit=audit)
    }
    if audit.is_blind:
        assessors = [person for person in assessors if person.pk == user.pk]
    calibrations = {row.principle_id: row for row in AuditCalibration.objects.filter(audit=audit)}
    rows = []
    for principle in principles:
        calibration = calibrations.get(principle.pk)
        rows.append(
            AuditScoreRow(
                principle=principle,
                calibrated=calibration.score if calibration else None,
                median=calibration.median if calibration else None,
                reason=calibration.reason if calibration else "",
                scores=[scores.get((principle.pk, person.pk)) for person in assessors],
            )
        )
    return AuditScoresTable(assessors=assessors, rows=rows, blind=audit.is_blind)


@dataclass(frozen=True)
class EvaluationAverage:
    mean: Decimal | None  # exact mean of the marks (1-10)
    count: int


def evaluation_average(*, audits) -> EvaluationAverage:
    """The mean of the auditees' marks of ``audits`` (a queryset: one audit, or an organisation's year);
    one query."""
    from django.db.models import Count, Sum

    from audits.models import AuditEvaluation

    figures = AuditEvaluation.objects.filter(audit__in=audits.values("pk")).aggregate(
        total=Sum("mark"), count=Count("id")
    )
    return EvaluationAverage(_mean(figures["total"] or 0, figures["count"]), figures["count"])
