"""The KPIs' and the feedback's tiles of the cockpit (registered in ``KpisConfig.ready``): each one or
two queries, whatever the number of KPIs, measurements and feedback. Every link opens the KPI overview
or the feedback list filtered as the tile counted."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from kpis.choices import STATUS_COLOURS, KpiStatus
from kpis.models import Feedback, Kpi
from qms.choices import OPEN_ACTION_STATUSES
from qms.cockpit import Tile, TileRow, list_url

OFF_NORM = (KpiStatus.RED, KpiStatus.AMBER)


def kpis_off_norm_tile(user, scope) -> Tile:
    """Active KPIs whose latest measurement is red or amber (one query)."""
    counts = (
        Kpi.objects.visible_to(user)
        .active()
        .with_latest()
        .order_by()
        .aggregate(
            total=Count("pk"),
            **{status: Count("pk", filter=Q(latest_status=status)) for status in OFF_NORM},
        )
    )
    rows = [
        TileRow(
            KpiStatus(status).label,
            counts[status],
            list_url("kpis:index", status=status, is_active="true"),
            STATUS_COLOURS[status] if counts[status] else "",
        )
        for status in OFF_NORM
        if counts[status]
    ]
    off = sum(row.value for row in rows)
    return Tile(
        value=off,
        rows=rows,
        severity=rows[0].severity if rows else "success",
        url=list_url("kpis:index", status=list(OFF_NORM), is_active="true"),
        caption=_("of %(count)s active KPIs") % {"count": counts["total"]} if counts["total"] else "",
        empty=_("Every KPI is within its norm."),
    )


def my_feedback_tile(user, scope) -> Tile:
    """Flagged feedback assigned to the person whose follow-up is still open, oldest first (two queries)."""
    feedback = Feedback.objects.visible_to(user).filter(assigned_to=user, follow_up__status__in=OPEN_ACTION_STATUSES)
    count = feedback.order_by().count()
    rows = (
        [
            TileRow(str(item), item.get_category_display(), item.get_absolute_url(), note=str(item.unit))
            for item in feedback.select_related("unit").order_by("received_at", "pk")[:5]
        ]
        if count
        else []
    )
    return Tile(
        value=count,
        rows=rows,
        severity="warning" if count else "success",
        url=list_url("kpis:feedback_list", assigned_to=user.pk, follow_up_open="true"),
    )


def kpis_off_norm_column(user, organisations) -> dict[int, TileRow]:
    """Per organisation, its active KPIs whose latest measurement is red or amber (one query)."""
    counts = dict(
        Kpi.objects.visible_to(user)
        .active()
        .with_latest()
        .filter(organisation__in=[organisation.pk for organisation in organisations], latest_status__in=OFF_NORM)
        .order_by()
        .values_list("organisation")
        .annotate(n=Count("pk"))
    )
    return {
        organisation.pk: TileRow(
            "",
            counts.get(organisation.pk, 0),
            list_url("kpis:index", organisation=organisation.pk, status=list(OFF_NORM), is_active="true"),
            "warning" if counts.get(organisation.pk) else "",
        )
        for organisation in organisations
    }
