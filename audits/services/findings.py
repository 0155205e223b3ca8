"""Writes of findings, recommendations and good examples: recording them with a principle of the audit
and a theme (a theme named for the first time is added to the organisation's list), the follow-up
actions (core actions of kind ``audit_follow_up`` whose source is the audit), and "start a
non-conformity" from a finding in one step (``incidents.services.nonconformities.nc_create`` with
``source=NcSource.AUDIT`` and the finding as its source record)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.choices import AuditStatus, FindingKind
from audits.models import Audit, AuditAssessor, Finding, Principle, Theme
from audits.services.audits import can_plan, can_respond, can_run, is_assessor, reached
from qms.choices import ActionKind
from qms.models import Action, Membership, OrganisationUnit
from qms.services.actions import action_create
from qms.services.base import apply_changes, deny, save_validated, system_note

# Findings are recorded from the fieldwork until the report is final.
FINDING_STATUSES = (
    AuditStatus.FIELDWORK,
    AuditStatus.SCORING,
    AuditStatus.CALIBRATION,
    AuditStatus.DRAFT_REPORT,
    AuditStatus.MANAGEMENT_RESPONSE,
)
FINDING_FIELDS = {"kind", "principle", "theme", "title", "text"}


def can_record_findings(user, audit: Audit) -> bool:
    """The audit's assessors and the organisation's quality officers and administrators."""
    return is_assessor(user, audit) or can_plan(user, audit.organisation)


def can_follow_up(user, audit: Audit) -> bool:
    """Whoever takes the audit's steps, and the unit's management."""
    return can_run(user, audit) or can_respond(user, audit)


@transaction.atomic
def theme_get_or_create(*, actor, organisation: OrganisationUnit, name: str, check_permission: bool = True) -> Theme:
    """The organisation's theme of this name (case ignored), added to its list when new. Who: the
    organisation's planners and the assessors of its audits (``check_permission=False`` for callers
    that checked already)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"theme": _("Name the theme.")})
    if check_permission and not (
        can_plan(actor, organisation)
        or AuditAssessor.objects.filter(audit__organisation=organisation, user_id=actor.pk).exists()
    ):
        deny(_("You cannot add themes to %(org)s.") % {"org": organisation})
    theme = Theme.objects.filter(organisation=organisation, name__iexact=name).first()
    if theme is None:
        theme = save_validated(Theme(organisation=organisation, name=name), actor=actor)
    return theme


def _lock_audit(audit: Audit) -> Audit:
    return Audit.objects.select_for_update(of=("self",)).select_related("unit", "organisation").get(pk=audit.pk)


def _check_may_record(actor, audit: Audit) -> None:
    if not can_record_findings(actor, audit):
        deny(_("Only the assessors and the quality officers record the findings of this audit."))
    if audit.status not in FINDING_STATUSES:
        raise ValidationError({"status": _("Findings are recorded from the fieldwork until the report is final.")})


def _resolve_theme(actor, audit: Audit, theme) -> Theme:
    if isinstance(theme, Theme):
        if theme.organisation_id != audit.organisation_id:
            raise ValidationError({"theme": _("Choose a theme of %(org)s.") % {"org": audit.organisation}})
        return theme
    return theme_get_or_create(actor=actor, organisation=audit.organisation, name=theme, check_permission=False)


def _check_principle(audit: Audit, principle: Principle | None) -> None:
    if principle is None or not audit.principles.filter(pk=principle.pk).exists():
        raise ValidationError({"principle": _("Choose a principle this audit assesses.")})


@transaction.atomic
def finding_create(
    *, actor, audit: Audit, kind: str, principle, theme: str | Theme, title: str, text: str = ""
) -> Finding:
    """An assessor (or the organisation's quality officer) records a finding, from fieldwork until the
    audit is final; the principle must be one of the audit's."""
    audit = _lock_audit(audit)
    _check_may_record(actor, audit)
    _check_principle(audit, principle)
    finding = Finding(
        audit=audit,
        kind=kind,
        principle=principle,
        theme=_resolve_theme(actor, audit, theme),
        title=(title or "").strip(),
        text=(text or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_validated(finding, actor=actor)


@transaction.atomic
def finding_update(*, actor, finding: Finding, **changes) -> Finding:
    """Change a finding's kind, principle, theme (a Theme or a name), title or text, under the rules
    of ``finding_create``."""
    audit = _lock_audit(finding.audit)
    finding = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    _check_may_record(actor, audit)
    if "principle" in changes:
        _check_principle(audit, changes["principle"])
    if "theme" in changes:
        changes["theme"] = _resolve_theme(actor, audit, changes["theme"])
    for name in ("title", "text"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if not apply_changes(finding, changes, FINDING_FIELDS):
        return finding
    return save_validated(finding, actor=actor)


def _nonconformity_of(finding: Finding):
    from incidents.models import NonConformity

    return NonConformity.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Finding), source_object_id=finding.pk
    ).first()


@transaction.atomic
def finding_delete(*, actor, finding: Finding) -> None:
    """Remove a finding (under the rules of ``finding_create``); not once a non-conformity was started
    from it (that one keeps pointing at it)."""
    audit = _lock_audit(finding.audit)
    finding = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    _check_may_record(actor, audit)
    if _nonconformity_of(finding) is not None:
        raise ValidationError(_("A non-conformity was started from this finding: it stays."))
    finding._history_user = actor
    finding.delete()


@transaction.atomic
def follow_up_create(
    *,
    actor,
    audit: Audit,
    title: str,
    owner,
    due_date,
    description: str = "",
    finding: Finding | None = None,
) -> Action:
    """A follow-up action of the audit (from draft report on), owned by someone of the audited unit.

    Who: the lead assessor, the organisation's planners and the unit's management. The action's source
    is the audit; a finding it answers is named in its description."""
    audit = _lock_audit(audit)
    if not can_follow_up(actor, audit):
        deny(_("You cannot add follow-up actions to this audit."))
    if not reached(audit, AuditStatus.DRAFT_REPORT):
        raise ValidationError({"status": _("Follow-up actions are added once the draft report is there.")})
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Say what is to be done.")
    if owner is None:
        errors["owner"] = _("Every action needs an owner.")
    elif (
        not Membership.objects.filter(user=owner, unit__path__startswith=audit.unit.path).exists()
        and not Membership.objects.filter(user=owner, unit_id__in=audit.unit.ancestor_ids).exists()
    ):
        errors["owner"] = _("%(person)s is not a member of %(unit)s or of a unit above or below it.") % {
            "person": owner,
            "unit": audit.unit,
        }
    if due_date is None:
        errors["due_date"] = _("Every action needs a due date.")
    elif not isinstance(due_date, datetime.date):
        errors["due_date"] = _("Enter a valid date.")
    if finding is not None and finding.audit_id != audit.pk:
        errors["finding"] = _("Choose a finding of this audit.")
    if errors:
        raise ValidationError(errors)
    description = (description or "").strip()
    if finding is not None:
        reference = system_note(gettext_lazy("Finding: %(title)s"), title=finding.title)
        description = f"{reference}\n\n{description}".strip()
    return action_create(
        actor=actor,
        unit=audit.unit,
        owner=owner,
        title=title.strip(),
        due_date=due_date,
        description=description,
        kind=ActionKind.AUDIT_FOLLOW_UP,
        source=audit,
        check_permission=False,
    )


@transaction.atomic
def finding_start_nonconformity(*, actor, finding: Finding, severity: str | None = None, title: str = ""):
    """Register a non-conformity for the audited unit from the finding (one step; idempotent: a second
    call returns the existing one).

    Who: whoever may register a non-conformity in the audited unit (``nc_create``: a role on the unit
    or above it; so the unit's management and the organisation's quality officers, not the assessors
    from other units). Not from a good example. The finding is locked, so two clicks make one."""
    from incidents.choices import NcSource, Severity
    from incidents.services.nonconformities import can_register_nc, nc_create

    finding = (
        Finding.objects.select_for_update(of=("self",)).select_related("audit__unit", "principle").get(pk=finding.pk)
    )
    audit = finding.audit
    if not can_register_nc(actor, audit.unit):
        deny(_("You cannot register non-conformities in %(unit)s.") % {"unit": audit.unit})
    existing = _nonconformity_of(finding)
    if existing is not None:
        return existing
    if finding.kind == FindingKind.GOOD_EXAMPLE:
        raise ValidationError({"kind": _("A good example starts no non-conformity.")})
    # nc_create checks the finding is in the actor's sight (Finding.objects.visible_to, through the
    # audit). Its check that the record is of the unit's organisation reads a ``unit`` or ``organisation``
    # of the record, which a finding has not (it skips the check): here it holds by construction, the
    # unit being the finding's audit's own.
    reference = system_note(
        gettext_lazy("From the audit of %(audit)s, principle %(principle)s."),
        audit=audit,
        principle=finding.principle,
    )
    return nc_create(
        actor=actor,
        unit=audit.unit,
        title=(title or "").strip() or finding.title,
        source=NcSource.AUDIT,
        severity=severity or Severity.MINOR,
        description=f"{finding.text}\n\n{reference}".strip(),
        source_record=finding,
    )
