"""The risk register's and the monthly score's tiles of the cockpit (registered in ``RisksConfig.ready``):
each one or two queries, whatever the number of risks and months. Every link opens the register (or
the score dashboard, the review queue, the board overview) filtered as the tile counted."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.choices import Role
from qms.cockpit import Chart, Tile, TileRow, list_url
from qms.scoping import Purpose, organisations_for
from risks.choices import APPROVER_ROLES, BODY_ROLES, LEVEL_RANK, ApprovalBody, RiskLevel, RiskStatus
from risks.models import MonthlyScore, Risk
from risks.selectors.register import review_queue
from risks.selectors.scoring import latest_totals, total_change

# How many months the score tile's trend line shows.
SCORE_MONTHS = 12
# What the board's trend counts as new.
RECENT_DAYS = 30
# Who decides on risks (the board, group management) has the review queue.
QUEUE_ROLES = frozenset(APPROVER_ROLES)


def attention_counts(risks) -> dict[str, int]:
    """Of the open ``risks``: how many, how many wait for approval, lack a plan, have overdue measures or
    an overdue review, and how many any of these: one query (the plan's as subqueries of the statement)."""
    risks = risks.open().order_by()
    today = timezone.localdate()
    return risks.aggregate(
        total=Count("pk"),
        awaiting=Count("pk", filter=Q(status=RiskStatus.AWAITING_APPROVAL)),
        missing_plan=Count("pk", filter=Q(pk__in=risks.without_plan().values("pk"))),
        measures_overdue=Count("pk", filter=Q(pk__in=risks.with_overdue_measures(today).values("pk"))),
        review_overdue=Count("pk", filter=Q(next_review__lt=today)),
        needing=Count(
            "pk",
            filter=Q(status=RiskStatus.AWAITING_APPROVAL)
            | Q(pk__in=risks.without_plan().values("pk"))
            | Q(pk__in=risks.with_overdue_measures(today).values("pk"))
            | Q(next_review__lt=today),
        ),
    )


def attention_rows(counts: dict[str, int], **params) -> list[TileRow]:
    """A row per flag of the register, linking to the register with the flag's filter (and ``params``)."""
    url = "risks:risk_list"
    return [
        TileRow(
            _("Awaiting approval"),
            counts["awaiting"],
            list_url(url, status=RiskStatus.AWAITING_APPROVAL, **params),
            "warning" if counts["awaiting"] else "",
        ),
        TileRow(
            _("Without a plan"),
            counts["missing_plan"],
            list_url(url, missing_plan="true", **params),
            "danger" if counts["missing_plan"] else "",
        ),
        TileRow(
            _("Measures overdue"),
            counts["measures_overdue"],
            list_url(url, measures_overdue="true", **params),
            "danger" if counts["measures_overdue"] else "",
        ),
        TileRow(
            _("Review overdue"),
            counts["review_overdue"],
            list_url(url, review_overdue="true", **params),
            "danger" if counts["review_overdue"] else "",
        ),
    ]


def severity_of(rows: list[TileRow]) -> str:
    """The card's colour: the worst of its rows', or green when nothing needs attention."""
    for severity in ("danger", "warning", "info"):
        if any(row.severity == severity and row.value for row in rows):
            return severity
    return "success"


def register_attention_tile(user, scope) -> Tile:
    """The quality officer's register: risks waiting for approval, without a plan, with overdue measures
    or an overdue review (one query)."""
    counts = attention_counts(Risk.objects.visible_to(user))
    rows = attention_rows(counts)
    return Tile(
        value=counts["needing"],
        rows=[row for row in rows if row.value],
        severity=severity_of(rows),
        url=list_url("risks:risk_list"),
        caption=_("%(count)s open risks in the register") % {"count": counts["total"]},
    )


def my_risks_tile(user, scope) -> Tile:
    """The open risks the person owns, and which of them need their attention (one query)."""
    counts = attention_counts(Risk.objects.visible_to(user).filter(owner=user))
    rows = [row for row in attention_rows(counts, owner=user.pk) if row.value]
    return Tile(
        value=counts["total"],
        rows=rows,
        severity=severity_of(rows) if counts["total"] else "success",
        url=list_url("risks:risk_list", owner=user.pk),
        caption=_("open risks you own") if counts["total"] else "",
    )


def review_queue_tile(user, scope) -> Tile | None:
    """The approvals waiting for the person's decision, per body they decide for (a query per body)."""
    roles = scope.roles()
    bodies = [body for body in ApprovalBody.values if BODY_ROLES[body] in roles]
    if not bodies:
        return None
    names = {ApprovalBody.BOARD: "risks:board_queue", ApprovalBody.GROUP: "risks:group_queue"}
    rows = []
    for body in bodies:
        count = review_queue(user, body).count()
        rows.append(TileRow(ApprovalBody(body).label, count, list_url(names[body]), "warning" if count else ""))
    total = sum(row.value for row in rows)
    return Tile(
        value=total,
        rows=[row for row in rows if row.value],
        severity="warning" if total else "success",
        url=rows[0].url,
    )


def raised_since_approval() -> Q:
    """The level is higher than at the last approval (the material change that asks for approval again)."""
    condition = Q(pk__in=[])
    for approved, rank in LEVEL_RANK.items():
        higher = [level for level, other in LEVEL_RANK.items() if other > rank]
        if higher:
            condition |= Q(approved_level=approved, level__in=higher)
    return condition


def medium_plus_tile(user, scope) -> Tile:
    """The board's open risks at medium or higher by level, as the board overview lists them, and their
    trend: how many rose above their approved level, how many are new in the last 30 days (one query)."""
    organisations = organisations_for(user, Purpose.ACT, roles=(Role.BOARD_MEMBER,))
    risks = (
        Risk.objects.visible_to(user)
        .open()
        .filter(organisation__in=organisations.values("pk"))
        .at_least(RiskLevel.MEDIUM)
        .order_by()
    )
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    levels = (RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH)
    counts = risks.aggregate(
        **{level: Count("pk", filter=Q(level=level)) for level in levels},
        raised=Count("pk", filter=raised_since_approval()),
        new=Count("pk", filter=Q(created_at__gte=since)),
    )
    colours = {RiskLevel.MEDIUM: "warning", RiskLevel.HIGH: "danger", RiskLevel.VERY_HIGH: "danger"}
    rows = [
        TileRow(
            RiskLevel(level).label,
            counts[level],
            list_url("risks:board_overview", level=level),
            colours[level] if counts[level] else "",
        )
        for level in levels
    ]
    total = sum(counts[level] for level in levels)
    trend = []
    if counts["raised"]:
        trend.append(_("%(count)s rose above their approved level") % {"count": counts["raised"]})
    if counts["new"]:
        trend.append(_("%(count)s new in the last %(days)s days") % {"count": counts["new"], "days": RECENT_DAYS})
    return Tile(
        value=total,
        rows=rows if total else [],
        severity="danger" if counts[RiskLevel.VERY_HIGH] or counts["raised"] else ("warning" if total else "success"),
        url=list_url("risks:board_overview"),
        caption=" · ".join(str(part) for part in trend),
        chart=Chart(
            "bar",
            [str(RiskLevel(level).label) for level in levels],
            [counts[level] for level in levels],
            str(_("Open risks per level")),
        )
        if total
        else None,
    )


def score_tile(user, scope) -> Tile | None:
    """The latest monthly score of the organisations where the person is a quality officer or on the
    board, its change from the month before and the trend of the last 12 complete months (one query)."""
    roles = (Role.QUALITY_OFFICER, Role.BOARD_MEMBER)
    if not any(grant.role in roles for grant in scope.grants):
        return None
    organisations = organisations_for(user, Purpose.ACT, roles=roles)
    months = (
        MonthlyScore.objects.filter(organisation__in=organisations.values("pk"), total__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("organisation_id")], order_by=F("month").desc()))
        .filter(rank__lte=SCORE_MONTHS)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id", "month")
    )
    per_organisation = defaultdict(list)
    for monthly in months:
        per_organisation[monthly.organisation].append(monthly)
    if not per_organisation:
        return Tile(empty=_("No monthly scores yet."), url=list_url("risks:score_index"))
    rows = []
    for organisation, series in per_organisation.items():
        change = total_change(series[-1], series[-2] if len(series) > 1 else None)
        rows.append(
            TileRow(
                str(organisation),
                series[-1].total,
                list_url("risks:score_dashboard", organisation.pk),
                "warning" if change is not None and change < 0 else "success",
                change_note(series[-1], change),
            )
        )
    if len(rows) > 1:
        return Tile(
            rows=rows,
            severity=severity_of(rows),
            url=list_url("risks:score_index"),
            caption=_("Latest complete month per organisation"),
        )
    (organisation, series), row = next(iter(per_organisation.items())), rows[0]
    return Tile(
        value=row.value,
        severity=row.severity,
        url=row.url,
        caption=f"{organisation} · {row.note}",
        chart=Chart(
            "line",
            [monthly.month_label for monthly in series],
            [float(monthly.total) for monthly in series],
            str(_("The monthly total of the last months")),
        )
        if len(series) > 1
        else None,
    )


def change_note(latest: MonthlyScore, change) -> str:
    if change is None:
        return latest.month_label
    sign = "+" if change > 0 else ""
    return _("%(month)s, %(change)s on the month before") % {"month": latest.month_label, "change": f"{sign}{change}"}


# --- the columns of the organisations side by side (group management) ---------------------------------


def score_column(user, organisations) -> dict[int, TileRow]:
    """Each organisation's latest total and its change (one query)."""
    latest = latest_totals([organisation.pk for organisation in organisations])
    cells = {}
    for organisation in organisations:
        entry = latest.get(organisation.pk)
        if entry is None:
            continue
        change = entry["change"]
        cells[organisation.pk] = TileRow(
            "",
            entry["latest"].total,
            list_url("risks:score_dashboard", organisation.pk),
            "warning" if change is not None and change < 0 else "",
            change_note(entry["latest"], change),
        )
    return cells


def very_high_column(user, organisations) -> dict[int, TileRow]:
    """Each organisation's open very high risks, linked to the board overview filtered to them (one query)."""
    counts = dict(
        Risk.objects.visible_to(user)
        .open()
        .filter(organisation__in=[organisation.pk for organisation in organisations], level=RiskLevel.VERY_HIGH)
        .order_by()
        .values_list("organisation")
        .annotate(n=Count("pk"))
    )
    return {
        organisation.pk: TileRow(
            "",
            counts.get(organisation.pk, 0),
            list_url("risks:board_overview", level=RiskLevel.VERY_HIGH, organisation=organisation.pk),
            "danger" if counts.get(organisation.pk) else "",
        )
        for organisation in organisations
    }
