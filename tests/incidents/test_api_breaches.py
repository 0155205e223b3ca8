"""``data-breaches/`` (SPEC 9): the fields, scoped by the breach rule (404 also for people who see the
incident), the protocol's steps as POST actions with 400 field messages, and a constant query count."""

import datetime

import pytest
from django.utils import timezone

from incidents.choices import BreachStatus
from incidents.models import DataBreach
from incidents.services import breaches as services
from qms.choices import Role
from tests.factories import MembershipFactory, UserFactory
from tests.factories.incidents import IncidentFactory

HOUR = datetime.timedelta(hours=1)
SPEC_FIELDS = {
    "id",
    "organisation",
    "incident",
    "discovered_at",
    "personal_data",
    "risk",
    "authority_deadline",
    "authority_notified_at",
    "subjects_notified_at",
    "status",
}


@pytest.fixture
def dpo_a(cast):
    user = UserFactory(username="dpo_a")
    MembershipFactory(user=user, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    return user


@pytest.fixture
def breach(cast, dpo_a):
    incident = IncidentFactory(unit=cast.units.bu_a1, data_breach_suspected=True, reported_at=timezone.now() - HOUR)
    return services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)


def test_it_answers_the_spec_fields(cast, api, breach, dpo_a):
    data = api(dpo_a).get(f"/api/v1/data-breaches/{breach.pk}/").json()
    assert set(data) >= SPEC_FIELDS
    assert data["risk"] is None and data["status"] == "assessment"
    assert data["incident"]["id"] == breach.incident_id and data["organisation"]["id"] == cast.units.org_a.pk
    deadline = datetime.datetime.fromisoformat(data["authority_deadline"])
    assert deadline == breach.discovered_at + datetime.timedelta(hours=72)


def test_it_filters_by_incident(cast, api, breach, dpo_a):
    client = api(cast.qo_a)
    assert client.get(f"/api/v1/data-breaches/?incident={breach.incident_id}").json()["count"] == 1
    assert client.get("/api/v1/data-breaches/?incident=abc").status_code == 400


@pytest.mark.parametrize("name", ["viewer_a", "team_lead_a", "board_a", "member_b", "outsider"])
def test_it_hides_breaches_from_everyone_else(cast, api, breach, name):
    client = api(getattr(cast, name))
    assert client.get(f"/api/v1/data-breaches/{breach.pk}/").status_code == 404
    assert client.post(f"/api/v1/data-breaches/{breach.pk}/close/", {}, format="json").status_code == 404
    assert client.get("/api/v1/data-breaches/").json()["count"] == 0


def test_it_takes_a_breach_through_the_steps(cast, api, breach, dpo_a):
    client = api(dpo_a)
    base = f"/api/v1/data-breaches/{breach.pk}/"
    answer = client.post(base + "assess/", {"personal_data": True, "risk": "risk"}, format="json")
    assert answer.status_code == 200 and answer.json()["risk"] == "risk"
    early = (breach.discovered_at - HOUR).isoformat()
    answer = client.post(base + "notify-authority/", {"notified_at": early}, format="json")
    assert answer.status_code == 400 and "before the breach was discovered" in answer.json()["notified_at"][0]
    answer = client.post(base + "close/", {}, format="json")
    assert answer.status_code == 400 and "authority" in answer.json()["non_field_errors"][0]
    # A time without a time zone is Amsterdam time.
    naive = timezone.localtime().replace(tzinfo=None, second=0, microsecond=0).isoformat()
    answer = client.post(base + "notify-authority/", {"notified_at": naive}, format="json")
    assert answer.status_code == 200 and answer.json()["authority_notified_at"]
    assert client.post(base + "close/", {}, format="json").status_code == 200
    assert DataBreach.objects.get(pk=breach.pk).status == BreachStatus.CLOSED


def test_it_answers_bad_input_with_field_messages(cast, api, breach, dpo_a):
    client = api(dpo_a)
    base = f"/api/v1/data-breaches/{breach.pk}/"
    answer = client.post(base + "assess/", {"personal_data": "maybe", "risk": "huge"}, format="json")
    assert answer.status_code == 400 and {"personal_data", "risk"} <= set(answer.json())
    answer = client.post(base + "authority-not-notified/", {"reason": ""}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()
    answer = client.post(base + "notify-subjects/", {"notified_at": "tomorrow"}, format="json")
    assert answer.status_code == 400 and "notified_at" in answer.json()
    answer = client.post(
        "/api/v1/data-breaches/",
        {"organisation": cast.units.org_a.pk, "title": "x", "discovered_at": (timezone.now() + HOUR).isoformat()},
        format="json",
    )
    assert answer.status_code == 400 and "discovered_at" in answer.json()


def test_it_creates_a_breach_for_officers_only(cast, api, dpo_a):
    body = {"organisation": cast.units.org_a.pk, "title": "Lost laptop", "discovered_at": timezone.now().isoformat()}
    answer = api(cast.qo_a).post("/api/v1/data-breaches/", body, format="json")
    assert answer.status_code == 201 and answer.json()["owner"]["id"] == dpo_a.pk
    assert api(cast.viewer_a).post("/api/v1/data-breaches/", body, format="json").status_code in (400, 403)


def test_it_keeps_the_list_at_a_constant_number_of_queries(cast, api, dpo_a, count_queries):
    client = api(cast.qo_a)

    def make(count):
        for _ in range(count):
            incident = IncidentFactory(unit=cast.units.bu_a1, data_breach_suspected=True)
            services.breach_open_from_incident(incident=incident, actor=dpo_a)

    make(1)
    one = count_queries(client, "/api/v1/data-breaches/?limit=100")
    make(49)
    assert count_queries(client, "/api/v1/data-breaches/?limit=100") == one
