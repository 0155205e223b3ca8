"""The incident API (SPEC 9): incidents/ and incident-updates/, the status steps, the bad input of
issue 11 answered with field errors, scoping and constant query counts."""

import datetime

import pytest

from incidents.choices import Impact, IncidentStatus, Urgency
from incidents.models import Incident, IncidentUpdate
from tests.factories.incidents import IncidentFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


def body(cast, **changes):
    data = {
        "title": "Mail is down",
        "unit": cast.units.bu_a1.pk,
        "impact": "limited_group",
        "urgency": "stops",
        "data_breach_suspected": False,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


def test_it_registers_an_incident_with_derived_priority_and_due_time(cast, api, clock, coordinator):
    clock.set(ams(2026, 4, 30, 9, 0))
    answer = api(cast.qo_a).post(
        URL,
        body(cast, reported_at="2026-04-24T15:00:00", affected_units=[cast.units.team_a1a.pk]),
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["priority"] == 2
    assert data["channel"] == "api"
    assert data["status"] == "new"
    assert data["sla_met"] is None and data["data_breach"] is None
    # A naive time is Amsterdam time; King's Day (Monday 27 April) is skipped.
    assert data["reported_at"] == "2026-04-24T15:00:00+02:00"
    assert data["restore_due"] == "2026-04-29T14:00:00+02:00"
    assert data["owner"]["id"] == coordinator.pk
    assert [unit["id"] for unit in data["affected_units"]] == [cast.units.team_a1a.pk]
    incident = Incident.objects.get(pk=data["id"])
    assert incident.reporter == cast.qo_a


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"data_breach_suspected": ...}, "data_breach_suspected"),
        ({"data_breach_suspected": None}, "data_breach_suspected"),
        ({"impact": "huge"}, "impact"),
        ({"urgency": "now"}, "urgency"),
        ({"reported_at": "2999-01-01T10:00:00+01:00"}, "reported_at"),
        ({"reported_at": "yesterday"}, "reported_at"),
        ({"title": ""}, "title"),
        ({"owner": "someone"}, "owner"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_it_answers_bad_input_with_a_field_error_and_registers_nothing(cast, api, changes, field):
    answer = api(cast.qo_a).post(URL, body(cast, **changes), format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not Incident.objects.exists()


def test_it_says_what_the_breach_question_wants(cast, api):
    answer = api(cast.qo_a).post(URL, body(cast, data_breach_suspected=...), format="json")
    assert answer.json()["data_breach_suspected"] == ["Answer whether this concerns information security or privacy."]


def test_it_refuses_a_unit_out_of_sight_or_without_a_role(cast, api):
    for user, unit in [(cast.member_b, cast.units.bu_a1), (cast.viewer_a, cast.units.bu_a1)]:
        answer = api(user).post(URL, body(cast, unit=unit.pk), format="json")
        assert answer.status_code == 400 and "unit" in answer.json()
    answer = api(cast.qo_a).post(URL, body(cast, affected_units=[cast.units.bu_b1.pk]), format="json")
    assert answer.status_code == 400 and "affected_units" in answer.json()
    assert not Incident.objects.exists()


def test_it_changes_the_status_only_through_the_steps(cast, api, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    client = api(cast.qo_a)
    incident = client.post(URL, body(cast), format="json").json()
    detail = f"{URL}{incident['id']}/"
    answer = client.patch(detail, {"status": "resolved"}, format="json")
    assert answer.status_code == 400 and "step" in answer.json()["status"][0]
    assert client.post(f"{detail}start/").json()["status"] == "in_progress"
    answer = client.post(f"{detail}hold/", {"reason": ""}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()
    clock.set(ams(2026, 11, 2, 10, 0))
    assert client.post(f"{detail}hold/", {"reason": "Supplier"}, format="json").json()["status"] == "on_hold"
    clock.set(ams(2026, 11, 2, 11, 0))
    data = client.post(f"{detail}resume/").json()
    # Due Tuesday 16:30, moved by the hour on hold: half an hour on Tuesday, half on Wednesday.
    assert data["restore_due"] == "2026-11-04T09:00:00+01:00"
    answer = client.post(
        f"{detail}resolve/", {"resolution": "Fixed", "resolved_at": "2026-11-02T08:00:00"}, format="json"
    )
    assert answer.status_code == 400 and "resolved_at" in answer.json()
    answer = client.post(f"{detail}resolve/", {"resolution": "", "resolved_at": "2026-11-02T10:30:00"}, format="json")
    assert answer.status_code == 400 and "resolution" in answer.json()
    data = client.post(
        f"{detail}resolve/", {"resolution": "Fixed", "resolved_at": "2026-11-02T10:30:00"}, format="json"
    ).json()
    assert (data["status"], data["sla_met"]) == ("resolved", True)
    assert client.post(f"{detail}close/").json()["status"] == "closed"
    answer = client.post("/api/v1/incident-updates/", {"incident": incident["id"], "text": "Late news"}, format="json")
    assert answer.status_code == 400 and "incident" in answer.json()
    assert client.patch(detail, {"title": "Renamed"}, format="json").status_code == 400


def test_it_re_derives_the_priority_on_a_patch(cast, api, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    client = api(cast.qo_a)
    incident = client.post(URL, body(cast), format="json").json()
    data = client.patch(
        f"{URL}{incident['id']}/", {"impact": "unit", "change_reason": "Whole unit"}, format="json"
    ).json()
    assert (data["priority"], data["restore_due"]) == (1, "2026-11-02T13:00:00+01:00")
    answer = client.patch(f"{URL}{incident['id']}/", {"unit": cast.units.org_a.pk}, format="json")
    assert answer.status_code == 400 and "unit" in answer.json()


def test_it_hides_incidents_out_of_sight(cast, api):
    incident = IncidentFactory(unit=cast.units.bu_a1)
    assert api(cast.member_b).get(f"{URL}{incident.pk}/").status_code == 404
    assert api(cast.outsider).get(f"{URL}{incident.pk}/").status_code == 404
    assert api(cast.outsider).post(f"{URL}{incident.pk}/start/").status_code == 404
    assert api(cast.member_b).get(URL).json()["count"] == 0
    assert api(cast.viewer_a).get(URL).json()["count"] == 1
    assert api(cast.viewer_a).post(f"{URL}{incident.pk}/start/").status_code == 403
    assert api().get(URL).status_code in (401, 403)


def test_it_posts_and_lists_updates(cast, api, clock, coordinator):
    clock.set(ams(2026, 11, 2, 9, 20))
    client = api(coordinator)
    incident = client.post(URL, body(cast, impact=Impact.UNIT, urgency=Urgency.STOPS), format="json").json()
    assert incident["priority"] == 1 and incident["next_update_due"] == "2026-11-02T10:00:00+01:00"
    clock.set(ams(2026, 11, 2, 9, 50))
    answer = client.post("/api/v1/incident-updates/", {"incident": incident["id"], "text": "On it"}, format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["posted_by"]["id"] == coordinator.pk and data["late"] is False
    assert data["posted_at"] == "2026-11-02T09:50:00+01:00"
    listed = client.get(f"/api/v1/incident-updates/?incident={incident['id']}").json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert api(cast.member_b).get("/api/v1/incident-updates/").json()["count"] == 0
    answer = api(cast.member_b).post(
        "/api/v1/incident-updates/", {"incident": incident["id"], "text": "x"}, format="json"
    )
    assert answer.status_code == 400 and "incident" in answer.json()


def test_it_filters_by_status_priority_and_sla(cast, api, clock):
    now = clock.set(ams(2026, 11, 5, 12, 0))
    late = IncidentFactory(
        unit=cast.units.bu_a1, reported_at=ams(2026, 11, 2, 9, 0), restore_due=ams(2026, 11, 3, 16, 30)
    )
    risky = IncidentFactory(
        unit=cast.units.bu_a1,
        reported_at=ams(2026, 11, 4, 9, 0),
        sla_warn_at=ams(2026, 11, 5, 11, 0),
        restore_due=ams(2026, 11, 5, 16, 30),
    )
    IncidentFactory(
        unit=cast.units.bu_a1, status=IncidentStatus.RESOLVED, reported_at=now, restore_due=now, sla_met=True
    )
    client = api(cast.qo_a)

    def ids(query):
        return sorted(row["id"] for row in client.get(f"{URL}?{query}").json()["results"])

    assert ids("sla=breached") == [late.pk]
    assert ids("sla=at_risk") == [risky.pk]
    assert ids("status=new&priority=2") == sorted([late.pk, risky.pk])
    assert client.get(f"{URL}?sla=soon").status_code == 400
    states = {row["id"]: row["sla_state"] for row in client.get(URL).json()["results"]}
    assert states[late.pk] == "breached" and states[risky.pk] == "at_risk"


def test_list_query_count_does_not_grow_with_rows(cast, api, count_queries):
    client = api(cast.qo_a)

    def make():
        incident = IncidentFactory(unit=cast.units.bu_a1, owner=cast.qo_a, reporter=cast.risk_owner_a)
        incident.affected_units.set([cast.units.team_a1a])
        IncidentUpdate.objects.create(incident=incident, text="x", posted_at=incident.reported_at, posted_by=cast.qo_a)

    make()
    for path in (URL, f"{URL}?status=new&priority=2&sla=breached&ordering=-priority", "/api/v1/incident-updates/"):
        client.get(path)  # warm the content type cache
        few = count_queries(client, path)
        for _ in range(49):
            make()
        assert count_queries(client, path) == few, path


def test_the_direct_representation_answers_exactly_what_drf_would(cast, api):
    """IncidentSerializer writes its rows without DRF's generic loop (for the page's speed): the answer
    must be the same, field for field, for every kind of incident."""
    from rest_framework import serializers
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from incidents.api.incidents import IncidentSerializer
    from incidents.models import DataBreach, Problem

    a1 = cast.units.bu_a1
    hour = datetime.timedelta(hours=1)
    now = ams(2026, 11, 4, 12, 0)
    incidents = [
        IncidentFactory(unit=a1, reported_at=now - hour, sla_warn_at=now + hour),
        IncidentFactory(
            unit=a1,
            status=IncidentStatus.ON_HOLD,
            hold_reason="Waiting for the supplier",
            on_hold_since=now,
            held_for=90 * datetime.timedelta(minutes=1),
            owner=cast.qo_a,
            reporter=cast.team_lead_a,
        ),
        IncidentFactory(
            unit=a1,
            status=IncidentStatus.RESOLVED,
            resolution="Restarted",
            reported_at=now - 3 * hour,
            resolved_at=now,
            sla_met=False,
            p1_since=now - 3 * hour,
            missed_updates=2,
            data_breach_suspected=True,
        ),
    ]
    incidents[0].affected_units.set([a1, cast.units.team_a1a])
    DataBreach.objects.create(
        organisation=cast.units.org_a,
        incident=incidents[2],
        title="Breach",
        discovered_at=now,
        authority_deadline=now + 72 * hour,
    )
    Incident.objects.filter(pk=incidents[1].pk).update(problem=Problem.objects.create(unit=a1, title="P"))
    request = Request(APIRequestFactory().get("/api/v1/incidents/"))
    request.user = cast.qo_a
    for incident in Incident.objects.select_related("data_breach").prefetch_related("affected_units"):
        serializer = IncidentSerializer(incident, context={"request": request})
        assert serializer.data == serializers.ModelSerializer.to_representation(serializer, incident)
    response = api(cast.qo_a).get("/api/v1/incidents/")
    assert {row["data_breach"] for row in response.json()["results"]} == {None, incidents[2].data_breach.pk}
