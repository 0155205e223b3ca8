"""Mandatory training (SPEC 1): courses, assignments per person and year, completions. Services rule
by rule, the pages and the API (anonymous, outsider, other organisation, wrong role, right role), the
training area of the risk score, and constant query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.choices import Role, UnitKind
from qms.models import Course, TrainingAssignment
from qms.selectors import (
    completion_per_person,
    completion_summary,
    courses_with_completion,
    my_open_mandatory_trainings,
)
from qms.services import training as services
from risks.services.scoring import training_scores
from tests.factories import MembershipFactory, UnitFactory, UserFactory

TODAY = timezone.localdate()
YEAR = TODAY.year
YESTERDAY_OR_TODAY = max(TODAY - datetime.timedelta(days=1), datetime.date(YEAR, 1, 1))


@pytest.fixture
def staff(cast):
    """A member of team A1a (viewer there) whose manager is the risk owner."""
    person = UserFactory(username="staff_a", manager=cast.risk_owner_a, language="en")
    MembershipFactory(user=person, unit=cast.units.team_a1a, role=Role.VIEWER)
    return person


@pytest.fixture
def english(cast):
    for user in (cast.qo_a, cast.admin_a, cast.viewer_a, cast.team_lead_a, cast.member_b, cast.outsider):
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


@pytest.fixture
def course(cast):
    return services.course_create(actor=cast.qo_a, organisation=cast.units.org_a, title="Security awareness")


@pytest.fixture
def assignment(cast, course, staff):
    return services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[staff]).created[0]


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- courses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["qo_a", "admin_a"])
def test_it_lets_quality_officers_and_administrators_add_a_course(cast, user):
    course = services.course_create(
        actor=getattr(cast, user), organisation=cast.units.org_a, title="  Privacy basics ", is_mandatory=False
    )
    assert (course.title, course.is_mandatory, course.organisation) == ("Privacy basics", False, cast.units.org_a)
    assert course.history.first().history_user == getattr(cast, user)


@pytest.mark.parametrize("user", ["viewer_a", "risk_owner_a", "team_lead_a", "board_a", "member_b", "outsider"])
def test_it_forbids_anyone_else_to_add_a_course(cast, user):
    with pytest.raises(PermissionDenied):
        services.course_create(actor=getattr(cast, user), organisation=cast.units.org_a, title="Privacy basics")
    assert not Course.objects.exists()


def test_it_keeps_courses_on_organisations(cast):
    with pytest.raises(ValidationError) as error:
        services.course_create(actor=cast.qo_a, organisation=cast.units.bu_a1, title="Privacy basics")
    assert error.value.message_dict == {"organisation": ["Courses belong to an organisation, not to a business unit."]}


def test_it_refuses_a_second_course_with_the_same_title_and_an_empty_title(cast, course):
    with pytest.raises(ValidationError) as error:
        services.course_create(actor=cast.qo_a, organisation=cast.units.org_a, title="SECURITY awareness")
    assert error.value.message_dict == {"title": ["This organisation has a course with this title already."]}
    other = services.course_create(actor=cast.qo_a, organisation=cast.units.org_a, title="Privacy basics")
    with pytest.raises(ValidationError):
        services.course_update(actor=cast.qo_a, course=other, title="Security awareness")
    # The same title in another organisation is another course.
    services.course_create(actor=cast.member_b, organisation=cast.units.org_b, title="Security awareness")
    with pytest.raises(ValidationError) as error:
        services.course_create(actor=cast.qo_a, organisation=cast.units.org_a, title="   ")
    assert "title" in error.value.message_dict


def test_it_changes_a_course_and_keeps_the_change_in_its_history(cast, course):
    services.course_update(actor=cast.admin_a, course=course, title="Security awareness 2.0", is_mandatory=False)
    course.refresh_from_db()
    assert (course.title, course.is_mandatory) == ("Security awareness 2.0", False)
    assert course.history.count() == 2 and course.history.first().history_user == cast.admin_a


def test_it_forbids_a_viewer_to_change_a_course(cast, course):
    with pytest.raises(PermissionDenied):
        services.course_update(actor=cast.viewer_a, course=course, title="Hacked")


# --- assigning ----------------------------------------------------------------------------------


def test_it_assigns_a_course_to_people_and_skips_those_who_have_it_already(cast, course, staff):
    first = services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[staff, cast.viewer_a])
    assert (len(first.created), first.skipped) == (2, 0)
    again = services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[staff, cast.board_a])
    assert (len(again.created), again.skipped) == (1, 1)
    assert TrainingAssignment.objects.filter(course=course, year=YEAR).count() == 3
    assert TrainingAssignment.objects.get(user=staff).history.first().history_user == cast.qo_a


def test_it_assigns_a_course_to_every_active_member_of_a_unit_and_its_units(cast, course, staff):
    gone = UserFactory(username="gone", is_active=False)
    MembershipFactory(user=gone, unit=cast.units.team_a1a, role=Role.VIEWER)
    result = services.training_assign(actor=cast.qo_a, course=course, year=YEAR, unit=cast.units.bu_a1)
    assert {assignment.user for assignment in result.created} == {
        cast.risk_owner_a,
        cast.auditor_a,
        cast.team_lead_a,
        staff,
    }
    assert services.training_assign(actor=cast.qo_a, course=course, year=YEAR, unit=cast.units.bu_a1).skipped == 4


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "users", "Choose at least one person, or a unit."),
        ({"users": []}, "users", "Choose at least one person, or a unit."),
        ({"unit": "bu_b1"}, "unit", "Business unit B1 is not part of Organisation A."),
        ({"unit": "team_a1a", "users": ["viewer_a"]}, "unit", "Choose people or a unit, not both."),
        ({"users": ["member_b"]}, "users", "Not a member of Organisation A: "),
        ({"year": 1999, "users": ["viewer_a"]}, "year", "Choose a year from 2000 to "),
        ({"year": YEAR + 2, "users": ["viewer_a"]}, "year", "Choose a year from 2000 to "),
    ],
)
def test_it_refuses_a_bad_assignment_with_a_clear_message(cast, course, kwargs, field, message):
    arguments = {"year": kwargs.get("year", YEAR)}
    if "unit" in kwargs:
        arguments["unit"] = getattr(cast.units, kwargs["unit"])
    if "users" in kwargs:
        arguments["users"] = [getattr(cast, name) for name in kwargs["users"]]
    with pytest.raises(ValidationError) as error:
        services.training_assign(actor=cast.qo_a, course=course, **arguments)
    assert message in " ".join(error.value.message_dict[field])
    assert not TrainingAssignment.objects.exists()


def test_it_refuses_inactive_people_and_units_without_active_members(cast, course):
    gone = UserFactory(username="gone", is_active=False)
    MembershipFactory(user=gone, unit=cast.units.bu_b1, role=Role.VIEWER)
    with pytest.raises(ValidationError) as error:
        services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[gone])
    assert error.value.message_dict["users"] == [f"Not active: {gone}."]
    empty_team = UnitFactory(name="Team A1b", kind=UnitKind.TEAM, parent=cast.units.bu_a1)
    MembershipFactory(user=gone, unit=empty_team, role=Role.VIEWER)
    with pytest.raises(ValidationError) as error:
        services.training_assign(actor=cast.qo_a, course=course, year=YEAR, unit=empty_team)
    assert error.value.message_dict["unit"] == ["Team A1b and its units have no active members."]


@pytest.mark.parametrize("user", ["viewer_a", "team_lead_a", "member_b"])
def test_it_forbids_anyone_but_quality_officers_and_administrators_to_assign(cast, course, user):
    with pytest.raises(PermissionDenied):
        services.training_assign(actor=getattr(cast, user), course=course, year=YEAR, users=[cast.viewer_a])


def test_it_takes_an_open_assignment_back_but_keeps_a_completed_one(cast, assignment):
    other = services.training_assign(
        actor=cast.qo_a, course=assignment.course, year=YEAR, users=[cast.viewer_a]
    ).created[0]
    services.training_unassign(actor=cast.admin_a, assignment=other)
    assert not TrainingAssignment.objects.filter(pk=other.pk).exists()
    assert TrainingAssignment.history.filter(id=other.pk, history_type="-").get().history_user == cast.admin_a
    services.training_complete(actor=cast.qo_a, assignment=assignment, completed_on=TODAY)
    with pytest.raises(ValidationError) as error:
        services.training_unassign(actor=cast.qo_a, assignment=assignment)
    assert "it stays on record" in messages_of(error.value)
    assert TrainingAssignment.objects.filter(pk=assignment.pk).exists()


def test_it_forbids_a_viewer_to_take_an_assignment_back(cast, assignment):
    with pytest.raises(PermissionDenied):
        services.training_unassign(actor=cast.viewer_a, assignment=assignment)


# --- completing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["staff", "manager", "team_lead_a", "qo_a"])
def test_it_lets_the_person_their_manager_team_lead_or_a_quality_officer_record_completion(
    cast, staff, assignment, user
):
    actor = {"staff": staff, "manager": cast.risk_owner_a}.get(user) or getattr(cast, user)
    services.training_complete(actor=actor, assignment=assignment, completed_on=YESTERDAY_OR_TODAY)
    assignment.refresh_from_db()
    assert assignment.completed_on == YESTERDAY_OR_TODAY
    assert assignment.history.first().history_user == actor


@pytest.mark.parametrize("user", ["viewer_a", "auditor_a", "admin_a", "board_a", "member_b"])
def test_it_forbids_others_to_record_completion(cast, assignment, user):
    with pytest.raises(PermissionDenied):
        services.training_complete(actor=getattr(cast, user), assignment=assignment, completed_on=TODAY)
    assignment.refresh_from_db()
    assert assignment.completed_on is None


def test_it_does_not_count_a_team_lead_of_another_organisations_team(cast, course):
    lead_b = UserFactory(username="lead_b")
    MembershipFactory(user=lead_b, unit=cast.units.bu_b1, role=Role.TEAM_LEAD)
    # A person in both organisations: led in B, assigned in A.
    both = UserFactory(username="both")
    MembershipFactory(user=both, unit=cast.units.bu_b1, role=Role.VIEWER)
    MembershipFactory(user=both, unit=cast.units.bu_a1, role=Role.VIEWER)
    assignment = services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[both]).created[0]
    with pytest.raises(PermissionDenied):
        services.training_complete(actor=lead_b, assignment=assignment, completed_on=TODAY)


@pytest.mark.parametrize(
    ("completed_on", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "The completion date cannot be in the future."),
        (datetime.date(YEAR - 1, 12, 31), f"The completion date must fall in {YEAR}, the year of the assignment."),
        ("2026-01-01", "Give the date the training was completed."),
    ],
)
def test_it_refuses_a_completion_date_outside_the_year_or_in_the_future(cast, assignment, completed_on, message):
    with pytest.raises(ValidationError) as error:
        services.training_complete(actor=cast.qo_a, assignment=assignment, completed_on=completed_on)
    assert error.value.message_dict == {"completed_on": [message]}


def test_it_accepts_the_same_completion_twice_but_not_another_date(cast, course, staff):
    # Last year's assignment, so both dates are in the past whatever day the tests run.
    earlier = services.training_assign(actor=cast.qo_a, course=course, year=YEAR - 1, users=[staff]).created[0]
    services.training_complete(actor=cast.qo_a, assignment=earlier, completed_on=datetime.date(YEAR - 1, 3, 1))
    services.training_complete(actor=cast.qo_a, assignment=earlier, completed_on=datetime.date(YEAR - 1, 3, 1))
    assert earlier.history.count() == 2  # created, completed: the retry changed nothing
    with pytest.raises(ValidationError) as error:
        services.training_complete(actor=cast.qo_a, assignment=earlier, completed_on=datetime.date(YEAR - 1, 4, 1))
    assert error.value.message_dict == {
        "completed_on": [
            f"This training was completed on {YEAR - 1}-03-01 already. A quality officer can reopen it first."
        ]
    }


def test_it_records_a_completion_of_an_earlier_year_in_that_year(cast, course, staff):
    earlier = services.training_assign(actor=cast.qo_a, course=course, year=YEAR - 1, users=[staff]).created[0]
    services.training_complete(actor=staff, assignment=earlier, completed_on=datetime.date(YEAR - 1, 6, 1))
    earlier.refresh_from_db()
    assert earlier.completed_on == datetime.date(YEAR - 1, 6, 1)


def test_it_lets_a_quality_officer_reopen_a_completion_with_the_reason_in_the_history(cast, assignment):
    services.training_complete(actor=cast.team_lead_a, assignment=assignment, completed_on=TODAY)
    services.training_reopen(actor=cast.qo_a, assignment=assignment, reason="Certificate was for another course")
    assignment.refresh_from_db()
    assert assignment.completed_on is None
    latest = assignment.history.first()
    assert (latest.history_user, latest.history_change_reason) == (cast.qo_a, "Certificate was for another course")


@pytest.mark.parametrize("user", ["team_lead_a", "admin_a", "staff", "member_b"])
def test_it_forbids_anyone_but_a_quality_officer_to_reopen(cast, staff, assignment, user):
    services.training_complete(actor=cast.qo_a, assignment=assignment, completed_on=TODAY)
    actor = staff if user == "staff" else getattr(cast, user)
    with pytest.raises(PermissionDenied):
        services.training_reopen(actor=actor, assignment=assignment, reason="Oops")


def test_it_refuses_to_reopen_without_reason_or_when_not_completed(cast, assignment):
    with pytest.raises(ValidationError) as error:
        services.training_reopen(actor=cast.qo_a, assignment=assignment, reason="Oops")
    assert "This training is not completed" in messages_of(error.value)
    services.training_complete(actor=cast.qo_a, assignment=assignment, completed_on=TODAY)
    for reason, message in [(" ", "Say why the completion is undone."), ("x" * 101, "Keep the reason to 100")]:
        with pytest.raises(ValidationError) as error:
            services.training_reopen(actor=cast.qo_a, assignment=assignment, reason=reason)
        assert message in " ".join(error.value.message_dict["reason"])


# --- who sees which training --------------------------------------------------------------------


def test_it_shows_a_team_member_their_own_training_and_its_course(cast, staff, assignment):
    assert list(TrainingAssignment.objects.visible_to(staff)) == [assignment]
    assert list(Course.objects.visible_to(staff)) == [assignment.course]


def test_it_shows_a_team_lead_and_a_manager_the_trainings_of_their_people_only(cast, staff, assignment):
    others = services.training_assign(
        actor=cast.qo_a, course=assignment.course, year=YEAR, users=[cast.viewer_a, cast.board_a]
    )
    assert list(TrainingAssignment.objects.visible_to(cast.team_lead_a)) == [assignment]
    assert assignment in TrainingAssignment.objects.visible_to(cast.risk_owner_a)
    assert TrainingAssignment.objects.visible_to(cast.qo_a).count() == 1 + len(others.created)


@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_it_keeps_trainings_of_organisation_a_out_of_sight_of_others(cast, assignment, user):
    assert not TrainingAssignment.objects.visible_to(getattr(cast, user)).exists()
    assert not Course.objects.visible_to(getattr(cast, user)).exists()


# --- selectors and the risk score ---------------------------------------------------------------


def test_it_counts_completion_per_course_year_and_person(cast, course, staff):
    services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[staff, cast.viewer_a, cast.board_a])
    services.training_assign(actor=cast.qo_a, course=course, year=YEAR - 1, users=[staff])
    done = TrainingAssignment.objects.get(user=staff, year=YEAR)
    services.training_complete(actor=staff, assignment=done, completed_on=TODAY)
    row = courses_with_completion(Course.objects.all(), cast.qo_a, YEAR).get()
    assert (row.assigned, row.completed, round(row.completion, 1)) == (3, 1, 33.3)
    assert courses_with_completion(Course.objects.all(), cast.qo_a, YEAR - 1).get().completion == 0
    assert courses_with_completion(Course.objects.all(), cast.qo_a, YEAR - 2).get().completion is None
    # Counted over what one may see: the team lead sees their team member only.
    row = courses_with_completion(Course.objects.visible_to(cast.team_lead_a), cast.team_lead_a, YEAR).get()
    assert (row.assigned, row.completed) == (1, 1)
    this_year = TrainingAssignment.objects.filter(year=YEAR)
    assert completion_summary(this_year) == {"assigned": 3, "completed": 1, "percent": Decimal("33.3")}
    per_person = {row["user"]: row["percent"] for row in completion_per_person(TrainingAssignment.objects.all())}
    assert per_person == {staff: Decimal("50.0"), cast.viewer_a: Decimal("0.0"), cast.board_a: Decimal("0.0")}


def test_it_lists_my_open_mandatory_trainings_of_this_year(cast, course, staff, assignment):
    voluntary = services.course_create(
        actor=cast.qo_a, organisation=cast.units.org_a, title="Excel tips", is_mandatory=False
    )
    services.training_assign(actor=cast.qo_a, course=voluntary, year=YEAR, users=[staff])
    services.training_assign(actor=cast.qo_a, course=course, year=YEAR - 1, users=[staff])
    assert list(my_open_mandatory_trainings(staff)) == [assignment]
    services.training_complete(actor=staff, assignment=assignment, completed_on=TODAY)
    assert not my_open_mandatory_trainings(staff).exists()


def test_it_moves_the_training_area_of_the_risk_score_when_completions_are_recorded(cast, course, staff):
    month = TODAY.replace(day=1)
    org = cast.units.org_a
    assert training_scores([org.pk], month) == {}
    result = services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[staff, cast.viewer_a])
    assert training_scores([org.pk], month) == {org.pk: Decimal("0.0")}
    services.training_complete(actor=staff, assignment=result.created[0], completed_on=TODAY)
    assert training_scores([org.pk], month) == {org.pk: Decimal("50.0")}
    services.training_complete(actor=cast.qo_a, assignment=result.created[1], completed_on=TODAY)
    assert training_scores([org.pk], month) == {org.pk: Decimal("100.0")}
    services.training_reopen(actor=cast.qo_a, assignment=result.created[1], reason="Not valid")
    assert training_scores([org.pk], month) == {org.pk: Decimal("50.0")}


# --- pages --------------------------------------------------------------------------------------


def page_paths(course, assignment):
    return [
        "/training/",
        "/training/people/",
        "/training/courses/",
        f"/training/courses/{course.pk}/",
        f"/training/courses/{course.pk}/history/",
        f"/training/assignments/{assignment.pk}/",
        f"/training/assignments/{assignment.pk}/history/",
    ]


def test_it_sends_anonymous_visitors_to_the_login_page(client, course, assignment):
    for path in [*page_paths(course, assignment), "/training/courses/add/", f"/training/courses/{course.pk}/assign/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path
    response = client.post(f"/training/assignments/{assignment.pk}/complete/", {"completed_on": TODAY.isoformat()})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.completed_on is None


def test_it_shows_every_training_page_to_a_quality_officer(english, login, course, assignment):
    client = login(english.qo_a)
    for path in [*page_paths(course, assignment), "/training/courses/add/", f"/training/courses/{course.pk}/assign/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_it_answers_404_for_trainings_of_another_organisation(cast, login, course, assignment, user):
    client = login(getattr(cast, user))
    for path in [
        *page_paths(course, assignment)[3:],
        f"/training/courses/{course.pk}/edit/",
        f"/training/courses/{course.pk}/assign/",
        f"/training/assignments/{assignment.pk}/reopen/",
    ]:
        assert client.get(path).status_code == 404, path
    for action in ["complete", "unassign"]:
        response = client.post(f"/training/assignments/{assignment.pk}/{action}/", {"completed_on": TODAY})
        assert response.status_code == 404
    assert TrainingAssignment.objects.get(pk=assignment.pk).completed_on is None
    assert len(client.get("/training/courses/").context["table"].rows) == 0


def test_it_forbids_a_viewer_every_write(english, login, course, assignment):
    client = login(english.viewer_a)
    assert client.get(f"/training/courses/{course.pk}/").status_code == 200
    assert client.get("/training/courses/add/").status_code == 403
    assert client.get(f"/training/courses/{course.pk}/edit/").status_code == 403
    assert client.post(f"/training/courses/{course.pk}/assign/", {"year": YEAR}).status_code == 403
    assert client.post(f"/training/assignments/{assignment.pk}/unassign/").status_code == 403
    assert client.post(f"/training/assignments/{assignment.pk}/complete/", {"completed_on": TODAY}).status_code == 403
    assert TrainingAssignment.objects.get(pk=assignment.pk).completed_on is None


def test_it_adds_and_edits_a_course_from_the_form(english, login):
    client = login(english.qo_a)
    response = client.post(
        "/training/courses/add/",
        {"organisation": english.units.org_a.pk, "title": "Privacy basics", "is_mandatory": "on"},
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == course.get_absolute_url()
    response = client.post(f"/training/courses/{course.pk}/edit/", {"title": "Privacy basics", "description": "GDPR"})
    course.refresh_from_db()
    assert (course.description, course.is_mandatory) == ("GDPR", False)
    response = client.post(
        "/training/courses/add/", {"organisation": english.units.org_a.pk, "title": "Privacy basics"}
    )
    assert "This organisation has a course with this title already." in response.content.decode()


def test_it_offers_only_organisations_the_user_manages_in_the_course_form(english, login):
    form = login(english.qo_a).get("/training/courses/add/").context["form"]
    assert list(form.fields["organisation"].queryset) == [english.units.org_a]


def test_it_assigns_from_the_form_and_says_how_many_were_skipped(english, login, course, staff):
    client = login(english.qo_a)
    response = client.post(
        f"/training/courses/{course.pk}/assign/", {"year": YEAR, "unit": english.units.team_a1a.pk}, follow=True
    )
    assert "2 people assigned for" in response.content.decode()  # the team lead and staff
    response = client.post(
        f"/training/courses/{course.pk}/assign/",
        {"year": YEAR, "users": [staff.pk, english.viewer_a.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 person assigned for" in content and "1 had it already." in content
    response = client.post(f"/training/courses/{course.pk}/assign/", {"year": YEAR})
    assert "Choose at least one person, or a unit." in response.content.decode()


def test_it_offers_only_people_and_units_of_the_organisation_in_the_assign_form(english, login, course):
    form = login(english.qo_a).get(f"/training/courses/{course.pk}/assign/").context["form"]
    assert english.member_b not in form.fields["users"].queryset
    assert english.viewer_a in form.fields["users"].queryset
    assert set(form.fields["unit"].queryset) == {english.units.org_a, english.units.bu_a1, english.units.team_a1a}


def test_it_shows_the_assignments_of_the_chosen_year_with_unit_and_status(english, login, course, staff, assignment):
    services.training_assign(actor=english.qo_a, course=course, year=YEAR - 1, users=[english.viewer_a])
    services.training_complete(actor=staff, assignment=assignment, completed_on=TODAY)
    response = login(english.qo_a).get(f"/training/courses/{course.pk}/")
    rows = response.context["table"].rows
    assert [(row.record.user, [unit.name for unit in row.record.units]) for row in rows] == [(staff, ["Team A1a"])]
    assert "Completed" in response.content.decode()
    assert response.context["summary"]["percent"] == Decimal("100.0")
    earlier = login(english.qo_a).get(f"/training/courses/{course.pk}/?year={YEAR - 1}")
    assert [row.record.user for row in earlier.context["table"].rows] == [english.viewer_a]


def test_it_records_a_completion_in_place_with_htmx(english, login, course, staff, assignment):
    client = login(english.team_lead_a)
    response = client.post(
        f"/training/assignments/{assignment.pk}/complete/",
        {"completed_on": TODAY.isoformat(), "view": "course"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "qms/training/_assignments.html"
    assignment.refresh_from_db()
    assert assignment.completed_on == TODAY


def test_it_shows_why_a_completion_is_refused_in_place(english, login, assignment):
    response = login(english.qo_a).post(
        f"/training/assignments/{assignment.pk}/complete/",
        {"completed_on": (TODAY + datetime.timedelta(days=1)).isoformat(), "view": "course"},
        HTTP_HX_REQUEST="true",
    )
    assert "The completion date cannot be in the future." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.completed_on is None


def test_it_lets_a_person_complete_their_own_training_from_my_trainings(login, staff, assignment):
    client = login(staff)
    page = client.get("/training/")
    assert [record.pk for record in page.context["trainings"]] == [assignment.pk]
    assert page.context["trainings"][0].can_complete
    response = client.post(
        f"/training/assignments/{assignment.pk}/complete/",
        {"completed_on": TODAY.isoformat(), "view": "mine"},
        HTTP_HX_REQUEST="true",
    )
    assert [template.name for template in response.templates][0] == "qms/training/_my_trainings.html"
    assignment.refresh_from_db()
    assert assignment.completed_on == TODAY
    # Without htmx: back to the page it came from.
    response = client.post(
        f"/training/assignments/{assignment.pk}/complete/", {"completed_on": TODAY.isoformat(), "next": "/training/"}
    )
    assert response["Location"] == "/training/"


def test_it_reopens_with_a_reason_shown_in_the_history_tab(english, login, assignment):
    services.training_complete(actor=english.qo_a, assignment=assignment, completed_on=TODAY)
    client = login(english.qo_a)
    assert client.post(f"/training/assignments/{assignment.pk}/reopen/", {"reason": ""}).status_code == 200
    response = client.post(f"/training/assignments/{assignment.pk}/reopen/", {"reason": "Wrong person"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.completed_on is None
    history = client.get(f"/training/assignments/{assignment.pk}/history/").content.decode()
    assert "Wrong person" in history
    assert login(english.team_lead_a).get(f"/training/assignments/{assignment.pk}/reopen/").status_code == 403


def test_it_unassigns_from_the_page(english, login, assignment):
    response = login(english.qo_a).post(f"/training/assignments/{assignment.pk}/unassign/")
    assert response.status_code == 302
    assert not TrainingAssignment.objects.filter(pk=assignment.pk).exists()


def test_it_shows_the_course_history(english, login, course):
    services.course_update(actor=english.qo_a, course=course, title="Security awareness 2026")
    content = login(english.qo_a).get(f"/training/courses/{course.pk}/history/").content.decode()
    assert "Security awareness 2026" in content and str(english.qo_a) in content


def test_it_shows_completion_per_course_for_the_chosen_year_and_exports_it(english, login, course, assignment):
    services.training_complete(actor=english.qo_a, assignment=assignment, completed_on=TODAY)
    client = login(english.qo_a)
    rows = client.get("/training/courses/").context["table"].rows
    assert [(row.record.assigned, row.record.completed) for row in rows] == [(1, 1)]
    rows = client.get(f"/training/courses/?year={YEAR - 1}").context["table"].rows
    assert [(row.record.assigned, row.record.completion) for row in rows] == [(0, None)]
    export = client.get("/training/courses/?export=csv").content.decode("utf-8-sig").splitlines()
    assert export[0].split(",")[-3:] == ["Assigned", "Completed", "Completion"]
    assert export[1].split(",")[-3:] == ["1", "1", "100.0"]
    assert len(client.get("/training/courses/?is_mandatory=false").context["table"].rows) == 0


def test_it_shows_completion_per_person(english, login, assignment):
    response = login(english.team_lead_a).get("/training/people/")
    assert [(row["user"], row["assigned"], row["completed"]) for row in response.context["rows"]] == [
        (assignment.user, 1, 0)
    ]


def test_it_shows_my_open_mandatory_trainings_on_the_dashboard(login, staff, assignment):
    content = login(staff).get("/").content.decode()
    assert 'data-testid="my-open-trainings"' in content and "Security awareness" in content
    services.training_complete(actor=staff, assignment=assignment, completed_on=TODAY)
    content = login(staff).get("/").content.decode()
    assert "Security awareness" not in content


def test_it_has_training_in_the_navigation(login, staff):
    assert 'href="/training/"' in login(staff).get("/").content.decode()


def many_courses_and_assignments(cast, count):
    people = []
    for index in range(count):
        person = UserFactory(username=f"learner{index}")
        MembershipFactory(user=person, unit=cast.units.team_a1a, role=Role.VIEWER)
        people.append(person)
    for index in range(count):
        course = services.course_create(actor=cast.qo_a, organisation=cast.units.org_a, title=f"Course {index}")
        services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=people[:3])
    return people


def test_it_keeps_the_query_count_of_the_course_list_and_detail_constant(
    cast, login, course, assignment, count_queries
):
    client = login(cast.qo_a)
    few = (count_queries(client, "/training/courses/"), count_queries(client, f"/training/courses/{course.pk}/"))
    people = many_courses_and_assignments(cast, 20)
    services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=people)
    many = (count_queries(client, "/training/courses/"), count_queries(client, f"/training/courses/{course.pk}/"))
    assert few == many


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/courses/", "/api/v1/training-assignments/"])
def test_the_api_answers_anonymous_callers_with_401(api, db, path):
    assert api().get(path).status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/courses/", "/api/v1/training-assignments/"])
@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_the_api_lists_nothing_of_organisation_a_to_others(api, cast, assignment, path, user):
    assert api(getattr(cast, user)).get(path).json()["count"] == 0


def test_the_api_answers_404_for_trainings_of_another_organisation(api, english, course, assignment):
    client = api(english.member_b)
    assert client.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    assert client.patch(f"/api/v1/courses/{course.pk}/", {"title": "x"}, format="json").status_code == 404
    assert client.get(f"/api/v1/training-assignments/{assignment.pk}/").status_code == 404
    response = client.post(f"/api/v1/training-assignments/{assignment.pk}/complete/", {"completed_on": TODAY})
    assert response.status_code == 404
    assert client.delete(f"/api/v1/training-assignments/{assignment.pk}/").status_code == 404


def test_the_api_creates_and_changes_a_course(api, english):
    client = api(english.qo_a)
    response = client.post(
        "/api/v1/courses/", {"organisation": english.units.org_a.pk, "title": "Privacy basics"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["is_mandatory"], body["assigned"], body["completion"]) == (
        "Privacy basics",
        True,
        0,
        None,
    )
    assert body["organisation"]["display"] == "Organisation A"
    response = client.patch(f"/api/v1/courses/{body['id']}/", {"is_mandatory": False}, format="json")
    assert response.status_code == 200 and response.json()["is_mandatory"] is False
    response = client.patch(f"/api/v1/courses/{body['id']}/", {"organisation": english.units.group.pk}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()


def test_the_api_answers_bad_course_input_with_field_errors(api, english, course):
    client = api(english.qo_a)
    response = client.post(
        "/api/v1/courses/", {"organisation": english.units.org_a.pk, "title": "Security awareness"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["This organisation has a course with this title already."]}
    response = client.post(
        "/api/v1/courses/", {"organisation": english.units.org_b.pk, "title": "Elsewhere"}, format="json"
    )
    assert response.status_code == 400 and "organisation" in response.json()
    response = client.post("/api/v1/courses/", {"organisation": english.units.bu_a1.pk, "title": "X"}, format="json")
    assert response.json() == {"organisation": ["Courses belong to an organisation, not to a business unit."]}


def test_the_api_forbids_a_viewer_to_write(api, english, course, assignment):
    client = api(english.viewer_a)
    assert client.get(f"/api/v1/courses/{course.pk}/").status_code == 200
    response = client.post("/api/v1/courses/", {"organisation": english.units.org_a.pk, "title": "X"}, format="json")
    assert response.status_code == 403
    assert client.patch(f"/api/v1/courses/{course.pk}/", {"title": "X"}, format="json").status_code == 403
    response = client.post(
        "/api/v1/training-assignments/", {"course": course.pk, "year": YEAR, "user": english.viewer_a.pk}
    )
    assert response.status_code == 403
    response = client.post(f"/api/v1/training-assignments/{assignment.pk}/complete/", {"completed_on": TODAY})
    assert response.status_code == 403
    assert client.delete(f"/api/v1/training-assignments/{assignment.pk}/").status_code == 403


def test_the_api_assigns_idempotently_and_reports_what_it_skipped(api, english, course, staff):
    client = api(english.qo_a)
    payload = {"course": course.pk, "year": YEAR, "users": [staff.pk, english.viewer_a.pk]}
    response = client.post("/api/v1/training-assignments/", payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["assigned"], body["skipped"]) == (2, 0)
    assert {row["user"]["id"] for row in body["results"]} == {staff.pk, english.viewer_a.pk}
    response = client.post("/api/v1/training-assignments/", payload, format="json")
    assert response.status_code == 200 and (response.json()["assigned"], response.json()["skipped"]) == (0, 2)
    response = client.post(
        "/api/v1/training-assignments/", {"course": course.pk, "year": YEAR, "unit": english.units.bu_a1.pk}
    )
    assert (response.json()["assigned"], response.json()["skipped"]) == (3, 1)


def test_the_api_answers_bad_assignments_with_field_errors(api, english, course):
    client = api(english.qo_a)
    url = "/api/v1/training-assignments/"
    assert client.post(url, {"course": course.pk, "year": YEAR}).json() == {
        "users": ["Choose at least one person, or a unit."]
    }
    response = client.post(url, {"course": course.pk, "year": 1990, "user": english.viewer_a.pk})
    assert response.status_code == 400 and "year" in response.json()
    response = client.post(url, {"course": course.pk, "year": YEAR, "user": english.member_b.pk})
    assert response.status_code == 400 and "user" in response.json()  # out of sight: does not exist
    qo_group = UserFactory(username="qo_group", language="en")
    MembershipFactory(user=qo_group, unit=english.units.group, role=Role.QUALITY_OFFICER)
    response = api(qo_group).post(url, {"course": course.pk, "year": YEAR, "unit": english.units.bu_b1.pk})
    assert response.json() == {"unit": ["Business unit B1 is not part of Organisation A."]}
    assert client.post(url, {"year": YEAR}).status_code == 400


def test_the_api_filters_assignments(api, english, course, staff, assignment):
    services.training_assign(actor=english.qo_a, course=course, year=YEAR - 1, users=[staff, english.viewer_a])
    services.training_complete(actor=english.qo_a, assignment=assignment, completed_on=TODAY)
    client = api(english.qo_a)

    def ids(query):
        response = client.get(f"/api/v1/training-assignments/?{query}")
        assert response.status_code == 200, response.json()
        return {(row["user"]["id"], row["year"]) for row in response.json()["results"]}

    assert ids(f"user={staff.pk}") == {(staff.pk, YEAR), (staff.pk, YEAR - 1)}
    assert ids(f"year={YEAR}&completed=true") == {(staff.pk, YEAR)}
    assert ids(f"course={course.pk}&completed=false") == {(staff.pk, YEAR - 1), (english.viewer_a.pk, YEAR - 1)}
    assert client.get("/api/v1/training-assignments/?year=soon").status_code == 400


def test_the_api_records_completion_and_lets_a_quality_officer_reopen_it(api, english, staff, assignment):
    response = api(staff).post(
        f"/api/v1/training-assignments/{assignment.pk}/complete/", {"completed_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert (response.json()["completed_on"], response.json()["is_completed"]) == (TODAY.isoformat(), True)
    response = api(english.qo_a).post(f"/api/v1/training-assignments/{assignment.pk}/reopen/", {"reason": "Mistake"})
    assert response.status_code == 200 and response.json()["completed_on"] is None
    response = api(english.team_lead_a).post(
        f"/api/v1/training-assignments/{assignment.pk}/reopen/", {"reason": "Mistake"}
    )
    assert response.status_code == 403


def test_the_api_answers_bad_completions_with_field_errors(api, english, assignment):
    client = api(english.qo_a)
    url = f"/api/v1/training-assignments/{assignment.pk}/complete/"
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    assert client.post(url, {"completed_on": tomorrow}).json() == {
        "completed_on": ["The completion date cannot be in the future."]
    }
    assert client.post(url, {"completed_on": "yesterday"}).status_code == 400
    response = client.post(url, {"completed_on": f"{YEAR - 1}-12-31"})
    assert response.json() == {
        "completed_on": [f"The completion date must fall in {YEAR}, the year of the assignment."]
    }


def test_an_integration_posts_completions_by_course_and_person(api, english, course, staff, assignment):
    client = api(english.qo_a)
    payload = {"course": course.pk, "user": staff.pk, "completed_on": TODAY.isoformat()}
    response = client.post("/api/v1/training-assignments/completions/", payload)
    assert response.status_code == 200 and response.json()["id"] == assignment.pk
    assert client.post("/api/v1/training-assignments/completions/", payload).status_code == 200  # a retry
    assignment.refresh_from_db()
    assert assignment.completed_on == TODAY
    response = client.post(
        "/api/v1/training-assignments/completions/",
        {"course": course.pk, "user": english.viewer_a.pk, "completed_on": TODAY.isoformat()},
    )
    assert response.json() == {"user": [f"{english.viewer_a} does not have Security awareness for {YEAR}."]}


def test_the_api_unassigns_an_open_assignment_only(api, english, course, staff, assignment):
    other = services.training_assign(actor=english.qo_a, course=course, year=YEAR, users=[english.viewer_a])
    client = api(english.qo_a)
    assert client.delete(f"/api/v1/training-assignments/{other.created[0].pk}/").status_code == 204
    services.training_complete(actor=staff, assignment=assignment, completed_on=TODAY)
    response = client.delete(f"/api/v1/training-assignments/{assignment.pk}/")
    assert response.status_code == 400 and "it stays on record" in response.json()["non_field_errors"][0]


def test_the_api_shows_course_completion_for_the_year_asked(api, english, course, assignment):
    services.training_complete(actor=english.qo_a, assignment=assignment, completed_on=TODAY)
    client = api(english.qo_a)
    row = client.get("/api/v1/courses/").json()["results"][0]
    assert (row["assigned"], row["completed"], row["completion"]) == (1, 1, 100.0)
    row = client.get(f"/api/v1/courses/?year={YEAR - 1}").json()["results"][0]
    assert (row["assigned"], row["completion"]) == (0, None)


def test_the_api_keeps_the_query_count_of_the_lists_constant(api, cast, course, assignment, count_queries):
    client = api(cast.qo_a)
    few = (count_queries(client, "/api/v1/courses/"), count_queries(client, "/api/v1/training-assignments/"))
    many_courses_and_assignments(cast, 20)
    assert TrainingAssignment.objects.count() == 61
    many = (count_queries(client, "/api/v1/courses/"), count_queries(client, "/api/v1/training-assignments/"))
    assert few == many


# --- the training hook -------------------------------------------------------------------------


@pytest.fixture
def heard(monkeypatch):
    """The calls of the training hooks (the apps' own hooks stood down for the test)."""
    calls = []
    monkeypatch.setattr(services, "_TRAINING_HOOKS", [])
    services.register_training_hook(lambda **kwargs: calls.append((kwargs["organisation"], kwargs["year"])))
    return calls


def test_the_hooks_hear_of_every_change_of_a_mandatory_training_after_the_commit(
    cast, course, staff, heard, django_capture_on_commit_callbacks
):
    org = cast.units.org_a
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = services.training_assign(actor=cast.qo_a, course=course, year=YEAR, users=[staff]).created[0]
    assert heard == [] and callbacks  # not before the commit
    for callback in callbacks:
        callback()
    assert heard == [(org, YEAR)]
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_complete(actor=cast.qo_a, assignment=created, completed_on=YESTERDAY_OR_TODAY)
    # A completion counts for twelve months: also in the next year's months.
    assert heard == [(org, YEAR), (org, YEAR + 1)]
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_reopen(actor=cast.qo_a, assignment=created, reason="Wrong person")
    assert heard == [(org, YEAR), (org, YEAR + 1)]
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_unassign(actor=cast.qo_a, assignment=created)
    assert heard == [(org, YEAR)]


def test_the_hooks_do_not_hear_of_a_training_that_is_not_mandatory(
    cast, staff, heard, django_capture_on_commit_callbacks
):
    optional = services.course_create(
        actor=cast.qo_a, organisation=cast.units.org_a, title="Optional", is_mandatory=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.training_assign(actor=cast.qo_a, course=optional, year=YEAR, users=[staff])
    assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        services.course_update(actor=cast.qo_a, course=optional, is_mandatory=True)
    assert heard == [(cast.units.org_a, YEAR)]
