"""What the risks app holds about a person and the open work they can own here (SPEC 8). Registered with
the core's privacy service in ``RisksConfig.ready``. A risk's measures and an investigation's steps are
core actions: the core's own rule hands those over (through ``action_update``, so the plan's rules run)."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy

from qms.services.base import system_note
from risks.choices import InvestigationStatus, RiskStatus
from risks.models import Investigation, Risk, RiskApproval, RiskReview, ScoreArea
from risks.services.register import risk_update
from risks.services.scoring import areas_set, investigation_reassign

ERASED_OWNER = gettext_lazy("Owner erased")

# --- the person's download ---------------------------------------------------------------------------


def personal_data(*, user) -> dict[str, list[dict]]:
    """The risks app's part of a person's download."""
    return {
        "risks": list(
            Risk.objects.filter(Q(owner=user) | Q(created_by=user)).values(
                "id", "title", "unit__name", "status", "level", "owner_id", "created_by_id", "created_at"
            )
        ),
        "risk_approvals": list(
            RiskApproval.objects.filter(Q(submitted_by=user) | Q(decided_by=user)).values(
                "risk_id",
                "body",
                "round",
                "submitted_by_id",
                "submitted_at",
                "submission_note",
                "decided_by_id",
                "decision",
                "decided_at",
                "reason",
            )
        ),
        "risk_reviews": list(
            RiskReview.objects.filter(reviewed_by=user).values("risk_id", "reviewed_on", "level", "note")
        ),
        "score_areas_owned": list(
            ScoreArea.objects.filter(owner=user).values("id", "code", "name", "organisation__name", "is_active")
        ),
        "investigations": list(
            Investigation.objects.filter(owner=user).values(
                "id", "area__name", "month", "status", "due_date", "cause", "closed_at"
            )
        ),
    }


# --- open work -----------------------------------------------------------------------------------------


def open_risks(user):
    """Risks the person owns that are not closed (a closed risk keeps its owner, under the pseudonym)."""
    return Risk.objects.filter(owner=user).exclude(status=RiskStatus.CLOSED)


def reassign_risks(*, user, successor, actor) -> int:
    risks = list(open_risks(user))
    reason = system_note(ERASED_OWNER)
    for risk in risks:
        risk_update(actor=actor, risk=risk, owner=successor, reason=reason)
    return len(risks)


def open_investigations(user):
    return Investigation.objects.filter(owner=user, status=InvestigationStatus.OPEN)


def reassign_investigations(*, user, successor, actor) -> int:
    items = list(open_investigations(user))
    reason = system_note(ERASED_OWNER)
    for item in items:
        investigation_reassign(actor=actor, investigation=item, owner=successor, reason=reason)
    return len(items)


def owned_areas(user):
    """Active score areas the person owns (they investigate the area's drops)."""
    return ScoreArea.objects.filter(owner=user, is_active=True)


def reassign_areas(*, user, successor, actor) -> int:
    """Each organisation's areas are set again as one set (``areas_set``, the one edit of them), the same
    in everything but the owner of the person's active areas."""
    owned = owned_areas(user).select_related("organisation")
    organisations = {area.organisation_id: area.organisation for area in owned}
    areas_by_organisation = defaultdict(list)
    every_area = ScoreArea.objects.filter(organisation__in=organisations).select_related("owner")
    for area in every_area.order_by("position", "id"):
        areas_by_organisation[area.organisation_id].append(area)
    moved = 0
    for organisation_id, areas in areas_by_organisation.items():
        rows = []
        for area in areas:
            takes_over = area.is_active and area.owner_id == user.pk
            moved += takes_over
            rows.append(
                {
                    "code": area.code,
                    "name": area.name,
                    "weight": area.weight,
                    "owner": successor if takes_over else area.owner,
                    "description": area.description,
                    "source": area.source,
                    "is_active": area.is_active,
                }
            )
        areas_set(actor=actor, organisation=organisations[organisation_id], areas=rows)
    return moved
