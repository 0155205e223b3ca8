"""The rules of an audit (audits.services.audits): independence of the assessors, blind scoring,
calibration against the median, the management response and the auditees' evaluation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.choices import AuditStatus, FieldworkKind, Recognition
from audits.models import Audit, AuditAssessor, AuditCalibration, AuditCycle, AuditScore, CyclePrinciple
from audits.services.audits import (
    assessor_median,
    audit_create,
    audit_step,
    audit_update,
    calibration_save,
    can_plan,
    eligible_assessors,
    evaluation_give,
    fieldwork_add,
    fieldwork_confirm,
    management_response_give,
    score_delete,
    score_save,
)
from qms.choices import Role
from qms.models import Notification
from tests.factories.audits import (
    advance,
    audit_with_assessors,
    auditor,
    person,
    principles_of,
    responder,
    scored,
    sibling_unit,
)


@pytest.fixture
def home(cast):
    """A second business unit of organisation A, where the assessors of bu_a1 come from."""
    return sibling_unit(cast.units.org_a, "Business unit A2")


@pytest.fixture
def pair(home):
    return [auditor(home, "assessor_one"), auditor(home, "assessor_two")]


def _plan(cast, assessors, **kwargs):
    kwargs.setdefault("principles", principles_of(cast.units.org_a, 3))
    return audit_create(
        actor=cast.qo_a,
        unit=kwargs.pop("unit", cast.units.bu_a1),
        year=kwargs.pop("year", 2026),
        assessors=assessors,
        lead_assessor=kwargs.pop("lead_assessor", assessors[0] if assessors else None),
        **kwargs,
    )


def _field_errors(excinfo, field):
    return " ".join(excinfo.value.message_dict.get(field, []))


# --- who plans -------------------------------------------------------------------------------------


def test_it_lets_quality_officers_and_administrators_of_the_organisation_plan(cast):
    org = cast.units.org_a
    assert can_plan(cast.qo_a, org)
    assert can_plan(cast.admin_a, org)
    assert can_plan(cast.superuser, org)
    assert not can_plan(cast.board_a, org)
    assert not can_plan(cast.auditor_a, org)
    assert not can_plan(cast.member_b, org)
    quality_officer_of_bu = person((Role.QUALITY_OFFICER, cast.units.bu_a1))
    assert not can_plan(quality_officer_of_bu, org)


def test_it_plans_an_audit_and_tells_the_assessors(cast, pair):
    audit = _plan(cast, pair, scope_note="Two districts")
    assert audit.status == AuditStatus.PLANNED
    assert audit.organisation == cast.units.org_a
    assert set(audit.assessors.all()) == set(pair)
    assert audit.lead_assessor == pair[0]
    assert audit.created_by == cast.qo_a
    assert audit.principles.count() == 3
    assert set(Notification.objects.filter(verb="audit_assessor").values_list("recipient", flat=True)) == {
        user.pk for user in pair
    }


def test_it_refuses_planning_by_someone_else(cast, pair):
    with pytest.raises(PermissionDenied):
        audit_create(
            actor=cast.board_a,
            unit=cast.units.bu_a1,
            year=2026,
            assessors=pair,
            lead_assessor=pair[0],
            principles=principles_of(cast.units.org_a, 3),
        )
    assert not Audit.objects.exists()


# --- independence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["unit", "below", "organisation", "group"])
def test_it_refuses_an_assessor_from_the_audited_units_line(cast, pair, where):
    units = cast.units
    dependent = auditor(
        {"unit": units.bu_a1, "below": units.team_a1a, "organisation": units.org_a, "group": units.group}[where],
        f"dependent_{where}",
    )
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, [pair[0], dependent])
    assert str(dependent) in _field_errors(excinfo, "assessors")
    assert "a unit above it" in _field_errors(excinfo, "assessors")
    assert not Audit.objects.exists()
    assert not AuditAssessor.objects.exists()


def test_it_refuses_an_auditor_who_holds_any_other_role_in_the_line(cast, pair):
    # An auditor elsewhere who is also, say, a viewer on the audited unit is not independent.
    other_home = sibling_unit(cast.units.org_a)
    dependent = person((Role.AUDITOR, other_home), (Role.VIEWER, cast.units.bu_a1), username="twice_a")
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, [pair[0], dependent])
    assert str(dependent) in _field_errors(excinfo, "assessors")


def test_it_refuses_fewer_than_two_assessors(cast, pair):
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, [pair[0]])
    assert "at least 2" in _field_errors(excinfo, "assessors")
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, [pair[0], pair[0]])
    assert "at least 2" in _field_errors(excinfo, "assessors")
    assert not Audit.objects.exists()


def test_it_refuses_a_lead_who_is_not_an_assessor(cast, pair, home):
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, pair, lead_assessor=auditor(home))
    assert "one of the assessors" in _field_errors(excinfo, "lead_assessor")
    assert not Audit.objects.exists()


def test_it_refuses_an_assessor_without_the_auditor_role(cast, pair, home):
    not_an_auditor = person((Role.RISK_OWNER, home), username="no_auditor")
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, [pair[0], not_an_auditor])
    assert f"{not_an_auditor} holds no auditor role" in _field_errors(excinfo, "assessors")
    # An auditor of another organisation does not assess this one either.
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, [pair[0], auditor_of_b := auditor(cast.units.bu_b1)])
    assert f"{auditor_of_b} holds no auditor role" in _field_errors(excinfo, "assessors")
    assert not Audit.objects.exists()


def test_it_lists_only_eligible_assessors(cast, pair):
    in_line = auditor(cast.units.team_a1a)
    eligible = set(eligible_assessors(cast.units.org_a, cast.units.bu_a1))
    assert set(pair) <= eligible
    assert in_line not in eligible
    assert cast.auditor_a not in eligible  # the cast's auditor sits on bu_a1 itself
    assert cast.qo_a not in eligible


def test_it_refuses_a_second_audit_of_a_unit_in_a_year(cast, pair):
    _plan(cast, pair)
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, pair)
    assert "already has an audit" in _field_errors(excinfo, "year")


def test_it_takes_the_principles_of_the_cycles_year(cast, pair):
    org = cast.units.org_a
    principles = principles_of(org, 3)
    cycle = AuditCycle.objects.create(organisation=org, first_year=2025)
    for year, principle in zip([2025, 2026, 2026], principles, strict=True):
        CyclePrinciple.objects.create(cycle=cycle, principle=principle, year=year)
    audit = _plan(cast, pair, principles=None)
    assert list(audit.principles.order_by("position")) == principles[1:]
    assert audit.cycle == cycle
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, pair, principles=None, year=2030)
    assert "choose them" in _field_errors(excinfo, "principles")


def test_it_refuses_a_principle_of_another_organisation(cast, pair):
    with pytest.raises(ValidationError) as excinfo:
        _plan(cast, pair, principles=principles_of(cast.units.org_b, 1))
    assert "Not an active principle" in _field_errors(excinfo, "principles")


def test_it_checks_independence_when_the_team_changes(cast, pair):
    audit = _plan(cast, pair)
    with pytest.raises(ValidationError) as excinfo:
        audit_update(actor=cast.qo_a, audit=audit, assessors=[pair[0], auditor(cast.units.bu_a1)])
    assert "assessors" in excinfo.value.message_dict
    third = auditor(sibling_unit(cast.units.org_a))
    audit = audit_update(actor=cast.qo_a, audit=audit, assessors=[*pair, third], lead_assessor=third)
    assert audit.lead_assessor == third
    assert audit.assessors.count() == 3
    with pytest.raises(PermissionDenied):
        audit_update(actor=pair[1], audit=audit, assessors=pair)  # only the lead, and not the team


# --- blind scoring ---------------------------------------------------------------------------------


def test_it_keeps_scores_blind_until_calibration(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, principles=2)
    first, second = principles_of(cast.units.org_a, 2)
    audit = scored(audit, {pair[0]: {first: 2, second: 3}, pair[1]: {first: 4, second: 3}})
    quality_officer_of_unit = person((Role.QUALITY_OFFICER, cast.units.bu_a1))
    mine = AuditScore.objects.visible_to(pair[0])
    assert {score.assessor_id for score in mine} == {pair[0].pk}
    assert mine.count() == 2
    assert not AuditScore.objects.visible_to(quality_officer_of_unit).exists()
    assert not AuditScore.objects.visible_to(cast.qo_a).exists()
    assert not AuditScore.objects.visible_to(cast.superuser).exists()
    advance(audit, AuditStatus.CALIBRATION)
    assert AuditScore.objects.visible_to(pair[0]).count() == 4
    assert AuditScore.objects.visible_to(quality_officer_of_unit).count() == 4
    assert not AuditScore.objects.visible_to(cast.member_b).exists()


def test_it_refuses_a_score_outside_one_to_five_or_without_a_rationale(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, principles=1)
    audit_step(actor=pair[0], audit=audit, step="start-fieldwork")
    principle = principles_of(cast.units.org_a, 1)[0]
    for bad in (0, 6, -1):
        with pytest.raises(ValidationError) as excinfo:
            score_save(actor=pair[0], audit=audit, principle=principle, score=bad, rationale="Why")
        assert "1 to 5" in _field_errors(excinfo, "score")
    with pytest.raises(ValidationError) as excinfo:
        score_save(actor=pair[0], audit=audit, principle=principle, score=3, rationale="   ")
    assert "rationale" in excinfo.value.message_dict
    assert not AuditScore.objects.exists()


def test_it_lets_only_the_assessors_score_as_themselves(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, principles=1)
    principle = principles_of(cast.units.org_a, 1)[0]
    with pytest.raises(ValidationError) as excinfo:
        score_save(actor=pair[0], audit=audit, principle=principle, score=3, rationale="Planned still")
    assert "status" in excinfo.value.message_dict
    audit_step(actor=pair[0], audit=audit, step="start-fieldwork")
    with pytest.raises(PermissionDenied):
        score_save(actor=cast.qo_a, audit=audit, principle=principle, score=3, rationale="Not an assessor")
    other = principles_of(cast.units.org_a, 2)[1]
    with pytest.raises(ValidationError) as excinfo:
        score_save(actor=pair[0], audit=audit, principle=other, score=3, rationale="Not in the audit")
    assert "principle" in excinfo.value.message_dict
    score = score_save(actor=pair[0], audit=audit, principle=principle, score=3, rationale="First")
    again = score_save(actor=pair[0], audit=audit, principle=principle, score=4, rationale="Second thoughts")
    assert again.pk == score.pk and again.score == 4 and again.assessor == pair[0]
    with pytest.raises(PermissionDenied):
        score_delete(actor=pair[1], score=again)
    score_delete(actor=pair[0], score=again)
    assert not AuditScore.objects.exists()


def test_it_refuses_start_calibration_until_every_score_is_in(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, principles=2)
    first, second = principles_of(cast.units.org_a, 2)
    audit = scored(audit, {pair[0]: {first: 3, second: 3}, pair[1]: {first: 3}})
    audit = audit_step(actor=pair[0], audit=audit, step="start-scoring")
    with pytest.raises(ValidationError) as excinfo:
        audit_step(actor=pair[0], audit=audit, step="start-calibration")
    message = _field_errors(excinfo, "scores")
    assert f"{pair[1]} has not scored {second.name_en}" in message
    assert str(pair[0]) not in message
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.SCORING
    scored(audit, {pair[1]: {second: 4}})
    audit = audit_step(actor=pair[0], audit=audit, step="start-calibration")
    assert audit.status == AuditStatus.CALIBRATION
    assert set(Notification.objects.filter(verb="audit_calibration").values_list("recipient", flat=True)) == {
        pair[1].pk
    }


def test_it_lets_only_the_lead_or_planners_take_steps(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair)
    with pytest.raises(PermissionDenied):
        audit_step(actor=pair[1], audit=audit, step="start-fieldwork")
    with pytest.raises(ValidationError) as excinfo:
        audit_step(actor=pair[0], audit=audit, step="finalise")
    assert "status" in excinfo.value.message_dict
    audit = audit_step(actor=cast.qo_a, audit=audit, step="start-fieldwork")
    assert audit.status == AuditStatus.FIELDWORK
    latest = audit.history.first()
    assert latest.history_user == cast.qo_a and latest.history_change_reason


# --- calibration -----------------------------------------------------------------------------------


def test_it_computes_the_median_of_the_assessors(cast, home):
    assessors = [auditor(home) for _ in range(4)]
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=assessors, principles=1)
    principle = principles_of(cast.units.org_a, 1)[0]
    scored(audit, {assessors[0]: {principle: 2}, assessors[1]: {principle: 3}})
    assert assessor_median(audit, principle) == Decimal("2.5")
    scored(audit, {assessors[2]: {principle: 5}})
    assert assessor_median(audit, principle) == Decimal("3.0")
    scored(audit, {assessors[3]: {principle: 5}})
    assert assessor_median(audit, principle) == Decimal("4.0")


def test_it_needs_a_reason_for_a_calibration_off_the_median_and_keeps_it(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, principles=2)
    first, second = principles_of(cast.units.org_a, 2)
    audit = scored(audit, {pair[0]: {first: 2, second: 3}, pair[1]: {first: 3, second: 3}})
    audit = advance(audit, AuditStatus.CALIBRATION)
    with pytest.raises(ValidationError) as excinfo:
        calibration_save(actor=pair[0], audit=audit, principle=first, score=2)
    assert "median (2.5)" in _field_errors(excinfo, "reason")
    assert not AuditCalibration.objects.exists()
    with pytest.raises(PermissionDenied):
        calibration_save(actor=pair[1], audit=audit, principle=second, score=3)
    at_median = calibration_save(actor=pair[0], audit=audit, principle=second, score=3)
    assert at_median.median == Decimal("3.0") and at_median.reason == ""
    reason = "The process is described but not yet applied everywhere"
    calibrated = calibration_save(actor=pair[0], audit=audit, principle=first, score=2, reason=reason)
    assert calibrated.reason == reason and calibrated.median == Decimal("2.5")
    calibration_save(actor=pair[0], audit=audit, principle=first, score=3, reason="On second thought")
    history = list(AuditCalibration.objects.get(pk=calibrated.pk).history.order_by("history_date"))
    assert [entry.score for entry in history] == [2, 3]
    assert history[0].reason == reason and history[0].history_user == pair[0]
    assert history[0].history_change_reason == reason[:100]


def test_it_needs_every_principle_calibrated_to_complete_calibration(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, principles=2)
    first, second = principles_of(cast.units.org_a, 2)
    audit = advance(audit, AuditStatus.CALIBRATION)
    calibration_save(actor=pair[0], audit=audit, principle=first, score=3)
    with pytest.raises(ValidationError) as excinfo:
        audit_step(actor=pair[0], audit=audit, step="complete-calibration")
    assert second.name_en in _field_errors(excinfo, "calibrations")
    calibration_save(actor=pair[0], audit=audit, principle=second, score=3)
    assert audit_step(actor=pair[0], audit=audit, step="complete-calibration").status == AuditStatus.DRAFT_REPORT
    with pytest.raises(ValidationError):
        calibration_save(actor=pair[0], audit=audit, principle=second, score=4, reason="Too late")


# --- management response, final, evaluation -------------------------------------------------------


def test_it_asks_the_management_and_finalises_only_after_the_response(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.DRAFT_REPORT)
    manager = responder(cast.units.bu_a1)
    audit = audit_step(actor=pair[0], audit=audit, step="request-response")
    told = set(Notification.objects.filter(verb="audit_response_requested").values_list("recipient", flat=True))
    assert told == {manager.pk, cast.board_a.pk}
    with pytest.raises(ValidationError) as excinfo:
        audit_step(actor=pair[0], audit=audit, step="finalise")
    assert "management_response" in excinfo.value.message_dict
    management_response_give(actor=manager, audit=audit, recognition=Recognition.PARTLY, comments="Partly so.")
    assert audit_step(actor=pair[0], audit=audit, step="finalise").status == AuditStatus.FINAL
    assert not Notification.objects.filter(verb="audit_response_requested", read_at__isnull=True).exists()
    with pytest.raises(ValidationError) as excinfo:
        management_response_give(actor=manager, audit=audit, recognition=Recognition.RECOGNISED, comments="Later")
    assert "status" in excinfo.value.message_dict


@pytest.mark.parametrize("who", ["assessor", "quality_officer", "risk_owner", "team_lead_elsewhere", "outsider"])
def test_it_refuses_a_response_from_outside_the_units_management(cast, pair, who):
    audit = audit_with_assessors(
        cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.MANAGEMENT_RESPONSE
    )
    actor = {
        "assessor": pair[0],
        "quality_officer": cast.qo_a,
        "risk_owner": cast.risk_owner_a,
        "team_lead_elsewhere": responder(sibling_unit(cast.units.org_a)),
        "outsider": cast.outsider,
    }[who]
    with pytest.raises(ValidationError) as excinfo:
        management_response_give(actor=actor, audit=audit, recognition=Recognition.RECOGNISED, comments="Yes")
    assert "Only the management" in _field_errors(excinfo, "recognition")
    assert not hasattr(Audit.objects.get(pk=audit.pk), "management_response")


def test_it_takes_the_response_of_a_team_lead_above_or_the_board(cast, pair):
    audit = audit_with_assessors(
        cast.units.org_a, cast.units.team_a1a, assessors=pair, status=AuditStatus.MANAGEMENT_RESPONSE
    )
    response = management_response_give(
        actor=responder(cast.units.bu_a1), audit=audit, recognition=Recognition.RECOGNISED, comments="Fine"
    )
    again = management_response_give(
        actor=cast.board_a, audit=audit, recognition=Recognition.NOT_RECOGNISED, comments="Not so"
    )
    assert again.pk == response.pk and again.given_by == cast.board_a
    with pytest.raises(ValidationError) as excinfo:
        management_response_give(actor=cast.board_a, audit=audit, recognition="maybe", comments="?")
    assert "recognition" in excinfo.value.message_dict


def test_it_lets_auditees_evaluate_once_from_the_draft_report(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair, status=AuditStatus.CALIBRATION)
    with pytest.raises(ValidationError) as excinfo:
        evaluation_give(actor=cast.team_lead_a, audit=audit, mark=8)
    assert "status" in excinfo.value.message_dict
    audit = advance(audit, AuditStatus.DRAFT_REPORT)
    evaluation = evaluation_give(actor=cast.team_lead_a, audit=audit, mark=8, comment="Well done")
    assert evaluation.mark == 8
    with pytest.raises(ValidationError):
        evaluation_give(actor=cast.team_lead_a, audit=audit, mark=9)
    for bad in (0, 11):
        with pytest.raises(ValidationError) as excinfo:
            evaluation_give(actor=cast.risk_owner_a, audit=audit, mark=bad)
        assert "mark" in excinfo.value.message_dict
    for outsider in (pair[0], cast.qo_a, cast.board_a, cast.member_b):
        with pytest.raises(PermissionDenied):
            evaluation_give(actor=outsider, audit=audit, mark=7)


# --- fieldwork -------------------------------------------------------------------------------------


def test_it_keeps_a_fieldwork_log_confirmed_by_the_interviewee(cast, pair):
    audit = audit_with_assessors(cast.units.org_a, cast.units.bu_a1, assessors=pair)
    today = datetime.date(2026, 3, 2)
    document = fieldwork_add(
        actor=pair[1], audit=audit, kind=FieldworkKind.DOCUMENT, date=today, subject="Process handbook"
    )
    assert document.recorded_by == pair[1]
    with pytest.raises(ValidationError) as excinfo:
        fieldwork_add(actor=pair[1], audit=audit, kind=FieldworkKind.INTERVIEW, date=today, subject="Talk")
    assert "interviewee" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        fieldwork_add(
            actor=pair[1], audit=audit, kind=FieldworkKind.INTERVIEW, date=today, subject="B", interviewee=cast.member_b
        )
    assert "interviewee" in excinfo.value.message_dict
    interview = fieldwork_add(
        actor=pair[1],
        audit=audit,
        kind=FieldworkKind.INTERVIEW,
        date=today,
        subject="Steering",
        interviewee=cast.team_lead_a,
    )
    assert Notification.objects.filter(verb="audit_interview_confirm", recipient=cast.team_lead_a).exists()
    with pytest.raises(PermissionDenied):
        fieldwork_confirm(actor=pair[1], item=interview)
    with pytest.raises(PermissionDenied):
        fieldwork_add(actor=cast.qo_a, audit=audit, kind=FieldworkKind.DOCUMENT, date=today, subject="Not mine")
    confirmed = fieldwork_confirm(actor=cast.team_lead_a, item=interview)
    assert confirmed.confirmed_by == cast.team_lead_a and confirmed.confirmed_at is not None
    with pytest.raises(ValidationError):
        fieldwork_confirm(actor=cast.team_lead_a, item=interview)
