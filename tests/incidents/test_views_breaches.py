"""The breach register and a breach's page: only the owner and the organisation's data-protection
officers, quality officers and administrators see them (404 for everyone else, out of lists and exports),
the steps of the protocol through the forms, and a constant number of queries."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from incidents.choices import BreachRisk, BreachStatus
from incidents.models import DataBreach
from incidents.services import breaches as services
from qms.choices import Role
from tests.factories import MembershipFactory, UserFactory
from tests.factories.incidents import IncidentFactory

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def dpo_a(cast):
    user = UserFactory(username="dpo_a")
    MembershipFactory(user=user, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    return user


@pytest.fixture
def incident(cast):
    return IncidentFactory(unit=cast.units.bu_a1, data_breach_suspected=True, reported_at=timezone.now() - 2 * HOUR)


@pytest.fixture
def breach(cast, incident, dpo_a):
    return services.breach_open_from_incident(incident=incident, actor=cast.team_lead_a)


def test_it_shows_the_register_and_the_breach_to_those_who_may_see_it(cast, as_user, breach, dpo_a):
    for user in (dpo_a, cast.qo_a, cast.admin_a):
        client = as_user(user)
        page = client.get("/incidents/breaches/")
        assert page.status_code == 200 and f'data-breach="{breach.pk}"' in page.content.decode(), user
        detail = client.get(f"/incidents/breaches/{breach.pk}/")
        assert detail.status_code == 200 and "72 hours" in detail.content.decode()
        assert client.get(f"/incidents/breaches/{breach.pk}/history/").status_code == 200


@pytest.mark.parametrize("name", ["viewer_a", "team_lead_a", "board_a", "member_b", "outsider", "risk_owner_a"])
def test_it_hides_the_breach_from_everyone_else(cast, as_user, breach, name):
    client = as_user(getattr(cast, name))
    assert client.get(f"/incidents/breaches/{breach.pk}/").status_code == 404
    assert client.get(f"/incidents/breaches/{breach.pk}/history/").status_code == 404
    assert client.get(f"/incidents/breaches/{breach.pk}/assess/").status_code == 404
    assert client.post(f"/incidents/breaches/{breach.pk}/close/").status_code == 404
    page = client.get("/incidents/breaches/")
    assert page.status_code == 200 and f'data-breach="{breach.pk}"' not in page.content.decode()
    export = client.get("/incidents/breaches/?export=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_it_exports_the_register(cast, as_user, breach):
    export = as_user(cast.qo_a).get("/incidents/breaches/?export=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = rows[0]
    assert len(rows) == 2 and "Authority deadline" in header and "Time left" in header
    assert rows[1][header.index("Authority")] == "Open"


def test_it_filters_the_register(cast, as_user, breach, dpo_a):
    other = services.breach_create(
        actor=dpo_a, organisation=cast.units.org_a, title="Late", discovered_at=timezone.now() - 80 * HOUR
    )
    client = as_user(cast.qo_a)
    overdue = client.get("/incidents/breaches/?overdue=true").content.decode()
    assert f'data-breach="{other.pk}"' in overdue and f'data-breach="{breach.pk}"' not in overdue
    by_incident = client.get(f"/incidents/breaches/?incident={breach.incident_id}").content.decode()
    assert f'data-breach="{breach.pk}"' in by_incident and f'data-breach="{other.pk}"' not in by_incident
    assert client.get("/incidents/breaches/?risk=not_assessed").status_code == 200


def test_it_shows_an_empty_register(cast, as_user):
    page = as_user(cast.qo_a).get("/incidents/breaches/")
    assert 'data-testid="empty-state"' in page.content.decode()


def test_it_takes_a_breach_through_the_protocol(cast, as_user, breach, dpo_a):
    client = as_user(dpo_a)
    url = f"/incidents/breaches/{breach.pk}/"
    response = client.post(
        url + "assess/", {"personal_data": "yes", "risk": BreachRisk.HIGH_RISK, "people_affected": 40}
    )
    assert response.status_code == 302
    early = timezone.localtime(breach.discovered_at - HOUR).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url + "notify-authority/", {"notified_at": early})
    assert response.status_code == 200 and "before the breach was discovered" in response.content.decode()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(url + "notify-authority/", {"notified_at": now, "reference": "AP-1"}).status_code == 302
    assert client.post(url + "subjects-not-notified/", {"reason": ""}).status_code == 200
    assert client.post(url + "subjects-not-notified/", {"reason": "Encrypted"}).status_code == 302
    assert client.post(url + "close/").status_code == 302
    breach.refresh_from_db()
    assert breach.status == BreachStatus.CLOSED and breach.authority_reference == "AP-1"


def test_it_lets_administrators_read_but_not_handle(cast, as_user, breach):
    client = as_user(cast.admin_a)
    assert client.get(f"/incidents/breaches/{breach.pk}/assess/").status_code == 403
    assert 'data-testid="breach-steps"' not in client.get(f"/incidents/breaches/{breach.pk}/").content.decode()


def test_it_opens_a_breach_directly_for_officers_only(cast, as_user, dpo_a):
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = as_user(cast.qo_a).post(
        "/incidents/breaches/add/",
        {"organisation": cast.units.org_a.pk, "title": "Lost USB stick", "discovered_at": now},
    )
    assert response.status_code == 302
    breach = DataBreach.objects.get()
    assert breach.owner == dpo_a and response["Location"] == breach.get_absolute_url()
    assert as_user(cast.viewer_a).get("/incidents/breaches/add/").status_code == 403


def test_it_keeps_the_register_at_a_constant_number_of_queries(cast, as_user, dpo_a, count_queries):
    client = as_user(cast.qo_a)

    def make(count):
        for _ in range(count):
            incident = IncidentFactory(unit=cast.units.bu_a1, data_breach_suspected=True)
            services.breach_open_from_incident(incident=incident, actor=dpo_a)

    make(1)
    one = count_queries(client, "/incidents/breaches/?per_page=100")
    make(49)
    assert DataBreach.objects.count() == 50
    assert count_queries(client, "/incidents/breaches/?per_page=100") == one
