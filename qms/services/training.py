"""Mandatory training (SPEC 1): courses, who must follow them in which year, and their completion,
which feeds the training area of the monthly risk score (``risks.services.scoring.training_scores``).

Quality officers and administrators of an organisation manage its courses and assignments; a
completion is recorded by the person themself, their manager or team lead, or a quality officer,
and only a quality officer undoes one (with a reason, kept in the history).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from qms.choices import Role, UnitKind
from qms.models import Course, Membership, OrganisationUnit, TrainingAssignment, User
from qms.periods import FIRST_YEAR, next_year
from qms.scoping import scope_for
from qms.services.base import apply_changes, deny, save_validated

COURSE_FIELDS = {"title", "description", "is_mandatory"}
# The history keeps a change's reason in at most 100 characters.
REASON_MAX_LENGTH = 100

# Hooks of the apps that derive something from training (the risk score's training area):
# ``hook(organisation=, year=, actor=)`` runs after the commit of every change of who must follow a
# course in ``year`` or who completed it (assigned, unassigned, completed, reopened, a course made
# mandatory or not). Registered in the app's ``AppConfig.ready()``, so the core never imports the app.
_TRAINING_HOOKS: list[Callable[..., None]] = []


def register_training_hook(hook: Callable[..., None]) -> None:
    """Let an app follow every change of an organisation's mandatory training of a year."""
    if hook not in _TRAINING_HOOKS:
        _TRAINING_HOOKS.append(hook)


def _training_changed(*, organisation: OrganisationUnit, years, actor) -> None:
    """Run the hooks for ``organisation`` and each of ``years`` once the change is committed. A hook that
    fails is logged and does not undo the change (robust): it is brought up to date again on the next
    change or save."""
    for year in sorted(set(years)):
        for hook in _TRAINING_HOOKS:
            transaction.on_commit(
                lambda hook=hook, year=year: hook(organisation=organisation, year=year, actor=actor), robust=True
            )


# --- who may do what --------------------------------------------------------------------------------


def can_manage_training(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of an organisation (or above it) manage its courses and
    who must follow them."""
    return scope_for(user).has_role(organisation, Role.QUALITY_OFFICER, Role.ADMINISTRATOR)


def can_reopen_training(user, assignment: TrainingAssignment) -> bool:
    """Only a quality officer undoes a completion."""
    return scope_for(user).has_role(assignment.course.organisation, Role.QUALITY_OFFICER)


def completion_rights(user, assignments) -> set[int]:
    """The ids of the ``assignments`` whose completion ``user`` may record: their own, those of the
    people they manage, those of the members of the units they lead (within the course's organisation),
    and all of an organisation where they are quality officer. One query at most, for a whole page.

    The assignments need ``user`` and ``course__organisation`` loaded (select_related)."""
    scope = scope_for(user)
    assignments = list(assignments)
    allowed = set()
    unsettled = []
    for assignment in assignments:
        if (
            assignment.user_id == user.pk
            or assignment.user.manager_id == user.pk
            or scope.has_role(assignment.course.organisation, Role.QUALITY_OFFICER)
        ):
            allowed.add(assignment.pk)
        else:
            unsettled.append(assignment)
    lead_paths = [grant.path for grant in scope.grants if grant.role == Role.TEAM_LEAD]
    if not unsettled or not lead_paths:
        return allowed
    led_units = Q()
    for path in lead_paths:
        led_units |= Q(unit__path__startswith=path)
    member_paths: dict[int, list[str]] = {}
    rows = Membership.objects.filter(led_units, user_id__in={a.user_id for a in unsettled}).values_list(
        "user_id", "unit__path"
    )
    for user_id, path in rows:
        member_paths.setdefault(user_id, []).append(path)
    for assignment in unsettled:
        organisation_path = assignment.course.organisation.path
        if any(path.startswith(organisation_path) for path in member_paths.get(assignment.user_id, [])):
            allowed.add(assignment.pk)
    return allowed


def can_record_completion(user, assignment: TrainingAssignment) -> bool:
    return assignment.pk in completion_rights(user, [assignment])


def _require_manager(actor, organisation: OrganisationUnit) -> None:
    if not can_manage_training(actor, organisation):
        deny(
            _("Only quality officers and administrators of %(organisation)s manage its training.")
            % {"organisation": organisation}
        )


# --- courses ----------------------------------------------------------------------------------------


def _check_title_free(course: Course) -> None:
    # Also in another case ("Privacy" and "privacy" are one course), and as a message on the field.
    taken = Course.objects.filter(organisation=course.organisation, title__iexact=course.title)
    if course.title and taken.exclude(pk=course.pk).exists():
        raise ValidationError({"title": _("This organisation has a course with this title already.")})


@transaction.atomic
def course_create(
    *, actor, organisation: OrganisationUnit, title: str, description: str = "", is_mandatory: bool = True
) -> Course:
    """Add a course to an organisation's offer."""
    _require_manager(actor, organisation)
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError(
            {
                "organisation": _("Courses belong to an organisation, not to a %(kind)s.")
                % {"kind": organisation.get_kind_display().lower()}
            }
        )
    course = Course(
        organisation=organisation, title=(title or "").strip(), description=description, is_mandatory=is_mandatory
    )
    _check_title_free(course)
    return save_validated(course, actor=actor)


@transaction.atomic
def course_update(*, actor, course: Course, **changes) -> Course:
    """Change a course's title, description or whether it is mandatory (it stays in its organisation)."""
    course = Course.objects.select_for_update().select_related("organisation").get(pk=course.pk)
    _require_manager(actor, course.organisation)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
    changed = apply_changes(course, changes, COURSE_FIELDS)
    if not changed:
        return course
    if "title" in changed:
        _check_title_free(course)
    save_validated(course, actor=actor)
    if "is_mandatory" in changed:
        years = TrainingAssignment.objects.filter(course=course).values_list("year", flat=True).distinct()
        _training_changed(organisation=course.organisation, years=list(years), actor=actor)
    return course


# --- assignments ------------------------------------------------------------------------------------


@dataclass
class AssignResult:
    """What ``training_assign`` did: the new assignments, and how many people had one already."""

    created: list[TrainingAssignment] = field(default_factory=list)
    skipped: int = 0


def _validate_year(year, field_name: str = "year") -> int:
    if not isinstance(year, int) or not FIRST_YEAR <= year <= next_year():
        raise ValidationError(
            {field_name: _("Choose a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": next_year()}}
        )
    return year


def _people_to_assign(course: Course, users, unit: OrganisationUnit | None) -> list[User]:
    from qms.selectors import people_of_organisation

    organisation = course.organisation
    if unit is not None:
        if users:
            raise ValidationError({"unit": _("Choose people or a unit, not both.")})
        if not unit.is_within(organisation):
            raise ValidationError(
                {"unit": _("%(unit)s is not part of %(organisation)s.") % {"unit": unit, "organisation": organisation}}
            )
        members = Membership.objects.filter(unit__path__startswith=unit.path).values("user_id")
        people = list(User.objects.filter(pk__in=members, is_active=True))
        if not people:
            raise ValidationError({"unit": _("%(unit)s and its units have no active members.") % {"unit": unit}})
        return people
    people = list({person.pk: person for person in users or []}.values())
    if not people:
        raise ValidationError({"users": _("Choose at least one person, or a unit.")})
    inactive = [person for person in people if not person.is_active]
    if inactive:
        raise ValidationError(
            {"users": _("Not active: %(people)s.") % {"people": ", ".join(str(person) for person in inactive)}}
        )
    members = set(
        people_of_organisation(organisation).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    outside = [person for person in people if person.pk not in members]
    if outside:
        raise ValidationError(
            {
                "users": _("Not a member of %(organisation)s: %(people)s.")
                % {"organisation": organisation, "people": ", ".join(str(person) for person in outside)}
            }
        )
    return people


@transaction.atomic
def training_assign(
    *, actor, course: Course, year: int, users=None, unit: OrganisationUnit | None = None
) -> AssignResult:
    """Assign ``course`` for ``year`` to ``users``, or to every active member of ``unit`` and the units
    below it. People who have the course for that year already are skipped (and counted), so assigning
    twice changes nothing."""
    # The course's row lock makes two assignments of the same course wait for each other, so the
    # check for existing assignments below cannot race.
    course = Course.objects.select_for_update().select_related("organisation").get(pk=course.pk)
    _require_manager(actor, course.organisation)
    _validate_year(year)
    people = _people_to_assign(course, users, unit)
    assigned = set(
        TrainingAssignment.objects.filter(course=course, year=year, user__in=people).values_list("user_id", flat=True)
    )
    new = [TrainingAssignment(course=course, user=person, year=year) for person in people if person.pk not in assigned]
    for assignment in new:
        # Course and person were checked above and uniqueness under the lock: validating them again
        # would cost queries per person for a whole unit.
        assignment.full_clean(exclude=["course", "user"], validate_constraints=False)
    created = bulk_create_with_history(new, TrainingAssignment, default_user=actor) if new else []
    if created and course.is_mandatory:
        _training_changed(organisation=course.organisation, years=[year], actor=actor)
    return AssignResult(created=list(created), skipped=len(people) - len(new))


def _lock(assignment: TrainingAssignment) -> TrainingAssignment:
    return (
        TrainingAssignment.objects.select_for_update(of=("self",))
        .select_related("course__organisation", "user")
        .get(pk=assignment.pk)
    )


def _assignment_changed(assignment: TrainingAssignment, *, actor) -> None:
    # A completion counts for twelve months: it may count in the year after the assignment's too.
    if assignment.course.is_mandatory:
        years = [assignment.year, assignment.year + 1]
        _training_changed(organisation=assignment.course.organisation, years=years, actor=actor)


@transaction.atomic
def training_unassign(*, actor, assignment: TrainingAssignment) -> None:
    """Take an assignment back. A completed training stays on record."""
    assignment = _lock(assignment)
    _require_manager(actor, assignment.course.organisation)
    if assignment.is_completed:
        raise ValidationError(
            _("%(person)s completed this training on %(date)s: it stays on record.")
            % {"person": assignment.user, "date": assignment.completed_on.isoformat()}
        )
    assignment._history_user = actor
    assignment.delete()
    if assignment.course.is_mandatory:
        _training_changed(organisation=assignment.course.organisation, years=[assignment.year], actor=actor)


@transaction.atomic
def training_complete(*, actor, assignment: TrainingAssignment, completed_on: datetime.date) -> TrainingAssignment:
    """Record that the person completed the training on ``completed_on`` (in the assignment's year,
    not in the future). Recording the same date again changes nothing, so an integration may retry."""
    assignment = _lock(assignment)
    if not can_record_completion(actor, assignment):
        deny(
            _("Only %(person)s, their manager or team lead, or a quality officer records this completion.")
            % {"person": assignment.user}
        )
    if not isinstance(completed_on, datetime.date):
        raise ValidationError({"completed_on": _("Give the date the training was completed.")})
    if isinstance(completed_on, datetime.datetime):
        completed_on = timezone.localdate(completed_on) if timezone.is_aware(completed_on) else completed_on.date()
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    if completed_on.year != assignment.year:
        raise ValidationError(
            {
                "completed_on": _("The completion date must fall in %(year)s, the year of the assignment.")
                % {"year": assignment.year}
            }
        )
    if assignment.completed_on == completed_on:
        return assignment
    if assignment.is_completed:
        raise ValidationError(
            {
                "completed_on": _(
                    "This training was completed on %(date)s already. A quality officer can reopen it first."
                )
                % {"date": assignment.completed_on.isoformat()}
            }
        )
    assignment.completed_on = completed_on
    save_validated(assignment, actor=actor)
    _assignment_changed(assignment, actor=actor)
    return assignment


@transaction.atomic
def training_reopen(*, actor, assignment: TrainingAssignment, reason: str) -> TrainingAssignment:
    """Undo a completion (recorded by mistake, or not valid); the reason is kept in the history."""
    assignment = _lock(assignment)
    if not can_reopen_training(actor, assignment):
        deny(
            _("Only a quality officer of %(organisation)s reopens a training.")
            % {"organisation": assignment.course.organisation}
        )
    if not assignment.is_completed:
        raise ValidationError(_("This training is not completed, so there is nothing to reopen."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the completion is undone.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason to %(max)s characters.") % {"max": REASON_MAX_LENGTH}})
    assignment.completed_on = None
    save_validated(assignment, actor=actor, reason=reason)
    _assignment_changed(assignment, actor=actor)
    return assignment
