"""Writes of findings, recommendations and good examples: recording them with a principle of the audit
and a theme (a theme named for the first time is added to the organisation's list), the follow-up
actions (core actions of kind ``audit_follow_up`` whose source is the audit), and "start a
non-conformity" from a finding in one step (``incidents.services.nonconformities.nc_create`` with
``source=NcSource.AUDIT`` and the finding as its source record)."""

from audits.models import Audit, Finding, Theme
from qms.models import Action, OrganisationUnit


def theme_get_or_create(*, actor, organisation: OrganisationUnit, name: str) -> Theme:
    raise NotImplementedError


def finding_create(
    *, actor, audit: Audit, kind: str, principle, theme: str | Theme, title: str, text: str = ""
) -> Finding:
    """An assessor (or the organisation's quality officer) records a finding, from fieldwork until the
    audit is final; the principle must be one of the audit's."""
    raise NotImplementedError


def finding_update(*, actor, finding: Finding, **changes) -> Finding:
    raise NotImplementedError


def finding_delete(*, actor, finding: Finding) -> None:
    raise NotImplementedError


def follow_up_create(
    *, actor, audit: Audit, title: str, owner, due_date, description: str = "", finding: Finding | None = None
) -> Action:
    """A follow-up action of the audit (from draft report on), owned by someone of the audited unit."""
    raise NotImplementedError


def finding_start_nonconformity(*, actor, finding: Finding, severity: str | None = None, title: str = ""):
    """Register a non-conformity for the audited unit from the finding (one step; idempotent: a second
    call returns the existing one)."""
    raise NotImplementedError
