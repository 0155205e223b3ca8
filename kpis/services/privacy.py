"""What the KPI app holds about a person, the open work they can own here, and the retention of feedback
comments (SPEC 8). Registered with the core's privacy and retention services in ``KpisConfig.ready``."""

import datetime

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, Kpi, KpiMeasurement, Objective
from kpis.services.feedback import feedback_reassign
from kpis.services.kpis import kpi_update
from kpis.services.objectives import objective_update
from qms.choices import OPEN_ACTION_STATUSES
from qms.models import Action
from qms.services.base import system_note
from qms.services.retention import records_anonymise

ERASED_OWNER = gettext_lazy("Owner erased")

# --- the person's download ---------------------------------------------------------------------------


def personal_data(*, user) -> dict[str, list[dict]]:
    """The KPI app's part of a person's download. Feedback they registered or follow up is listed without
    the customer's comment and reference: those are the customer's data, not theirs."""
    return {
        "kpis_owned": list(
            Kpi.objects.filter(owner=user).values("id", "code", "name", "org_unit__name", "is_active", "created_at")
        ),
        "measurements_entered": list(
            KpiMeasurement.objects.filter(entered_by=user).values(
                "id", "kpi__code", "kpi__name", "period", "value", "note", "created_at"
            )
        ),
        "objectives_owned": list(
            Objective.objects.filter(owner=user).values("id", "title", "unit__name", "period", "deadline")
        ),
        "feedback": list(
            Feedback.objects.filter(Q(created_by=user) | Q(assigned_to=user)).values(
                "id", "unit__name", "received_at", "category", "score", "flagged", "created_by_id", "assigned_to_id"
            )
        ),
        "feedback_escalations_decided": list(
            FeedbackEscalation.objects.filter(decided_by=user).values(
                "id", "unit__name", "category", "status", "decision_note", "decided_at"
            )
        ),
        "effects_confirmed": list(
            IntendedEffect.objects.filter(confirmed_by=user).values(
                "id", "action_id", "kpi__code", "verdict", "explanation", "confirmed_at"
            )
        ),
    }


# --- open work -----------------------------------------------------------------------------------------


def open_kpis(user):
    """Active KPIs the person owns (an inactive KPI keeps its owner, under the pseudonym)."""
    return Kpi.objects.filter(owner=user, is_active=True)


def reassign_kpis(*, user, successor, actor) -> int:
    kpis = list(open_kpis(user))
    reason = system_note(ERASED_OWNER)
    for kpi in kpis:
        kpi_update(actor=actor, kpi=kpi, owner=successor, reason=reason)
    return len(kpis)


def open_objectives(user, today: datetime.date | None = None):
    """Objectives the person owns whose deadline has not passed (or that have none)."""
    today = today or timezone.localdate()
    return Objective.objects.filter(Q(deadline__isnull=True) | Q(deadline__gte=today), owner=user)


def reassign_objectives(*, user, successor, actor) -> int:
    objectives = list(open_objectives(user))
    for objective in objectives:
        objective_update(actor=actor, objective=objective, owner=successor)
    return len(objectives)


def open_feedback(user):
    """Flagged feedback assigned to the person whose follow-up is still open."""
    return Feedback.objects.filter(assigned_to=user, follow_up__status__in=OPEN_ACTION_STATUSES)


def reassign_feedback(*, user, successor, actor) -> int:
    items = list(open_feedback(user))
    reason = system_note(ERASED_OWNER)
    for item in items:
        feedback_reassign(actor=actor, feedback=item, assigned_to=successor, reason=reason)
    return len(items)


# --- retention -----------------------------------------------------------------------------------------


def closed_feedback_comments_expire(*, cutoff: datetime.datetime) -> int:
    """Comments of feedback received before ``cutoff`` whose follow-up is over (or that needed none) are
    emptied, in the record and its history; the score, category and dates stay for the statistics. The
    follow-up action's description, a copy of the comment when it was made, is emptied with it while it
    is still that copy."""
    closed = (
        Feedback.objects.filter(received_at__lt=cutoff)
        .exclude(comment="")
        .exclude(follow_up__status__in=OPEN_ACTION_STATUSES)
    )
    copies = list(
        closed.filter(follow_up__description=F("comment"))
        .exclude(follow_up__description="")
        .values_list("follow_up_id", flat=True)
    )
    changed = records_anonymise(closed, comment="")
    if copies:
        records_anonymise(Action.objects.filter(pk__in=copies), description="")
    return changed
