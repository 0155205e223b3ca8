"""The rules of changes and new wishes (SPEC 5.4): the status flow, the impact assessment with the DPIA
gate, the risk on the matrix and the register risk, the stakeholders' decisions, planning in the
maintenance window (and the contacts warned outside it), test, DPIA and release."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incidents.choices import ChangeKind, ChangeStatus, ContactGroup
from incidents.models import EscalationContact, IncidentPolicy
from incidents.selectors.changes import MaintenanceWindow
from incidents.services import changes as services
from qms.choices import Role
from qms.models import Notification
from qms.services.base import system_note
from risks.choices import RiskLevel
from risks.models import Risk
from tests.factories import MembershipFactory, UserFactory
from tests.factories.risks import RiskFactory, category

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


def next_thursday(hour=16, minute=0) -> datetime.datetime:
    """A Thursday at least a week ahead, at ``hour`` Amsterdam time."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    while day.weekday() != 3:
        day += datetime.timedelta(days=1)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@pytest.fixture
def people(cast):
    units = cast.units
    coordinator = UserFactory(username="coordinator_a")
    MembershipFactory(user=coordinator, unit=units.org_a, role=Role.INCIDENT_COORDINATOR)
    dpo = UserFactory(username="dpo_a")
    MembershipFactory(user=dpo, unit=units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    cast.coordinator, cast.dpo = coordinator, dpo
    category("operational")  # the default categories (a migration adds them; the test database has none)
    return cast


def submit(people, **kwargs):
    kwargs.setdefault("kind", ChangeKind.CHANGE)
    kwargs.setdefault("title", "Export of applications in CSV")
    kwargs.setdefault("unit", people.units.bu_a1)
    return services.change_create(actor=kwargs.pop("actor", people.risk_owner_a), **kwargs)


ASSESSMENT = {
    "privacy_impact": "low",
    "security_impact": "low",
    "governance_impact": "none",
    "architecture_impact": "none",
    "fits_requirements": True,
    "risk_likelihood": 2,
    "risk_impact": 2,
}


def assess(people, change, actor=None, **kwargs):
    return services.change_assess(actor=actor or people.qo_a, change=change, **{**ASSESSMENT, **kwargs})


def approved(people, **kwargs):
    change = assess(people, submit(people), **kwargs)
    services.change_decide(actor=people.board_a, change=change, approved=True, reason="Useful for all members.")
    return services.change_conclude(actor=people.coordinator, change=change, approved=True, reason="Agreed.")


def planned(people, **kwargs):
    change = approved(people, **kwargs)
    start = next_thursday()
    return services.change_plan(
        actor=people.coordinator, change=change, planned_start=start, planned_end=start + datetime.timedelta(hours=1)
    )


def make_tested(people, **kwargs):
    change = planned(people, **kwargs)
    return services.change_record_test(
        actor=people.coordinator, change=change, tested_at=timezone.now(), result="passed"
    )


# --- the request -------------------------------------------------------------------------------


def test_it_lets_a_contributor_submit_with_the_coordinator_as_owner(people):
    change = submit(people)
    assert change.status == ChangeStatus.SUBMITTED
    assert change.owner == people.coordinator
    assert change.requester == people.risk_owner_a
    assert change.organisation == people.units.org_a
    assert Notification.objects.filter(recipient=people.coordinator, verb="change_submitted").exists()


def test_it_refuses_a_request_from_a_viewer_or_an_outsider(people):
    for user in (people.viewer_a, people.outsider):
        with pytest.raises(PermissionDenied):
            submit(people, actor=user)


def test_it_refuses_a_request_for_a_group(people):
    with pytest.raises(ValidationError) as error:
        submit(people, actor=people.group_mgmt, unit=people.units.group)
    assert "unit" in error.value.message_dict


# --- the impact assessment ---------------------------------------------------------------------


def test_it_needs_all_four_ratings(people):
    change = submit(people)
    with pytest.raises(ValidationError) as error:
        assess(people, change, security_impact="", architecture_impact="severe")
    assert set(error.value.message_dict) == {"security_impact", "architecture_impact"}
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED


def test_it_forces_a_dpia_when_privacy_is_high(people):
    change = assess(people, submit(people), privacy_impact="high")
    assert change.status == ChangeStatus.ASSESSED
    assert change.dpia_required is True
    assert change.is_dpia_pending
    assert Notification.objects.filter(recipient=people.dpo, verb="change_dpia_requested").exists()


def test_it_refuses_no_dpia_when_privacy_is_high(people):
    change = submit(people)
    with pytest.raises(ValidationError) as error:
        assess(people, change, privacy_impact="high", dpia_required=False)
    assert "dpia_required" in error.value.message_dict


def test_it_derives_the_risk_level_from_the_matrix_and_keeps_low_risks_out_of_the_register(people):
    change = assess(people, submit(people), risk_likelihood=2, risk_impact=2)
    assert change.risk_level == RiskLevel.LOW
    assert change.risk is None


def test_it_refuses_a_risk_outside_the_matrix(people):
    with pytest.raises(ValidationError) as error:
        assess(people, submit(people), risk_likelihood=6)
    assert "risk_likelihood" in error.value.message_dict


def risk_title_prefix() -> str:
    """'Change #' in the stored language: the register risk's title starts with it."""
    return system_note(gettext_lazy("Change #%(id)s: %(title)s"), id="", title="").split(":")[0]


def test_it_creates_a_register_risk_at_high_or_above(people):
    change = assess(people, submit(people), risk_likelihood=3, risk_impact=4)
    assert change.risk_level == RiskLevel.HIGH
    risk = change.risk
    assert risk.title == system_note(gettext_lazy("Change #%(id)s: %(title)s"), id=change.pk, title=change.title)
    assert risk.owner == change.owner
    assert risk.category.code == "operational"
    assert risk.unit == change.unit
    # Assessed again: the same register risk, none new.
    again = assess(people, change, risk_likelihood=4, risk_impact=4)
    assert again.risk_level == RiskLevel.VERY_HIGH
    assert again.risk == risk
    assert Risk.objects.filter(title__startswith=risk_title_prefix()).count() == 1


def test_it_links_a_register_risk_the_assessor_chose(people):
    existing = RiskFactory(unit=people.units.org_a, owner=people.qo_a)
    change = assess(people, submit(people), risk_likelihood=4, risk_impact=4, risk=existing)
    assert change.risk == existing
    assert not Risk.objects.filter(title__startswith=risk_title_prefix()).exists()


def test_it_refuses_a_register_risk_of_another_organisation(people):
    other = RiskFactory(unit=people.units.org_b, owner=people.member_b)
    with pytest.raises(ValidationError) as error:
        assess(people, submit(people), risk_likelihood=4, risk_impact=4, risk=other)
    assert "risk" in error.value.message_dict


def test_it_asks_a_coordinator_who_registers_no_risks_to_choose_one(people):
    change = submit(people)
    with pytest.raises(ValidationError) as error:
        assess(people, change, actor=people.coordinator, risk_likelihood=4, risk_impact=4)
    assert "risk" in error.value.message_dict


def test_it_lets_only_the_owner_coordinators_and_quality_officers_assess(people):
    change = submit(people)
    for user in (people.board_a, people.viewer_a, people.risk_owner_a):
        with pytest.raises(PermissionDenied):
            assess(people, change, actor=user)
    assert assess(people, change, actor=people.coordinator).status == ChangeStatus.ASSESSED


# --- the decision ------------------------------------------------------------------------------


def test_it_needs_a_reason_for_each_decision(people):
    change = assess(people, submit(people))
    with pytest.raises(ValidationError) as error:
        services.change_decide(actor=people.board_a, change=change, approved=True, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.change_decide(actor=people.board_a, change=change, approved=True, reason="Fine.")
        services.change_conclude(actor=people.coordinator, change=change, approved=True, reason="")
    assert "reason" in error.value.message_dict


def test_it_keeps_the_requester_the_owner_and_readers_from_deciding(people):
    MembershipFactory(user=people.risk_owner_a, unit=people.units.org_a, role=Role.QUALITY_OFFICER)
    change = assess(people, submit(people))
    for user in (people.risk_owner_a, people.coordinator, people.viewer_a, people.team_lead_a):
        with pytest.raises(PermissionDenied):
            services.change_decide(actor=user, change=change, approved=True, reason="Yes.")


def test_it_records_one_decision_per_stakeholder(people):
    change = assess(people, submit(people))
    services.change_decide(actor=people.board_a, change=change, approved=False, reason="Too costly.")
    services.change_decide(actor=people.board_a, change=change, approved=True, reason="Budget found.")
    decisions = list(change.decisions.all())
    assert [(d.stakeholder, d.approved, d.reason) for d in decisions] == [(people.board_a, True, "Budget found.")]


def test_it_concludes_only_after_a_stakeholder_decided(people):
    change = assess(people, submit(people))
    with pytest.raises(ValidationError):
        services.change_conclude(actor=people.coordinator, change=change, approved=False, reason="No.")
    services.change_decide(actor=people.board_a, change=change, approved=False, reason="Not now.")
    with pytest.raises(ValidationError) as error:
        services.change_conclude(actor=people.coordinator, change=change, approved=True, reason="Yes.")
    assert "approved" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.change_conclude(actor=people.qo_a, change=change, approved=False, reason="No.")
    change = services.change_conclude(actor=people.coordinator, change=change, approved=False, reason="Not now.")
    assert change.status == ChangeStatus.REJECTED
    assert change.decided_by == people.coordinator
    assert Notification.objects.filter(recipient=people.risk_owner_a, verb="change_decided").exists()


def test_it_decides_only_on_an_assessed_change(people):
    change = submit(people)
    with pytest.raises(ValidationError):
        services.change_decide(actor=people.board_a, change=change, approved=True, reason="Yes.")


# --- planning and the maintenance window -------------------------------------------------------


def test_it_plans_only_an_approved_change(people):
    change = assess(people, submit(people))
    start = next_thursday()
    with pytest.raises(ValidationError):
        services.change_plan(
            actor=people.coordinator,
            change=change,
            planned_start=start,
            planned_end=start + datetime.timedelta(hours=1),
        )


def test_it_plans_in_the_window_without_a_reason(people):
    change = planned(people)
    assert change.status == ChangeStatus.PLANNED
    assert change.in_maintenance_window is True
    assert change.contacts_warned_at is None


def test_it_needs_the_end_after_the_start(people):
    change = approved(people)
    start = next_thursday()
    with pytest.raises(ValidationError) as error:
        services.change_plan(actor=people.coordinator, change=change, planned_start=start, planned_end=start)
    assert "planned_end" in error.value.message_dict


def test_it_needs_a_reason_outside_the_window(people):
    change = approved(people)
    start = next_thursday(hour=20)
    with pytest.raises(ValidationError) as error:
        services.change_plan(
            actor=people.coordinator,
            change=change,
            planned_start=start,
            planned_end=start + datetime.timedelta(hours=1),
        )
    assert "outside_window_reason" in error.value.message_dict
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED


def test_it_warns_the_contacts_outside_the_window(people, django_capture_on_commit_callbacks):
    contact = UserFactory(username="contact_a1")
    MembershipFactory(user=contact, unit=people.units.bu_a1, role=Role.VIEWER)
    EscalationContact.objects.create(unit=people.units.bu_a1, group=ContactGroup.FORMAL, user=contact)
    EscalationContact.objects.create(
        unit=people.units.team_a1a, group=ContactGroup.FUNCTIONAL_ADMIN, mailbox="beheer@example.org", name="Beheer"
    )
    EscalationContact.objects.create(unit=people.units.bu_b1, group=ContactGroup.FORMAL, mailbox="b@example.org")
    change = approved(people)
    start = next_thursday(hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_plan(
            actor=people.coordinator,
            change=change,
            planned_start=start,
            planned_end=start + datetime.timedelta(hours=2),
            outside_window_reason="Security patch that cannot wait.",
        )
    assert change.in_maintenance_window is False
    assert change.contacts_warned_at is not None
    assert Notification.objects.filter(recipient=contact, verb="change_outside_window").exists()
    recipients = [address for message in mail.outbox for address in message.to]
    assert "beheer@example.org" in recipients
    assert "b@example.org" not in recipients


@pytest.mark.parametrize(
    ("start", "end", "inside"),
    [
        (at(2026, 1, 8, 16, 0), at(2026, 1, 8, 17, 0), True),  # a winter Thursday (UTC+1)
        (at(2026, 7, 9, 16, 0), at(2026, 7, 9, 17, 0), True),  # a summer Thursday (UTC+2)
        (at(2026, 3, 26, 16, 15), at(2026, 3, 26, 16, 45), True),  # the Thursday before the clocks go forward
        (at(2026, 4, 2, 16, 0), at(2026, 4, 2, 17, 0), True),  # the Thursday after
        (at(2026, 10, 22, 16, 0), at(2026, 10, 22, 17, 0), True),  # before the clocks go back
        (at(2026, 10, 29, 16, 0), at(2026, 10, 29, 17, 0), True),  # after
        (at(2026, 10, 29, 15, 0), at(2026, 10, 29, 16, 0), False),  # 16:00-17:00 in summer time is not it
        (at(2026, 1, 8, 15, 59), at(2026, 1, 8, 17, 0), False),
        (at(2026, 1, 8, 16, 0), at(2026, 1, 8, 17, 1), False),
        (at(2026, 1, 7, 16, 0), at(2026, 1, 7, 17, 0), False),  # a Wednesday
        (at(2026, 1, 8, 16, 30), at(2026, 1, 15, 16, 30), False),  # across two windows
    ],
)
def test_it_checks_the_thursday_window_in_amsterdam_time_across_the_change_of_clock(start, end, inside):
    window = MaintenanceWindow(3, datetime.time(16), datetime.time(17))
    assert window.contains(start, end) is inside
    # The same moments given in UTC.
    assert window.contains(start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)) is inside


def test_it_uses_the_organisations_own_window(people):
    IncidentPolicy.objects.create(
        organisation=people.units.org_a,
        maintenance_weekday=1,
        maintenance_start=datetime.time(7),
        maintenance_end=datetime.time(8),
    )
    window = MaintenanceWindow.of(people.units.org_a)
    assert window.contains(at(2026, 1, 6, 7, 0), at(2026, 1, 6, 8, 0))  # a Tuesday
    assert not window.contains(at(2026, 1, 8, 16, 0), at(2026, 1, 8, 17, 0))
    opens, closes = window.next_after(at(2026, 1, 6, 7, 30))
    assert opens == at(2026, 1, 13, 7, 0)


# --- test, DPIA, release -----------------------------------------------------------------------


def test_it_keeps_a_failed_test_planned_with_its_notes(people):
    change = planned(people)
    with pytest.raises(ValidationError) as error:
        services.change_record_test(actor=people.coordinator, change=change, tested_at=timezone.now(), result="failed")
    assert "notes" in error.value.message_dict
    change = services.change_record_test(
        actor=people.coordinator, change=change, tested_at=timezone.now(), result="failed", notes="Export is empty."
    )
    assert change.status == ChangeStatus.PLANNED
    assert change.test_notes == "Export is empty."
    assert change.tested_by == people.coordinator
    change = services.change_record_test(
        actor=people.coordinator, change=change, tested_at=timezone.now(), result="passed", tested_by=people.qo_a
    )
    assert change.status == ChangeStatus.TESTED
    assert change.tested_by == people.qo_a


def test_it_refuses_to_release_an_untested_change(people):
    change = planned(people)
    with pytest.raises(ValidationError) as error:
        services.change_release(actor=people.coordinator, change=change)
    assert "untested" in " ".join(error.value.messages)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED


def test_it_refuses_to_release_with_a_dpia_pending(people):
    change = make_tested(people, privacy_impact="high")
    with pytest.raises(ValidationError) as error:
        services.change_release(actor=people.coordinator, change=change)
    assert "DPIA" in " ".join(error.value.messages)
    with pytest.raises(PermissionDenied):
        services.change_record_dpia(actor=people.qo_a, change=change, outcome="Fine.")
    with pytest.raises(ValidationError) as error:
        services.change_record_dpia(actor=people.dpo, change=change, outcome=" ")
    assert "outcome" in error.value.message_dict
    services.change_record_dpia(actor=people.dpo, change=change, outcome="Acceptable with pseudonymised exports.")
    change = services.change_release(actor=people.coordinator, change=change)
    assert change.status == ChangeStatus.RELEASED
    assert change.released_at is not None


def test_it_records_a_dpia_only_when_one_is_required(people):
    change = assess(people, submit(people))
    with pytest.raises(ValidationError):
        services.change_record_dpia(actor=people.dpo, change=change, outcome="Not needed.")


def test_it_releases_and_closes_a_tested_change(people):
    change = services.change_release(actor=people.coordinator, change=make_tested(people))
    assert change.status == ChangeStatus.RELEASED
    assert Notification.objects.filter(recipient=people.risk_owner_a, verb="change_released").exists()
    change = services.change_close(actor=people.coordinator, change=change)
    assert change.status == ChangeStatus.CLOSED
    with pytest.raises(ValidationError):
        services.change_withdraw(actor=people.coordinator, change=change, reason="Too late.")


def test_it_withdraws_an_open_change_with_a_reason(people):
    change = planned(people)
    with pytest.raises(ValidationError) as error:
        services.change_withdraw(actor=people.risk_owner_a, change=change, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.change_withdraw(actor=people.viewer_a, change=change, reason="No.")
    change = services.change_withdraw(actor=people.risk_owner_a, change=change, reason="No longer needed.")
    assert change.status == ChangeStatus.WITHDRAWN
    assert change.withdraw_reason == "No longer needed."


def test_it_records_who_and_why_in_the_history(people):
    change = approved(people)
    reasons = list(change.history.order_by("history_date").values_list("history_change_reason", "history_user"))
    assert reasons[-1] == ("Agreed.", people.coordinator.pk)


def test_it_lists_the_steps_a_person_may_take(people):
    change = assess(people, submit(people), privacy_impact="high")
    assert services.allowed_steps(people.board_a, change) == {"decide"}
    assert "record_dpia" in services.allowed_steps(people.dpo, change)
    assert {"assess", "conclude", "withdraw", "update"} <= services.allowed_steps(people.coordinator, change)
    assert services.allowed_steps(people.viewer_a, change) == set()


def test_it_hands_open_changes_over_when_the_owner_is_erased(people):
    change = planned(people)
    services.change_withdraw(actor=people.coordinator, change=submit(people), reason="Duplicate.")
    assert services.open_changes(people.coordinator).count() == 1
    with pytest.raises(PermissionDenied):
        services.change_hand_over(actor=people.viewer_a, change=change, owner=people.qo_a)
    assert services.reassign_changes(user=people.coordinator, successor=people.qo_a, actor=people.admin_a) == 1
    change.refresh_from_db()
    assert change.owner == people.qo_a
    assert change.status == ChangeStatus.PLANNED
    with pytest.raises(ValidationError):
        services.change_hand_over(actor=people.qo_a, change=change, owner=people.member_b)
