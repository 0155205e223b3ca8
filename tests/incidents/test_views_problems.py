"""The problem pages: list (filters, export, fixed query count), detail with incidents and steps,
create/edit, link/unlink, steps, history, and the proposed problems with accept / dismiss."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.choices import IncidentCategory, ProblemStatus, ProposalStatus
from incidents.models import Problem, ProblemProposal
from incidents.services import problems as services
from tests.factories.incidents import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(cast, coordinator):
    problem = services.problem_create(actor=coordinator, unit=cast.units.bu_a1, title="Login fails", owner=coordinator)
    services.problem_link_incidents(
        actor=coordinator, problem=problem, incidents=IncidentFactory.create_batch(3, unit=cast.units.bu_a1)
    )
    return problem


def test_the_list_filters_and_exports(cast, as_user, problem):
    client = as_user(cast.qo_a)
    page = client.get(reverse("incidents:problem_list"))
    assert page.status_code == 200 and b"Login fails" in page.content
    assert b"Login fails" not in client.get(reverse("incidents:problem_list") + "?status=closed").content
    export = client.get(reverse("incidents:problem_list") + "?export=csv")
    assert export.status_code == 200 and b"Login fails" in export.content
    assert b"Login fails" not in as_user(cast.member_b).get(reverse("incidents:problem_list")).content


def test_the_list_costs_the_same_for_1_and_50_problems(cast, as_user, count_queries, coordinator):
    client = as_user(cast.qo_a)
    services.problem_create(actor=coordinator, unit=cast.units.bu_a1, title="One")
    one = count_queries(client, reverse("incidents:problem_list"))
    for number in range(49):
        Problem.objects.create(unit=cast.units.bu_a1, title=f"P{number}", owner=coordinator)
    assert count_queries(client, reverse("incidents:problem_list") + "?per_page=50") == one


def test_the_detail_shows_incidents_steps_and_history(cast, as_user, problem):
    client = as_user(cast.qo_a)
    page = client.get(problem.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert content.count("incidents:problem_unlink") == 0 and 'data-testid="problem-incidents"' in content
    assert "P2" in content and 'data-testid="step-known-error"' in content
    assert client.get(reverse("incidents:problem_history", args=[problem.pk])).status_code == 200
    assert as_user(cast.member_b).get(problem.get_absolute_url()).status_code == 404


def test_it_creates_edits_and_steps_through_the_pages(cast, as_user, coordinator):
    client = as_user(coordinator)
    incident = IncidentFactory(unit=cast.units.bu_a1, category=IncidentCategory.ACCESS)
    form = client.get(reverse("incidents:problem_add") + f"?incident={incident.pk}")
    assert form.status_code == 200
    response = client.post(
        reverse("incidents:problem_add"),
        {"unit": cast.units.bu_a1.pk, "title": "Accounts lock", "category": "access", "incidents": [incident.pk]},
    )
    assert response.status_code == 302
    problem = Problem.objects.get(title="Accounts lock")
    assert list(problem.incidents.all()) == [incident]
    step = reverse("incidents:problem_step", args=[problem.pk, "known-error"])
    page = client.post(step, {"workaround": ""})
    assert page.status_code == 200 and b"A known error needs a workaround." in page.content
    assert client.post(step, {"workaround": "Reset it"}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    edit = client.post(
        reverse("incidents:problem_edit", args=[problem.pk]),
        {"title": "Accounts lock out", "category": "access", "workaround": "Reset it", "faq_published": "on"},
    )
    assert edit.status_code == 302
    problem.refresh_from_db()
    assert problem.faq_published and problem.title == "Accounts lock out"
    client.post(reverse("incidents:problem_unlink", args=[problem.pk, incident.pk]))
    assert not problem.incidents.exists()
    client.post(reverse("incidents:problem_link", args=[problem.pk]), {"incidents": [incident.pk]})
    assert problem.incidents.count() == 1
    assert client.get(reverse("incidents:problem_step", args=[problem.pk, "nonsense"])).status_code == 404


def test_readers_get_403_on_writes(cast, as_user, problem):
    client = as_user(cast.viewer_a)
    assert client.get(reverse("incidents:problem_edit", args=[problem.pk])).status_code == 403
    assert client.post(reverse("incidents:problem_step", args=[problem.pk, "resolve"])).status_code == 403
    assert client.get(reverse("incidents:problem_add")).status_code == 403


def test_the_coordinator_accepts_and_dismisses_proposals(cast, as_user, coordinator):
    def propose(category):
        for _ in range(3):
            incident = IncidentFactory(unit=cast.units.bu_a1, category=category, reported_at=timezone.now())
            proposal = services.problems_propose_for(incident=incident)
        return proposal

    accepted, dismissed = propose(IncidentCategory.ACCESS), propose(IncidentCategory.APPLICATION)
    client = as_user(coordinator)
    page = client.get(reverse("incidents:proposal_list"))
    assert page.content.count(b'data-testid="accept-proposal"') == 2
    assert b"accept-proposal" not in as_user(cast.risk_owner_a).get(reverse("incidents:proposal_list")).content
    client = as_user(coordinator)  # the test client is one: log the coordinator in again
    response = client.post(reverse("incidents:proposal_accept", args=[accepted.pk]))
    problem = Problem.objects.get()
    assert response.url == problem.get_absolute_url() and problem.owner == coordinator
    page = client.post(reverse("incidents:proposal_dismiss", args=[dismissed.pk]), {"reason": ""})
    assert page.status_code == 200
    client.post(reverse("incidents:proposal_dismiss", args=[dismissed.pk]), {"reason": "Supplier outage"})
    assert ProblemProposal.objects.get(pk=dismissed.pk).status == ProposalStatus.DISMISSED
    assert as_user(cast.risk_owner_a).post(reverse("incidents:proposal_accept", args=[dismissed.pk])).status_code == 403
    assert as_user(cast.member_b).post(reverse("incidents:proposal_accept", args=[dismissed.pk])).status_code == 404
