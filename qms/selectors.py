"""Reads of the core app that need shaping: role holders, dashboards, lists. Writes are in services."""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from qms.choices import Role
from qms.models import Action, Membership, Notification, OrganisationUnit, User


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


def dashboard_for(user: User) -> dict:
    """What the personal dashboard shows: open and overdue actions, unread notifications."""
    today = timezone.localdate()
    actions = my_open_actions(user)
    return {
        "open_actions": actions[:10],
        "open_action_count": actions.count(),
        "overdue_action_count": actions.filter(due_date__lt=today).count(),
        "notifications": Notification.objects.visible_to(user).unread()[:10],
        "memberships": Membership.objects.filter(user=user).select_related("unit"),
    }
