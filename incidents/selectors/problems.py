"""Reads of the problems part: the problem lists with their incident counts, a problem's incidents,
the incidents that could still be linked to it, and its status steps."""

from django.db.models import Count, Q

from incidents.choices import OPEN_PROBLEM_STATUSES, ProposalStatus
from incidents.models import Incident, Problem, ProblemProposal

# What a linkable-incident choice offers at most (the most recent first): a form, not a report.
LINKABLE_MAX = 200


def problems_for(user):
    """The problems ``user`` sees, with the number of incidents each links (counted in the same query)."""
    return (
        Problem.objects.visible_to(user)
        .select_related("unit", "owner")
        .annotate(incident_count=Count("incidents", distinct=True))
    )


def problem_incidents(problem: Problem, user):
    """The incidents linked to ``problem`` that ``user`` sees, newest first."""
    return (
        Incident.objects.visible_to(user)
        .filter(problem=problem)
        .select_related("unit", "owner")
        .order_by("-reported_at", "-pk")
    )


def linkable_incidents(problem: Problem, user):
    """Incidents ``user`` sees in the problem's organisation that no open problem links (the most
    recent ``LINKABLE_MAX``), for the link form."""
    return (
        Incident.objects.visible_to(user)
        .filter(organisation_id=problem.unit.organisation.pk)
        .filter(Q(problem__isnull=True) | ~Q(problem__status__in=OPEN_PROBLEM_STATUSES))
        .exclude(problem=problem)
        .select_related("unit")
        .order_by("-reported_at", "-pk")
    )


def problem_steps(problem: Problem) -> list[dict]:
    """The problem's status changes, oldest first: status, when, by whom, why (from its history, one query)."""
    steps, previous = [], None
    for record in problem.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.status != previous:
            steps.append(
                {
                    "status": record.get_status_display(),
                    "code": record.status,
                    "at": record.history_date,
                    "by": record.history_user,
                    "reason": record.history_change_reason or "",
                }
            )
            previous = record.status
    return steps


def proposals_for(user):
    """The proposed problems ``user`` sees, with their incident counts."""
    return (
        ProblemProposal.objects.visible_to(user)
        .select_related("unit", "problem", "decided_by")
        .annotate(incident_count=Count("incidents", distinct=True))
    )


def pending_proposal_count(user) -> int:
    return ProblemProposal.objects.visible_to(user).filter(status=ProposalStatus.PROPOSED).count()
