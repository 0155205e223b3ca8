"""Units, people and memberships: the organisation tree and who holds which role where."""

from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from qms.choices import UnitKind
from qms.models import Membership, OrganisationUnit, User
from qms.permissions import can_administer, can_manage_user, is_administrator_anywhere
from qms.scoping import scope_for, scope_reset, units_changed
from qms.services.base import apply_changes, deny, save_validated
from qms.services.security import tokens_revoke_all

UNIT_FIELDS = {"name", "code", "kind", "parent", "description", "is_active"}
USER_FIELDS = {
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "manager",
    "language",
    "email_notifications",
}


def _require_unit_admin(actor, unit):
    if unit is None:
        if not scope_for(actor).sees_everything:
            deny(_("Only a system administrator can create a top-level unit."))
    elif not can_administer(actor, unit):
        deny(_("You are not an administrator of %(unit)s.") % {"unit": unit})


# What every new organisation gets from the apps (score areas, the KPI set...): each app registers a
# function in its AppConfig.ready; unit_create calls them in the same transaction, so an organisation
# never exists without its defaults and no page has to create them on first sight. (unit_store_new,
# for loading data and test factories, does not: a load brings its own data.)
OrganisationDefaults = Callable[..., object]
_ORGANISATION_DEFAULTS: list[OrganisationDefaults] = []


def register_organisation_defaults(func: OrganisationDefaults) -> OrganisationDefaults:
    """Register ``func(organisation=..., actor=...)``, called by ``unit_create`` for every new organisation."""
    if func not in _ORGANISATION_DEFAULTS:
        _ORGANISATION_DEFAULTS.append(func)
    return func


@transaction.atomic
def unit_create(
    *,
    actor,
    name: str,
    kind: str,
    parent: OrganisationUnit | None = None,
    code: str = "",
    description: str = "",
    is_active: bool = True,
) -> OrganisationUnit:
    """Create a unit under ``parent``; the actor must administer the parent."""
    _require_unit_admin(actor, parent)
    unit = OrganisationUnit(
        name=name, kind=kind, parent=parent, code=code, description=description, is_active=is_active
    )
    unit_store_new(unit, actor=actor)
    if unit.kind == UnitKind.ORGANISATION:
        for create_defaults in _ORGANISATION_DEFAULTS:
            create_defaults(organisation=unit, actor=actor)
    return unit


def unit_store_new(unit: OrganisationUnit, *, actor=None) -> OrganisationUnit:
    """Validate and save a new unit and give it its path. No permission check: for unit_create and
    for loading data (the demo)."""
    save_validated(unit, actor=actor)
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    # The path is not part of the audit trail, so this direct update loses no history.
    OrganisationUnit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    units_changed()
    return unit


@transaction.atomic
def unit_update(*, actor, unit: OrganisationUnit, **changes) -> OrganisationUnit:
    """Change a unit; moving it (a new parent) moves its whole subtree."""
    unit = OrganisationUnit.objects.select_for_update().get(pk=unit.pk)
    _require_unit_admin(actor, unit)
    old_parent_id = unit.parent_id
    changed = apply_changes(unit, changes, UNIT_FIELDS)
    if "parent" in changed:
        if unit.parent is None and old_parent_id is not None and not scope_for(actor).sees_everything:
            deny(_("Only a system administrator can make a unit top-level."))
        if unit.parent is not None:
            _require_unit_admin(actor, unit.parent)
    if not changed:
        return unit
    save_validated(unit, actor=actor)
    if "parent" in changed:
        _move_subtree(unit)
    return unit


def _move_subtree(unit: OrganisationUnit) -> None:
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    new_depth = unit.parent.depth + 1 if unit.parent else 0
    # One set-based update for the whole subtree; path and depth are outside the audit trail.
    OrganisationUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (new_depth - old_depth),
    )
    unit.path, unit.depth = new_path, new_depth
    units_changed()


@transaction.atomic
def membership_create(*, actor, user: User, unit: OrganisationUnit, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``unit``; the actor must administer the unit."""
    _require_unit_admin(actor, unit)
    if not user.is_active:
        raise ValidationError({"user": _("This person is not active.")})
    membership = Membership(user=user, unit=unit, role=role)
    save_validated(membership, actor=actor)
    scope_reset(user)
    return membership


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    _require_unit_admin(actor, membership.unit)
    membership._history_user = actor
    membership.delete()
    scope_reset(membership.user)


def _validate_password_for(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def user_create(*, actor, username: str, password: str | None = None, **fields) -> User:
    """Provision a person (as an HR system would); roles follow through memberships."""
    if not is_administrator_anywhere(actor):
        deny(_("Only administrators can add people."))
    user = User(username=username, provisioned_by=actor)
    apply_changes(user, fields, USER_FIELDS)
    if password:
        _validate_password_for(user, password)
        user.set_password(password)
    else:
        user.set_unusable_password()
    save_validated(user, actor=actor, exclude=["password"])
    return user


@transaction.atomic
def user_update(*, actor, user: User, password: str | None = None, **changes) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_manage_user(actor, user):
        deny(_("You cannot change this person: they also belong to units you do not administer."))
    if changes.get("is_active") is False and user.pk == actor.pk:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    apply_changes(user, changes, USER_FIELDS)
    if password:
        _validate_password_for(user, password)
        user.set_password(password)
    save_validated(user, actor=actor, exclude=["password"])
    if password:
        # A new password ends every API token made with the old one.
        tokens_revoke_all(user=user, reason="password set by an administrator")
    return user


@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    """What everybody may change about themselves."""
    apply_changes(user, changes, {"first_name", "last_name", "email", "language", "email_notifications"})
    save_validated(user, actor=user, exclude=["password"])
    return user
