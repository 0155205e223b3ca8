"""The daily sweeps of the non-conformities part: recurrence proposes a CAPA once per cluster, overdue
effectiveness checks and stuck CAPAs escalate once a day."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from incidents.choices import NcStatus, ProposalStatus, Severity, Verdict
from incidents.models import CapaProposal, CauseCategory, EffectivenessCheck, NonConformity
from incidents.services import nonconformities as services
from qms.choices import ActionKind, ActionStatus
from qms.escalations import registered_sweeps
from qms.models import Notification
from qms.services.actions import action_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(cast):
    return CauseCategory.objects.create(organisation=cast.units.org_a, code="process", name="Process")


def make(cast, category=None, unit=None, **fields):
    values = {"unit": unit or cast.units.team_a1a, "title": "Wrong letter", "kind": "error", "cause_category": category}
    values.update(fields)
    return services.nc_create(actor=cast.qo_a, **values)


def test_the_sweeps_are_registered():
    assert {"capa_recurrence", "effectiveness_checks_overdue", "capa_stuck"} <= set(registered_sweeps())


def test_it_proposes_a_capa_once_per_cluster(cast, category):
    today = timezone.localdate()
    ncs = [make(cast, category) for _ in range(2)]
    assert services.sweep_capa_recurrence(today=today) == 0
    ncs.append(make(cast, category))
    make(cast, category, unit=cast.units.bu_a1)  # another unit: not in the cluster
    assert services.sweep_capa_recurrence(today=today) == 1
    proposal = CapaProposal.objects.get()
    assert proposal.nonconformity == ncs[-1] and set(proposal.nonconformities.all()) == set(ncs)
    assert Notification.objects.filter(recipient=cast.qo_a, verb="capa_proposed").count() == 1
    fourth = make(cast, category)
    assert services.sweep_capa_recurrence(today=today) == 0  # joins the open proposal, nobody told again
    proposal.refresh_from_db()
    assert proposal.nonconformity == fourth and proposal.nonconformities.count() == 4
    services.capa_proposal_dismiss(actor=cast.qo_a, proposal=proposal, reason="Known, handled")
    assert services.sweep_capa_recurrence(today=today) == 0  # a dismissed cluster does not come back
    assert Notification.objects.filter(verb="capa_proposed").count() == 1


def test_it_ignores_old_ones_and_those_without_a_category(cast, category):
    for _ in range(3):
        make(cast, None)
    later = timezone.localdate() + datetime.timedelta(days=91)
    for _ in range(2):
        make(cast, category)
    assert services.sweep_capa_recurrence(today=timezone.localdate()) == 0
    assert services.sweep_capa_recurrence(today=later) == 0


@override_settings(CAPA_RECURRENCE_THRESHOLD=2)
def test_accepting_promotes_the_latest(cast, category):
    make(cast, category)
    latest = make(cast, category)
    services.sweep_capa_recurrence(today=timezone.localdate())
    proposal = CapaProposal.objects.get()
    with pytest.raises(Exception):  # noqa: B017 - only quality officers decide
        services.capa_proposal_accept(actor=cast.team_lead_a, proposal=proposal)
    capa = services.capa_proposal_accept(actor=cast.qo_a, proposal=proposal)
    assert capa == latest and NonConformity.objects.get(pk=latest.pk).capa
    assert CapaProposal.objects.get().status == ProposalStatus.ACCEPTED
    with pytest.raises(ValidationError):
        services.capa_proposal_dismiss(actor=cast.qo_a, proposal=proposal, reason="Late")


def planned_check(cast, category, due):
    nc = make(cast, category, severity=Severity.MAJOR)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="analyse")
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="record-analysis", root_cause="x", analysis_method="other")
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="plan")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    actions = [
        services.nc_add_action(actor=cast.qo_a, nc=nc, kind=kind, title=kind, owner=cast.team_lead_a, due_date=tomorrow)
        for kind in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE)
    ]
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="implement")
    for action in actions:
        action_set_status(actor=cast.team_lead_a, action=action, status=ActionStatus.DONE)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="verify", due_date=tomorrow, verifier=cast.admin_a)
    EffectivenessCheck.objects.filter(nonconformity=nc).update(due_date=due)
    return nc


def test_an_overdue_check_escalates_once_a_day(cast, category):
    today = timezone.localdate()
    planned_check(cast, category, today - datetime.timedelta(days=1))
    assert services.sweep_overdue_checks(today=today) == 1
    assert services.sweep_overdue_checks(today=today) == 0
    recipients = set(Notification.objects.filter(verb="nc_check_overdue").values_list("recipient__username", flat=True))
    assert recipients == {"admin_a", "qo_a"}
    assert services.sweep_overdue_checks(today=today + datetime.timedelta(days=1)) == 1


def test_a_recorded_check_does_not_escalate(cast, category):
    today = timezone.localdate()
    nc = planned_check(cast, category, today - datetime.timedelta(days=1))
    services.check_record(actor=cast.admin_a, check=nc.checks.get(), verdict=Verdict.EFFECTIVE, evidence="Fine")
    assert services.sweep_overdue_checks(today=today) == 0


@override_settings(CAPA_STAGE_WORKING_DAYS=3)
def test_a_stuck_capa_escalates_to_the_owners_manager_once_a_day(cast, category):
    from qms.models import User

    User.objects.filter(pk=cast.team_lead_a.pk).update(manager=cast.board_a)
    nc = make(cast, category, severity=Severity.MAJOR)
    nc = services.nc_step(actor=cast.qo_a, nc=nc, step="analyse")
    monday = datetime.date(2026, 3, 2)  # no holiday near
    since = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    NonConformity.objects.filter(pk=nc.pk).update(stage_since=since)
    assert services.sweep_stuck_capas(today=monday + datetime.timedelta(days=3)) == 0  # Thursday: 3 working days
    friday = monday + datetime.timedelta(days=4)
    assert services.sweep_stuck_capas(today=friday) == 1
    assert services.sweep_stuck_capas(today=friday) == 0
    recipients = set(Notification.objects.filter(verb="capa_stuck").values_list("recipient__username", flat=True))
    assert recipients == {"board_a", "qo_a"}
    NonConformity.objects.filter(pk=nc.pk).update(status=NcStatus.REGISTERED)
    assert services.sweep_stuck_capas(today=friday + datetime.timedelta(days=3)) == 0
