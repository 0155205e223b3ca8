"""The non-conformity and CAPA rules (SPEC 5.6): registering from every source, each step and gate of
the transition table, who may take them, the actions per round, the effectiveness check, the feedback
escalation linked both ways, the cause categories of a new organisation, and two steps at once."""

import datetime
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from incidents.choices import NcSource, NcStatus, Severity, Verdict
from incidents.models import CapaQuarter, CauseCategory, EffectivenessCheck, NonConformity
from incidents.selectors.nonconformities import actions_by_round, capa_overview, nc_actions, nc_trace
from incidents.services import nonconformities as services
from kpis.choices import EscalationStatus
from kpis.models import FeedbackEscalation
from kpis.services.feedback import feedback_escalation_decide
from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, Notification
from qms.services.actions import action_set_status
from tests.factories import MembershipFactory, UserFactory
from tests.factories.incidents import IncidentFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def category(cast):
    return CauseCategory.objects.create(organisation=cast.units.org_a, code="process", name="Process")


@pytest.fixture
def register(cast):
    def _register(actor=None, **fields):
        values = {
            "unit": cast.units.team_a1a,
            "title": "Wrong letter sent",
            "kind": "error",
            "source": NcSource.INTERNAL,
            "severity": Severity.MINOR,
        }
        values.update(fields)
        return services.nc_create(actor=actor or cast.team_lead_a, **values)

    return _register


def to_action_plan(cast, nc, category):
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="analyse")
    nc = services.nc_step(
        actor=cast.qo_a,
        nc=nc,
        step="record-analysis",
        root_cause="No check",
        analysis_method="five_whys",
        cause_category=category,
    )
    return services.nc_step(actor=cast.qo_a, nc=nc, step="plan")


def plan_actions(cast, nc):
    return [
        services.nc_add_action(
            actor=cast.qo_a, nc=nc, kind=kind, title=f"{kind} action", owner=cast.team_lead_a, due_date=tomorrow()
        )
        for kind in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE)
    ]


def finish(cast, actions):
    for action in actions:
        action_set_status(actor=cast.team_lead_a, action=action, status=ActionStatus.DONE)


def to_check(cast, nc, category, verifier=None):
    nc = to_action_plan(cast, nc, category)
    actions = plan_actions(cast, nc)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    finish(cast, actions)
    verifier = verifier or cast.admin_a
    return services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=tomorrow(), verifier=verifier)


def errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- registering --------------------------------------------------------------------------------


def test_it_registers_with_the_team_lead_as_owner_and_tells_them(cast, register):
    nc = register(actor=cast.risk_owner_a, unit=cast.units.team_a1a)
    assert nc.owner == cast.team_lead_a and nc.reporter == cast.risk_owner_a
    assert nc.status == NcStatus.REGISTERED and not nc.capa and nc.organisation == cast.units.org_a
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="nc_assigned").exists()


def test_it_makes_a_major_one_a_capa(register):
    assert register(severity=Severity.MAJOR).capa


def test_it_lets_anyone_with_a_role_register_but_not_an_outsider(cast, register):
    assert register(actor=cast.viewer_a).pk
    with pytest.raises(PermissionDenied):
        register(actor=cast.outsider)
    with pytest.raises(PermissionDenied):
        register(actor=cast.member_b)


def test_it_refuses_a_group(cast, register):
    with pytest.raises(ValidationError) as excinfo:
        register(actor=cast.group_mgmt, unit=cast.units.group)
    assert "unit" in errors(excinfo)


def test_it_links_an_incident_in_sight(cast, register):
    incident = IncidentFactory(unit=cast.units.bu_a1)
    nc = register(actor=cast.qo_a, source=NcSource.INCIDENT, source_record=incident)
    assert nc.source_object_id == incident.pk and nc.source_content_type.model == "incident"


def test_it_refuses_a_source_record_out_of_sight_with_nothing_saved(cast, register):
    incident = IncidentFactory(unit=cast.units.bu_b1)
    with pytest.raises(ValidationError) as excinfo:
        register(actor=cast.team_lead_a, source=NcSource.INCIDENT, source_record=incident)
    assert "source" in errors(excinfo)
    assert not NonConformity.objects.exists()


def test_it_refuses_a_source_record_of_another_organisation(cast, register):
    incident = IncidentFactory(unit=cast.units.bu_b1)
    with pytest.raises(ValidationError) as excinfo:
        register(actor=cast.group_mgmt, source=NcSource.INCIDENT, source_record=incident)
    assert "source" in errors(excinfo)


# --- the non-CAPA path ----------------------------------------------------------------------------


def test_it_closes_a_minor_one_after_the_correction(cast, register):
    nc = register()
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.team_lead_a, nc=nc, step="close")
    assert "correction" in errors(excinfo)
    nc = services.nc_step(actor=cast.team_lead_a, nc=nc, step="correct", correction="Letter recalled")
    assert nc.corrected_at is not None
    nc = services.nc_step(actor=cast.team_lead_a, nc=nc, step="close")
    assert nc.status == NcStatus.CLOSED and nc.closed_at is not None
    assert nc.history.first().history_change_reason  # the step, in the stored language


def test_it_keeps_a_minor_one_out_of_the_capa_steps(cast, register):
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=register(), step="analyse")
    assert "capa" in errors(excinfo)


def test_it_lets_only_quality_officers_promote(cast, register):
    nc = register()
    for person in (cast.team_lead_a, cast.admin_a, cast.viewer_a):
        with pytest.raises(PermissionDenied):
            services.nc_step(actor=person, nc=nc, step="promote", reason="Recurring")
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="promote", reason="Recurring")
    assert nc.capa and nc.promoted_by == cast.qo_a
    assert nc.history.first().history_change_reason == "Recurring"


def test_it_refuses_to_promote_a_closed_one(cast, register):
    nc = register(correction="Done")
    nc = services.nc_step(actor=cast.team_lead_a, nc=nc, step="close")
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="promote")
    assert "status" in errors(excinfo)
    assert not NonConformity.objects.get(pk=nc.pk).capa


def test_it_keeps_viewers_and_outsiders_from_the_steps(cast, register):
    nc = register(correction="Done")
    for person in (cast.viewer_a, cast.outsider, cast.member_b, cast.risk_owner_a):
        with pytest.raises(PermissionDenied):
            services.nc_step(actor=person, nc=nc, step="close")


def test_it_cancels_only_with_a_reason(cast, register):
    nc = register()
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.team_lead_a, nc=nc, step="cancel", reason=" ")
    assert "reason" in errors(excinfo)
    nc = services.nc_step(actor=cast.team_lead_a, nc=nc, step="cancel", reason="Duplicate")
    assert nc.status == NcStatus.CANCELLED and nc.cancel_reason == "Duplicate"
    with pytest.raises(ValidationError):
        services.nc_update(actor=cast.qo_a, nc=nc, title="New")


def test_it_makes_a_capa_when_raised_to_major(cast, register):
    nc = services.nc_update(actor=cast.team_lead_a, nc=register(), severity=Severity.MAJOR)
    assert nc.capa and nc.history.first().history_change_reason


# --- the CAPA path ----------------------------------------------------------------------------------


def test_it_needs_the_analysis_before_the_action_plan(cast, register, category):
    nc = services.nc_step(actor=cast.qo_a, nc=register(severity=Severity.MAJOR), step="analyse")
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="plan")
    assert {"root_cause", "analysis_method", "cause_category"} <= set(errors(excinfo))
    assert NonConformity.objects.get(pk=nc.pk).status == NcStatus.ANALYSIS


def test_it_refuses_a_cause_category_of_another_organisation(cast, register):
    other = CauseCategory.objects.create(organisation=cast.units.org_b, code="x", name="X")
    nc = services.nc_step(actor=cast.qo_a, nc=register(severity=Severity.MAJOR), step="analyse")
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="record-analysis", root_cause="x", cause_category=other)
    assert "cause_category" in errors(excinfo)


def test_it_refuses_an_action_plan_without_a_preventive_action(cast, register, category):
    nc = to_action_plan(cast, register(severity=Severity.MAJOR), category)
    services.nc_add_action(
        actor=cast.qo_a, nc=nc, kind=ActionKind.CORRECTIVE, title="Fix", owner=cast.team_lead_a, due_date=tomorrow()
    )
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    assert "preventive" in str(errors(excinfo)["actions"])
    assert NonConformity.objects.get(pk=nc.pk).status == NcStatus.ACTION_PLAN


def test_it_adds_core_actions_in_the_owners_list(cast, register, category):
    nc = to_action_plan(cast, register(severity=Severity.MAJOR), category)
    corrective, preventive = plan_actions(cast, nc)
    assert corrective.source_object_id == nc.pk and corrective.kind == ActionKind.CORRECTIVE
    assert set(Action.objects.filter(owner=cast.team_lead_a)) >= {corrective, preventive}
    with pytest.raises(ValidationError) as excinfo:
        services.nc_add_action(
            actor=cast.qo_a, nc=nc, kind=ActionKind.GENERAL, title="x", owner=cast.team_lead_a, due_date=tomorrow()
        )
    assert "kind" in errors(excinfo)


def test_it_refuses_actions_outside_analysis_and_plan(cast, register):
    nc = register(severity=Severity.MAJOR)
    with pytest.raises(ValidationError) as excinfo:
        services.nc_add_action(
            actor=cast.qo_a, nc=nc, kind=ActionKind.CORRECTIVE, title="x", owner=cast.team_lead_a, due_date=tomorrow()
        )
    assert "status" in errors(excinfo)


def test_it_needs_every_action_done_before_the_check(cast, register, category):
    nc = to_action_plan(cast, register(severity=Severity.MAJOR), category)
    corrective, _preventive = plan_actions(cast, nc)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    finish(cast, [corrective])
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=tomorrow(), verifier=cast.admin_a)
    assert "actions" in errors(excinfo)
    assert not EffectivenessCheck.objects.exists()


def test_it_refuses_the_owner_as_verifier(cast, register, category):
    nc = register(severity=Severity.MAJOR)
    with pytest.raises(ValidationError) as excinfo:
        to_check(cast, nc, category, verifier=cast.team_lead_a)
    assert "verifier" in errors(excinfo)
    assert NonConformity.objects.get(pk=nc.pk).status == NcStatus.IMPLEMENTATION
    assert not EffectivenessCheck.objects.exists()


def test_it_refuses_a_check_dated_before_the_actions_were_done(cast, register, category):
    nc = to_action_plan(cast, register(severity=Severity.MAJOR), category)
    actions = plan_actions(cast, nc)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    finish(cast, actions)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=yesterday, verifier=cast.admin_a)
    assert "due_date" in errors(excinfo)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=tomorrow(), verifier=cast.admin_a)
    check = nc.checks.get()
    with pytest.raises(ValidationError) as excinfo:
        services.check_record(
            actor=cast.admin_a,
            check=check,
            verdict=Verdict.EFFECTIVE,
            evidence="Fine",
            checked_at=timezone.now() - datetime.timedelta(days=2),
        )
    assert "checked_at" in errors(excinfo)
    assert EffectivenessCheck.objects.get(pk=check.pk).verdict == ""


def test_it_closes_a_capa_only_after_an_effective_check(cast, register, category):
    nc = to_check(cast, register(severity=Severity.MAJOR), category)
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="close")
    assert "checks" in errors(excinfo)
    check = nc.checks.get()
    with pytest.raises(PermissionDenied):
        services.check_record(actor=cast.team_lead_a, check=check, verdict=Verdict.EFFECTIVE, evidence="Mine")
    with pytest.raises(ValidationError) as excinfo:
        services.check_record(actor=cast.admin_a, check=check, verdict=Verdict.EFFECTIVE, evidence="")
    assert "evidence" in errors(excinfo)
    services.check_record(actor=cast.admin_a, check=check, verdict=Verdict.EFFECTIVE, evidence="No errors since")
    nc = services.nc_step(actor=cast.team_lead_a, nc=nc, step="close")
    assert nc.status == NcStatus.CLOSED


def test_it_refuses_to_close_with_an_action_reopened(cast, register, category):
    nc = to_check(cast, register(severity=Severity.MAJOR), category)
    services.check_record(actor=cast.admin_a, check=nc.checks.get(), verdict=Verdict.EFFECTIVE, evidence="Fine")
    action = nc_actions(nc).first()
    action_set_status(actor=cast.team_lead_a, action=action, status=ActionStatus.OPEN)
    with pytest.raises(ValidationError) as excinfo:
        services.nc_step(actor=cast.qo_a, nc=nc, step="close")
    assert "actions" in errors(excinfo)
    assert NonConformity.objects.get(pk=nc.pk).status == NcStatus.EFFECTIVENESS_CHECK


def test_it_starts_a_new_round_when_not_effective(cast, register, category):
    nc = to_check(cast, register(severity=Severity.MAJOR), category)
    services.check_record(actor=cast.qo_a, check=nc.checks.get(), verdict=Verdict.NOT_EFFECTIVE, evidence="Again")
    nc.refresh_from_db()
    assert nc.status == NcStatus.ACTION_PLAN and nc.round == 2
    assert "2" in nc.history.first().history_change_reason
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="nc_check_failed").exists()
    assert list(nc_actions(nc)) == []
    with pytest.raises(ValidationError):
        services.nc_step(actor=cast.qo_a, nc=nc, step="implement")  # round 2 has no actions yet
    second = plan_actions(cast, nc)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    finish(cast, second)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=tomorrow(), verifier=cast.admin_a)
    rounds = actions_by_round(nc)
    assert [len(rounds[1]), len(rounds[2])] == [2, 2]
    assert list(nc_actions(nc, round=1)) == rounds[1]
    trace = nc_trace(nc, cast.qo_a)
    assert [r["round"] for r in trace["rounds"]] == [1, 2] and trace["rounds"][0]["check"].verdict == "not_effective"


def test_it_states_the_effect_on_a_kpi_and_proposes_its_verdict(cast, register, category):
    from tests.factories.kpis import KpiFactory

    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a)
    nc = to_action_plan(cast, register(severity=Severity.MAJOR), category)
    actions = plan_actions(cast, nc)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    finish(cast, actions)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=tomorrow(), verifier=cast.admin_a, kpi=kpi)
    check = nc.checks.get()
    assert check.effect is not None and check.effect.action == actions[0]
    type(check.effect).objects.filter(pk=check.effect.pk).update(verdict="partly")
    assert services.checks_propose_verdicts() == 1
    check.refresh_from_db()
    assert check.proposed_verdict == Verdict.PARTLY_EFFECTIVE


# --- feedback escalations, linked both ways -------------------------------------------------------


def test_it_registers_a_non_conformity_when_feedback_is_escalated(cast):
    escalation = FeedbackEscalation.objects.create(unit=cast.units.team_a1a, category="service", reason="3 items")
    escalation = feedback_escalation_decide(
        actor=cast.qo_a, escalation=escalation, status=EscalationStatus.ESCALATED, note="Systemic"
    )
    nc = NonConformity.objects.get()
    assert nc.source == NcSource.FEEDBACK and nc.severity == Severity.MINOR and nc.unit == cast.units.team_a1a
    assert nc.source_object_id == escalation.pk and nc.source_content_type.model == "feedbackescalation"
    escalation.refresh_from_db()
    assert escalation.follow_up == nc


def test_it_registers_nothing_when_feedback_is_dismissed(cast):
    escalation = FeedbackEscalation.objects.create(unit=cast.units.team_a1a, category="service", reason="3 items")
    feedback_escalation_decide(actor=cast.qo_a, escalation=escalation, status=EscalationStatus.DISMISSED, note="No")
    assert not NonConformity.objects.exists()


# --- cause categories ----------------------------------------------------------------------------


def test_a_new_organisation_gets_the_default_cause_categories(cast):
    from qms.services.organisation import unit_create

    org = unit_create(actor=cast.superuser, name="Org C", kind=UnitKind.ORGANISATION, parent=cast.units.group)
    assert CauseCategory.objects.filter(organisation=org).count() == 6


def test_only_quality_officers_and_administrators_change_the_catalogue(cast):
    added = services.cause_category_add(actor=cast.qo_a, organisation=cast.units.org_a, code="legal", name="Legal")
    with pytest.raises(PermissionDenied):
        services.cause_category_add(actor=cast.team_lead_a, organisation=cast.units.org_a, code="x", name="X")
    with pytest.raises(ValidationError):
        services.cause_category_add(actor=cast.qo_a, organisation=cast.units.org_a, code="legal", name="Again")
    services.cause_category_update(actor=cast.admin_a, category=added, is_active=False)
    assert not CauseCategory.objects.get(pk=added.pk).is_active


# --- two steps at once -------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_steps_win(cast, row_locks):
    second_qo = UserFactory(username="qo2_a")
    MembershipFactory(user=second_qo, unit=cast.units.org_a, role=Role.QUALITY_OFFICER)
    nc = services.nc_create(
        actor=cast.team_lead_a, unit=cast.units.team_a1a, title="Twice", kind="error", severity=Severity.MAJOR
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def run(person):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.nc_step(actor=person, nc=nc, step="analyse")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in (cast.qo_a, second_qo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert NonConformity.objects.get(pk=nc.pk).history.filter(status=NcStatus.ANALYSIS).count() == 1


# --- the overview's kept figures -----------------------------------------------------------------


def kept_figures(organisation) -> list[tuple]:
    return list(
        CapaQuarter.objects.filter(organisation=organisation)
        .order_by("quarter")
        .values_list("quarter", "checks_recorded", "checks_effective", "closed_count", "time_to_close_total")
    )


def test_it_keeps_the_overview_figures_equal_to_a_recount(cast, register, category, clock):
    org_a = cast.units.org_a
    clock.set(ams(2026, 3, 2, 9, 0))
    minor = register(correction="Letter recalled")
    late_minor = register(correction="Letter recalled")
    register(title="Registered twice")
    capa = register(severity=Severity.MAJOR)
    waiting = to_check(cast, register(severity=Severity.MAJOR), category)
    capa = to_check(cast, capa, category)
    clock.set(ams(2026, 3, 6, 9, 0))
    minor = services.nc_step(actor=cast.team_lead_a, nc=minor, step="close")
    services.nc_step(actor=cast.team_lead_a, nc=NonConformity.objects.get(title="Registered twice"), step="cancel",
                     reason="Duplicate")  # fmt: skip
    # Not effective: back to the action plan (the check counts, nothing closes); a second round.
    clock.set(ams(2026, 3, 20, 9, 0))
    services.check_record(actor=cast.admin_a, check=capa.checks.get(), verdict=Verdict.NOT_EFFECTIVE, evidence="No")
    before = kept_figures(org_a)
    with pytest.raises(ValidationError):  # refused (its check is pending): nothing counted
        services.nc_step(actor=cast.qo_a, nc=waiting, step="close")
    assert kept_figures(org_a) == before
    second = plan_actions(cast, capa)
    capa = services.nc_step(actor=cast.qo_a, nc=capa, step="implement")
    finish(cast, second)
    capa = services.nc_step(actor=cast.qo_a, nc=capa, step="verify", due_date=tomorrow(), verifier=cast.admin_a)
    clock.set(ams(2026, 4, 15, 9, 0))
    services.check_record(
        actor=cast.admin_a, check=capa.checks.get(round=2), verdict=Verdict.EFFECTIVE, evidence="Fine"
    )
    clock.set(ams(2026, 4, 20, 9, 0))
    capa = services.nc_step(actor=cast.qo_a, nc=capa, step="close")
    # Half past midnight on 1 April in Amsterdam is still 31 March in UTC: the second quarter, as before.
    clock.set(ams(2026, 4, 1, 0, 30))
    late_minor = services.nc_step(actor=cast.team_lead_a, nc=late_minor, step="close")
    other = register(actor=cast.member_b, unit=cast.units.bu_b1, owner=cast.member_b, correction="Fixed")
    services.nc_step(actor=cast.member_b, nc=other, step="close")

    def took(nc):
        nc.refresh_from_db()
        return nc.closed_at - nc.created_at

    kept = kept_figures(org_a)
    assert kept == [
        (datetime.date(2026, 1, 1), 1, 0, 1, took(minor)),
        (datetime.date(2026, 4, 1), 1, 1, 2, took(capa) + took(late_minor)),
    ]
    assert services.capa_figures_recount() == 3  # two quarters of A, one of B
    assert kept_figures(org_a) == kept
    assert services.capa_figures_recount() == 3 and kept_figures(org_a) == kept
    overview = capa_overview(NonConformity.objects.filter(organisation=org_a), org_a)
    assert [(q["quarter"], q["recorded"], q["effective"], q["rate"]) for q in overview["effectiveness"]] == [
        ("2026-Q1", 1, 0, 0.0),
        ("2026-Q2", 1, 1, 100.0),
    ]
    mean = (took(minor) + took(capa) + took(late_minor)) / 3
    assert overview["mean_days_to_close"] == round(mean.total_seconds() / 86400, 1)


def test_it_rebuilds_the_kept_figures_with_the_command(cast, register):
    nc = services.nc_step(actor=cast.team_lead_a, nc=register(correction="Recalled"), step="close")
    other = register(actor=cast.member_b, unit=cast.units.bu_b1, owner=cast.member_b, correction="Fixed")
    services.nc_step(actor=cast.member_b, nc=other, step="close")
    kept = kept_figures(cast.units.org_a)
    assert [row[3] for row in kept] == [1]
    CapaQuarter.objects.update(closed_count=99)
    out = io.StringIO()
    call_command("recount_capa_figures", "--organisation", str(nc.organisation_id), stdout=out)
    assert "1 quarter rows" in out.getvalue()
    assert kept_figures(cast.units.org_a) == kept
    assert [row[3] for row in kept_figures(cast.units.org_b)] == [99]  # only the organisation asked for


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_counts_both_of_two_simultaneous_closes(cast, row_locks):
    ncs = [
        services.nc_create(
            actor=cast.team_lead_a, unit=cast.units.team_a1a, title=f"At once {n}", kind="error", correction="Fixed"
        )
        for n in range(2)
    ]
    assert not CapaQuarter.objects.exists()  # both race to make the quarter's row
    barrier = threading.Barrier(2)
    outcomes = []

    def run(nc):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.nc_step(actor=cast.qo_a, nc=nc, step="close")
            outcomes.append("ok")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(nc,)) for nc in ncs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok", "ok"]
    row = CapaQuarter.objects.get(organisation=cast.units.org_a)
    assert row.closed_count == 2
    kept = kept_figures(cast.units.org_a)
    services.capa_figures_recount()
    assert kept_figures(cast.units.org_a) == kept
