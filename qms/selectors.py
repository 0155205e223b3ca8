"""Reads of the core app that need shaping: role holders, dashboards, lists. Writes are in services."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, FloatField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from qms.choices import Role
from qms.cockpit import Tile, TileRow, list_url
from qms.models import Action, Membership, Notification, OrganisationUnit, TrainingAssignment, User


def user_belongs_to_organisation(user: User, organisation: OrganisationUnit) -> bool:
    """True if ``user`` holds any role in the organisation, in a unit below it, or in the group above it."""
    ancestor_ids = organisation.ancestor_ids
    return Membership.objects.filter(
        Q(unit__path__startswith=organisation.path) | Q(unit_id__in=ancestor_ids), user=user
    ).exists()


def people_of_organisation(organisation: OrganisationUnit):
    """Active people who may own work in ``organisation`` (see user_belongs_to_organisation)."""
    members = Membership.objects.filter(
        Q(unit__path__startswith=organisation.path) | Q(unit_id__in=organisation.ancestor_ids)
    ).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True)


class RoleHolders:
    """Who holds which role on a set of units and the units above them: loaded in one query, then
    asked per unit. The daily sweeps use it to find managers and quality officers without a query
    per record."""

    def __init__(self, units, roles):
        ancestor_ids = {ancestor_id for unit in units for ancestor_id in unit.ancestor_ids}
        self._by_unit: dict[int, dict[str, list[User]]] = defaultdict(lambda: defaultdict(list))
        memberships = Membership.objects.filter(
            unit_id__in=ancestor_ids, role__in=roles, user__is_active=True
        ).select_related("user")
        for membership in memberships:
            self._by_unit[membership.unit_id][membership.role].append(membership.user)

    def nearest(self, unit: OrganisationUnit, role: str, exclude: User | None = None) -> list[User]:
        """The holders of ``role`` on ``unit``, or else on the nearest unit above it that has any."""
        for unit_id in reversed(unit.ancestor_ids):
            holders = [user for user in self._by_unit[unit_id][role] if exclude is None or user.pk != exclude.pk]
            if holders:
                return holders
        return []

    def on(self, unit: OrganisationUnit, role: str) -> list[User]:
        """The holders of ``role`` on exactly ``unit``."""
        return list(self._by_unit[unit.pk][role])


def action_escalation_recipients(action: Action, holders: RoleHolders) -> list[User]:
    """The owner's manager (or else the nearest team lead) and the nearest quality officers."""
    managers = (
        [action.owner.manager]
        if action.owner.manager_id
        else holders.nearest(action.unit, Role.TEAM_LEAD, exclude=action.owner)
    )
    return [*managers, *holders.nearest(action.unit, Role.QUALITY_OFFICER, exclude=action.owner)]


def my_open_actions(user: User):
    return (
        Action.objects.visible_to(user)
        .filter(owner=user)
        .open()
        .select_related("unit", "owner")
        .order_by("due_date", "id")
    )


# --- training -------------------------------------------------------------------------------------


def percent(completed: int, assigned: int) -> Decimal | None:
    """Completion in percent with one decimal, rounded as the risk score's training area is."""
    if not assigned:
        return None
    return (Decimal(completed) * 100 / assigned).quantize(Decimal("0.1"), ROUND_HALF_UP)


def courses_with_completion(courses, user: User, year: int):
    """``courses`` with ``assigned``, ``completed`` and ``completion`` (percent, None without
    assignments) for ``year``, counting the assignments ``user`` may see: part of the list's own query."""
    visible = TrainingAssignment.objects.visible_to(user).filter(course=OuterRef("pk"), year=year).order_by()

    def count(assignments):
        return Coalesce(Subquery(assignments.values("course").annotate(n=Count("pk")).values("n")), 0)

    return courses.annotate(
        assigned=count(visible), completed=count(visible.filter(completed_on__isnull=False))
    ).annotate(
        completion=Case(
            When(assigned=0, then=None),
            default=Cast("completed", FloatField()) * 100 / Cast("assigned", FloatField()),
            output_field=FloatField(),
        )
    )


def completion_summary(assignments) -> dict:
    """Assigned, completed and the percentage of a set of assignments (one query)."""
    totals = assignments.order_by().aggregate(
        assigned=Count("pk"), completed=Count("pk", filter=Q(completed_on__isnull=False))
    )
    return {**totals, "percent": percent(totals["completed"], totals["assigned"])}


def completion_per_person(assignments) -> list[dict]:
    """Per person: assigned, completed and the percentage of ``assignments`` (one query plus one for
    the people), most behind first."""
    rows = list(
        assignments.order_by()
        .values("user_id")
        .annotate(assigned=Count("pk"), completed=Count("pk", filter=Q(completed_on__isnull=False)))
    )
    people = User.objects.in_bulk([row["user_id"] for row in rows])
    result = [
        {
            "user": people[row["user_id"]],
            "assigned": row["assigned"],
            "completed": row["completed"],
            "percent": percent(row["completed"], row["assigned"]),
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: (row["percent"], str(row["user"])))


def my_trainings(user: User):
    """The person's own trainings, newest year first, open ones first within a year."""
    return (
        TrainingAssignment.objects.visible_to(user)
        .filter(user=user)
        .select_related("course__organisation", "user")
        .order_by("-year", F("completed_on").asc(nulls_first=True), "course__title", "pk")
    )


def my_open_mandatory_trainings(user: User, year: int | None = None):
    """What the person must still complete this year (the dashboard's card)."""
    return my_trainings(user).filter(
        year=year or timezone.localdate().year, course__is_mandatory=True, completed_on__isnull=True
    )


def attach_units(assignments, user: User | None = None) -> list:
    """Give each assignment ``units``: the units its person is a member of within the course's
    organisation (those ``user`` may see). One query for the whole list."""
    from qms.scoping import scope_for

    assignments = list(assignments)
    scope = scope_for(user) if user is not None else None
    memberships = (
        Membership.objects.filter(user_id__in={assignment.user_id for assignment in assignments})
        .select_related("unit")
        .order_by("unit__path")
    )
    units_of: dict[int, dict[int, OrganisationUnit]] = defaultdict(dict)
    for membership in memberships:
        if scope is None or scope.can_see_unit(membership.unit):
            units_of[membership.user_id].setdefault(membership.unit_id, membership.unit)
    for assignment in assignments:
        path = assignment.course.organisation.path
        assignment.units = [unit for unit in units_of[assignment.user_id].values() if unit.path.startswith(path)]
    return assignments


# --- the cockpit's tiles of the core (registered in QmsConfig.ready) ----------------------------------

# The newest unread notifications the cockpit lists (the rest behind "All notifications").
NOTIFICATIONS_SHOWN = 5


def my_actions_tile(user: User, scope) -> Tile:
    """The person's open actions, soonest due first, with how many are overdue (two queries)."""
    today = timezone.localdate()
    actions = my_open_actions(user)
    counts = actions.order_by().aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    return Tile(
        value=counts["open"],
        severity="danger" if counts["overdue"] else ("info" if counts["open"] else "success"),
        url=reverse("qms:my_actions"),
        template="qms/cockpit/_my_actions.html",
        extra={"actions": list(actions[:10]), "overdue": counts["overdue"]} if counts["open"] else {},
        wide=True,
    )


def overdue_actions_of_others_tile(user: User, scope) -> Tile:
    """Overdue actions owned by others in the person's units, the longest overdue first (two queries)."""
    overdue = Action.objects.visible_to(user).overdue().exclude(owner=user)
    count = overdue.order_by().count()
    rows = (
        [
            TileRow(
                label=action.title,
                value=action.due_date,
                url=action.get_absolute_url(),
                note=str(action.owner),
                severity="danger",
            )
            for action in overdue.select_related("owner").order_by("due_date", "pk")[:5]
        ]
        if count
        else []
    )
    return Tile(
        value=count,
        rows=rows,
        severity="danger" if count else "success",
        url=list_url("qms:action_list", overdue="true", mine="false"),
    )


def my_trainings_tile(user: User, scope) -> Tile:
    """The mandatory trainings the person must still complete this year (one query)."""
    trainings = list(my_open_mandatory_trainings(user))
    return Tile(
        value=len(trainings),
        severity="warning" if trainings else "success",
        url=reverse("qms:my_trainings"),
        template="qms/cockpit/_trainings.html",
        extra={"trainings": trainings},
    )


def notifications_tile(user: User, scope) -> Tile:
    """The person's unread notifications, newest first (one query)."""
    notifications = list(Notification.objects.visible_to(user).unread()[:NOTIFICATIONS_SHOWN])
    return Tile(
        value=len(notifications),
        severity="info" if notifications else "secondary",
        url=reverse("qms:notification_list"),
        template="qms/cockpit/_notifications.html",
        extra={"notifications": notifications},
    )
