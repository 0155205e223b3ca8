"""Writes of the changes part: changes and new wishes (SPEC 5.4, seed 003 section 6).

The status is a state machine kept here and only here (``CHANGE_TRANSITIONS``)::

    submitted -> assessed -> approved -> planned -> tested -> released -> closed
                          \\-> rejected -> closed
    any open status -> withdrawn

Each step locks the change row (``select_for_update``), checks the actor's role, records who, when and
why (fields and the history's reason) and notifies the people concerned (e-mails after commit).

Who does what:

- anyone contributing in the unit submits a request (``change_create``); the owner is the product
  owner, by default the organisation's incident coordinator;
- the owner, an incident coordinator or a quality officer assesses it (``change_assess``): the four
  impacts, the DPIA gate (required when privacy is high), the fit with the requirements and the risk on
  the organisation's matrix (high or above links or creates a register risk); again as often as needed
  until the conclusion;
- **the decision**: the stakeholders of the organisation (board members, quality officers, incident
  coordinators, administrators) each record their decision with a reason (``change_decide``), as the
  source's change meeting does; then the owner (or an incident coordinator), who is ultimately
  responsible in the source, concludes (``change_conclude``) with a reason: approved or rejected. At
  least one stakeholder decision must be recorded first, and approving needs at least one stakeholder
  who approved. The requester and the owner record no stakeholder decision: the requester asks for the
  change (no one approves their own request), the owner concludes;
- the owner or a coordinator / quality officer plans it (``change_plan``) in the weekly maintenance
  window, or outside it with a reason, which warns the escalation contacts of the unit and the units
  below it at once; records the test (``change_record_test``); releases (``change_release``) only a
  tested change whose DPIA, where required, has its outcome recorded by a data-protection officer
  (``change_record_dpia``); closes it (``change_close``);
- the requester, the owner, a coordinator or a quality officer withdraws an open change
  (``change_withdraw``), with the reason.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.choices import ChangeKind, ChangeStatus, ImpactRating, TestResult
from incidents.models import Change, ChangeDecision
from incidents.selectors.changes import AMSTERDAM, OPEN_CHANGE_STATUSES, MaintenanceWindow
from incidents.selectors.contacts import contact_recipients
from qms.choices import CONTRIBUTOR_ROLES, Role, UnitKind
from qms.models import OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import validate_owner_for_unit
from qms.services.base import apply_changes, deny, in_stored_language, save_validated, system_note
from qms.services.notifications import mail_mailboxes, notifications_resolve, notify
from risks.choices import LEVEL_RANK, RiskLevel, RiskStatus
from risks.models import Risk, RiskCategory
from risks.selectors.register import matrix_for
from risks.services.register import risk_create

logger = logging.getLogger(__name__)

# Who assesses, plans, tests, releases and closes besides the owner.
MANAGER_ROLES = (Role.INCIDENT_COORDINATOR, Role.QUALITY_OFFICER)
# Who concludes the decision besides the owner (the product owner's role in the source).
CONCLUDER_ROLES = (Role.INCIDENT_COORDINATOR,)
# The stakeholders who record a decision on a change of their organisation.
STAKEHOLDER_ROLES = (Role.BOARD_MEMBER, Role.QUALITY_OFFICER, Role.INCIDENT_COORDINATOR, Role.ADMINISTRATOR)
# A level from here up links or creates a risk in the register.
REGISTER_RISK_LEVEL = RiskLevel.HIGH
# The category of a register risk created for a change.
CHANGE_RISK_CATEGORY = "operational"
EDITABLE_FIELDS = {"kind", "title", "description", "owner"}
IMPACT_FIELDS = ("privacy_impact", "security_impact", "governance_impact", "architecture_impact")

# step -> (the statuses it starts from, the status it leads to; None: decided by the step itself)
CHANGE_TRANSITIONS = {
    "update": ((ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED), None),
    "assess": ((ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED), ChangeStatus.ASSESSED),
    "decide": ((ChangeStatus.ASSESSED,), None),
    "conclude": ((ChangeStatus.ASSESSED,), None),  # approved or rejected
    "plan": ((ChangeStatus.APPROVED, ChangeStatus.PLANNED), ChangeStatus.PLANNED),
    "record_test": ((ChangeStatus.PLANNED,), None),  # passed: tested; failed: stays planned
    "record_dpia": (
        (ChangeStatus.ASSESSED, ChangeStatus.APPROVED, ChangeStatus.PLANNED, ChangeStatus.TESTED),
        None,
    ),
    "release": ((ChangeStatus.TESTED,), ChangeStatus.RELEASED),
    "close": ((ChangeStatus.RELEASED, ChangeStatus.REJECTED), ChangeStatus.CLOSED),
    "withdraw": (OPEN_CHANGE_STATUSES, ChangeStatus.WITHDRAWN),
}

# Notification verbs resolved once what they asked for is done.
DECISION_REQUESTED = "change_decision_requested"
DPIA_REQUESTED = "change_dpia_requested"


# --- who may do what ---------------------------------------------------------------------------


def can_submit_change(user, unit: OrganisationUnit) -> bool:
    """Anyone contributing in the unit (not viewers or auditors) submits a request."""
    return scope_for(user).has_role(unit, *CONTRIBUTOR_ROLES)


def can_manage_change(user, change: Change) -> bool:
    """The owner, and the incident coordinators and quality officers of the unit: assess, plan, test,
    release, close."""
    return change.owner_id == user.pk or scope_for(user).has_role(change.unit, *MANAGER_ROLES)


def can_edit_change(user, change: Change) -> bool:
    """The requester too may correct the request itself (title, description) before the decision."""
    return change.requester_id == user.pk or can_manage_change(user, change)


def can_conclude_change(user, change: Change) -> bool:
    return change.owner_id == user.pk or scope_for(user).has_role(change.unit, *CONCLUDER_ROLES)


def can_decide_change(user, change: Change) -> bool:
    """A stakeholder of the organisation who is neither the requester nor the owner."""
    if user.pk in (change.requester_id, change.owner_id):
        return False
    return scope_for(user).has_role(change.unit, *STAKEHOLDER_ROLES)


def can_record_dpia(user, change: Change) -> bool:
    return scope_for(user).has_role(change.unit, Role.DATA_PROTECTION_OFFICER)


def can_withdraw_change(user, change: Change) -> bool:
    return can_edit_change(user, change)


# step -> who may take it (whatever the status; the transition table says when).
STEP_PERMISSIONS = {
    "update": can_edit_change,
    "assess": can_manage_change,
    "decide": can_decide_change,
    "conclude": can_conclude_change,
    "plan": can_manage_change,
    "record_test": can_manage_change,
    "record_dpia": can_record_dpia,
    "release": can_manage_change,
    "close": can_manage_change,
    "withdraw": can_withdraw_change,
}


def allowed_steps(user, change: Change) -> set[str]:
    """The steps ``user`` may take on ``change`` as it is now (for the page's forms)."""
    return {
        step
        for step, (sources, _target) in CHANGE_TRANSITIONS.items()
        if change.status in sources
        and STEP_PERMISSIONS[step](user, change)
        and (step != "record_dpia" or change.dpia_required)
    }


# --- helpers -----------------------------------------------------------------------------------


def _lock(change: Change) -> Change:
    return (
        Change.objects.select_for_update(of=("self",))
        .select_related("unit", "organisation", "owner", "requester")
        .get(pk=change.pk)
    )


def _check_step(change: Change, step: str) -> None:
    sources, _target = CHANGE_TRANSITIONS[step]
    if change.status not in sources:
        raise ValidationError(
            _("This cannot be done to a change that is %(status)s.") % {"status": change.get_status_display().lower()}
        )


def _required_text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _default_owner(unit: OrganisationUnit) -> User | None:
    """The incident coordinator nearest the unit (the product owner), else the nearest quality officer."""
    holders = RoleHolders([unit], [Role.INCIDENT_COORDINATOR, Role.QUALITY_OFFICER])
    for role in (Role.INCIDENT_COORDINATOR, Role.QUALITY_OFFICER):
        people = sorted(holders.nearest(unit, role), key=lambda user: user.pk)
        if people:
            return people[0]
    return None


def _stakeholders(change: Change) -> list[User]:
    holders = RoleHolders([change.unit], list(STAKEHOLDER_ROLES))
    people = {}
    for role in STAKEHOLDER_ROLES:
        for user in holders.on(change.organisation, role):
            people.setdefault(user.pk, user)
    return [user for pk, user in people.items() if pk not in (change.requester_id, change.owner_id)]


def _data_protection_officers(change: Change) -> list[User]:
    return RoleHolders([change.unit], [Role.DATA_PROTECTION_OFFICER]).nearest(change.unit, Role.DATA_PROTECTION_OFFICER)


def _notify(recipients, *, actor, verb: str, title, change: Change, body=None, body_params=None):
    notify(
        recipients=[user for user in recipients if user is not None],
        verb=verb,
        title=title,
        params={"title": change.title, "id": change.pk},
        body=body,
        body_params=body_params,
        target=change,
        exclude=[actor],
    )


# --- the request -------------------------------------------------------------------------------


@transaction.atomic
def change_create(
    *,
    actor,
    kind: str,
    title: str,
    unit: OrganisationUnit,
    description: str = "",
    owner: User | None = None,
    requester: User | None = None,
) -> Change:
    """Submit a change or new wish for a service or unit. Anyone contributing in the unit may; the
    requester is the actor unless given; the owner (the product owner) is by default the organisation's
    incident coordinator (else a quality officer). The owner is told."""
    if not can_submit_change(actor, unit):
        deny(_("You cannot submit changes for %(unit)s.") % {"unit": unit})
    organisation = unit.organisation
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"unit": _("Submit changes for an organisation or one of its units, not a group.")})
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("Choose a change or a new wish.")})
    owner = owner or _default_owner(unit)
    requester = requester or actor
    if owner is not None:
        validate_owner_for_unit(owner, unit)
    if requester.pk != actor.pk:
        validate_owner_for_unit(requester, unit, field="requester")
    change = save_validated(
        Change(
            kind=kind,
            title=title,
            description=description,
            unit=unit,
            organisation=organisation,
            owner=owner,
            requester=requester,
        ),
        actor=actor,
        reason=system_note(gettext_lazy("Submitted")),
    )
    _notify(
        [owner],
        actor=actor,
        verb="change_submitted",
        title=gettext_lazy("New change request for you: #%(id)s %(title)s"),
        change=change,
        body=gettext_lazy("Assess its impact on privacy, security, governance and architecture."),
    )
    return change


@transaction.atomic
def change_update(*, actor, change: Change, reason: str = "", **changes) -> Change:
    """Correct a request before the decision (kind, title, description, owner)."""
    change = _lock(change)
    if not can_edit_change(actor, change):
        deny(_("You cannot change this request."))
    _check_step(change, "update")
    if "owner" in changes and changes["owner"] != change.owner and not can_manage_change(actor, change):
        raise ValidationError(
            {"owner": _("Only the owner, an incident coordinator or a quality officer hands it over.")}
        )
    changed = apply_changes(change, changes, EDITABLE_FIELDS)
    if not changed:
        return change
    if "owner" in changed:
        if change.owner is None:
            raise ValidationError({"owner": _("A change needs an owner.")})
        validate_owner_for_unit(change.owner, change.unit)
    save_validated(change, actor=actor, reason=reason)
    if "owner" in changed:
        _notify(
            [change.owner],
            actor=actor,
            verb="change_assigned",
            title=gettext_lazy("You own a change now: #%(id)s %(title)s"),
            change=change,
        )
    return change


def open_changes(user):
    """The open changes ``user`` owns (for an erasure: work to hand over)."""
    return Change.objects.filter(owner=user, status__in=OPEN_CHANGE_STATUSES)


@transaction.atomic
def change_hand_over(*, actor, change: Change, owner: User, reason: str = "", check_permission: bool = True) -> Change:
    """Give an open change another owner, in any open status (the owner, a coordinator or a quality
    officer; an erasure hands over without the check). The new owner must belong to the organisation."""
    change = _lock(change)
    if check_permission and not can_manage_change(actor, change):
        deny(_("Only the owner, an incident coordinator or a quality officer hands a change over."))
    _check_step(change, "withdraw")  # any open status
    validate_owner_for_unit(owner, change.unit)
    change.owner = owner
    save_validated(change, actor=actor, reason=reason or system_note(gettext_lazy("Handed over")))
    _notify(
        [owner],
        actor=actor,
        verb="change_assigned",
        title=gettext_lazy("You own a change now: #%(id)s %(title)s"),
        change=change,
    )
    return change


def reassign_changes(*, user, successor, actor) -> int:
    """Hand the person's open changes to ``successor`` (registered with the erasure)."""
    changes = list(open_changes(user))
    reason = system_note(gettext_lazy("The owner's account was erased"))
    for change in changes:
        try:
            change_hand_over(actor=actor, change=change, owner=successor, reason=reason, check_permission=False)
        except ValidationError as error:
            raise ValidationError({"successor": error.messages}) from error
    return len(changes)


# --- the impact assessment ---------------------------------------------------------------------


def _register_risk(*, actor, change: Change, risk: Risk | None, likelihood: int, impact: int) -> Risk | None:
    """The register risk of a change at high or above: the one the assessor chose (visible, open, of the
    organisation), else the one already linked (if open), else a new one in the register."""
    if risk is not None:
        visible = Risk.objects.visible_to(actor).filter(pk=risk.pk, organisation=change.organisation)
        if not visible.exclude(status=RiskStatus.CLOSED).exists():
            raise ValidationError(
                {"risk": _("Choose an open risk of the register of %(org)s.") % {"org": change.organisation}}
            )
        return risk
    if change.risk_id and change.risk.status != RiskStatus.CLOSED:
        return change.risk
    category = (
        RiskCategory.objects.for_organisation(change.organisation)
        .filter(code=CHANGE_RISK_CATEGORY)
        .order_by("organisation_id")
        .first()
        or RiskCategory.objects.for_organisation(change.organisation).order_by("pk").first()
    )
    owner = change.owner or actor
    try:
        return risk_create(
            actor=actor,
            unit=change.unit,
            owner=owner,
            title=(system_note(gettext_lazy("Change #%(id)s: %(title)s"), id=change.pk, title=change.title))[:200],
            category=category,
            likelihood=likelihood,
            impact=impact,
            description=change.description,
        )
    except PermissionDenied:
        raise ValidationError(
            {
                "risk": _(
                    "The risk is high or above: choose the register risk it belongs to. You cannot register "
                    "risks in %(unit)s yourself (a quality officer or risk owner can)."
                )
                % {"unit": change.unit}
            }
        ) from None
    except ValidationError as error:
        raise ValidationError(
            {"risk": [_("The register risk could not be created: %(why)s") % {"why": " ".join(error.messages)}]}
        ) from None


@transaction.atomic
def change_assess(
    *,
    actor,
    change: Change,
    privacy_impact: str,
    security_impact: str,
    governance_impact: str,
    architecture_impact: str,
    risk_likelihood: int | None,
    risk_impact: int | None,
    fits_requirements: bool | None,
    dpia_required: bool | None = None,
    privacy_note: str = "",
    security_note: str = "",
    governance_note: str = "",
    architecture_note: str = "",
    risk: Risk | None = None,
) -> Change:
    """Record the impact assessment (again, until the decision is concluded): the four impacts (none,
    low, high) with notes, whether a DPIA is needed (always when privacy is high), whether the request
    fits the current requirements, and the risk on the organisation's matrix. A level of high or above
    links the register risk the assessor chose, or creates one (owner: the change's owner)."""
    change = _lock(change)
    if not can_manage_change(actor, change):
        deny(_("Only the owner, an incident coordinator or a quality officer assesses a change."))
    _check_step(change, "assess")
    errors: dict = {}
    ratings = {
        "privacy_impact": privacy_impact,
        "security_impact": security_impact,
        "governance_impact": governance_impact,
        "architecture_impact": architecture_impact,
    }
    for field, value in ratings.items():
        if value not in ImpactRating.values:
            errors[field] = _("Rate the impact: none, low or high.")
    if privacy_impact == ImpactRating.HIGH:
        if dpia_required is False:
            errors["dpia_required"] = _("A high privacy impact requires a DPIA.")
        dpia_required = True
    if fits_requirements is None:
        errors["fits_requirements"] = _("Say whether the request fits the current requirements.")
    rows, columns = matrix_for(change.organisation).size
    for field, value, top in (("risk_likelihood", risk_likelihood, rows), ("risk_impact", risk_impact, columns)):
        if value is None:
            errors[field] = _("Assess the risk on the organisation's matrix.")
        elif not 1 <= value <= top:
            errors[field] = _("Choose a value from 1 to %(top)s (the organisation's matrix).") % {"top": top}
    if errors:
        raise ValidationError(errors)
    level = matrix_for(change.organisation).level(risk_likelihood, risk_impact) or ""
    was_assessed = change.status == ChangeStatus.ASSESSED
    for field, value in ratings.items():
        setattr(change, field, value)
    change.privacy_note, change.security_note = privacy_note.strip(), security_note.strip()
    change.governance_note, change.architecture_note = governance_note.strip(), architecture_note.strip()
    needed_dpia_before = change.dpia_required
    change.dpia_required = bool(dpia_required)
    change.fits_requirements = fits_requirements
    change.risk_likelihood, change.risk_impact, change.risk_level = risk_likelihood, risk_impact, level
    if LEVEL_RANK.get(level, -1) >= LEVEL_RANK[REGISTER_RISK_LEVEL]:
        change.risk = _register_risk(
            actor=actor, change=change, risk=risk, likelihood=risk_likelihood, impact=risk_impact
        )
    elif risk is not None:
        change.risk = _register_risk(actor=actor, change=change, risk=risk, likelihood=0, impact=0)
    change.assessed_at = timezone.now()
    change.status = ChangeStatus.ASSESSED
    reason = gettext_lazy("Impact assessed again") if was_assessed else gettext_lazy("Impact assessed")
    save_validated(change, actor=actor, reason=system_note(reason))
    if not was_assessed:
        _notify(
            _stakeholders(change),
            actor=actor,
            verb=DECISION_REQUESTED,
            title=gettext_lazy("Change awaiting your decision: #%(id)s %(title)s"),
            change=change,
        )
    if change.dpia_required and not needed_dpia_before and change.dpia_recorded_at is None:
        _notify(
            _data_protection_officers(change),
            actor=actor,
            verb=DPIA_REQUESTED,
            title=gettext_lazy("A DPIA is needed for change #%(id)s %(title)s"),
            change=change,
            body=gettext_lazy("Record its outcome on the change: it cannot be released before."),
        )
    return change


# --- the decision ------------------------------------------------------------------------------


@transaction.atomic
def change_decide(*, actor, change: Change, approved: bool, reason: str) -> ChangeDecision:
    """A stakeholder's decision on an assessed change, with the reason. One per stakeholder: deciding
    again before the conclusion replaces their earlier decision (kept in the history)."""
    change = _lock(change)
    if not can_decide_change(actor, change):
        if actor.pk in (change.requester_id, change.owner_id) and scope_for(actor).has_role(
            change.unit, *STAKEHOLDER_ROLES
        ):
            deny(_("The requester and the owner do not record a stakeholder decision on their own change."))
        deny(_("Only the board, quality officers, incident coordinators and administrators decide on changes."))
    _check_step(change, "decide")
    reason = _required_text(reason, "reason", _("Give the reason for your decision."))
    if approved is None:
        raise ValidationError({"approved": _("Approve or reject.")})
    decision = ChangeDecision.objects.filter(change=change, stakeholder=actor).first() or ChangeDecision(
        change=change, stakeholder=actor
    )
    decision.approved = bool(approved)
    decision.reason = reason
    if decision.pk:
        decision.decided_at = timezone.now()
    save_validated(decision, actor=actor, reason=reason)
    _notify(
        [change.owner],
        actor=actor,
        verb="change_decision_recorded",
        title=(
            gettext_lazy("A stakeholder approved change #%(id)s %(title)s")
            if approved
            else gettext_lazy("A stakeholder rejected change #%(id)s %(title)s")
        ),
        change=change,
        body=gettext_lazy("Reason: %(reason)s"),
        body_params={"reason": reason},
    )
    return decision


@transaction.atomic
def change_conclude(*, actor, change: Change, approved: bool, reason: str) -> Change:
    """The owner (or an incident coordinator) concludes after the stakeholders' decisions: approved or
    rejected, with the reason. At least one stakeholder must have decided; approving needs at least one
    stakeholder's approval."""
    change = _lock(change)
    if not can_conclude_change(actor, change):
        deny(_("Only the owner or an incident coordinator concludes the decision."))
    _check_step(change, "conclude")
    reason = _required_text(reason, "reason", _("Give the reason for the decision."))
    decisions = list(change.decisions.all())
    if not decisions:
        raise ValidationError(_("No stakeholder has decided yet: the stakeholders decide first."))
    if approved and not any(decision.approved for decision in decisions):
        raise ValidationError({"approved": _("No stakeholder approved this change: it cannot be approved.")})
    change.status = ChangeStatus.APPROVED if approved else ChangeStatus.REJECTED
    change.decision_reason = reason
    change.decided_at = timezone.now()
    change.decided_by = actor
    save_validated(change, actor=actor, reason=reason)
    notifications_resolve(target=change, verbs=[DECISION_REQUESTED])
    _notify(
        [change.requester, change.owner],
        actor=actor,
        verb="change_decided",
        title=(
            gettext_lazy("Change approved: #%(id)s %(title)s")
            if approved
            else gettext_lazy("Change rejected: #%(id)s %(title)s")
        ),
        change=change,
        body=gettext_lazy("Reason: %(reason)s"),
        body_params={"reason": reason},
    )
    return change


# --- planning ----------------------------------------------------------------------------------


def _affected_unit_ids(change: Change) -> list[int]:
    """The change's unit and every unit below it: a change to a service affects all who use it."""
    return list(OrganisationUnit.objects.filter(path__startswith=change.unit.path).values_list("pk", flat=True))


def _warn_contacts(change: Change, *, actor) -> None:
    users, mailboxes = contact_recipients(_affected_unit_ids(change))
    body = gettext_lazy("Planned from %(start)s to %(end)s, outside the maintenance window. Reason: %(reason)s")
    notify(
        recipients=users,
        verb="change_outside_window",
        title=gettext_lazy("Change outside the maintenance window: #%(id)s %(title)s"),
        params={"id": change.pk, "title": change.title},
        body=body,
        body_params={"start": change.planned_start, "end": change.planned_end, "reason": change.outside_window_reason},
        target=change,
    )
    with in_stored_language():
        start, end = (
            formats.date_format(timezone.localtime(value, AMSTERDAM), "SHORT_DATETIME_FORMAT")
            for value in (change.planned_start, change.planned_end)
        )
    # Group mailboxes are no users: e-mailed (one message each, after commit) in the stored language.
    mail_mailboxes(
        addresses=mailboxes,
        subject=system_note(
            gettext_lazy("Change outside the maintenance window: #%(id)s %(title)s"), id=change.pk, title=change.title
        ),
        body=system_note(body, start=start, end=end, reason=change.outside_window_reason),
        url=change.get_absolute_url(),
    )
    change.contacts_warned_at = timezone.now()


@transaction.atomic
def change_plan(
    *,
    actor,
    change: Change,
    planned_start: datetime.datetime,
    planned_end: datetime.datetime,
    outside_window_reason: str = "",
) -> Change:
    """Plan an approved change (or plan it again). By default in the organisation's weekly maintenance
    window (Thursday 16:00-17:00, Europe/Amsterdam): start and end within one occurrence. A moment
    outside the window needs the reason (an emergency) and warns the escalation contacts of the unit and
    the units below it at once, in the application and by e-mail."""
    change = _lock(change)
    if not can_manage_change(actor, change):
        deny(_("Only the owner, an incident coordinator or a quality officer plans a change."))
    _check_step(change, "plan")
    errors = {}
    if planned_start is None:
        errors["planned_start"] = _("Give the planned start.")
    if planned_end is None:
        errors["planned_end"] = _("Give the planned end.")
    if errors:
        raise ValidationError(errors)
    if planned_end <= planned_start:
        raise ValidationError({"planned_end": _("The planned end must be after the planned start.")})
    inside = MaintenanceWindow.of(change.organisation).contains(planned_start, planned_end)
    reason = (outside_window_reason or "").strip()
    if not inside and not reason:
        raise ValidationError(
            {
                "outside_window_reason": _(
                    "This moment is outside the maintenance window: say why (an emergency); the contacts of "
                    "the units concerned are warned."
                )
            }
        )
    moved = (change.planned_start, change.planned_end) != (planned_start, planned_end)
    change.planned_start, change.planned_end = planned_start, planned_end
    change.in_maintenance_window = inside
    change.outside_window_reason = "" if inside else reason
    change.status = ChangeStatus.PLANNED
    if not inside and (moved or change.contacts_warned_at is None):
        _warn_contacts(change, actor=actor)
    note = (
        gettext_lazy("Planned in the maintenance window")
        if inside
        else gettext_lazy("Planned outside the maintenance window")
    )
    save_validated(change, actor=actor, reason=system_note(note))
    return change


# --- test, DPIA, release ------------------------------------------------------------------------


@transaction.atomic
def change_record_test(
    *,
    actor,
    change: Change,
    tested_at: datetime.datetime,
    result: str,
    notes: str = "",
    tested_by: User | None = None,
) -> Change:
    """Record the test of a planned change: who tested (the actor unless given), when, the result.
    Passed: the change is tested. Failed (with notes): it stays planned, to be fixed and tested again."""
    change = _lock(change)
    if not can_manage_change(actor, change):
        deny(_("Only the owner, an incident coordinator or a quality officer records a test."))
    _check_step(change, "record_test")
    if result not in TestResult.values:
        raise ValidationError({"result": _("Give the result: passed or failed.")})
    if tested_at is None:
        raise ValidationError({"tested_at": _("Give when it was tested.")})
    if tested_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"tested_at": _("A test is recorded once it was done: not in the future.")})
    notes = (notes or "").strip()
    if result == TestResult.FAILED and not notes:
        raise ValidationError({"notes": _("Say what failed.")})
    tested_by = tested_by or actor
    if tested_by.pk != actor.pk:
        validate_owner_for_unit(tested_by, change.unit, field="tested_by")
    change.tested_by, change.tested_at, change.test_result, change.test_notes = tested_by, tested_at, result, notes
    if result == TestResult.PASSED:
        change.status = ChangeStatus.TESTED
        save_validated(change, actor=actor, reason=system_note(gettext_lazy("Test passed")))
    else:
        save_validated(change, actor=actor, reason=system_note(gettext_lazy("Test failed")))
        _notify(
            [change.owner],
            actor=actor,
            verb="change_test_failed",
            title=gettext_lazy("Test failed: #%(id)s %(title)s"),
            change=change,
            body=gettext_lazy("Notes: %(notes)s"),
            body_params={"notes": notes},
        )
    return change


@transaction.atomic
def change_record_dpia(*, actor, change: Change, outcome: str) -> Change:
    """The data-protection officer records the outcome of the DPIA the assessment asked for; only then
    can the change be released."""
    change = _lock(change)
    if not can_record_dpia(actor, change):
        deny(_("Only a data-protection officer of the organisation records a DPIA."))
    _check_step(change, "record_dpia")
    if not change.dpia_required:
        raise ValidationError(_("The assessment did not ask for a DPIA for this change."))
    change.dpia_outcome = _required_text(outcome, "outcome", _("Give the outcome of the DPIA."))
    change.dpia_recorded_at = timezone.now()
    change.dpia_recorded_by = actor
    save_validated(change, actor=actor, reason=system_note(gettext_lazy("DPIA outcome recorded")))
    notifications_resolve(target=change, verbs=[DPIA_REQUESTED])
    _notify(
        [change.owner],
        actor=actor,
        verb="change_dpia_recorded",
        title=gettext_lazy("DPIA recorded for change #%(id)s %(title)s"),
        change=change,
    )
    return change


def release_blockers(change: Change) -> list[str]:
    """Why ``change`` cannot be released now (empty when it can)."""
    blockers = []
    if change.status != ChangeStatus.TESTED or change.test_result != TestResult.PASSED:
        blockers.append(str(_("It has not passed a test yet.")))
    if change.is_dpia_pending:
        blockers.append(str(_("Its DPIA is required and the outcome is not recorded yet.")))
    return blockers


@transaction.atomic
def change_release(*, actor, change: Change, released_at: datetime.datetime | None = None) -> Change:
    """Release a tested change (released at now unless given). Refused when it has not passed a test, or
    when its DPIA is required and the data-protection officer has not recorded the outcome."""
    change = _lock(change)
    if not can_manage_change(actor, change):
        deny(_("Only the owner, an incident coordinator or a quality officer releases a change."))
    if change.status not in OPEN_CHANGE_STATUSES:
        _check_step(change, "release")
    if change.status != ChangeStatus.TESTED or change.test_result != TestResult.PASSED:
        raise ValidationError(_("The change cannot be released untested: record a passed test first."))
    if change.is_dpia_pending:
        raise ValidationError(
            _(
                "The change cannot be released: its DPIA is required and the data-protection officer has not "
                "recorded the outcome."
            )
        )
    released_at = released_at or timezone.now()
    if released_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"released_at": _("A release is recorded once it happened: not in the future.")})
    if change.tested_at and released_at < change.tested_at:
        raise ValidationError({"released_at": _("The release cannot be before the test.")})
    change.released_at = released_at
    change.status = ChangeStatus.RELEASED
    save_validated(change, actor=actor, reason=system_note(gettext_lazy("Released")))
    _notify(
        [change.requester, change.owner],
        actor=actor,
        verb="change_released",
        title=gettext_lazy("Change released: #%(id)s %(title)s"),
        change=change,
    )
    return change


@transaction.atomic
def change_close(*, actor, change: Change, note: str = "") -> Change:
    """Close a released (or rejected) change."""
    change = _lock(change)
    if not can_manage_change(actor, change):
        deny(_("Only the owner, an incident coordinator or a quality officer closes a change."))
    _check_step(change, "close")
    change.status = ChangeStatus.CLOSED
    save_validated(change, actor=actor, reason=(note or "").strip() or system_note(gettext_lazy("Closed")))
    return change


@transaction.atomic
def change_withdraw(*, actor, change: Change, reason: str) -> Change:
    """Withdraw an open change, with the reason (the requester, the owner, a coordinator or a quality
    officer)."""
    change = _lock(change)
    if not can_withdraw_change(actor, change):
        deny(_("You cannot withdraw this change."))
    _check_step(change, "withdraw")
    change.withdraw_reason = _required_text(reason, "reason", _("Say why the change is withdrawn."))
    change.status = ChangeStatus.WITHDRAWN
    save_validated(change, actor=actor, reason=change.withdraw_reason)
    notifications_resolve(target=change, verbs=[DECISION_REQUESTED, DPIA_REQUESTED])
    _notify(
        [change.requester, change.owner],
        actor=actor,
        verb="change_withdrawn",
        title=gettext_lazy("Change withdrawn: #%(id)s %(title)s"),
        change=change,
        body=gettext_lazy("Reason: %(reason)s"),
        body_params={"reason": change.withdraw_reason},
    )
    return change
