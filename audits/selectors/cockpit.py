"""The audits' tiles of the cockpit: audits in progress for the quality officer, audits to score for the
auditor, and the maturity column of group management's organisations side by side. Each one query,
whatever the number of audits, scores, principles and organisations.

Registered in ``AuditsConfig.ready`` (its ``# cockpit`` block), as the other apps' tiles."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from audits.choices import AUDIT_FLOW, IN_PROGRESS_STATUSES, SCORING_STATUSES, AuditStatus
from audits.models import Audit, AuditCalibration, AuditScore
from audits.selectors.reports import level_half_up
from qms.cockpit import Tile, TileRow, list_url

# The audits the maturity reports count: those that completed calibration (as maturity_by_principle).
REPORTED_STATUSES = AUDIT_FLOW[AUDIT_FLOW.index(AuditStatus.DRAFT_REPORT) :]


def audits_in_progress_tile(user, scope) -> Tile:
    """The audits the person sees that are under way (planned up to the management response), by status
    (one query)."""
    counts = dict(Audit.objects.visible_to(user).in_progress().order_by().values_list("status").annotate(n=Count("pk")))
    rows = [
        TileRow(AuditStatus(status).label, counts[status], list_url("audits:index", status=status))
        for status in IN_PROGRESS_STATUSES
        if counts.get(status)
    ]
    return Tile(
        value=sum(counts.values()),
        rows=rows,
        severity="info" if rows else "success",
        url=list_url("audits:index", in_progress="true"),
    )


def audits_to_score(user):
    """The audits in fieldwork or scoring where the person is an assessor and has not yet scored every
    principle (counted in subqueries: no join that multiplies rows)."""
    principles = (
        Audit.principles.through.objects.filter(audit_id=OuterRef("pk"))
        .order_by()
        .values("audit_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    scored = (
        AuditScore.objects.filter(audit_id=OuterRef("pk"), assessor=user)
        .order_by()
        .values("audit_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Audit.objects.visible_to(user)
        .filter(status__in=SCORING_STATUSES, assessor_links__user=user)
        .annotate(
            principle_count=Coalesce(Subquery(principles, output_field=IntegerField()), 0),
            scored_count=Coalesce(Subquery(scored, output_field=IntegerField()), 0),
        )
        .filter(scored_count__lt=F("principle_count"))
    )


def audits_to_score_tile(user, scope) -> Tile:
    """The audits waiting for the person's scores, with how many principles are left (one query)."""
    audits = list(audits_to_score(user).select_related("unit").order_by("planned_end", "pk")[:10])
    rows = [
        TileRow(
            str(audit),
            _("%(scored)s of %(total)s scored") % {"scored": audit.scored_count, "total": audit.principle_count},
            audit.get_absolute_url(),
            "warning",
            audit.get_status_display(),
        )
        for audit in audits
    ]
    return Tile(
        value=len(rows),
        rows=rows,
        severity="warning" if rows else "success",
        # The audit list's own tab "My audits to score".
        url=list_url("audits:index", mine="true", status=list(SCORING_STATUSES)),
    )


def maturity_column(user, organisations) -> dict[int, TileRow]:
    """Per organisation, the maturity of its latest year with calibrated scores: the mean over the
    principles of each principle's exact mean over the audited units (as ``maturity_by_principle``
    gives them), and that mean as a level rounded half up (one query for all organisations)."""
    rows = (
        AuditCalibration.objects.filter(
            audit__organisation__in=[organisation.pk for organisation in organisations],
            audit__status__in=REPORTED_STATUSES,
        )
        .order_by()
        .values_list("audit__organisation_id", "audit__year", "principle_id")
        .annotate(total=Sum("score"), units=Count("pk"))
    )
    years: dict[int, dict[int, list[Decimal]]] = {}
    for organisation_id, year, _principle, total, units in rows:
        years.setdefault(organisation_id, {}).setdefault(year, []).append(Decimal(total) / Decimal(units))
    cells = {}
    for organisation_id, per_year in years.items():
        year = max(per_year)
        means = per_year[year]
        mean = (sum(means) / len(means)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        cells[organisation_id] = TileRow(
            "",
            mean,
            list_url("audits:maturity_report", organisation=organisation_id, year=year),
            "",
            _("level %(level)s in %(year)s") % {"level": level_half_up(sum(means) / len(means)), "year": year},
        )
    return cells
