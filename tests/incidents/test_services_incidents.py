"""The incident rules (SPEC 5.2): priority, due time in service hours, hold, re-derivation, resolution."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy

from incidents.choices import Impact, IncidentStatus, Urgency
from incidents.models import Incident, IncidentPolicy
from incidents.services.incidents import (
    incident_close,
    incident_hold,
    incident_preview,
    incident_reopen,
    incident_resolve,
    incident_resume,
    incident_start,
    incident_update,
)
from qms.choices import Role
from qms.services.base import system_note
from tests.factories import MembershipFactory, UserFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db

MATRIX = [
    (Impact.ONE_PERSON, Urgency.STOPS, 3),
    (Impact.ONE_PERSON, Urgency.CONTINUES, 3),
    (Impact.LIMITED_GROUP, Urgency.STOPS, 2),
    (Impact.LIMITED_GROUP, Urgency.FALTERS, 2),
    (Impact.LIMITED_GROUP, Urgency.CONTINUES, 3),
    (Impact.UNIT, Urgency.STOPS, 1),
    (Impact.UNIT, Urgency.FALTERS, 1),
    (Impact.UNIT, Urgency.CONTINUES, 3),
    (Impact.MULTIPLE_UNITS, Urgency.FALTERS, 1),
    (Impact.MULTIPLE_UNITS, Urgency.CONTINUES, 3),
]


@pytest.mark.parametrize(("impact", "urgency", "priority"), MATRIX)
def test_it_derives_the_priority_from_the_default_matrix(cast, clock, register, impact, urgency, priority):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register(impact=impact, urgency=urgency)
    assert incident.priority == priority
    assert incident.restore_target_hours == {1: Decimal("4"), 2: Decimal("16"), 3: Decimal("42.5")}[priority]


def test_it_uses_the_organisations_own_matrix_and_targets(cast, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    policy = IncidentPolicy(organisation=cast.units.org_a)
    policy.priority_matrix[Impact.ONE_PERSON][Urgency.STOPS] = 1
    policy.restore_hours["1"] = "2"
    policy.save()
    incident = register(impact=Impact.ONE_PERSON, urgency=Urgency.STOPS)
    assert incident.priority == 1
    assert incident.restore_due == ams(2026, 11, 2, 11, 0)
    other = register(unit=cast.units.org_b, actor=cast.member_b, impact=Impact.ONE_PERSON, urgency=Urgency.STOPS)
    assert other.priority == 3


def test_it_computes_the_due_time_in_service_hours_skipping_a_dutch_holiday(cast, clock, register):
    # Friday 24 April 2026, 15:00; Monday 27 April is King's Day. P2 = 16 service hours:
    # 2 h on Friday, 8.5 h on Tuesday, 5.5 h on Wednesday.
    clock.set(ams(2026, 4, 30, 9, 0))
    incident = register(reported_at=ams(2026, 4, 24, 15, 0))
    assert incident.restore_due == ams(2026, 4, 29, 14, 0)
    # The warning at 75 % = 12 h: 2 h Friday, 8.5 h Tuesday, 1.5 h Wednesday.
    assert incident.sla_warn_at == ams(2026, 4, 29, 10, 0)


def test_it_previews_priority_and_due_time(cast, clock):
    preview = incident_preview(
        organisation=cast.units.org_a,
        impact=Impact.UNIT,
        urgency=Urgency.STOPS,
        reported_at=ams(2026, 11, 2, 16, 0),
    )
    assert preview == {"priority": 1, "restore_target_hours": Decimal("4"), "restore_due": ams(2026, 11, 3, 11, 30)}
    with pytest.raises(ValidationError) as error:
        incident_preview(organisation=cast.units.org_a, impact="huge", urgency="now")
    assert set(error.value.message_dict) == {"impact", "urgency"}


def test_it_requires_the_data_breach_answer(cast, register):
    with pytest.raises(ValidationError) as error:
        register(data_breach_suspected=None)
    assert error.value.message_dict["data_breach_suspected"] == [
        "Answer whether this concerns information security or privacy."
    ]
    assert not Incident.objects.exists()


def test_it_refuses_unknown_impact_and_urgency(cast, register):
    with pytest.raises(ValidationError) as error:
        register(impact="everyone", urgency="panic")
    assert set(error.value.message_dict) == {"impact", "urgency"}


def test_it_accepts_a_back_dated_report_and_refuses_a_future_one(cast, clock, register):
    clock.set(ams(2026, 11, 4, 12, 0))
    incident = register(reported_at=ams(2026, 11, 2, 9, 0))
    assert incident.reported_at == ams(2026, 11, 2, 9, 0)
    assert incident.restore_due == ams(2026, 11, 3, 16, 30)  # 16 h: 8 h Monday, 8 h Tuesday
    with pytest.raises(ValidationError) as error:
        register(reported_at=ams(2026, 11, 4, 12, 1))
    assert "reported_at" in error.value.message_dict


def test_it_refuses_a_unit_out_of_sight_or_without_a_contributing_role(cast, register):
    for actor, unit in [
        (cast.member_b, cast.units.bu_a1),
        (cast.viewer_a, cast.units.bu_a1),
        (cast.outsider, cast.units.bu_a1),
    ]:
        with pytest.raises(ValidationError) as error:
            register(actor=actor, unit=unit)
        assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        register(affected_units=[cast.units.bu_b1])
    assert "affected_units" in error.value.message_dict
    assert not Incident.objects.exists()


def test_it_makes_the_nearest_incident_coordinator_the_owner(cast, register, coordinator):
    assert register().owner == coordinator
    nearer = UserFactory(username="coordinator_a1")
    MembershipFactory(user=nearer, unit=cast.units.bu_a1, role=Role.INCIDENT_COORDINATOR)
    assert register().owner == nearer
    assert register(unit=cast.units.org_b, actor=cast.member_b).owner is None


def test_it_rederives_priority_and_due_time_when_impact_changes_and_records_why(cast, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register(impact=Impact.ONE_PERSON, urgency=Urgency.STOPS)
    assert (incident.priority, incident.restore_due) == (3, ams(2026, 11, 9, 9, 0))
    clock.set(ams(2026, 11, 2, 10, 0))
    incident = incident_update(actor=cast.qo_a, incident=incident, impact=Impact.UNIT, reason="Whole unit hit")
    assert incident.priority == 1
    assert incident.restore_due == ams(2026, 11, 2, 13, 0)
    last = incident.history.first()
    assert last.priority == 1
    assert last.history_change_reason.startswith(
        system_note(gettext_lazy("Priority re-derived: P%(old)s to P%(new)s, due %(due)s"), old=3, new=1, due="")
    )
    assert "Whole unit hit" in last.history_change_reason
    assert last.history_user == cast.qo_a
    assert incident.p1_since == ams(2026, 11, 2, 10, 0)
    assert incident.next_update_due == ams(2026, 11, 2, 11, 0)


def test_it_stops_the_clock_on_hold_and_moves_the_due_time_on_resume(cast, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register()  # P2, due Tuesday 16:30 (8 h Monday + 8 h Tuesday)
    assert incident.restore_due == ams(2026, 11, 3, 16, 30)
    with pytest.raises(ValidationError) as error:
        incident_hold(actor=cast.qo_a, incident=incident, reason="  ")
    assert "reason" in error.value.message_dict
    clock.set(ams(2026, 11, 2, 15, 0))
    incident = incident_hold(actor=cast.qo_a, incident=incident, reason="Waiting for the supplier")
    assert incident.status == IncidentStatus.ON_HOLD
    # On hold over the night: Monday 15:00-17:00 and Tuesday 08:30-10:30 count, 4 service hours.
    clock.set(ams(2026, 11, 3, 10, 30))
    incident = incident_resume(actor=cast.qo_a, incident=incident)
    assert incident.held_for == datetime.timedelta(hours=4)
    assert incident.restore_due == ams(2026, 11, 4, 12, 0)
    assert incident.status == IncidentStatus.IN_PROGRESS and incident.hold_reason == ""


def test_it_decides_the_sla_on_resolution(cast, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    on_time, late = register(), register()
    clock.set(ams(2026, 11, 5, 9, 0))
    on_time = incident_resolve(
        actor=cast.qo_a, incident=on_time, resolution="Restarted", resolved_at=ams(2026, 11, 3, 16, 30)
    )
    late = incident_resolve(actor=cast.qo_a, incident=late, resolution="Replaced", resolved_at=ams(2026, 11, 3, 16, 31))
    assert (on_time.sla_met, late.sla_met) == (True, False)
    # The time to restore is stored in service time: Monday 8 h + Tuesday 8 h (+ one minute).
    assert (on_time.restore_time, late.restore_time) == (
        datetime.timedelta(hours=16),
        datetime.timedelta(hours=16, minutes=1),
    )
    late = incident_reopen(actor=cast.qo_a, incident=late, reason="Broke again")
    assert (late.status, late.resolved_at, late.sla_met, late.restore_time) == (
        IncidentStatus.IN_PROGRESS,
        None,
        None,
        None,
    )


def test_it_refuses_a_resolution_before_the_report_or_in_the_future_or_without_words(cast, clock, register):
    clock.set(ams(2026, 11, 2, 12, 0))
    incident = register(reported_at=ams(2026, 11, 2, 9, 0))
    for resolution, resolved_at, field in [
        ("Fixed", ams(2026, 11, 2, 8, 59), "resolved_at"),
        ("Fixed", ams(2026, 11, 2, 12, 1), "resolved_at"),
        ("", None, "resolution"),
    ]:
        with pytest.raises(ValidationError) as error:
            incident_resolve(actor=cast.qo_a, incident=incident, resolution=resolution, resolved_at=resolved_at)
        assert field in error.value.message_dict
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_it_ends_the_hold_when_resolving_from_hold(cast, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register()
    clock.set(ams(2026, 11, 3, 9, 0))
    incident = incident_hold(actor=cast.qo_a, incident=incident, reason="Waiting")
    clock.set(ams(2026, 11, 4, 9, 0))
    # Held Tuesday 09:00 - Wednesday 09:00: 8.5 service hours; due moves from Tue 16:30 to Wed 16:30.
    incident = incident_resolve(actor=cast.qo_a, incident=incident, resolution="Supplier fixed it")
    assert incident.held_for == datetime.timedelta(hours=8, minutes=30)
    assert incident.restore_due == ams(2026, 11, 4, 16, 30)
    assert incident.sla_met is True and incident.on_hold_since is None
    # Two days of service time (17 h) less the 8.5 h on hold.
    assert incident.restore_time == datetime.timedelta(hours=8, minutes=30)


def test_it_follows_the_transition_table(cast, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register()
    with pytest.raises(ValidationError):
        incident_close(actor=cast.qo_a, incident=incident)
    incident = incident_start(actor=cast.qo_a, incident=incident)
    with pytest.raises(ValidationError):
        incident_start(actor=cast.qo_a, incident=incident)
    incident = incident_resolve(actor=cast.qo_a, incident=incident, resolution="Done")
    incident = incident_close(actor=cast.qo_a, incident=incident)
    assert incident.status == IncidentStatus.CLOSED and incident.closed_at is not None
    with pytest.raises(ValidationError):
        incident_update(actor=cast.qo_a, incident=incident, title="Changed")
    statuses = list(incident.history.order_by("history_date", "history_id").values_list("status", flat=True))
    assert statuses[-3:] == ["in_progress", "resolved", "closed"]


def test_it_lets_only_handlers_change_the_status(cast, clock, register, coordinator):
    incident = register()
    for user in (cast.viewer_a, cast.auditor_a, cast.outsider, cast.member_b):
        with pytest.raises(PermissionDenied):
            incident_start(actor=user, incident=incident)
    assert incident_start(actor=coordinator, incident=incident).status == IncidentStatus.IN_PROGRESS
    assert incident_hold(actor=cast.risk_owner_a, incident=incident, reason="Waiting").status == "on_hold"
    assert incident_resume(actor=cast.admin_a, incident=incident).status == "in_progress"


def test_it_opens_the_breach_protocol_when_a_breach_is_suspected(cast, clock, register, api):
    from incidents.models import DataBreach

    clock.set(ams(2026, 11, 2, 9, 0))
    quiet = register()
    suspected = register(data_breach_suspected=True, reported_at=ams(2026, 11, 2, 8, 0))
    breach = DataBreach.objects.get(incident=suspected)
    assert breach.discovered_at == ams(2026, 11, 2, 8, 0)
    assert not DataBreach.objects.filter(incident=quiet).exists()
    data = api(cast.qo_a).get(f"/api/v1/incidents/{suspected.pk}/").json()
    assert data["data_breach"] == breach.pk
