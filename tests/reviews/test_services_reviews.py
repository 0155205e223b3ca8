"""The rules of the management review (reviews.services.reviews): one review per organisation and past
or current year, prepared by the organisation's quality officers and administrators, finalised behind
its gates into a frozen pack that later changes to the data do not alter, and closed to every write
once finalised."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qms.choices import ActionKind, ActionStatus, Role
from qms.models import Action, Notification
from qms.services.base import system_note
from reviews.choices import ReviewInput, ReviewStatus
from reviews.models import ManagementReview, ReviewDecision, ReviewSection
from reviews.selectors.pack import assemble_pack, pack_for
from reviews.services import reviews as services
from tests.factories import MembershipFactory, UserFactory
from tests.factories.reviews import decision_with_action, finalised, make_ready, review_of

THIS_YEAR = timezone.localdate().year
IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)


def errors(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def review(cast):
    return services.review_create(actor=cast.qo_a, organisation=cast.units.org_a, year=THIS_YEAR)


def action_spec(owner, title="Update the policy", due_date=None) -> dict:
    return {"title": title, "owner": owner, "due_date": due_date or IN_A_MONTH}


# --- preparing -------------------------------------------------------------------------------------


def test_it_starts_a_review_with_a_section_per_input(cast, review):
    assert review.status == ReviewStatus.PREPARATION
    assert review.prepared_by == cast.qo_a
    assert list(review.sections.values_list("input", flat=True)) == ReviewInput.values
    assert review.history.count() == 1


def test_it_takes_the_meeting_date_when_starting(cast):
    day = datetime.date(THIS_YEAR, 1, 15)
    review = services.review_create(
        actor=cast.admin_a, organisation=cast.units.org_a, year=THIS_YEAR - 1, meeting_date=day
    )
    assert review.meeting_date == day and review.year == THIS_YEAR - 1


def test_it_refuses_a_review_for_a_year_after_the_current_one(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.review_create(actor=cast.qo_a, organisation=cast.units.org_a, year=THIS_YEAR + 1)
    assert list(errors(excinfo)) == ["year"]
    assert not ManagementReview.objects.exists()


def test_it_refuses_a_second_review_for_the_same_organisation_and_year(cast, review):
    with pytest.raises(ValidationError) as excinfo:
        services.review_create(actor=cast.admin_a, organisation=cast.units.org_a, year=THIS_YEAR)
    assert "already has a management review" in errors(excinfo)["year"][0]
    assert ManagementReview.objects.count() == 1
    # Another organisation, or another year, is a review of its own.
    services.review_create(actor=cast.member_b, organisation=cast.units.org_b, year=THIS_YEAR)
    services.review_create(actor=cast.qo_a, organisation=cast.units.org_a, year=THIS_YEAR - 1)
    assert ManagementReview.objects.count() == 3


@pytest.mark.parametrize("unit", ["group", "bu_a1", "team_a1a"])
def test_it_refuses_a_unit_that_is_not_an_organisation(cast, unit):
    administrator = UserFactory(username="group_admin")
    MembershipFactory(user=administrator, unit=cast.units.group, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as excinfo:
        services.review_create(actor=administrator, organisation=getattr(cast.units, unit), year=THIS_YEAR)
    assert list(errors(excinfo)) == ["organisation"]
    assert not ManagementReview.objects.exists()


@pytest.mark.parametrize("who", ["qo_a", "admin_a", "superuser"])
def test_it_lets_the_quality_officers_and_administrators_prepare(cast, who):
    person = getattr(cast, who)
    assert services.can_prepare(person, cast.units.org_a)
    assert services.review_create(actor=person, organisation=cast.units.org_a, year=THIS_YEAR).pk


@pytest.mark.parametrize("who", ["board_a", "viewer_a", "risk_owner_a", "group_mgmt", "member_b", "outsider"])
def test_it_lets_nobody_else_prepare(cast, review, who):
    person = getattr(cast, who)
    assert not services.can_prepare(person, cast.units.org_a)
    with pytest.raises(PermissionDenied):
        services.review_create(actor=person, organisation=cast.units.org_a, year=THIS_YEAR - 1)
    with pytest.raises(PermissionDenied):
        services.review_update(actor=person, review=review, conclusion="Mine")
    with pytest.raises(PermissionDenied):
        services.section_comment(actor=person, review=review, input=ReviewInput.RISKS, commentary="Mine")
    with pytest.raises(PermissionDenied):
        services.attendee_add(actor=person, review=review, name="Guest")
    with pytest.raises(PermissionDenied):
        services.decision_add(actor=person, review=review, input=ReviewInput.RISKS, text="Mine")
    with pytest.raises(PermissionDenied):
        services.review_finalise(actor=person, review=review)
    review.refresh_from_db()
    assert review.conclusion == "" and not review.attendees.exists() and not review.decisions.exists()


def test_it_writes_the_commentary_of_a_section(cast, review):
    section = services.section_comment(
        actor=cast.qo_a, review=review, input=ReviewInput.RISKS, commentary="  Two very high risks.  "
    )
    assert section.commentary == "Two very high risks." and section.updated_by == cast.qo_a
    assert ReviewSection.objects.get(review=review, input=ReviewInput.RISKS).commentary == "Two very high risks."
    with pytest.raises(ValidationError) as excinfo:
        services.section_comment(actor=cast.qo_a, review=review, input="weather", commentary="Sunny")
    assert list(errors(excinfo)) == ["input"]


def test_it_changes_the_meeting_date_and_the_conclusion(cast, review):
    day = timezone.localdate()
    review = services.review_update(actor=cast.qo_a, review=review, meeting_date=day, conclusion="Effective.")
    review.refresh_from_db()
    assert (review.meeting_date, review.conclusion) == (day, "Effective.")
    assert review.history.first().history_user == cast.qo_a


# --- the meeting -----------------------------------------------------------------------------------


def test_it_records_people_of_the_organisation_and_guests_as_attendees(cast, review):
    services.attendee_add(actor=cast.qo_a, review=review, user=cast.board_a, function="Chair")
    services.attendee_add(actor=cast.qo_a, review=review, user=cast.group_mgmt)  # of the group above
    services.attendee_add(actor=cast.qo_a, review=review, name="External auditor")
    assert [str(attendee) for attendee in review.attendees.order_by("id")][2] == "External auditor"
    with pytest.raises(ValidationError) as excinfo:
        services.attendee_add(actor=cast.qo_a, review=review, user=cast.board_a)
    assert list(errors(excinfo)) == ["user"]
    with pytest.raises(ValidationError) as excinfo:
        services.attendee_add(actor=cast.qo_a, review=review, user=cast.member_b)
    assert "not a member" in errors(excinfo)["user"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.attendee_add(actor=cast.qo_a, review=review, name="  ")
    assert list(errors(excinfo)) == ["user"]
    assert review.attendees.count() == 3
    services.attendee_remove(actor=cast.qo_a, attendee=review.attendees.get(name="External auditor"))
    assert review.attendees.count() == 2


def test_it_records_a_decision_with_its_actions_as_core_actions(cast, review):
    decision = services.decision_add(
        actor=cast.qo_a,
        review=review,
        input=ReviewInput.NONCONFORMITIES,
        text="Every CAPA gets an effectiveness check.",
        actions=[action_spec(cast.risk_owner_a), {**action_spec(cast.team_lead_a, "Train"), "description": "All"}],
    )
    actions = list(decision.actions.order_by("id"))
    assert [action.owner for action in actions] == [cast.risk_owner_a, cast.team_lead_a]
    assert {action.kind for action in actions} == {ActionKind.REVIEW_DECISION}
    assert {action.unit for action in actions} == {cast.units.org_a}
    assert actions[0].source == decision and actions[1].description == "All"
    assert decision.recorded_by == cast.qo_a and decision.input == ReviewInput.NONCONFORMITIES
    told = set(Notification.objects.filter(verb="action_assigned").values_list("recipient", flat=True))
    assert told == {cast.risk_owner_a.pk, cast.team_lead_a.pk}


def test_it_records_nothing_of_a_decision_when_one_of_its_actions_is_wrong(cast, review):
    with pytest.raises(ValidationError) as excinfo:
        services.decision_add(
            actor=cast.qo_a,
            review=review,
            input=ReviewInput.RISKS,
            text="Reduce the very high risks.",
            actions=[action_spec(cast.risk_owner_a), action_spec(cast.member_b, "Outside")],
        )
    assert errors(excinfo)["actions"] == [f"Action 2: {cast.member_b} is not a member of Organisation A."]
    assert not ReviewDecision.objects.exists() and not Action.objects.exists()
    assert not Notification.objects.exists()


def test_it_names_every_problem_of_a_decision(cast, review):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.decision_add(
            actor=cast.qo_a,
            review=review,
            input=ReviewInput.RISKS,
            text=" ",
            actions=[{"title": "", "owner": None, "due_date": None}, action_spec(cast.qo_a, due_date=yesterday)],
        )
    problems = errors(excinfo)
    assert list(problems) == ["text", "actions"]
    assert problems["actions"] == [
        "Action 1: Give the action a title.",
        "Action 1: Every action needs an owner.",
        "Action 1: Every action needs a due date.",
        "Action 2: The due date cannot be in the past.",
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.decision_add(actor=cast.qo_a, review=review, input="weather", text="Sunny")
    assert list(errors(excinfo)) == ["input"]
    assert not ReviewDecision.objects.exists() and not Action.objects.exists()


def test_it_adds_an_action_to_a_decision(cast, review):
    decision = services.decision_add(actor=cast.qo_a, review=review, input=ReviewInput.AUDITS, text="Audit more.")
    action = services.decision_action_add(
        actor=cast.qo_a, decision=decision, title="Plan", owner=cast.auditor_a, due_date=IN_A_MONTH
    )
    assert action.source == decision and action.kind == ActionKind.REVIEW_DECISION
    with pytest.raises(ValidationError) as excinfo:
        services.decision_action_add(
            actor=cast.qo_a, decision=decision, title="Plan", owner=cast.member_b, due_date=IN_A_MONTH
        )
    assert list(errors(excinfo)) == ["owner"]
    assert decision.actions.count() == 1


def test_it_cancels_the_open_actions_of_a_withdrawn_decision_and_keeps_them(cast, review):
    decision = decision_with_action(review, owner=cast.risk_owner_a, actor=cast.qo_a)
    action = decision.actions.get()
    services.decision_remove(actor=cast.qo_a, decision=decision)
    assert not ReviewDecision.objects.exists()
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED and action.completion_note
    assert action.source_object_id is None


# --- finalising ------------------------------------------------------------------------------------


def test_it_refuses_to_finalise_without_attendees_meeting_date_or_commentary(cast, review):
    with pytest.raises(ValidationError) as excinfo:
        services.review_finalise(actor=cast.qo_a, review=review)
    assert set(errors(excinfo)) == {"attendees", "meeting_date", "sections"}
    review = make_ready(review, actor=cast.qo_a)

    review.attendees.all().delete()
    with pytest.raises(ValidationError) as excinfo:
        services.review_finalise(actor=cast.qo_a, review=review)
    assert list(errors(excinfo)) == ["attendees"]
    services.attendee_add(actor=cast.qo_a, review=review, name="Guest")

    services.review_update(actor=cast.qo_a, review=review, meeting_date=None)
    with pytest.raises(ValidationError) as excinfo:
        services.review_finalise(actor=cast.qo_a, review=review)
    assert list(errors(excinfo)) == ["meeting_date"]
    services.review_update(actor=cast.qo_a, review=review, meeting_date=timezone.localdate())

    for code in (ReviewInput.SUPPLIERS, ReviewInput.AUDITS):
        services.section_comment(actor=cast.qo_a, review=review, input=code, commentary="")
    with pytest.raises(ValidationError) as excinfo:
        services.review_finalise(actor=cast.qo_a, review=review)
    assert errors(excinfo) == {
        "sections": ["Write the commentary of: Audit results, Performance of external providers."]
    }
    review.refresh_from_db()
    assert review.status == ReviewStatus.PREPARATION and review.pack is None


def test_it_freezes_the_pack_on_finalise_and_tells_the_board(cast, review):
    second_board_member = UserFactory(username="board_a2")
    MembershipFactory(user=second_board_member, unit=cast.units.org_a, role=Role.BOARD_MEMBER)
    review = finalised(review, actor=cast.qo_a)
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINALISED and review.is_finalised
    assert review.finalised_by == cast.qo_a and review.finalised_at is not None
    assert review.pack_as_of is not None
    assert review.pack["year"] == THIS_YEAR and review.pack["organisation"] == "Organisation A"
    assert [section["input"] for section in review.pack["sections"]] == ReviewInput.values
    # Plain JSON: what was stored reads back the same.
    assert json.loads(json.dumps(review.pack)) == review.pack
    assert pack_for(review) == review.pack
    told = set(Notification.objects.filter(verb="review_finalised").values_list("recipient", flat=True))
    assert told == {cast.board_a.pk, second_board_member.pk}
    # The history's reason is in the stored language (the organisation's), not the test's.
    assert review.history.first().history_change_reason == system_note(gettext_lazy("Management review finalised"))


def test_it_refuses_to_finalise_twice(cast, review):
    review = finalised(review, actor=cast.qo_a)
    with pytest.raises(ValidationError) as excinfo:
        services.review_finalise(actor=cast.qo_a, review=review)
    assert list(errors(excinfo)) == ["status"]


WRITES = {
    "review_update": lambda cast, review: services.review_update(actor=cast.qo_a, review=review, conclusion="Late"),
    "review_update_meeting_date": lambda cast, review: services.review_update(
        actor=cast.qo_a, review=review, meeting_date=None
    ),
    "section_comment": lambda cast, review: services.section_comment(
        actor=cast.qo_a, review=review, input=ReviewInput.RISKS, commentary="Changed"
    ),
    "attendee_add": lambda cast, review: services.attendee_add(actor=cast.qo_a, review=review, name="Late guest"),
    "attendee_remove": lambda cast, review: services.attendee_remove(
        actor=cast.qo_a, attendee=review.attendees.first()
    ),
    "decision_add": lambda cast, review: services.decision_add(
        actor=cast.qo_a,
        review=review,
        input=ReviewInput.RISKS,
        text="Late",
        actions=[action_spec(cast.risk_owner_a)],
    ),
    "decision_remove": lambda cast, review: services.decision_remove(
        actor=cast.qo_a, decision=review.decisions.first()
    ),
    "decision_action_add": lambda cast, review: services.decision_action_add(
        actor=cast.qo_a, decision=review.decisions.first(), title="Late", owner=cast.qo_a, due_date=IN_A_MONTH
    ),
    "review_finalise": lambda cast, review: services.review_finalise(actor=cast.qo_a, review=review),
}


def _state(review) -> tuple:
    review = ManagementReview.objects.get(pk=review.pk)
    return (
        review.status,
        review.meeting_date,
        review.conclusion,
        review.pack,
        review.pack_as_of,
        sorted(review.sections.values_list("input", "commentary")),
        sorted(review.attendees.values_list("pk", "name", "user_id")),
        sorted(review.decisions.values_list("pk", "text")),
        sorted(Action.objects.values_list("pk", "status", "source_object_id")),
    )


@pytest.mark.parametrize("write", list(WRITES))
def test_it_refuses_every_change_once_finalised_and_changes_nothing(cast, review, write):
    decision_with_action(review, owner=cast.risk_owner_a, actor=cast.qo_a)
    review = finalised(review, actor=cast.qo_a)
    before = _state(review)
    with pytest.raises(ValidationError) as excinfo:
        WRITES[write](cast, review)
    assert errors(excinfo) == {"status": ["This management review is finalised: it does not change any more."]}
    assert _state(review) == before


def test_it_keeps_the_frozen_pack_when_the_data_changes(cast, review):
    """The snapshot: data changed after finalising (a very high risk, a red KPI measurement, a closed
    non-conformity) does not change the finalised review's pack; the live pack shows the change."""
    from incidents.services import nonconformities as nc_services
    from kpis.choices import KpiCategory
    from tests.factories.kpis import KpiFactory, measure
    from tests.factories.risks import RiskFactory

    nc = nc_services.nc_create(actor=cast.qo_a, unit=cast.units.bu_a1, title="Wrong letter sent")
    nc = nc_services.nc_step(actor=cast.qo_a, nc=nc, step="correct", correction="Letter recalled")
    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, category=KpiCategory.TECHNICAL, name="First-time fix")
    review = finalised(review, actor=cast.qo_a)
    frozen = ManagementReview.objects.get(pk=review.pk).pack
    live_before = json.loads(json.dumps(assemble_pack(organisation=cast.units.org_a, year=THIS_YEAR)))

    RiskFactory(
        unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Ransomware on the servers", likelihood=5, impact=5
    )
    measure(kpi, f"{THIS_YEAR}-{timezone.localdate().month:02d}", "1.0")
    nc_services.nc_step(actor=cast.qo_a, nc=nc, step="close")

    review = ManagementReview.objects.get(pk=review.pk)
    assert review.pack == frozen
    assert pack_for(review) == frozen
    live = json.loads(json.dumps(assemble_pack(organisation=cast.units.org_a, year=THIS_YEAR)))
    changed = {
        after["input"]
        for before, after in zip(live_before["sections"], live["sections"], strict=True)
        if before != after
    }
    assert {ReviewInput.RISKS, ReviewInput.PROCESS_PERFORMANCE, ReviewInput.NONCONFORMITIES} <= changed
    assert "Ransomware on the servers" in json.dumps(live) and "Ransomware on the servers" not in json.dumps(frozen)


def test_it_starts_next_years_review_with_the_status_of_this_years_actions(cast):
    last_year = review_of(cast.units.org_a, year=THIS_YEAR - 1, actor=cast.qo_a)
    decision = services.decision_add(
        actor=cast.qo_a,
        review=last_year,
        input=ReviewInput.CUSTOMER,
        text="Measure satisfaction every quarter.",
        actions=[action_spec(cast.risk_owner_a, "Quarterly survey"), action_spec(cast.qo_a, "Complaints procedure")],
    )
    finalised(last_year, actor=cast.qo_a)
    done = decision.actions.get(title="Complaints procedure")
    from qms.services.actions import action_set_status

    action_set_status(actor=cast.qo_a, action=done, status=ActionStatus.DONE)

    this_year = review_of(cast.units.org_a, year=THIS_YEAR, actor=cast.qo_a)
    first = pack_for(this_year)["sections"][0]
    assert first["input"] == ReviewInput.PREVIOUS_ACTIONS
    text = json.dumps(first)
    assert "Quarterly survey" in text and "Complaints procedure" in text
    rows = [json.dumps(row["cells"]) for table in first["tables"] for row in table["rows"]]
    assert any("Quarterly survey" in row and "Open" in row for row in rows)
    assert any("Complaints procedure" in row and "Done" in row for row in rows)
