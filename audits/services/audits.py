"""Writes of an audit (SPEC 6): planning it with independent assessors, the status flow as one
transition table (``AUDIT_STEPS``, run by ``audit_step``), the fieldwork log, the assessors' independent
scores, calibration, the management response and the auditees' evaluation.

Every write is keyword-only and atomic, locks the audit row (``select_for_update``) and records who,
when and why in the history; notifications are rows written in the same transaction. Every rule that
is not met is a ``ValidationError`` naming the field (the API answers 400 with it), a person without the
right is ``PermissionDenied``.

**Independence.** At least ``MIN_ASSESSORS`` assessors, each holding the auditor role somewhere in the
audited organisation and none a member (any role) of the audited unit, a unit below it or a unit above
it (the organisation and its group included); the lead assessor is one of them.
"""

import statistics
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.choices import (
    AUDIT_FLOW,
    MIN_ASSESSORS,
    SCORING_STATUSES,
    AuditStatus,
    FieldworkKind,
)
from audits.models import (
    Audit,
    AuditAssessor,
    AuditCalibration,
    AuditEvaluation,
    AuditScore,
    FieldworkItem,
    ManagementResponse,
    Principle,
)
from audits.services.model import cycle_for_year
from qms.choices import Role, UnitKind
from qms.models import Membership, OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated, system_note
from qms.services.notifications import notifications_resolve, notify

# step name (the API's ``POST audits/{id}/<step>/``) -> (from, to).
AUDIT_STEPS: dict[str, tuple[str, str]] = {
    "start-fieldwork": (AuditStatus.PLANNED, AuditStatus.FIELDWORK),
    "start-scoring": (AuditStatus.FIELDWORK, AuditStatus.SCORING),
    "start-calibration": (AuditStatus.SCORING, AuditStatus.CALIBRATION),
    "complete-calibration": (AuditStatus.CALIBRATION, AuditStatus.DRAFT_REPORT),
    "request-response": (AuditStatus.DRAFT_REPORT, AuditStatus.MANAGEMENT_RESPONSE),
    "finalise": (AuditStatus.MANAGEMENT_RESPONSE, AuditStatus.FINAL),
    "start-follow-up": (AuditStatus.FINAL, AuditStatus.FOLLOW_UP),
}
# The buttons' labels; the history notes the step in the stored language.
STEP_LABELS = {
    "start-fieldwork": gettext_lazy("Start the fieldwork"),
    "start-scoring": gettext_lazy("Start the scoring"),
    "start-calibration": gettext_lazy("Start the calibration"),
    "complete-calibration": gettext_lazy("Complete the calibration"),
    "request-response": gettext_lazy("Ask for the management response"),
    "finalise": gettext_lazy("Finalise the report"),
    "start-follow-up": gettext_lazy("Start the follow-up"),
}
STEP_NOTES = {
    "start-fieldwork": gettext_lazy("Fieldwork started"),
    "start-scoring": gettext_lazy("Scoring started"),
    "start-calibration": gettext_lazy("Calibration started"),
    "complete-calibration": gettext_lazy("Calibration completed"),
    "request-response": gettext_lazy("Management response requested"),
    "finalise": gettext_lazy("Report finalised"),
    "start-follow-up": gettext_lazy("Follow-up started"),
}
PLANNER_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
MANAGEMENT_ROLES = (Role.TEAM_LEAD, Role.BOARD_MEMBER)
# Assessors, principles and the lead change while the audit is planned or in fieldwork; the scope and
# the dates until it is final.
PLANNING_STATUSES = (AuditStatus.PLANNED, AuditStatus.FIELDWORK)
PLAN_FIELDS = {"principles", "assessors", "lead_assessor"}
AUDIT_FIELDS = {"scope_note", "planned_start", "planned_end"} | PLAN_FIELDS
FIELDWORK_STATUSES = (AuditStatus.PLANNED, AuditStatus.FIELDWORK, AuditStatus.SCORING)
RESPONSE_STATUSES = (AuditStatus.DRAFT_REPORT, AuditStatus.MANAGEMENT_RESPONSE)


def reached(audit: Audit, status: str) -> bool:
    """True once the audit is in ``status`` or further along the flow."""
    return AUDIT_FLOW.index(AuditStatus(audit.status)) >= AUDIT_FLOW.index(AuditStatus(status))


# --- who may ---------------------------------------------------------------------------------------


def is_assessor(user, audit: Audit) -> bool:
    if not getattr(user, "is_authenticated", False) or audit.pk is None:
        return False
    return AuditAssessor.objects.filter(audit_id=audit.pk, user_id=user.pk).exists()


def can_plan(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of the organisation plan audits (= can_manage_model)."""
    return scope_for(user).has_role(organisation, *PLANNER_ROLES)


def can_run(user, audit: Audit) -> bool:
    """The lead assessor, and the organisation's quality officers and administrators, take the steps."""
    if getattr(user, "is_authenticated", False) and audit.lead_assessor_id == user.pk:
        return True
    return can_plan(user, audit.organisation)


def can_respond(user, audit: Audit) -> bool:
    """The unit's management: a team lead or board member of the audited unit or a unit above it."""
    return scope_for(user).has_role(audit.unit, *MANAGEMENT_ROLES)


def can_evaluate(user, audit: Audit) -> bool:
    """Auditees: members of the audited unit or a unit below it, not its assessors."""
    grants = scope_for(user).grants
    if not any(grant.path.startswith(audit.unit.path) for grant in grants):
        return False
    return not is_assessor(user, audit)


def allowed_steps(user, audit: Audit) -> list[str]:
    """The steps the user may take now (for the buttons; ``audit_step`` checks again, with the gates)."""
    if not can_run(user, audit):
        return []
    return [step for step, (source, _target) in AUDIT_STEPS.items() if audit.status == source]


def _line_memberships(unit: OrganisationUnit):
    """Memberships on the unit, a unit below it or a unit above it."""
    return Membership.objects.filter(Q(unit__path__startswith=unit.path) | Q(unit_id__in=unit.ancestor_ids))


def eligible_assessors(organisation: OrganisationUnit, unit: OrganisationUnit):
    """The users who may assess ``unit`` (auditor role in the organisation, no membership in the unit's
    line); a queryset, for the form's choices."""
    auditors = Membership.objects.filter(role=Role.AUDITOR, unit__path__startswith=organisation.path)
    return (
        User.objects.filter(is_active=True, pk__in=auditors.values("user_id"))
        .exclude(pk__in=_line_memberships(unit).values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


def _names(users) -> str:
    return ", ".join(str(user) for user in users)


def _check_independence(*, unit: OrganisationUnit, assessors: list[User], lead_assessor: User | None) -> None:
    """The independence rules (see the module's docstring), as field errors on ``assessors`` and
    ``lead_assessor``; two queries, whatever the number of assessors."""
    organisation = unit.organisation
    errors: dict[str, list] = {}
    unique = list({user.pk: user for user in assessors if user is not None}.values())
    if len(unique) < MIN_ASSESSORS:
        errors.setdefault("assessors", []).append(
            _("An audit needs at least %(count)d independent assessors.") % {"count": MIN_ASSESSORS}
        )
    ids = [user.pk for user in unique]
    auditors = set(
        Membership.objects.filter(
            user_id__in=ids, role=Role.AUDITOR, unit__path__startswith=organisation.path
        ).values_list("user_id", flat=True)
    )
    in_line = set(_line_memberships(unit).filter(user_id__in=ids).values_list("user_id", flat=True))
    problems = errors.setdefault("assessors", [])
    for user in unique:
        if not user.is_active:
            problems.append(_("%(person)s is not active.") % {"person": user})
        if user.pk not in auditors:
            problems.append(
                _("%(person)s holds no auditor role in %(organisation)s.")
                % {"person": user, "organisation": organisation}
            )
        if user.pk in in_line:
            problems.append(
                _(
                    "%(person)s is a member of %(unit)s, of a unit below it or of a unit above it: an assessor "
                    "comes from elsewhere in the organisation."
                )
                % {"person": user, "unit": unit}
            )
    if not problems:
        del errors["assessors"]
    if lead_assessor is None:
        errors["lead_assessor"] = [_("Choose the lead assessor.")]
    elif lead_assessor.pk not in ids:
        errors["lead_assessor"] = [_("The lead assessor must be one of the assessors.")]
    if errors:
        raise ValidationError(errors)


def _check_principles(organisation: OrganisationUnit, principles) -> list[Principle]:
    principles = list({principle.pk: principle for principle in principles}.values())
    if not principles:
        raise ValidationError({"principles": _("Choose the principles the audit assesses.")})
    wrong = [p for p in principles if p.organisation_id != organisation.pk or not p.is_active]
    if wrong:
        raise ValidationError(
            {
                "principles": _("Not an active principle of %(organisation)s: %(principles)s.")
                % {"organisation": organisation, "principles": _names(wrong)}
            }
        )
    return principles


def _lock(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("unit", "organisation", "lead_assessor")
        .get(pk=audit.pk)
    )


def _notify_assessors(audit: Audit, users, actor) -> None:
    notify(
        recipients=users,
        verb="audit_assessor",
        title=gettext_lazy("You assess %(audit)s"),
        params={"audit": audit},
        body=gettext_lazy("You are an assessor of the maturity audit of %(unit)s in %(year)s."),
        body_params={"unit": audit.unit, "year": audit.year},
        target=audit,
        exclude=[actor],
    )


# --- planning --------------------------------------------------------------------------------------


@transaction.atomic
def audit_create(
    *,
    actor,
    unit: OrganisationUnit,
    year: int,
    assessors: list[User],
    lead_assessor: User,
    principles: list[Principle] | None = None,
    scope_note: str = "",
    planned_start=None,
    planned_end=None,
) -> Audit:
    """Plan the audit of a business unit (or team) for a year. ``principles`` default to the year's
    principles of the organisation's cycle (ValidationError on ``principles`` when there is none and
    none are given); every principle must be an active one of the organisation. Assessors as above
    (errors on ``assessors`` / ``lead_assessor``). The assessors are told."""
    organisation = unit.organisation
    if not can_plan(actor, organisation):
        deny(_("Only the quality officers and administrators of %(org)s plan its audits.") % {"org": organisation})
    if unit.kind not in (UnitKind.BUSINESS_UNIT, UnitKind.TEAM):
        raise ValidationError({"unit": _("An audit assesses a business unit or a team, not a whole organisation.")})
    cycle = cycle_for_year(organisation=organisation, year=year) if isinstance(year, int) else None
    if principles is None:
        principles = (
            list(
                Principle.objects.filter(cycle_entries__cycle=cycle, cycle_entries__year=year, is_active=True).order_by(
                    "position", "pk"
                )
            )
            if cycle is not None
            else []
        )
        if not principles:
            raise ValidationError(
                {"principles": _("The cycle plans no principles for %(year)s: choose them.") % {"year": year}}
            )
    principles = _check_principles(organisation, principles)
    _check_independence(unit=unit, assessors=assessors, lead_assessor=lead_assessor)
    if Audit.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": _("%(unit)s already has an audit in %(year)s.") % {"unit": unit, "year": year}})
    audit = Audit(
        organisation=organisation,
        unit=unit,
        year=year,
        cycle=cycle,
        lead_assessor=lead_assessor,
        scope_note=scope_note or "",
        planned_start=planned_start,
        planned_end=planned_end,
        status=AuditStatus.PLANNED,
        status_changed_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    save_validated(audit, actor=actor, reason=system_note(gettext_lazy("Audit planned")))
    audit.principles.set(principles)
    unique = list({user.pk: user for user in assessors}.values())
    for user in unique:
        save_validated(AuditAssessor(audit=audit, user=user), actor=actor)
    _notify_assessors(audit, unique, actor)
    return audit


@transaction.atomic
def audit_update(*, actor, audit: Audit, **changes) -> Audit:
    """Change scope_note, planned dates, principles, assessors, lead_assessor while planned or in
    fieldwork (the same independence checks); after that only scope_note and planned dates.

    Who: whoever takes the steps (``can_run``) changes the scope and dates; the planners
    (``can_plan``) change the principles and the team. Scores of an assessor or a principle that leaves
    the audit are withdrawn (their history keeps them)."""
    audit = _lock(audit)
    unknown = set(changes) - AUDIT_FIELDS
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)} on an audit")
    if not can_run(actor, audit):
        deny(_("You cannot change this audit."))
    plan_changes = {name: changes.pop(name) for name in PLAN_FIELDS if name in changes}
    if audit.status in (AuditStatus.FINAL, AuditStatus.FOLLOW_UP):
        raise ValidationError({"status": _("A final audit does not change any more.")})
    if plan_changes:
        if not can_plan(actor, audit.organisation):
            deny(
                _("Only the quality officers and administrators of %(org)s change the team and the principles.")
                % {"org": audit.organisation}
            )
        if audit.status not in PLANNING_STATUSES:
            field = next(iter(plan_changes))
            raise ValidationError(
                {field: _("The team and the principles change only while the audit is planned or in fieldwork.")}
            )
    old_assessors = list(audit.assessors.all())
    new_assessors = plan_changes.get("assessors", old_assessors)
    new_lead = plan_changes.get("lead_assessor", audit.lead_assessor)
    if "assessors" in plan_changes or "lead_assessor" in plan_changes:
        _check_independence(unit=audit.unit, assessors=list(new_assessors), lead_assessor=new_lead)
    old_principles = set(audit.principles.values_list("pk", flat=True))
    new_principles = None
    if "principles" in plan_changes:
        new_principles = _check_principles(audit.organisation, plan_changes["principles"])
    if new_lead is not None and new_lead.pk != audit.lead_assessor_id:
        changes["lead_assessor"] = new_lead
    changed = apply_changes(audit, changes, AUDIT_FIELDS - {"principles", "assessors"})
    changed_team = False
    if new_principles is not None and {p.pk for p in new_principles} != old_principles:
        audit.principles.set(new_principles)
        gone = old_principles - {p.pk for p in new_principles}
        for score in AuditScore.objects.filter(audit=audit, principle_id__in=gone):
            score._history_user = actor
            score.delete()
        changed.append("principles")
    if "assessors" in plan_changes:
        new_ids = {user.pk for user in new_assessors}
        old_ids = {user.pk for user in old_assessors}
        if new_ids != old_ids:
            for link in AuditAssessor.objects.filter(audit=audit).exclude(user_id__in=new_ids):
                link._history_user = actor
                link.delete()
            for score in AuditScore.objects.filter(audit=audit).exclude(assessor_id__in=new_ids):
                score._history_user = actor
                score.delete()
            added = [user for user in {u.pk: u for u in new_assessors}.values() if user.pk not in old_ids]
            for user in added:
                save_validated(AuditAssessor(audit=audit, user=user), actor=actor)
            _notify_assessors(audit, added, actor)
            changed_team = True
    if changed or changed_team:
        save_validated(audit, actor=actor, reason=system_note(gettext_lazy("Audit changed")))
    return audit


# --- the flow --------------------------------------------------------------------------------------


def missing_scores(audit: Audit) -> dict[User, list[Principle]]:
    """Per assessor, the principles of the audit they have not scored yet (three queries)."""
    principles = list(audit.principles.order_by("position", "pk"))
    done = set(AuditScore.objects.filter(audit=audit).values_list("assessor_id", "principle_id"))
    missing = {}
    for user in audit.assessors.order_by("last_name", "first_name", "username"):
        absent = [principle for principle in principles if (user.pk, principle.pk) not in done]
        if absent:
            missing[user] = absent
    return missing


def missing_calibrations(audit: Audit) -> list[Principle]:
    done = set(AuditCalibration.objects.filter(audit=audit).values_list("principle_id", flat=True))
    return [p for p in audit.principles.order_by("position", "pk") if p.pk not in done]


def _management(audit: Audit) -> list[User]:
    """The nearest team leads of the unit and the board of its organisation."""
    holders = RoleHolders([audit.unit], list(MANAGEMENT_ROLES))
    return holders.nearest(audit.unit, Role.TEAM_LEAD) + holders.nearest(audit.unit, Role.BOARD_MEMBER)


@transaction.atomic
def audit_step(*, actor, audit: Audit, step: str) -> Audit:
    """Take a step of ``AUDIT_STEPS``. Gates: ``start-calibration`` needs every assessor's score for
    every principle (error names who is missing what); ``complete-calibration`` a calibrated score for
    every principle; ``finalise`` a management response. The next people are told (assessors when
    calibration starts, the unit's management when the response is requested)."""
    if step not in AUDIT_STEPS:
        raise ValidationError({"step": _("Unknown step %(step)s.") % {"step": step}})
    audit = _lock(audit)
    if not can_run(actor, audit):
        deny(_("Only the lead assessor, a quality officer or an administrator takes the steps of this audit."))
    source, target = AUDIT_STEPS[step]
    if audit.status != source:
        raise ValidationError(
            {
                "status": _("An audit in %(current)s cannot take this step (%(step)s).")
                % {"current": audit.get_status_display().lower(), "step": STEP_LABELS[step]}
            }
        )
    if step == "start-calibration":
        missing = missing_scores(audit)
        if missing:
            raise ValidationError(
                {
                    "scores": [
                        _("%(assessor)s has not scored %(principles)s yet.")
                        % {"assessor": user, "principles": _names(principles)}
                        for user, principles in missing.items()
                    ]
                }
            )
    elif step == "complete-calibration":
        missing = missing_calibrations(audit)
        if missing:
            raise ValidationError(
                {"calibrations": _("No calibrated score yet for %(principles)s.") % {"principles": _names(missing)}}
            )
    elif step == "finalise" and not ManagementResponse.objects.filter(audit=audit).exists():
        raise ValidationError(
            {"management_response": _("The report is final once the unit's management has responded.")}
        )
    audit.status = target
    audit.status_changed_at = timezone.now()
    save_validated(audit, actor=actor, reason=system_note(STEP_NOTES[step]))
    if step == "start-calibration":
        notify(
            recipients=audit.assessors.all(),
            verb="audit_calibration",
            title=gettext_lazy("Calibration of %(audit)s has started"),
            params={"audit": audit},
            body=gettext_lazy("All scores are in: the team's scores are now visible side by side."),
            target=audit,
            exclude=[actor],
        )
    elif step == "request-response":
        notify(
            recipients=_management(audit),
            verb="audit_response_requested",
            title=gettext_lazy("Your response to the audit of %(audit)s is asked"),
            params={"audit": audit},
            body=gettext_lazy("Read the draft report and give the management response."),
            target=audit,
            exclude=[actor],
        )
    elif step == "finalise":
        notifications_resolve(target=audit, verbs=["audit_response_requested"])
    return audit


# --- fieldwork -------------------------------------------------------------------------------------


@transaction.atomic
def fieldwork_add(
    *,
    actor,
    audit: Audit,
    kind: str,
    date,
    subject: str,
    interviewee: User | None = None,
    interviewee_name: str = "",
    notes: str = "",
) -> FieldworkItem:
    """An assessor records a document studied or an interview (planned .. scoring). An interviewee who
    is a user is asked to confirm the record."""
    audit = _lock(audit)
    if not is_assessor(actor, audit):
        deny(_("Only the assessors of this audit keep its fieldwork log."))
    if audit.status not in FIELDWORK_STATUSES:
        raise ValidationError({"status": _("The fieldwork log is closed once the calibration has started.")})
    if kind != FieldworkKind.INTERVIEW:
        interviewee, interviewee_name = None, ""
    if interviewee is not None:
        validate_owner_for_unit(interviewee, audit.unit, field="interviewee")
    item = FieldworkItem(
        audit=audit,
        kind=kind,
        date=date,
        subject=(subject or "").strip(),
        interviewee=interviewee,
        interviewee_name=(interviewee_name or "").strip(),
        notes=notes or "",
        recorded_by=actor,
    )
    save_validated(item, actor=actor)
    if interviewee is not None:
        notify(
            recipients=[interviewee],
            verb="audit_interview_confirm",
            title=gettext_lazy("Confirm the record of your interview for %(audit)s"),
            params={"audit": audit},
            body=gettext_lazy("Interview of %(date)s: %(subject)s."),
            body_params={"date": item.date, "subject": item.subject},
            target=audit,
            exclude=[actor],
        )
    return item


@transaction.atomic
def fieldwork_confirm(*, actor, item: FieldworkItem) -> FieldworkItem:
    """The interviewee confirms the record of their interview (only they; once)."""
    item = FieldworkItem.objects.select_for_update(of=("self",)).select_related("audit").get(pk=item.pk)
    if item.interviewee_id is None or item.interviewee_id != actor.pk:
        deny(_("Only the person interviewed confirms the record of the interview."))
    if item.confirmed_at is not None:
        raise ValidationError(_("You confirmed this record already."))
    item.confirmed_at = timezone.now()
    item.confirmed_by = actor
    save_validated(item, actor=actor, reason=system_note(gettext_lazy("Confirmed by the interviewee")))
    if not FieldworkItem.objects.filter(audit_id=item.audit_id, interviewee=actor, confirmed_at__isnull=True).exists():
        notifications_resolve(target=item.audit, verbs=["audit_interview_confirm"])
    return item


# --- scores and calibration ------------------------------------------------------------------------


def _check_principle_of(audit: Audit, principle: Principle) -> None:
    if principle is None or not audit.principles.filter(pk=principle.pk).exists():
        raise ValidationError({"principle": _("This principle is not assessed in this audit.")})


@transaction.atomic
def score_save(
    *,
    actor,
    audit: Audit,
    principle: Principle,
    score: int,
    rationale: str,
    design_note: str = "",
    existence_note: str = "",
    operation_note: str = "",
) -> AuditScore:
    """An assessor gives (or changes) their score of a principle of the audit, while it is in fieldwork
    or scoring; the assessor is always the actor. Score 1-5 and a rationale required."""
    audit = _lock(audit)
    if not is_assessor(actor, audit):
        deny(_("Only the assessors of this audit score it."))
    if audit.status not in SCORING_STATUSES:
        raise ValidationError({"status": _("Scores are given in fieldwork and scoring, before the calibration.")})
    _check_principle_of(audit, principle)
    errors = {}
    if not (rationale or "").strip():
        errors["rationale"] = _("Explain your score: a rationale is required.")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        errors["score"] = _("A score is a whole level from 1 to 5.")
    if errors:
        raise ValidationError(errors)
    existing = AuditScore.objects.filter(audit=audit, principle=principle, assessor=actor).first()
    record = existing or AuditScore(audit=audit, principle=principle, assessor=actor)
    record.score = score
    record.rationale = rationale.strip()
    record.design_note = design_note or ""
    record.existence_note = existence_note or ""
    record.operation_note = operation_note or ""
    save_validated(record, actor=actor)
    return record


@transaction.atomic
def score_delete(*, actor, score: AuditScore) -> None:
    """An assessor withdraws their own score before calibration."""
    audit = _lock(score.audit)
    if score.assessor_id != actor.pk:
        deny(_("Only the assessor withdraws their own score."))
    if audit.status not in SCORING_STATUSES:
        raise ValidationError({"status": _("A score is withdrawn only before the calibration.")})
    score._history_user = actor
    score.delete()


def median_of(values: list[int]) -> Decimal | None:
    """The median of scores (Decimal, one decimal: an even count averages the middle two), None of none."""
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"))


def assessor_median(audit: Audit, principle: Principle):
    """The median (Decimal, one decimal: an even count averages the middle two) of the assessors'
    scores of ``principle`` in ``audit``."""
    values = list(AuditScore.objects.filter(audit=audit, principle=principle).values_list("score", flat=True))
    return median_of(values)


@transaction.atomic
def calibration_save(*, actor, audit: Audit, principle: Principle, score: int, reason: str = "") -> AuditCalibration:
    """The lead assessor sets (or changes) the calibrated score of a principle while the audit is in
    calibration; a score that differs from the median needs a reason (error on ``reason``). The history
    keeps every change with who, when and why."""
    audit = _lock(audit)
    if audit.lead_assessor_id != actor.pk:
        deny(_("Only the lead assessor sets the calibrated scores."))
    if audit.status != AuditStatus.CALIBRATION:
        raise ValidationError({"status": _("Calibrated scores are set while the audit is in calibration.")})
    _check_principle_of(audit, principle)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("A score is a whole level from 1 to 5.")})
    median = assessor_median(audit, principle)
    if median is None:
        raise ValidationError({"principle": _("No assessor has scored this principle.")})
    reason = (reason or "").strip()
    record = AuditCalibration.objects.filter(audit=audit, principle=principle).first() or AuditCalibration(
        audit=audit, principle=principle
    )
    record.score = score
    record.median = median
    record.reason = reason
    record.calibrated_by = actor
    record.calibrated_at = timezone.now()
    save_validated(record, actor=actor, reason=reason or system_note(gettext_lazy("Calibrated at the median")))
    return record


# --- response and evaluation -----------------------------------------------------------------------


@transaction.atomic
def management_response_give(*, actor, audit: Audit, recognition: str, comments: str) -> ManagementResponse:
    """The unit's management gives (or changes, until final) its response, in draft report or
    management response. Someone else: a ValidationError on ``recognition`` naming who may respond (a
    field error, as the API answers 400 for it), not PermissionDenied."""
    audit = _lock(audit)
    if not can_respond(actor, audit):
        raise ValidationError(
            {
                "recognition": _(
                    "Only the management of %(unit)s (a team lead of it or above it, or a board member) responds."
                )
                % {"unit": audit.unit}
            }
        )
    if audit.status not in RESPONSE_STATUSES:
        raise ValidationError({"status": _("The management responds to the draft report, until the report is final.")})
    if not (comments or "").strip():
        raise ValidationError({"comments": _("Write the management's comments.")})
    response = ManagementResponse.objects.filter(audit=audit).first() or ManagementResponse(audit=audit)
    response.recognition = recognition
    response.comments = comments.strip()
    response.given_by = actor
    response.given_at = timezone.now()
    save_validated(response, actor=actor)
    notify(
        recipients=[audit.lead_assessor],
        verb="audit_response_given",
        title=gettext_lazy("The management responded to %(audit)s"),
        params={"audit": audit},
        target=audit,
        exclude=[actor],
    )
    return response


@transaction.atomic
def evaluation_give(*, actor, audit: Audit, mark: int, comment: str = "") -> AuditEvaluation:
    """An auditee rates the audit 1-10 with a comment (once per person; from draft report on)."""
    audit = _lock(audit)
    if not can_evaluate(actor, audit):
        deny(_("Only the people of %(unit)s (not its assessors) evaluate this audit.") % {"unit": audit.unit})
    if not reached(audit, AuditStatus.DRAFT_REPORT):
        raise ValidationError({"status": _("The audit is evaluated once the draft report is there.")})
    if isinstance(mark, bool) or not isinstance(mark, int) or not 1 <= mark <= 10:
        raise ValidationError({"mark": _("A mark is 1 to 10.")})
    if AuditEvaluation.objects.filter(audit=audit, evaluator=actor).exists():
        raise ValidationError(_("You already evaluated this audit."))
    evaluation = AuditEvaluation(audit=audit, evaluator=actor, mark=mark, comment=(comment or "").strip())
    save_validated(evaluation, actor=actor)
    return evaluation
