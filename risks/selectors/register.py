"""Reads of the risk register that need shaping; always starting from ``visible_to(user)``."""

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from qms.choices import Role
from qms.models import OrganisationUnit
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from risks.choices import ApprovalBody, RiskLevel
from risks.models import Risk, RiskApproval, RiskMatrix

DEFAULT_LIKELIHOOD_STEPS = [
    (_("Rare"), _("Less than once in ten years.")),
    (_("Unlikely"), _("Once in five to ten years.")),
    (_("Possible"), _("Once in one to five years.")),
    (_("Likely"), _("Once or more a year.")),
    (_("Almost certain"), _("Several times a year, or happening now.")),
]
DEFAULT_IMPACT_STEPS = [
    (_("Negligible"), _("No noticeable effect on clients, money or reputation.")),
    (_("Minor"), _("Small, local effect, easily absorbed.")),
    (_("Moderate"), _("Noticeable effect on one unit, clients or finances.")),
    (_("Major"), _("Serious damage to the organisation, clients or reputation.")),
    (_("Severe"), _("Threatens the continuity of the organisation.")),
]


def default_band(likelihood: int, impact: int, size: int = 5) -> str:
    """The level of a cell in the default matrix, from the product of likelihood and impact."""
    score = likelihood * impact * 25 / (size * size)
    if score <= 4:
        return RiskLevel.LOW
    if score <= 9:
        return RiskLevel.MEDIUM
    if score <= 15:
        return RiskLevel.HIGH
    return RiskLevel.VERY_HIGH


def default_matrix(organisation: OrganisationUnit) -> RiskMatrix:
    """The default 5x5 matrix (not saved): what an organisation uses until it configures its own."""
    return RiskMatrix(
        organisation=organisation,
        likelihood_steps=[{"label": label, "description": text} for label, text in DEFAULT_LIKELIHOOD_STEPS],
        impact_steps=[{"label": label, "description": text} for label, text in DEFAULT_IMPACT_STEPS],
        bands=[[default_band(row, column) for column in range(1, 6)] for row in range(1, 6)],
    )


def matrix_for(organisation: OrganisationUnit) -> RiskMatrix:
    """The organisation's matrix, or the default one."""
    matrix = RiskMatrix.objects.filter(organisation=organisation).first()
    return matrix or default_matrix(organisation)


def risk_level_trend(risk: Risk) -> list[str]:
    """The levels the risk has had, oldest first, without repeats (from its history)."""
    levels = risk.history.order_by("history_date", "history_id").values_list("level", flat=True)
    trend: list[str] = []
    for level in levels:
        if level and (not trend or trend[-1] != level):
            trend.append(level)
    return trend


def approval_holders(organisation: OrganisationUnit) -> RoleHolders:
    return RoleHolders([organisation], [Role.BOARD_MEMBER, Role.GROUP_MANAGEMENT, Role.QUALITY_OFFICER])


def body_members(organisation: OrganisationUnit, body: str, holders: RoleHolders | None = None):
    """The people who decide for ``body`` on the risks of ``organisation``."""
    holders = holders or approval_holders(organisation)
    if body == ApprovalBody.BOARD:
        return holders.on(organisation, Role.BOARD_MEMBER)
    return holders.nearest(organisation, Role.GROUP_MANAGEMENT)


def decidable_bodies(user, organisation: OrganisationUnit) -> set[str]:
    """The bodies ``user`` may decide for on the risks of ``organisation``."""
    scope = scope_for(user)
    bodies = set()
    if scope.has_role(organisation, Role.BOARD_MEMBER):
        bodies.add(ApprovalBody.BOARD)
    if scope.has_role(organisation, Role.GROUP_MANAGEMENT):
        bodies.add(ApprovalBody.GROUP)
    return bodies


def review_queue(user, body: str):
    """The pending approvals ``user`` decides for ``body``: the board's queue or group management's."""
    role = Role.BOARD_MEMBER if body == ApprovalBody.BOARD else Role.GROUP_MANAGEMENT
    organisations = scope_for(user).units_with_role(role)
    return (
        RiskApproval.objects.visible_to(user)
        .pending()
        .filter(body=body, risk__organisation__in=organisations.values("pk"))
        .select_related("risk__unit", "risk__owner", "risk__category", "risk__organisation", "submitted_by")
        .order_by("submitted_at", "id")
    )


def queue_counts(user) -> dict[str, int]:
    return {body: review_queue(user, body).count() for body in ApprovalBody.values}


def heat_maps(queryset, *, size: tuple[int, int] = (5, 5)) -> dict[bool, tuple[list[list[dict]], int]]:
    """The inherent (``False``) and residual (``True``) heat maps: counts per likelihood x impact cell,
    rows from the highest likelihood down, as the matrix is usually drawn; and how many risks are
    assessed at all (also those outside a matrix that shrank). Both from one query: one pass over the
    risks, grouped by the four numbers (at most a few hundred groups)."""
    counts = {False: Counter(), True: Counter()}
    for row in (
        queryset.order_by()
        .values("likelihood", "impact", "residual_likelihood", "residual_impact")
        .annotate(n=Count("id"))
    ):
        if row["likelihood"] is not None:
            counts[False][(row["likelihood"], row["impact"])] += row["n"]
        if row["residual_likelihood"] is not None:
            counts[True][(row["residual_likelihood"], row["residual_impact"])] += row["n"]
    rows, columns = size
    return {
        residual: (
            [
                [
                    {"likelihood": likelihood, "impact": impact, "count": cells[(likelihood, impact)]}
                    for impact in range(1, columns + 1)
                ]
                for likelihood in range(rows, 0, -1)
            ],
            sum(cells.values()),
        )
        for residual, cells in counts.items()
    }


def investigation_follow_up(investigation, months: int = 6) -> dict:
    """The area's scores in the months after the drop, and whether (and when) it recovered to the
    score before the drop."""
    from risks.models import AreaScore

    scores = list(
        AreaScore.objects.filter(area=investigation.area, monthly__month__gt=investigation.month)
        .select_related("monthly")
        .order_by("monthly__month")[:months]
    )
    recovered_in = next((score.monthly.month for score in scores if score.score >= investigation.previous_score), None)
    return {
        "scores": [(score.monthly.month, score.score) for score in scores],
        "recovered": recovered_in is not None,
        "recovered_in": recovered_in,
    }


def score_trend(organisation, months: int = 24) -> dict:
    """An organisation's ``months`` calendar months up to its latest month with scores (three queries):
    per month its ``MonthlyScore`` or None (a month nobody entered shows as a gap, not skipped), each
    area's scores and contributions (None where there is none), the VASP/VISP levels."""
    from risks.models import AreaScore, MonthlyScore, ScoreArea
    from risks.services.scoring import month_shift

    latest = MonthlyScore.objects.filter(organisation=organisation).order_by("-month").values_list("month", flat=True)
    end = latest.first()
    calendar = [month_shift(end, index - months + 1) for index in range(months)] if end else []
    stored = {
        monthly.month: monthly for monthly in MonthlyScore.objects.filter(organisation=organisation, month__in=calendar)
    }
    monthly = [stored.get(month) for month in calendar]
    # Before the first month with scores there is nothing to show: the trend starts there.
    while monthly and monthly[0] is None:
        calendar, monthly = calendar[1:], monthly[1:]
    areas = list(ScoreArea.objects.filter(organisation=organisation).order_by("position", "id"))
    by_month_area = {
        (score.monthly_id, score.area_id): score
        for score in AreaScore.objects.filter(monthly__in=[month for month in monthly if month])
    }

    def cell(month, area, attribute):
        score = by_month_area.get((month.pk, area.pk)) if month else None
        return getattr(score, attribute) if score else None

    return {
        "calendar": calendar,
        "months": monthly,
        "areas": areas,
        "series": {area.code: [cell(month, area, "score") for month in monthly] for area in areas},
        "contributions": {area.code: [cell(month, area, "contribution") for month in monthly] for area in areas},
    }


def training_years(organisation) -> set[int]:
    """The years in which the organisation has mandatory courses with people assigned: the training
    area's score can only be derived in those years (one query)."""
    from qms.models import TrainingAssignment

    return set(
        TrainingAssignment.objects.filter(course__organisation=organisation, course__is_mandatory=True)
        .values_list("year", flat=True)
        .distinct()
    )


def latest_totals(organisation_ids) -> dict[int, dict]:
    """Per organisation its latest complete month (one with a total), and the change from the month
    before when that month is complete too (one query, whatever the number of organisations)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from risks.models import MonthlyScore
    from risks.services.scoring import month_shift

    rows = (
        MonthlyScore.objects.filter(organisation_id__in=organisation_ids, total__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("organisation_id")], order_by=F("month").desc()))
        .filter(rank__lte=2)
        .order_by("organisation_id", "-month")
    )
    result: dict[int, dict] = {}
    for monthly in rows:
        entry = result.get(monthly.organisation_id)
        if entry is None:
            result[monthly.organisation_id] = {"latest": monthly, "previous": None, "change": None}
        elif monthly.month == month_shift(entry["latest"].month, -1):
            entry["previous"] = monthly
            entry["change"] = entry["latest"].total - monthly.total
    return result


def group_comparison(organisations, months: int = 12) -> dict:
    """The organisations side by side over the last ``months`` months up to the latest month any of
    them has a total for (two queries): their totals per month and their latest figures."""
    from risks.models import MonthlyScore
    from risks.services.scoring import month_shift, previous_month

    organisations = list(organisations)
    ids = [organisation.pk for organisation in organisations]
    latest = latest_totals(ids)
    end = max((entry["latest"].month for entry in latest.values()), default=previous_month())
    calendar = [month_shift(end, index - months + 1) for index in range(months)]
    totals = {
        (monthly.organisation_id, monthly.month): monthly
        for monthly in MonthlyScore.objects.filter(organisation_id__in=ids, month__in=calendar)
    }
    return {
        "months": calendar,
        "organisations": [
            {
                "organisation": organisation,
                "latest": latest.get(organisation.pk),
                "series": [totals.get((organisation.pk, month)) for month in calendar],
            }
            for organisation in organisations
        ],
    }
