"""The SLA watch (SPEC 5.2): warn the owner at 75 %, escalate at 100 % to owner, manager and quality
officers, each once per incident; one query finds what to act on."""

import datetime
import io
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.choices import IncidentStatus
from incidents.models import Incident
from incidents.services.incidents import incident_hold, incident_resolve, sla_watch
from qms.models import Notification, User
from tests.factories.incidents import IncidentFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db


def open_p2(cast, owner, day):
    """A P2 written directly (the watch reads stored times only): warn at 12:30 and due at 16:30 the
    next day. Registering many through the service would also propose problems."""
    return IncidentFactory(
        unit=cast.units.bu_a1,
        owner=owner,
        reported_at=ams(2026, 11, day, 9, 0),
        sla_warn_at=ams(2026, 11, day + 1, 12, 30),
        restore_due=ams(2026, 11, day + 1, 16, 30),
    )


def verbs(user):
    return list(Notification.objects.filter(recipient=user).values_list("verb", flat=True).order_by("pk"))


def sla_verbs(user):
    return [verb for verb in verbs(user) if verb.startswith("incident_sla")]


@pytest.fixture
def p2(cast, clock, register, coordinator):
    """A P2 reported Monday 2 November 09:00: 75 % (12 h) at Tuesday 12:30, due (16 h) Tuesday 16:30."""
    clock.set(ams(2026, 11, 2, 9, 0))
    User.objects.filter(pk=coordinator.pk).update(manager=cast.team_lead_a)
    coordinator.refresh_from_db()
    return register()


def test_it_warns_the_owner_once_at_75_percent(cast, p2, coordinator):
    assert sla_watch(now=ams(2026, 11, 3, 12, 29)) == {"warned": 0, "escalated": 0}
    assert sla_watch(now=ams(2026, 11, 3, 12, 30)) == {"warned": 1, "escalated": 0}
    assert sla_watch(now=ams(2026, 11, 3, 12, 35)) == {"warned": 0, "escalated": 0}
    assert sla_verbs(coordinator) == ["incident_sla_warning"]
    assert sla_verbs(cast.qo_a) == []
    p2.refresh_from_db()
    assert p2.sla_warned_at == ams(2026, 11, 3, 12, 30)


def test_it_escalates_once_at_100_percent_to_owner_manager_and_quality_officers(cast, p2, coordinator):
    sla_watch(now=ams(2026, 11, 3, 12, 30))
    assert sla_watch(now=ams(2026, 11, 3, 16, 30)) == {"warned": 0, "escalated": 1}
    assert sla_watch(now=ams(2026, 11, 4, 9, 0)) == {"warned": 0, "escalated": 0}
    assert sla_verbs(coordinator) == ["incident_sla_warning", "incident_sla_breached"]
    assert sla_verbs(cast.team_lead_a) == ["incident_sla_breached"]
    assert sla_verbs(cast.qo_a) == ["incident_sla_breached"]
    assert sla_verbs(cast.member_b) == []


def test_it_escalates_without_a_warning_first_when_found_past_the_due_time(cast, p2, coordinator):
    assert sla_watch(now=ams(2026, 11, 4, 9, 0)) == {"warned": 0, "escalated": 1}
    assert sla_watch(now=ams(2026, 11, 4, 9, 5)) == {"warned": 0, "escalated": 0}
    assert sla_verbs(coordinator) == ["incident_sla_breached"]


def test_it_leaves_incidents_on_hold_or_resolved_alone(cast, clock, p2, register):
    other = register()
    clock.set(ams(2026, 11, 2, 10, 0))
    incident_hold(actor=cast.qo_a, incident=p2, reason="Waiting for the reporter")
    incident_resolve(actor=cast.qo_a, incident=other, resolution="Fixed")
    assert sla_watch(now=ams(2026, 11, 5, 9, 0)) == {"warned": 0, "escalated": 0}


def test_it_finds_what_to_act_on_in_one_query_however_many_incidents_are_open(cast, coordinator):
    for _ in range(20):
        open_p2(cast, coordinator, 2)
    with CaptureQueriesContext(connection) as context:
        assert sla_watch(now=ams(2026, 11, 2, 10, 0)) == {"warned": 0, "escalated": 0}
    selects = [q["sql"] for q in context.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


def test_it_costs_the_same_queries_for_1_and_20_warnings_plus_one_insert_each(cast, coordinator):
    def run_with(count, day):
        for _ in range(count):
            open_p2(cast, coordinator, day)
        with CaptureQueriesContext(connection) as context:
            assert sla_watch(now=ams(2026, 11, day + 1, 12, 30))["warned"] == count
        return len(context.captured_queries)

    one = run_with(1, 2)
    Incident.objects.update(status=IncidentStatus.RESOLVED)  # not escalated in the second run
    twenty = run_with(20, 9)
    # Fixed: the query, the claim, the role holders; per warned incident only its notification's insert.
    assert twenty - one == 19


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_notifies_once_when_two_runs_race(cast, coordinator, row_locks):
    for _ in range(10):
        open_p2(cast, coordinator, 2)
    barrier = threading.Barrier(2)
    results = []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(sla_watch(now=ams(2026, 11, 3, 12, 30)))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result["warned"] for result in results) == 10
    assert Notification.objects.filter(verb="incident_sla_warning").count() == 10


def test_the_task_and_the_command_run_the_watches(cast, coordinator):
    from django.core.management import call_command

    from incidents.tasks import run_incident_sla, run_p1_updates

    open_p2(cast, coordinator, 2)  # long past its due time
    assert run_incident_sla() == {"warned": 0, "escalated": 1}
    assert run_p1_updates() == {"reminded": 0, "escalated": 0}
    out = io.StringIO()
    call_command("run_incident_sla", stdout=out)
    call_command("run_p1_updates", stdout=out)
    assert "escalated: 0" in out.getvalue() and "reminded: 0" in out.getvalue()


def test_the_sla_state_of_a_row_agrees_with_the_list_filters(cast):
    """The page and the API read the state from the row; the filters select it in SQL: the same rule."""
    now = ams(2026, 11, 4, 12, 0)
    hour = datetime.timedelta(hours=1)
    rows = {
        "on_time": {"restore_due": now + 5 * hour, "sla_warn_at": now + hour},
        "at_risk": {"restore_due": now + hour, "sla_warn_at": now - hour},
        "breached": {"restore_due": now - hour, "sla_warn_at": now - 2 * hour},
        "held_before_risk": {
            "status": IncidentStatus.ON_HOLD,
            "hold_reason": "Waiting",
            "on_hold_since": now - 3 * hour,
            "restore_due": now - hour,
            "sla_warn_at": now - 2 * hour,
        },
        "resolved_late": {"status": IncidentStatus.RESOLVED, "sla_met": False, "restore_due": now - hour},
        "resolved_in_time": {"status": IncidentStatus.RESOLVED, "sla_met": True, "restore_due": now - hour},
    }
    made = {name: IncidentFactory(unit=cast.units.bu_a1, title=name, **fields) for name, fields in rows.items()}
    at_risk = set(Incident.objects.sla_at_risk(now).values_list("title", flat=True))
    breached = set(Incident.objects.sla_breached(now).values_list("title", flat=True))
    for name, incident in made.items():
        state = incident.sla_state_at(now)
        assert (state == "at_risk") == (name in at_risk), name
        assert (state == "breached") == (name in breached), name
    assert made["held_before_risk"].sla_state_at(now) == "on_time"
    assert (made["at_risk"].sla_state_at(now), made["resolved_late"].sla_state_at(now)) == ("at_risk", "breached")
