"""Reads of the risk register that need shaping; always starting from ``visible_to(user)``."""

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from qms.choices import Role
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for, scope_for
from qms.selectors import RoleHolders
from risks.choices import BODY_ROLES, ApprovalBody, RiskLevel
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
    return RoleHolders([organisation], [*BODY_ROLES.values(), Role.QUALITY_OFFICER])


def body_members(organisation: OrganisationUnit, body: str, holders: RoleHolders | None = None):
    """The people who decide for ``body`` on the risks of ``organisation``."""
    holders = holders or approval_holders(organisation)
    # The board is the organisation's own; group management is the nearest above it.
    if body == ApprovalBody.BOARD:
        return holders.on(organisation, BODY_ROLES[body])
    return holders.nearest(organisation, BODY_ROLES[body])


def decidable_bodies(user, organisation: OrganisationUnit) -> set[str]:
    """The bodies ``user`` may decide for on the risks of ``organisation``."""
    scope = scope_for(user)
    return {body for body, role in BODY_ROLES.items() if scope.has_role(organisation, role)}


def review_queue(user, body: str):
    """The pending approvals ``user`` decides for ``body``: the board's queue or group management's."""
    organisations = organisations_for(user, Purpose.ACT, roles=(BODY_ROLES[body],))
    return (
        RiskApproval.objects.visible_to(user)
        .pending()
        .filter(body=body, risk__organisation__in=organisations.values("pk"))
        .select_related("risk__unit", "risk__owner", "risk__category", "risk__organisation", "submitted_by")
        .order_by("submitted_at", "id")
    )


def queue_counts(user) -> dict[str, int]:
    """How many pending approvals wait for ``user``, per body."""
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
