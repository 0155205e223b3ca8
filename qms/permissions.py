"""What a user may change, on top of what they may see (qms.scoping). Used by services and templates."""

from qms.choices import CONTRIBUTOR_ROLES, Role
from qms.scoping import scope_for


def can_administer(user, unit) -> bool:
    """Administrators manage the units below them and the people and roles in those units."""
    return scope_for(user).has_role(unit, Role.ADMINISTRATOR)


def can_contribute(user, unit) -> bool:
    """Register and change work in ``unit``: every role but viewer and auditor."""
    return scope_for(user).has_role(unit, *CONTRIBUTOR_ROLES)


def is_administrator_anywhere(user) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or Role.ADMINISTRATOR in scope.roles()


def can_manage_user(actor, target) -> bool:
    """An administrator manages a person when every unit that person belongs to is under their care; a
    person without any membership only by the administrator who provisioned them. Superusers and staff
    only superusers manage: an organisation's administrator must never be able to take over an account
    that sees everything (by setting its password, say)."""
    scope = scope_for(actor)
    if scope.sees_everything:
        return True
    if Role.ADMINISTRATOR not in scope.roles() or target.is_superuser or target.is_staff:
        return False
    units = [membership.unit for membership in target.memberships.select_related("unit")]
    if not units:
        return target.provisioned_by_id == actor.pk
    return all(scope.has_role(unit, Role.ADMINISTRATOR) for unit in units)


def can_edit_action(user, action) -> bool:
    """The creator, and the administrators and quality officers of the unit, edit an action."""
    if action.created_by_id == user.pk:
        return True
    return scope_for(user).has_role(action.unit, Role.ADMINISTRATOR, Role.QUALITY_OFFICER)


def can_change_action_status(user, action) -> bool:
    """The owner moves their own action along; whoever may edit it may too."""
    return action.owner_id == user.pk or can_edit_action(user, action)
