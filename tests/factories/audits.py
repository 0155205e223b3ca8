"""Helpers for tests of the audits app. Principles are written directly (a test organisation made by
``UnitFactory`` gets no defaults); everything about an audit itself goes through the services, so the
helpers keep to the rules the tests check.

- ``principles_of(org, count)``: the organisation's first ``count`` principles, created when missing.
- ``auditor(unit)``: a new person with the auditor role on ``unit``.
- ``audit_with_assessors(org, unit, ...)``: an audit planned by a new quality officer of ``org`` with
  (by default two) new eligible assessors from a new sibling business unit; the first is the lead.
- ``scored(audit, {assessor: {principle: score}})``: the assessors' scores, via ``score_save`` (a planned
  audit is moved to fieldwork first).
- ``advance(audit, status, ...)``: take the steps up to ``status``, filling in what each gate needs
  (missing scores as 3, calibrations at the median, a management response).
"""

import itertools
from decimal import ROUND_HALF_UP, Decimal

from audits.choices import AUDIT_FLOW, AuditStatus, Recognition
from audits.models import Audit, AuditCalibration, AuditScore, Principle
from qms.choices import Role, UnitKind
from tests.factories import MembershipFactory, UnitFactory, UserFactory

_numbers = itertools.count(1)

DEFAULT_PRINCIPLE_CODES = [
    ("klantgerichtheid", "Klantgerichtheid", "Customer focus"),
    ("sturing-verantwoording", "Sturing en verantwoording", "Steering and accountability"),
    ("operationele-kwaliteit", "Operationele kwaliteit", "Operational quality"),
    ("leiderschap", "Leiderschap", "Leadership"),
    ("vakmanschap", "Vakmanschap", "Craftsmanship"),
]


def principles_of(org, count: int = 3) -> list[Principle]:
    """The organisation's first ``count`` active principles (created when it has fewer)."""
    existing = list(Principle.objects.filter(organisation=org, is_active=True).order_by("position", "id"))
    for position in range(len(existing), count):
        code, name, name_en = (
            DEFAULT_PRINCIPLE_CODES[position]
            if position < len(DEFAULT_PRINCIPLE_CODES)
            else (f"principe-{position}", f"Principe {position}", f"Principle {position}")
        )
        if Principle.objects.filter(organisation=org, code=code).exists():
            code = f"{code}-{next(_numbers)}"
        existing.append(
            Principle.objects.create(organisation=org, code=code, name=name, name_en=name_en, position=position + 1)
        )
    return existing[:count]


def person(*grants, username: str | None = None):
    """A new person holding ``(role, unit)`` grants."""
    user = UserFactory(username=username or f"person{next(_numbers)}")
    for role, unit in grants:
        MembershipFactory(user=user, unit=unit, role=role)
    return user


def auditor(unit, username: str | None = None):
    """A new person with the auditor role on ``unit``."""
    return person((Role.AUDITOR, unit), username=username or f"auditor{next(_numbers)}")


def sibling_unit(org, name: str | None = None):
    """A new business unit directly below ``org`` (outside the line of any other business unit)."""
    return UnitFactory(name=name or f"Assessing unit {next(_numbers)}", kind=UnitKind.BUSINESS_UNIT, parent=org)


def planner(org):
    """A new quality officer of ``org`` (who may plan its audits)."""
    return person((Role.QUALITY_OFFICER, org), username=f"planner{next(_numbers)}")


def audit_with_assessors(
    org,
    unit,
    *,
    year: int = 2026,
    assessors: int | list = 2,
    principles: int | list = 3,
    actor=None,
    status: str | None = None,
    **fields,
) -> Audit:
    """An audit of ``unit`` (in ``org``) in ``year``, planned by ``actor`` (default: a new quality
    officer of ``org``; it is the audit's ``created_by``), with ``assessors`` (a number of new auditors
    of a new sibling business unit, or a list of users; the first is the lead) on ``principles`` (a
    number of the organisation's principles, or a list). ``status`` advances it (see ``advance``)."""
    from audits.services.audits import audit_create

    if isinstance(assessors, int):
        home = sibling_unit(org)
        assessors = [auditor(home) for _ in range(assessors)]
    if isinstance(principles, int):
        principles = principles_of(org, principles)
    actor = actor or planner(org)
    audit = audit_create(
        actor=actor,
        unit=unit,
        year=year,
        assessors=assessors,
        lead_assessor=assessors[0],
        principles=principles,
        **fields,
    )
    if status is not None:
        audit = advance(audit, status)
    return audit


def _fresh(audit: Audit) -> Audit:
    return Audit.objects.select_related("unit", "lead_assessor", "organisation").get(pk=audit.pk)


def scored(audit: Audit, scores: dict) -> Audit:
    """Write ``{assessor: {principle: score}}`` (a score may be ``(score, rationale)``) through
    ``score_save``; a planned audit goes to fieldwork first (by its lead)."""
    from audits.services.audits import audit_step, score_save

    audit = _fresh(audit)
    if audit.status == AuditStatus.PLANNED:
        audit = audit_step(actor=audit.lead_assessor, audit=audit, step="start-fieldwork")
    for assessor, by_principle in scores.items():
        for principle, value in by_principle.items():
            score, rationale = value if isinstance(value, tuple) else (value, f"Rationale for {value}")
            score_save(actor=assessor, audit=audit, principle=principle, score=score, rationale=rationale)
    return _fresh(audit)


def calibrated(audit: Audit, scores: dict, reason: str = "Calibrated in the team") -> Audit:
    """Set ``{principle: score}`` as calibrated scores (by the lead; a reason always given). The audit
    must be in calibration."""
    from audits.services.audits import calibration_save

    audit = _fresh(audit)
    for principle, score in scores.items():
        calibration_save(actor=audit.lead_assessor, audit=audit, principle=principle, score=score, reason=reason)
    return _fresh(audit)


def _median(values: list[int]) -> int:
    values = sorted(values)
    middle = len(values) // 2
    exact = Decimal(values[middle]) if len(values) % 2 else Decimal(values[middle - 1] + values[middle]) / 2
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def responder(unit):
    """A new team lead of ``unit`` (who may give the management response)."""
    return person((Role.TEAM_LEAD, unit), username=f"manager{next(_numbers)}")


def advance(audit: Audit, status: str, *, default_score: int = 3) -> Audit:
    """Take the steps until the audit is in ``status``, as the lead assessor: missing scores are given
    as ``default_score``, missing calibrations at the (rounded) median with a reason, a missing
    management response by a new team lead of the unit."""
    from audits.services.audits import (
        AUDIT_STEPS,
        audit_step,
        calibration_save,
        management_response_give,
        score_save,
    )

    target = AUDIT_FLOW.index(AuditStatus(status))
    steps = {start: step for step, (start, _end) in AUDIT_STEPS.items()}
    audit = _fresh(audit)
    while AUDIT_FLOW.index(AuditStatus(audit.status)) < target:
        if audit.status == AuditStatus.SCORING:
            principles = list(audit.principles.all())
            done = set(AuditScore.objects.filter(audit=audit).values_list("assessor_id", "principle_id"))
            for assessor in audit.assessors.all():
                for principle in principles:
                    if (assessor.pk, principle.pk) not in done:
                        score_save(
                            actor=assessor,
                            audit=audit,
                            principle=principle,
                            score=default_score,
                            rationale="Scored by the test helper",
                        )
        if audit.status == AuditStatus.CALIBRATION:
            done = set(AuditCalibration.objects.filter(audit=audit).values_list("principle_id", flat=True))
            for principle in audit.principles.exclude(pk__in=done):
                values = list(
                    AuditScore.objects.filter(audit=audit, principle=principle).values_list("score", flat=True)
                )
                calibration_save(
                    actor=audit.lead_assessor,
                    audit=audit,
                    principle=principle,
                    score=_median(values),
                    reason="Set by the test helper at the median",
                )
        if audit.status == AuditStatus.MANAGEMENT_RESPONSE and not hasattr(audit, "management_response"):
            management_response_give(
                actor=responder(audit.unit),
                audit=audit,
                recognition=Recognition.RECOGNISED,
                comments="We recognise the findings.",
            )
        audit = audit_step(actor=audit.lead_assessor, audit=audit, step=steps[audit.status])
        audit = _fresh(audit)
    return audit
