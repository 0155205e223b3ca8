"""Writes of the problems part (SPEC 5.3): problems that group incidents (root cause, workaround / known
error, FAQ), their status steps, and the problems proposed when incidents of one unit and category
cluster (``problems_propose_for``, called by the incident service when an incident is created).

Every write is keyword-only and atomic, locks the problem (or the unit, for the clustering) and records
who, when and why in the history; notifications are rows written in the same transaction (their e-mails
leave after commit).
"""

import bisect
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from incidents.choices import OPEN_PROBLEM_STATUSES, IncidentCategory, ProblemStatus, ProposalStatus
from incidents.models import Incident, Problem, ProblemProposal
from incidents.selectors.incidents import policy_for
from qms.choices import Role, UnitKind
from qms.models import OrganisationUnit, User
from qms.permissions import can_contribute
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated, system_note
from qms.services.notifications import notifications_resolve, notify

# Who coordinates problems across an organisation: they decide on proposed problems and reopen.
COORDINATOR_ROLES = (Role.INCIDENT_COORDINATOR, Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
PROBLEM_FIELDS = {"title", "description", "category", "owner", "root_cause", "workaround", "faq_published"}


# The status steps, in one table: step -> (the statuses it starts from, where it goes). The gates (a
# workaround for a known error, a root cause to resolve, a reason to reopen) are in ``problem_step``.
class Step:
    KNOWN_ERROR = "known_error"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


PROBLEM_TRANSITIONS = {
    Step.KNOWN_ERROR: ({ProblemStatus.OPEN}, ProblemStatus.KNOWN_ERROR),
    Step.RESOLVE: ({ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR}, ProblemStatus.RESOLVED),
    Step.CLOSE: ({ProblemStatus.RESOLVED}, ProblemStatus.CLOSED),
    Step.REOPEN: ({ProblemStatus.RESOLVED, ProblemStatus.CLOSED}, ProblemStatus.OPEN),
}
STEP_LABELS = {
    Step.KNOWN_ERROR: gettext_lazy("Mark as known error"),
    Step.RESOLVE: gettext_lazy("Resolve"),
    Step.CLOSE: gettext_lazy("Close"),
    Step.REOPEN: gettext_lazy("Reopen"),
}


# --- who may do what ---------------------------------------------------------------------------


def can_coordinate_problems(user, unit: OrganisationUnit) -> bool:
    """Incident coordinators, quality officers and administrators of the unit's organisation: the role
    held on the unit or a unit above it (the organisation, the group), read from the person's loaded
    roles without a query, so lists can ask it per row."""
    return scope_for(user).has_role(unit, *COORDINATOR_ROLES)


def can_edit_problems(user, unit: OrganisationUnit) -> bool:
    """The coordinators of the organisation and the contributors of the unit (every role but viewer
    and auditor, on the unit or above it)."""
    return can_coordinate_problems(user, unit) or can_contribute(user, unit)


def allowed_steps(user, problem: Problem) -> list[str]:
    """The steps the user may take on the problem now (for the buttons; the service checks again)."""
    if not can_edit_problems(user, problem.unit):
        return []
    return [step for step, (sources, _target) in PROBLEM_TRANSITIONS.items() if problem.status in sources]


# --- problems ----------------------------------------------------------------------------------


def _check_unit(unit: OrganisationUnit) -> None:
    if unit.kind == UnitKind.GROUP:
        raise ValidationError({"unit": _("Register problems in an organisation or one of its units, not in a group.")})


def _check_gates(problem: Problem) -> None:
    """What a problem's status needs, whatever path changed it."""
    errors = {}
    if problem.status == ProblemStatus.KNOWN_ERROR and not problem.workaround.strip():
        errors["workaround"] = _("A known error needs a workaround.")
    if problem.status in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED) and not problem.root_cause.strip():
        errors["root_cause"] = _("A resolved problem needs its root cause.")
    if problem.faq_published and not (problem.workaround.strip() or problem.root_cause.strip()):
        errors["faq_published"] = _("Publish an answer in the FAQ once there is a workaround or a root cause.")
    if errors:
        raise ValidationError(errors)


def _linkable(actor, problem: Problem, incidents) -> list[Incident]:
    """The incidents, locked, checked: in the problem's organisation, within the actor's sight, not
    linked to another problem that is still open. One query, whatever their number."""
    ids = {getattr(incident, "pk", incident) for incident in incidents}
    if not ids:
        return []
    found = list(
        Incident.objects.visible_to(actor)
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .select_related("problem")
        .order_by("pk")
    )
    if len(found) != len(ids):
        # The same answer whether an incident exists out of sight or not at all.
        raise ValidationError({"incidents": _("Some of these incidents do not exist or are out of your sight.")})
    organisation = problem.unit.organisation
    errors = []
    for incident in found:
        if incident.organisation_id != organisation.pk:
            errors.append(
                _("%(incident)s is not an incident of %(organisation)s.")
                % {"incident": incident, "organisation": organisation}
            )
        elif incident.problem_id and incident.problem_id != problem.pk and incident.problem.is_open:
            errors.append(
                _("%(incident)s is linked to %(problem)s already; unlink it there first.")
                % {"incident": incident, "problem": incident.problem}
            )
    if errors:
        raise ValidationError({"incidents": errors})
    return found


def _link(found: list[Incident], problem: Problem | None, *, actor, reason: str) -> None:
    changed = [incident for incident in found if incident.problem_id != getattr(problem, "pk", None)]
    if not changed:
        return
    for incident in changed:
        incident.problem = problem
        incident._history_user = actor
    bulk_update_with_history(
        changed, Incident, ["problem"], default_user=actor, default_change_reason=reason, batch_size=500
    )


@transaction.atomic
def problem_create(
    *,
    actor,
    unit: OrganisationUnit,
    title: str,
    description: str = "",
    category: str = IncidentCategory.OTHER,
    owner: User | None = None,
    incidents=(),
) -> Problem:
    """Register a problem, with the incidents it groups (in its organisation, within the actor's sight).
    The owner, when not the actor, is told."""
    if not can_edit_problems(actor, unit):
        deny(_("You cannot register problems in %(unit)s.") % {"unit": unit})
    _check_unit(unit)
    if owner is not None:
        validate_owner_for_unit(owner, unit)
    problem = Problem(unit=unit, title=title, description=description, category=category, owner=owner)
    save_validated(problem, actor=actor)
    if incidents:
        found = _linkable(actor, problem, incidents)
        _link(found, problem, actor=actor, reason=system_note(gettext_lazy("Linked to problem #%(id)s"), id=problem.pk))
    _notify_owner(problem, actor)
    return problem


def _notify_owner(problem: Problem, actor) -> None:
    if problem.owner_id and problem.owner_id != actor.pk:
        notify(
            recipients=[problem.owner],
            verb="problem_assigned",
            title=gettext_lazy("You own a problem: %(title)s"),
            params={"title": problem.title},
            target=problem,
        )


def _lock(problem: Problem) -> Problem:
    return Problem.objects.select_for_update(of=("self",)).select_related("unit", "owner").get(pk=problem.pk)


def _check_editable(actor, problem: Problem) -> None:
    if not can_edit_problems(actor, problem.unit):
        deny(_("You cannot change this problem."))
    if problem.status == ProblemStatus.CLOSED:
        raise ValidationError(_("This problem is closed; reopen it first."))


@transaction.atomic
def problem_update(*, actor, problem: Problem, reason: str = "", **changes) -> Problem:
    """Change what a problem says: title, description, category, owner, root cause, workaround, and
    whether its answer is in the FAQ. A known error keeps a workaround, a resolved problem its root cause."""
    problem = _lock(problem)
    _check_editable(actor, problem)
    changed = apply_changes(problem, changes, PROBLEM_FIELDS)
    if not changed:
        return problem
    if "owner" in changed and problem.owner is not None:
        validate_owner_for_unit(problem.owner, problem.unit)
    _check_gates(problem)
    save_validated(problem, actor=actor, reason=reason)
    if "owner" in changed:
        _notify_owner(problem, actor)
    return problem


@transaction.atomic
def problem_step(
    *,
    actor,
    problem: Problem,
    step: str,
    reason: str = "",
    workaround: str | None = None,
    root_cause: str | None = None,
) -> Problem:
    """Move a problem along ``PROBLEM_TRANSITIONS``: open -> known error (it needs a workaround) ->
    resolved (it needs a root cause) -> closed, or straight from open to resolved; a resolved or closed
    problem is reopened with a reason. The workaround or root cause may come with the step."""
    problem = _lock(problem)
    if not can_edit_problems(actor, problem.unit):
        deny(_("You cannot change this problem."))
    if step not in PROBLEM_TRANSITIONS:
        raise ValidationError({"step": _("Unknown step %(step)s.") % {"step": step}})
    sources, target = PROBLEM_TRANSITIONS[step]
    if problem.status not in sources:
        raise ValidationError(
            {
                "status": _("A problem that is %(current)s cannot be moved to %(new)s.")
                % {"current": problem.get_status_display().lower(), "new": ProblemStatus(target).label.lower()}
            }
        )
    reason = (reason or "").strip()
    if step == Step.REOPEN and not reason:
        raise ValidationError({"reason": _("Say why the problem is reopened.")})
    if workaround is not None and workaround.strip():
        problem.workaround = workaround.strip()
    if root_cause is not None and root_cause.strip():
        problem.root_cause = root_cause.strip()
    problem.status = target
    problem.status_changed_at = timezone.now()
    problem.status_note = reason
    _check_gates(problem)
    save_validated(problem, actor=actor, reason=reason or system_note(STEP_LABELS[step]))
    if step == Step.REOPEN and problem.owner_id:
        notify(
            recipients=[problem.owner],
            verb="problem_reopened",
            title=gettext_lazy("Problem reopened: %(title)s"),
            params={"title": problem.title},
            body=gettext_lazy("Reason: %(reason)s"),
            body_params={"reason": reason},
            target=problem,
            exclude=[actor],
        )
    return problem


@transaction.atomic
def problem_link_incidents(*, actor, problem: Problem, incidents) -> Problem:
    """Link incidents to a problem (in its organisation, within the actor's sight, not linked to another
    open problem). Each incident's history says so."""
    problem = _lock(problem)
    _check_editable(actor, problem)
    found = _linkable(actor, problem, incidents)
    _link(found, problem, actor=actor, reason=system_note(gettext_lazy("Linked to problem #%(id)s"), id=problem.pk))
    return problem


@transaction.atomic
def problem_unlink_incident(*, actor, problem: Problem, incident: Incident) -> Problem:
    """Take an incident out of a problem."""
    problem = _lock(problem)
    _check_editable(actor, problem)
    found = list(
        Incident.objects.visible_to(actor)
        .filter(pk=getattr(incident, "pk", incident), problem=problem)
        .select_for_update()
    )
    if not found:
        raise ValidationError({"incident": _("This incident is not linked to this problem.")})
    _link(found, None, actor=actor, reason=system_note(gettext_lazy("Unlinked from problem #%(id)s"), id=problem.pk))
    return problem


@transaction.atomic
def problem_set_incidents(*, actor, problem: Problem, incidents) -> Problem:
    """Make ``incidents`` the problem's linked incidents (the API's ``incidents`` on a change): the
    missing ones are linked, the others unlinked, by the same rules."""
    problem = _lock(problem)
    _check_editable(actor, problem)
    wanted = {getattr(incident, "pk", incident) for incident in incidents}
    current = set(Incident.objects.filter(problem=problem).values_list("pk", flat=True))
    if wanted - current:
        _link(
            _linkable(actor, problem, wanted - current),
            problem,
            actor=actor,
            reason=system_note(gettext_lazy("Linked to problem #%(id)s"), id=problem.pk),
        )
    if current - wanted:
        removed = list(Incident.objects.filter(pk__in=current - wanted).select_for_update())
        _link(
            removed, None, actor=actor, reason=system_note(gettext_lazy("Unlinked from problem #%(id)s"), id=problem.pk)
        )
    return problem


# --- proposed problems -------------------------------------------------------------------------


def _candidates(unit_id: int, category: str, start: datetime.datetime, end: datetime.datetime):
    """(reported_at, id) of the incidents of one unit and category reported in [start, end] that no open
    problem links, oldest first: one indexed query (``incident_unit_category``)."""
    return list(
        Incident.objects.filter(unit_id=unit_id, category=category, reported_at__gte=start, reported_at__lte=end)
        .filter(Q(problem__isnull=True) | ~Q(problem__status__in=OPEN_PROBLEM_STATUSES))
        .order_by("reported_at", "pk")
        .values_list("reported_at", "pk")
    )


def _cluster(rows, at: datetime.datetime, window: datetime.timedelta, threshold: int) -> list[int]:
    """The first window of ``window`` length that holds ``at`` and at least ``threshold`` of ``rows``: its
    incident ids (empty when there is none). Windows start at an incident, so a back-dated incident that
    completes a cluster before later ones is found too."""
    times = [reported_at for reported_at, _pk in rows]
    first = bisect.bisect_left(times, at - window)
    for start in range(first, len(times)):
        if times[start] > at:
            break
        end = bisect.bisect_right(times, times[start] + window)
        if end - start >= threshold:
            return [pk for _reported_at, pk in rows[start:end]]
    return []


@transaction.atomic
def problems_propose_for(*, incident: Incident) -> ProblemProposal | None:
    """Propose a problem when ``incident`` completes a cluster; the incident service calls it in the
    transaction that creates the incident. Returns the new proposal, or None.

    **The cluster.** The policy of the incident's organisation (``policy_for``) gives N
    (``problem_threshold``, default 3) and D (``problem_window_days``, default 30). The candidates are
    the incidents of the same unit and category that no open problem (open or known error) links; an
    incident linked to a resolved or closed problem counts again: the problem came back. The cluster is
    the candidates of the first span of D days that holds the new incident and at least N candidates
    (spans start at a candidate, so a back-dated report that completes a cluster is found as well).

    **Once per cluster.** A cluster is proposed once: when its incidents overlap those of a proposal of
    the same unit and category that is still *proposed*, the new incidents join that proposal (the
    coordinator accepts them all at once) and nobody is told again; when they overlap a *dismissed*
    proposal, nothing happens (the coordinator said no to these incidents). Only a cluster of incidents
    that share none with such a proposal is proposed anew, so a steady stream is proposed again once a
    whole new set of N incidents has come in, and not at every report. An *accepted* proposal's
    incidents are linked to its problem, so they are no candidates while it is open.

    **Cost.** A constant number of queries, whatever the number of incidents: the policy, the candidates
    (one indexed range query), and only when there are at least N: the unit's row lock, the candidates
    again, the overlapping proposals, the proposal and its links, the coordinators, the notifications.

    **Concurrency.** Two incidents of one unit reported at once could each see a full cluster and
    propose twice. The decision is made under a row lock of the unit (``select_for_update``): the second
    transaction waits for the first to commit, then reads the candidates and proposals again (a new
    statement in READ COMMITTED sees the first one's proposal) and joins it instead. The cheap count
    before the lock keeps the lock away from the usual report, which completes no cluster.
    """
    policy = policy_for(incident.organisation_id)
    threshold, window = policy.problem_threshold, datetime.timedelta(days=policy.problem_window_days)
    at = incident.reported_at
    span = (incident.unit_id, incident.category, at - window, at + window)
    if len(_cluster(_candidates(*span), at, window, threshold)) < threshold:
        return None
    unit = OrganisationUnit.objects.select_for_update().get(pk=incident.unit_id)
    cluster = _cluster(_candidates(*span), at, window, threshold)
    if len(cluster) < threshold:
        return None
    overlapping = list(
        ProblemProposal.objects.filter(
            unit_id=unit.pk,
            category=incident.category,
            status__in=(ProposalStatus.PROPOSED, ProposalStatus.DISMISSED),
            incidents__in=cluster,
        )
        .distinct()
        .order_by("-status", "pk")  # a proposed one before a dismissed one
    )
    if overlapping:
        pending = next((proposal for proposal in overlapping if proposal.status == ProposalStatus.PROPOSED), None)
        if pending is not None and not any(p.status == ProposalStatus.DISMISSED for p in overlapping):
            pending.incidents.add(*cluster)  # the ones it has already are left alone
        return None
    proposal = save_validated(ProblemProposal(unit=unit, category=incident.category))
    proposal.incidents.add(*cluster)
    holders = RoleHolders([unit], [Role.INCIDENT_COORDINATOR, Role.QUALITY_OFFICER])
    recipients = holders.nearest(unit, Role.INCIDENT_COORDINATOR) or holders.nearest(unit, Role.QUALITY_OFFICER)
    notify(
        recipients=recipients,
        verb="problem_proposed",
        title=gettext_lazy("Proposed problem: %(count)s incidents of %(category)s in %(unit)s"),
        params={"count": len(cluster), "category": IncidentCategory(incident.category).label, "unit": unit},
        body=gettext_lazy("%(count)s incidents of one unit and category within %(days)s days. Accept or dismiss it."),
        body_params={"count": len(cluster), "days": policy.problem_window_days},
        target=proposal,
    )
    return proposal


def _lock_proposal(actor, proposal: ProblemProposal) -> ProblemProposal:
    proposal = ProblemProposal.objects.select_for_update(of=("self",)).select_related("unit").get(pk=proposal.pk)
    if not can_coordinate_problems(actor, proposal.unit):
        deny(_("Only incident coordinators, quality officers and administrators decide on proposed problems."))
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(
            _("This proposal was %(status)s already.") % {"status": proposal.get_status_display().lower()}
        )
    return proposal


@transaction.atomic
def proposal_accept(*, actor, proposal: ProblemProposal, title: str = "") -> Problem:
    """Accept a proposed problem: the problem is created with the proposal's incidents (those still
    without an open problem) linked, and the accepter as its owner."""
    proposal = _lock_proposal(actor, proposal)
    category = IncidentCategory(proposal.category)
    title = title.strip() or system_note(
        gettext_lazy("Recurring %(category)s incidents in %(unit)s"), category=category.label, unit=proposal.unit
    )
    linkable = proposal.incidents.filter(Q(problem__isnull=True) | ~Q(problem__status__in=OPEN_PROBLEM_STATUSES))
    problem = problem_create(
        actor=actor,
        unit=proposal.unit,
        title=title[:200],
        category=proposal.category,
        owner=actor,
        incidents=list(linkable.values_list("pk", flat=True)),
    )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.problem = problem
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    save_validated(proposal, actor=actor)
    notifications_resolve(target=proposal, verbs=["problem_proposed"])
    return problem


@transaction.atomic
def proposal_dismiss(*, actor, proposal: ProblemProposal, reason: str) -> ProblemProposal:
    """Dismiss a proposed problem, saying why; its incidents are not proposed again."""
    proposal = _lock_proposal(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposed problem is dismissed.")})
    proposal.status = ProposalStatus.DISMISSED
    proposal.reason = reason
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    save_validated(proposal, actor=actor, reason=reason)
    notifications_resolve(target=proposal, verbs=["problem_proposed"])
    return proposal
