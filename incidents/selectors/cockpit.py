"""The incidents', data breaches' and CAPA's tiles of the cockpit (registered in ``IncidentsConfig.ready``):
each one or two queries, whatever the number of records. Every link opens the list filtered as the tile
counted."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import OPEN_INCIDENT_STATUSES, OPEN_NC_STATUSES, BreachStatus, NcStatus, Priority
from incidents.models import DataBreach, Incident, NonConformity
from incidents.selectors.nonconformities import overdue_filter
from qms.choices import Role
from qms.cockpit import Chart, Tile, TileRow, list_url
from qms.scoping import Purpose, organisations_for

OPEN = list(OPEN_INCIDENT_STATUSES)
# A breach whose authority deadline is this close is shown as urgent.
BREACH_URGENT_HOURS = 12


def incidents_tile(user, scope) -> Tile:
    """Open incidents by priority, and those whose SLA is at risk (75 % used) or breached (one query)."""
    now = timezone.now()
    incidents = Incident.objects.visible_to(user).open().order_by()
    counts = incidents.aggregate(
        **{f"p{priority}": Count("pk", filter=Q(priority=priority)) for priority in Priority.values},
        at_risk=Count("pk", filter=Q(pk__in=incidents.sla_at_risk(now).values("pk"))),
        breached=Count("pk", filter=Q(pk__in=incidents.sla_breached(now).values("pk"))),
    )
    rows = [
        TileRow(
            Priority(priority).label,
            counts[f"p{priority}"],
            list_url("incidents:incident_list", priority=priority, status=OPEN),
            "danger" if priority == Priority.P1 and counts[f"p{priority}"] else "",
        )
        for priority in Priority.values
    ]
    rows += [
        TileRow(
            _("SLA at risk"),
            counts["at_risk"],
            list_url("incidents:incident_list", sla="at_risk"),
            "warning" if counts["at_risk"] else "",
        ),
        TileRow(
            _("SLA breached"),
            counts["breached"],
            list_url("incidents:incident_list", sla="breached", status=OPEN),
            "danger" if counts["breached"] else "",
        ),
    ]
    total = sum(counts[f"p{priority}"] for priority in Priority.values)
    return Tile(
        value=total,
        rows=rows if total else [],
        severity="danger" if counts["p1"] or counts["breached"] else ("warning" if counts["at_risk"] else "success"),
        url=list_url("incidents:incident_list", status=OPEN),
    )


def p1_tile(user, scope) -> Tile:
    """The open P1 incidents (major disruptions), the oldest first (two queries)."""
    p1s = Incident.objects.visible_to(user).open().filter(priority=Priority.P1)
    count = p1s.order_by().count()
    rows = (
        [
            TileRow(incident.title, incident.restore_due, incident.get_absolute_url(), "danger", str(incident.unit))
            for incident in p1s.select_related("unit").order_by("reported_at", "pk")[:5]
        ]
        if count
        else []
    )
    return Tile(
        value=count,
        rows=rows,
        severity="danger" if count else "success",
        url=list_url("incidents:incident_list", priority=Priority.P1, status=OPEN),
    )


def my_incidents_tile(user, scope) -> Tile:
    """The open incidents the person owns (coordinates), the soonest due first (two queries)."""
    mine = Incident.objects.visible_to(user).open().filter(owner=user)
    count = mine.order_by().count()
    now = timezone.now()
    rows = (
        [
            TileRow(
                incident.title,
                incident.restore_due,
                incident.get_absolute_url(),
                "danger" if incident.restore_due and incident.restore_due < now else "",
                incident.get_priority_display(),
            )
            for incident in mine.order_by("restore_due", "pk")[:5]
        ]
        if count
        else []
    )
    return Tile(
        value=count,
        rows=rows,
        severity="warning" if count else "success",
        url=list_url("incidents:incident_list", mine="true", status=OPEN),
    )


def capa_tile(user, scope) -> Tile:
    """Open CAPAs by stage, and those with an overdue action or check (one query)."""
    capas = NonConformity.objects.visible_to(user).filter(capa=True, status__in=OPEN_NC_STATUSES).order_by()
    counts = capas.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in OPEN_NC_STATUSES},
        overdue=Count("pk", filter=overdue_filter(timezone.localdate())),
    )
    total = sum(counts[status] for status in OPEN_NC_STATUSES)
    rows = [
        TileRow(NcStatus(status).label, counts[status], list_url("incidents:nc_list", capa="true", status=status))
        for status in OPEN_NC_STATUSES
        if counts[status]
    ]
    if counts["overdue"]:
        rows.append(
            TileRow(
                _("Overdue"), counts["overdue"], list_url("incidents:nc_list", capa="true", overdue="true"), "danger"
            )
        )
    return Tile(
        value=total,
        rows=rows,
        severity="danger" if counts["overdue"] else ("info" if total else "success"),
        url=list_url("incidents:nc_list", capa="true", status=list(OPEN_NC_STATUSES)),
        chart=Chart(
            "bar",
            [str(NcStatus(status).label) for status in OPEN_NC_STATUSES],
            [counts[status] for status in OPEN_NC_STATUSES],
            str(_("Open CAPAs per stage")),
        )
        if total
        else None,
    )


def breaches_tile(user, scope) -> Tile:
    """The breaches the person reads whose authority question is open, the nearest deadline first, and
    how many passed it (two queries)."""
    now = timezone.now()
    pending = DataBreach.objects.visible_to(user).authority_pending()
    counts = pending.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(authority_deadline__lt=now)))
    urgent = now + datetime.timedelta(hours=BREACH_URGENT_HOURS)
    rows = (
        [
            TileRow(
                breach.title,
                breach.authority_deadline,
                breach.get_absolute_url(),
                "danger"
                if breach.authority_deadline < now
                else ("warning" if breach.authority_deadline < urgent else ""),
                _("deadline passed") if breach.authority_deadline < now else _("authority deadline"),
            )
            for breach in pending.order_by("authority_deadline", "pk")[:5]
        ]
        if counts["total"]
        else []
    )
    return Tile(
        value=counts["total"],
        rows=rows,
        severity="danger" if counts["overdue"] else ("warning" if counts["total"] else "success"),
        url=list_url("incidents:breach_list", authority_pending="true"),
        caption=_("%(count)s past the 72-hour deadline") % {"count": counts["overdue"]} if counts["overdue"] else "",
    )


def board_breaches_tile(user, scope) -> Tile:
    """How many data breaches of the board's organisations are open: a count only. The board reads no
    breach (``DataBreachQuerySet.visible_to``); like the 60-hour reminder, which tells the board
    without the breach's details (SPEC 5.5), the count is counted past that rule, on purpose (one query)."""
    organisations = organisations_for(user, Purpose.ACT, roles=(Role.BOARD_MEMBER,))
    count = (
        DataBreach.objects.filter(organisation__in=organisations.values("pk"))
        .exclude(status=BreachStatus.CLOSED)
        .order_by()
        .count()
    )
    return Tile(
        value=count,
        severity="danger" if count else "success",
        caption=_("The details are for the data-protection officers and quality officers.") if count else "",
    )
