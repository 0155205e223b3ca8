"""Choice sets of the risk register. Codes are stable (the API uses them); labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.choices import Role


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


# Levels in order, so "goes up" and "medium or higher" can be compared.
LEVEL_RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.VERY_HIGH: 3}


class RiskStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted (no approval needed)")
    CLOSED = "closed", _("Closed")


# Risks that are being managed: everything but closed ones.
OPEN_RISK_STATUSES = tuple(status for status in RiskStatus.values if status != RiskStatus.CLOSED)
# Risks whose plan has been settled (approved, or accepted because no approval was needed).
SETTLED_RISK_STATUSES = (RiskStatus.APPROVED, RiskStatus.ACCEPTED)
# Where a risk may be submitted (again) for approval from.
SUBMITTABLE_RISK_STATUSES = (RiskStatus.DRAFT, RiskStatus.CHANGES_REQUESTED, RiskStatus.REJECTED)


class ApprovalBody(models.TextChoices):
    BOARD = "board", _("Board")
    GROUP = "group", _("Group management")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    # Not a decider's choice: the plan or level changed while the approval waited (a new round
    # starts), or the risk was closed. Kept, with the reason, so the approvals show what happened.
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What a decider chooses from (the board and group management).
DECIDER_DECISIONS = [(code, label) for code, label in Decision.choices if code != Decision.WITHDRAWN]
# Decisions that must say why.
DECISIONS_NEEDING_REASON = (Decision.REJECTED, Decision.CHANGES_REQUESTED, Decision.WITHDRAWN)


def required_bodies(level: str) -> list[str]:
    """Who must approve a risk of ``level``: nobody for low, the board for medium and high, the
    board and then group management for very high (SPEC 2)."""
    if level == RiskLevel.VERY_HIGH:
        return [ApprovalBody.BOARD, ApprovalBody.GROUP]
    if level in (RiskLevel.MEDIUM, RiskLevel.HIGH):
        return [ApprovalBody.BOARD]
    return []


# Which role decides for which body: board members for the board, group management for the group. The
# one place the pages, the queues, the notifications and the navigation read it from.
BODY_ROLES = {ApprovalBody.BOARD: Role.BOARD_MEMBER, ApprovalBody.GROUP: Role.GROUP_MANAGEMENT}
# Everybody who decides on risks (and so has review queues and the board overview).
APPROVER_ROLES = frozenset(BODY_ROLES.values())


def next_body(level: str, body: str) -> str | None:
    """The body that decides after ``body`` has approved, in a round at ``level``; None when ``body``
    was the last (or is not asked at that level)."""
    bodies = required_bodies(level)
    if body not in bodies or bodies.index(body) + 1 == len(bodies):
        return None
    return bodies[bodies.index(body) + 1]


# The categories every organisation starts with (SPEC 2); organisations add their own.
DEFAULT_CATEGORIES = {
    "security": _("Security"),
    "legal": _("Legal"),
    "sustainability": _("Sustainability"),
    "corruption": _("Corruption"),
    "supplier": _("Supplier"),
    "financial": _("Financial"),
    "operational": _("Operational"),
    "privacy": _("Privacy"),
}

# Which categories the annual assessments are organised by (SPEC 2, "annual assessments per area").
ANNUAL_ASSESSMENT_AREAS = ("security", "legal", "sustainability", "corruption", "supplier")


# --- the monthly weighted risk score (SPEC 3) ---


class ScoreSource(models.TextChoices):
    MANUAL = "manual", _("Entered, imported or posted")
    TRAINING = "training", _("Derived from mandatory training completion")


class ProgrammeLevel(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class MonthStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class InvestigationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    # A correction of the scores removed the drop: kept (with the reason), not deleted.
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The default areas of SPEC 3: code, name, weight (percent), source.
DEFAULT_SCORE_AREAS = [
    ("legal", _("Legal"), 25, ScoreSource.MANUAL),
    ("security", _("Security"), 25, ScoreSource.MANUAL),
    ("sustainability", _("Sustainability"), 15, ScoreSource.MANUAL),
    ("training", _("Training & awareness"), 5, ScoreSource.TRAINING),
    ("supplier", _("Supplier management"), 5, ScoreSource.MANUAL),
    ("financial", _("Financial reporting"), 25, ScoreSource.MANUAL),
]
