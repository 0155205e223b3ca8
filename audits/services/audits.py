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

from audits.choices import AuditStatus
from audits.models import (
    Audit,
    AuditCalibration,
    AuditEvaluation,
    AuditScore,
    FieldworkItem,
    ManagementResponse,
    Principle,
)
from qms.models import OrganisationUnit, User

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


# --- who may ---------------------------------------------------------------------------------------


def is_assessor(user, audit: Audit) -> bool:
    raise NotImplementedError


def can_plan(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of the organisation plan audits (= can_manage_model)."""
    raise NotImplementedError


def can_run(user, audit: Audit) -> bool:
    """The lead assessor, and the organisation's quality officers and administrators, take the steps."""
    raise NotImplementedError


def can_respond(user, audit: Audit) -> bool:
    """The unit's management: a team lead or board member of the audited unit or a unit above it."""
    raise NotImplementedError


def can_evaluate(user, audit: Audit) -> bool:
    """Auditees: members of the audited unit or a unit below it, not its assessors."""
    raise NotImplementedError


def eligible_assessors(organisation: OrganisationUnit, unit: OrganisationUnit):
    """The users who may assess ``unit`` (auditor role in the organisation, no membership in the unit's
    line); a queryset, for the form's choices."""
    raise NotImplementedError


# --- planning --------------------------------------------------------------------------------------


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
    raise NotImplementedError


def audit_update(*, actor, audit: Audit, **changes) -> Audit:
    """Change scope_note, planned dates, principles, assessors, lead_assessor while planned or in
    fieldwork (the same independence checks); after that only scope_note and planned dates."""
    raise NotImplementedError


def audit_step(*, actor, audit: Audit, step: str) -> Audit:
    """Take a step of ``AUDIT_STEPS``. Gates: ``start-calibration`` needs every assessor's score for
    every principle (error names who is missing what); ``complete-calibration`` a calibrated score for
    every principle; ``finalise`` a management response. The next people are told (assessors when
    calibration starts, the unit's management when the response is requested)."""
    raise NotImplementedError


# --- fieldwork -------------------------------------------------------------------------------------


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
    raise NotImplementedError


def fieldwork_confirm(*, actor, item: FieldworkItem) -> FieldworkItem:
    """The interviewee confirms the record of their interview (only they; once)."""
    raise NotImplementedError


# --- scores and calibration ------------------------------------------------------------------------


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
    raise NotImplementedError


def score_delete(*, actor, score: AuditScore) -> None:
    """An assessor withdraws their own score before calibration."""
    raise NotImplementedError


def assessor_median(audit: Audit, principle: Principle):
    """The median (Decimal, one decimal: an even count averages the middle two) of the assessors'
    scores of ``principle`` in ``audit``."""
    raise NotImplementedError


def calibration_save(*, actor, audit: Audit, principle: Principle, score: int, reason: str = "") -> AuditCalibration:
    """The lead assessor sets (or changes) the calibrated score of a principle while the audit is in
    calibration; a score that differs from the median needs a reason (error on ``reason``). The history
    keeps every change with who, when and why."""
    raise NotImplementedError


# --- response and evaluation -----------------------------------------------------------------------


def management_response_give(*, actor, audit: Audit, recognition: str, comments: str) -> ManagementResponse:
    """The unit's management gives (or changes, until final) its response, in draft report or
    management response. Someone else: ValidationError on ``given_by``? no: PermissionDenied is wrong
    for a 400, so it is a ValidationError on ``recognition`` naming who may respond."""
    raise NotImplementedError


def evaluation_give(*, actor, audit: Audit, mark: int, comment: str = "") -> AuditEvaluation:
    """An auditee rates the audit 1-10 with a comment (once per person; from draft report on)."""
    raise NotImplementedError
