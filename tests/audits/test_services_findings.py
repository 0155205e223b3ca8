"""Findings, follow-up actions and non-conformities from findings (audits.services.findings)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.choices import AuditStatus, FindingKind
from audits.models import Finding, Theme
from audits.services.findings import (
    finding_create,
    finding_delete,
    finding_start_nonconformity,
    finding_update,
    follow_up_create,
    theme_get_or_create,
)
from incidents.choices import NcSource, Severity
from incidents.models import NonConformity
from qms.choices import ActionKind, Role
from qms.models import Action
from tests.factories.audits import (
    advance,
    audit_with_assessors,
    auditor,
    person,
    principles_of,
    responder,
    sibling_unit,
)


@pytest.fixture
def pair(cast):
    home = sibling_unit(cast.units.org_a, "Business unit A2")
    return [auditor(home), auditor(home)]


def _finding(audit, actor, **kwargs):
    principle = kwargs.pop("principle", None) or audit.principles.order_by("position").first()
    return finding_create(
        actor=actor,
        audit=audit,
        kind=kwargs.pop("kind", FindingKind.FINDING),
        principle=principle,
        theme=kwargs.pop("theme", "Effect measurement"),
        title=kwargs.pop("title", "Effects of actions are not measured"),
        text=kwargs.pop("text", "The PDCA cycle does not close."),
    )


def test_it_records_a_finding_with_a_theme_once_per_name(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.FIELDWORK)
    first = _finding(audit, pair[1])
    second = _finding(audit, cast.qo_a, theme="  effect   MEASUREMENT ", kind=FindingKind.RECOMMENDATION)
    assert first.theme == second.theme
    assert Theme.objects.filter(organisation=cast.units.org_a).count() == 1
    assert first.created_by == pair[1]
    theme = theme_get_or_create(actor=cast.qo_a, organisation=cast.units.org_a, name="Chain cooperation")
    good = _finding(audit, pair[0], theme=theme, kind=FindingKind.GOOD_EXAMPLE, title="Client panel")
    assert good.theme == theme


def test_it_refuses_findings_by_others_out_of_time_or_off_the_audit(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair)
    with pytest.raises(ValidationError) as excinfo:
        _finding(audit, pair[0])
    assert "status" in excinfo.value.message_dict
    audit = audit_with_assessors(
        cast.units.org_a, cast.units.team_a1a, assessors=pair, principles=1, status=AuditStatus.FIELDWORK
    )
    with pytest.raises(PermissionDenied):
        _finding(audit, cast.team_lead_a)
    other_principle = principles_of(cast.units.org_a, 2)[1]
    with pytest.raises(ValidationError) as excinfo:
        _finding(audit, pair[0], principle=other_principle)
    assert "principle" in excinfo.value.message_dict
    other_theme = Theme.objects.create(organisation=cast.units.org_b, name="Elsewhere")
    with pytest.raises(ValidationError) as excinfo:
        _finding(audit, pair[0], theme=other_theme)
    assert "theme" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        _finding(audit, pair[0], theme="  ")
    assert "theme" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        _finding(audit, pair[0], kind="rumour")
    assert "kind" in excinfo.value.message_dict
    assert not Finding.objects.exists()


def test_it_changes_and_removes_a_finding_until_final(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.FIELDWORK)
    finding = _finding(audit, pair[0])
    finding = finding_update(actor=pair[1], finding=finding, title="Effects unmeasured", theme="Steering")
    assert finding.title == "Effects unmeasured" and finding.theme.name == "Steering"
    finding_delete(actor=pair[0], finding=finding)
    assert not Finding.objects.exists()


def test_it_adds_a_follow_up_action_as_a_core_action_of_the_audit(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.FIELDWORK)
    finding = _finding(audit, pair[0])
    due = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as excinfo:
        follow_up_create(actor=pair[0], audit=audit, title="Measure", owner=cast.team_lead_a, due_date=due)
    assert "status" in excinfo.value.message_dict
    audit = advance(audit, AuditStatus.DRAFT_REPORT)
    with pytest.raises(ValidationError) as excinfo:
        follow_up_create(actor=pair[0], audit=audit, title="Measure", owner=pair[1], due_date=due)
    assert "owner" in excinfo.value.message_dict
    with pytest.raises(PermissionDenied):
        follow_up_create(actor=pair[1], audit=audit, title="Measure", owner=cast.team_lead_a, due_date=due)
    action = follow_up_create(
        actor=pair[0], audit=audit, title="Measure effects", owner=cast.team_lead_a, due_date=due, finding=finding
    )
    assert action.kind == ActionKind.AUDIT_FOLLOW_UP
    assert action.source == audit and action.unit == cast.units.bu_a1
    assert finding.title in action.description
    assert list(audit.actions.all()) == [action]
    manager = responder(cast.units.bu_a1)
    by_manager = follow_up_create(actor=manager, audit=audit, title="Plan", owner=manager, due_date=due)
    assert by_manager.kind == ActionKind.AUDIT_FOLLOW_UP
    assert Action.objects.filter(kind=ActionKind.AUDIT_FOLLOW_UP).count() == 2


def test_it_starts_a_nonconformity_from_a_finding_in_one_step_once(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.FIELDWORK)
    finding = _finding(audit, pair[0])
    nc = finding_start_nonconformity(actor=cast.qo_a, finding=finding, severity=Severity.MAJOR)
    assert nc.source == NcSource.AUDIT
    assert (nc.source_content_type.model_class(), nc.source_object_id) == (Finding, finding.pk)
    assert nc.unit == cast.units.bu_a1 and nc.title == finding.title
    assert nc.capa  # a major one is a formal CAPA from the start
    again = finding_start_nonconformity(actor=responder(cast.units.bu_a1), finding=finding)
    assert again.pk == nc.pk
    assert NonConformity.objects.count() == 1
    with pytest.raises(ValidationError):
        finding_delete(actor=pair[0], finding=finding)


def test_it_refuses_a_nonconformity_from_outside_the_unit_or_from_a_good_example(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.FIELDWORK)
    finding = _finding(audit, pair[0])
    # The assessors come from another unit: they register no non-conformity in the audited one.
    for actor in (pair[0], cast.member_b, cast.outsider):
        with pytest.raises(PermissionDenied):
            finding_start_nonconformity(actor=actor, finding=finding)
    good = _finding(audit, pair[0], kind=FindingKind.GOOD_EXAMPLE, title="Client panel")
    with pytest.raises(ValidationError) as excinfo:
        finding_start_nonconformity(actor=cast.qo_a, finding=good)
    assert "kind" in excinfo.value.message_dict
    # A viewer of the unit may register one (any role in the unit), and sees the finding through the audit.
    viewer = person((Role.VIEWER, cast.units.bu_a1))
    assert finding_start_nonconformity(actor=viewer, finding=finding).reporter == viewer
    assert not NonConformity.objects.filter(source_object_id=good.pk).exists()
