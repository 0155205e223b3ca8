"""Problems (SPEC 5.3): the clustering into proposed problems, once per cluster; the problem workflow
and its gates; linking incidents; who may do what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incidents.choices import IncidentCategory, IncidentStatus, ProblemStatus, ProposalStatus
from incidents.models import Incident, IncidentPolicy, Problem, ProblemProposal
from incidents.services import problems as services
from qms.models import Notification
from qms.services.base import system_note
from tests.factories.incidents import IncidentFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def report(unit, *, days_ago=0, category=IncidentCategory.ACCESS, **fields):
    """An incident reported ``days_ago``, then the clustering as the incident service runs it."""
    incident = IncidentFactory(unit=unit, category=category, reported_at=timezone.now() - days_ago * DAY, **fields)
    return incident, services.problems_propose_for(incident=incident)


# --- clustering ----------------------------------------------------------------------------------


def test_it_proposes_a_problem_at_the_third_incident_within_30_days_and_tells_the_coordinator(cast, coordinator):
    unit = cast.units.bu_a1
    first, proposal = report(unit, days_ago=20)
    assert proposal is None
    second, proposal = report(unit, days_ago=10)
    assert proposal is None
    third, proposal = report(unit)
    assert proposal is not None
    assert proposal.status == ProposalStatus.PROPOSED
    assert set(proposal.incidents.values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    told = Notification.objects.filter(verb="problem_proposed")
    assert [n.recipient for n in told] == [coordinator]


def test_it_tells_the_quality_officer_without_a_coordinator(cast):
    for days_ago in (2, 1, 0):
        report(cast.units.bu_a1, days_ago=days_ago)
    assert [n.recipient for n in Notification.objects.filter(verb="problem_proposed")] == [cast.qo_a]


def test_it_proposes_once_per_cluster_and_adds_the_fourth_incident(cast, coordinator):
    unit = cast.units.bu_a1
    for days_ago in (3, 2, 1):
        report(unit, days_ago=days_ago)
    fourth, proposal = report(unit)
    assert proposal is None
    assert ProblemProposal.objects.count() == 1
    assert fourth in ProblemProposal.objects.get().incidents.all()
    assert Notification.objects.filter(verb="problem_proposed").count() == 1


def test_it_does_not_propose_a_dismissed_cluster_again(cast, coordinator):
    unit = cast.units.bu_a1
    for days_ago in (3, 2, 1):
        _incident, proposal = report(unit, days_ago=days_ago)
    services.proposal_dismiss(actor=coordinator, proposal=proposal, reason="A known outage of the supplier")
    _fourth, again = report(unit)
    assert again is None
    assert ProblemProposal.objects.count() == 1
    assert proposal.incidents.count() == 3  # a dismissed proposal takes no new incidents


def test_it_proposes_a_new_cluster_that_shares_no_incident_with_a_dismissed_one(cast, coordinator):
    unit = cast.units.bu_a1
    for days_ago in (80, 79, 78):
        _incident, proposal = report(unit, days_ago=days_ago)
    services.proposal_dismiss(actor=coordinator, proposal=proposal, reason="Seasonal")
    for days_ago in (2, 1):
        report(unit, days_ago=days_ago)
    _incident, new = report(unit)
    assert new is not None and new.pk != proposal.pk


def test_it_does_not_cluster_across_categories_units_or_outside_the_window(cast):
    report(cast.units.bu_a1, days_ago=2, category=IncidentCategory.ACCESS)
    report(cast.units.bu_a1, days_ago=1, category=IncidentCategory.APPLICATION)
    _incident, proposal = report(cast.units.team_a1a, category=IncidentCategory.ACCESS)
    assert proposal is None
    report(cast.units.bu_a1, days_ago=40, category=IncidentCategory.ACCESS)
    _incident, proposal = report(cast.units.bu_a1, category=IncidentCategory.ACCESS)
    assert proposal is None  # 40, 2 and 0 days ago: not three within 30 days
    assert not ProblemProposal.objects.exists()


def test_it_does_not_propose_incidents_an_open_problem_links(cast, coordinator):
    unit = cast.units.bu_a1
    problem = services.problem_create(actor=coordinator, unit=unit, title="Login fails")
    for days_ago in (2, 1):
        IncidentFactory(
            unit=unit, category=IncidentCategory.ACCESS, reported_at=timezone.now() - days_ago * DAY, problem=problem
        )
    _incident, proposal = report(unit)
    assert proposal is None


def test_it_counts_incidents_of_a_closed_problem_again(cast, coordinator):
    unit = cast.units.bu_a1
    problem = Problem.objects.create(unit=unit, title="Old", status=ProblemStatus.CLOSED, root_cause="x")
    for days_ago in (2, 1):
        IncidentFactory(
            unit=unit, category=IncidentCategory.ACCESS, reported_at=timezone.now() - days_ago * DAY, problem=problem
        )
    _incident, proposal = report(unit)
    assert proposal is not None


def test_it_reads_threshold_and_window_from_the_policy(cast):
    IncidentPolicy.objects.create(organisation=cast.units.org_a, problem_threshold=2, problem_window_days=5)
    report(cast.units.bu_a1, days_ago=6)
    _incident, proposal = report(cast.units.bu_a1)
    assert proposal is None  # 6 days apart: outside a window of 5
    _incident, proposal = report(cast.units.bu_a1, days_ago=1)
    assert proposal is not None and proposal.incidents.count() == 2


def test_it_finds_a_cluster_completed_by_a_back_dated_report(cast):
    unit = cast.units.bu_a1
    report(unit, days_ago=25)
    report(unit, days_ago=0)
    _incident, proposal = report(unit, days_ago=20)  # back-dated, between the two
    assert proposal is not None and proposal.incidents.count() == 3


def test_it_proposes_through_the_incident_service(cast, coordinator, register):
    for _ in range(3):
        register(category=IncidentCategory.ACCESS)
    assert ProblemProposal.objects.filter(status=ProposalStatus.PROPOSED).count() == 1


def test_its_query_count_does_not_grow_with_the_number_of_incidents(cast, coordinator):
    unit = cast.units.bu_a1

    def cost(incident):
        with CaptureQueriesContext(connection) as context:
            services.problems_propose_for(incident=incident)
        return len(context.captured_queries)

    # No cluster: 2 queries whether 1 or 20 earlier incidents of another category exist.
    quiet = IncidentFactory(unit=unit, category=IncidentCategory.OTHER)
    few = cost(quiet)
    IncidentFactory.create_batch(20, unit=unit, category=IncidentCategory.APPLICATION)
    assert cost(IncidentFactory(unit=unit, category=IncidentCategory.OTHER)) == few
    # A cluster of 3 and one of 30 cost the same.
    IncidentFactory.create_batch(2, unit=unit, category=IncidentCategory.ACCESS)
    small = cost(IncidentFactory(unit=unit, category=IncidentCategory.ACCESS))
    IncidentFactory.create_batch(29, unit=cast.units.team_a1a, category=IncidentCategory.ACCESS)
    large = cost(IncidentFactory(unit=cast.units.team_a1a, category=IncidentCategory.ACCESS))
    assert ProblemProposal.objects.count() == 2
    assert small == large


# --- accepting and dismissing ----------------------------------------------------------------------


def test_accepting_creates_the_problem_with_its_incidents_owned_by_the_accepter(cast, coordinator):
    for days_ago in (2, 1, 0):
        _incident, proposal = report(cast.units.bu_a1, days_ago=days_ago)
    problem = services.proposal_accept(actor=coordinator, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.problem == problem
    assert problem.owner == coordinator and problem.category == IncidentCategory.ACCESS
    assert problem.incidents.count() == 3
    with pytest.raises(ValidationError):
        services.proposal_accept(actor=coordinator, proposal=proposal)


def test_only_coordinators_decide_on_proposals(cast, coordinator):
    for days_ago in (2, 1, 0):
        _incident, proposal = report(cast.units.bu_a1, days_ago=days_ago)
    with pytest.raises(PermissionDenied):
        services.proposal_accept(actor=cast.risk_owner_a, proposal=proposal)
    with pytest.raises(ValidationError) as error:
        services.proposal_dismiss(actor=coordinator, proposal=proposal, reason="  ")
    assert "reason" in error.value.message_dict


# --- the workflow --------------------------------------------------------------------------------


@pytest.fixture
def problem(cast, coordinator):
    return services.problem_create(actor=coordinator, unit=cast.units.bu_a1, title="Login fails", owner=coordinator)


def test_it_moves_through_the_steps_with_their_gates(problem, coordinator):
    with pytest.raises(ValidationError) as error:
        services.problem_step(actor=coordinator, problem=problem, step="known_error")
    assert "workaround" in error.value.message_dict
    problem = services.problem_step(actor=coordinator, problem=problem, step="known_error", workaround="Use the link")
    assert problem.status == ProblemStatus.KNOWN_ERROR
    with pytest.raises(ValidationError) as error:
        services.problem_step(actor=coordinator, problem=problem, step="resolve")
    assert "root_cause" in error.value.message_dict
    problem = services.problem_step(actor=coordinator, problem=problem, step="resolve", root_cause="Expired cert")
    problem = services.problem_step(actor=coordinator, problem=problem, step="close")
    assert problem.status == ProblemStatus.CLOSED
    with pytest.raises(ValidationError):
        services.problem_update(actor=coordinator, problem=problem, title="New")
    with pytest.raises(ValidationError) as error:
        services.problem_step(actor=coordinator, problem=problem, step="reopen")
    assert "reason" in error.value.message_dict
    problem = services.problem_step(actor=coordinator, problem=problem, step="reopen", reason="It came back")
    assert problem.status == ProblemStatus.OPEN and problem.status_note == "It came back"


def test_it_refuses_a_step_from_the_wrong_status(problem, coordinator):
    with pytest.raises(ValidationError) as error:
        services.problem_step(actor=coordinator, problem=problem, step="close")
    assert "status" in error.value.message_dict


def test_a_known_error_keeps_its_workaround_and_the_faq_needs_an_answer(problem, coordinator):
    with pytest.raises(ValidationError) as error:
        services.problem_update(actor=coordinator, problem=problem, faq_published=True)
    assert "faq_published" in error.value.message_dict
    problem = services.problem_step(actor=coordinator, problem=problem, step="known_error", workaround="Restart")
    with pytest.raises(ValidationError):
        services.problem_update(actor=coordinator, problem=problem, workaround="")
    problem = services.problem_update(actor=coordinator, problem=problem, faq_published=True)
    assert problem.faq_published


def test_readers_and_outsiders_cannot_change_problems(cast, problem):
    for user in (cast.viewer_a, cast.auditor_a, cast.member_b):
        with pytest.raises(PermissionDenied):
            services.problem_update(actor=user, problem=problem, title="x")
    with pytest.raises(PermissionDenied):
        services.problem_create(actor=cast.viewer_a, unit=cast.units.bu_a1, title="x")
    # A contributor of the unit may.
    services.problem_update(actor=cast.risk_owner_a, problem=problem, title="Login fails for some")


# --- linking -------------------------------------------------------------------------------------


def test_it_links_and_unlinks_incidents_with_their_history(cast, problem, coordinator):
    incidents = IncidentFactory.create_batch(2, unit=cast.units.bu_a1)
    services.problem_link_incidents(actor=coordinator, problem=problem, incidents=incidents)
    assert set(problem.incidents.all()) == set(incidents)
    assert incidents[0].history.first().history_change_reason == system_note(
        gettext_lazy("Linked to problem #%(id)s"), id=problem.pk
    )
    services.problem_unlink_incident(actor=coordinator, problem=problem, incident=incidents[0])
    assert list(problem.incidents.all()) == [incidents[1]]
    with pytest.raises(ValidationError):
        services.problem_unlink_incident(actor=coordinator, problem=problem, incident=incidents[0])


def test_it_links_only_incidents_of_the_organisation_in_sight_and_free(cast, problem, coordinator):
    other_org = IncidentFactory(unit=cast.units.bu_b1)
    with pytest.raises(ValidationError) as error:
        services.problem_link_incidents(actor=coordinator, problem=problem, incidents=[other_org])
    assert "incidents" in error.value.message_dict
    elsewhere = services.problem_create(actor=coordinator, unit=cast.units.bu_a1, title="Other")
    taken = IncidentFactory(unit=cast.units.bu_a1, problem=elsewhere)
    with pytest.raises(ValidationError):
        services.problem_link_incidents(actor=coordinator, problem=problem, incidents=[taken])
    # The team lead of A1a sees only their team: an incident of A1 is out of their sight.
    own = services.problem_create(actor=cast.team_lead_a, unit=cast.units.team_a1a, title="Team")
    with pytest.raises(ValidationError):
        services.problem_link_incidents(
            actor=cast.team_lead_a, problem=own, incidents=[IncidentFactory(unit=cast.units.bu_a1)]
        )
    assert not Incident.objects.filter(problem=problem).exists()


def test_it_refuses_a_problem_in_a_group(cast):
    with pytest.raises(ValidationError) as error:
        services.problem_create(actor=cast.group_mgmt, unit=cast.units.group, title="x")
    assert "unit" in error.value.message_dict


def test_open_incidents_still_count_after_resolution(cast):
    # Resolved incidents count in a cluster too: recurrence, not backlog, makes a problem.
    for days_ago in (2, 1):
        IncidentFactory(
            unit=cast.units.bu_a1,
            category=IncidentCategory.ACCESS,
            reported_at=timezone.now() - days_ago * DAY,
            status=IncidentStatus.CLOSED,
        )
    _incident, proposal = report(cast.units.bu_a1)
    assert proposal is not None
