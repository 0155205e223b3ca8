"""Who may see what, and who holds which role where: the one place where unit access is decided.

A membership of a unit gives sight of that unit and of every unit below it. Board members are
members of their organisation and group management of their group, so the one rule covers them.
Everything a user may see is found through ``Scope.visible_units()`` (or its ids,
``Scope.visible_unit_pks()``); roles are checked with ``Scope.has_role(unit, ...)``, which also
counts roles held on a unit above.
"""

import itertools
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from qms.choices import Role

# Above this many units a scope is given to the database as a subquery rather than as a list of ids.
LISTED_UNITS_MAX = 500

# Bumped whenever a unit is created, moved or deleted in this process, so that a scope's list of unit
# ids (kept for the rest of a request) is recomputed after a change made in the same request.
_unit_tree_versions = itertools.count(1)
_unit_tree_version = 0


def units_changed() -> None:
    """Call after units were added, moved or removed (the unit signals and services do)."""
    global _unit_tree_version
    _unit_tree_version = next(_unit_tree_versions)


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str


class Scope:
    """The memberships of one user, loaded once (one query) and kept on the user object."""

    def __init__(self, user):
        from qms.models import Membership

        self.user = user
        self.sees_everything = bool(user.is_authenticated and user.is_active and user.is_superuser)
        if user.is_authenticated and user.is_active:
            rows = Membership.objects.filter(user=user).values_list("unit_id", "unit__path", "role")
            self.grants = [Grant(unit_id, path, role) for unit_id, path, role in rows]
        else:
            self.grants = []
        self._unit_pks: tuple[int, list[int]] | None = None

    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def root_paths(self) -> list[str]:
        """The paths of the member units, without those already covered by a unit above them."""
        paths = sorted({grant.path for grant in self.grants})
        roots: list[str] = []
        for path in paths:
            if not any(path.startswith(root) for root in roots):
                roots.append(path)
        return roots

    def visible_units(self):
        from qms.models import OrganisationUnit

        if self.sees_everything:
            return OrganisationUnit.objects.all()
        roots = self.root_paths()
        if not roots:
            return OrganisationUnit.objects.none()
        condition = Q()
        for root in roots:
            condition |= Q(path__startswith=root)
        return OrganisationUnit.objects.filter(condition)

    def visible_unit_pks(self):
        """The ids of the visible units, for ``unit__in=``: a list, loaded once (one query).

        PostgreSQL counts and pages a list of ids far faster than the same rows behind a subquery on
        the paths (a count of 100,000 risks: 5 ms instead of 12, as no hash join is needed). A scope of
        more than ``LISTED_UNITS_MAX`` units (or everything) is given as the subquery instead.
        """
        if self.sees_everything:
            return self.visible_units().values("pk")
        if self._unit_pks is None or self._unit_pks[0] != _unit_tree_version:
            pks = list(self.visible_units().order_by().values_list("pk", flat=True)[: LISTED_UNITS_MAX + 1])
            self._unit_pks = (_unit_tree_version, pks)
        pks = self._unit_pks[1]
        if len(pks) > LISTED_UNITS_MAX:
            return self.visible_units().values("pk")
        return pks

    def can_see_unit(self, unit) -> bool:
        return self.sees_everything or any(unit.path.startswith(root) for root in self.root_paths())

    def has_role(self, unit, *roles: str) -> bool:
        """True if the user holds one of ``roles`` on ``unit`` or on a unit above it.

        Superusers count as administrators everywhere, and hold no other role implicitly: they do not
        approve risks on the board's behalf.
        """
        if self.sees_everything and Role.ADMINISTRATOR in roles:
            return True
        return any(grant.role in roles and unit.path.startswith(grant.path) for grant in self.grants)

    def units_with_role(self, *roles: str):
        """The units (and everything below them) where the user holds one of ``roles``."""
        from qms.models import OrganisationUnit

        if self.sees_everything and Role.ADMINISTRATOR in roles:
            return OrganisationUnit.objects.all()
        condition = Q()
        for grant in self.grants:
            if grant.role in roles:
                condition |= Q(path__startswith=grant.path)
        if not condition:
            return OrganisationUnit.objects.none()
        return OrganisationUnit.objects.filter(condition)


class Purpose(StrEnum):
    """Why a page or endpoint asks for a person's organisations (see ``organisations_for``)."""

    BELONG = "belong"
    SEE = "see"
    ACT = "act"


def organisations_for(user, purpose: Purpose = Purpose.SEE, roles: tuple[str, ...] = ()):
    """The organisations ``user`` may work on for ``purpose``; the one answer to that question.

    - ``BELONG``: the organisations of their units, and every organisation below a group they are in.
      For what an organisation shares with all its people: a team's people read their organisation's
      risk matrix, categories and KPI set, though they cannot see its other units.
    - ``SEE``: the organisations they see as a unit (the organisation or a unit above it). For
      organisation-wide figures: the monthly score, the score dashboards.
    - ``ACT``: the organisations at or below a unit where they hold one of ``roles`` (superusers: all
      when ``roles`` includes administrator). For the organisations a form lets them choose to act on.
    """
    from qms.choices import UnitKind
    from qms.models import OrganisationUnit

    scope = scope_for(user)
    organisations = OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION)
    if purpose == Purpose.ACT:
        return scope.units_with_role(*roles).filter(kind=UnitKind.ORGANISATION)
    if scope.sees_everything:
        return organisations
    if purpose == Purpose.SEE:
        return organisations.filter(pk__in=scope.visible_unit_pks())
    ids = {int(part) for grant in scope.grants for part in grant.path.strip("/").split("/") if part}
    if not ids:
        return organisations.none()
    condition = Q(pk__in=ids)
    for root in scope.root_paths():
        condition |= Q(path__startswith=root)
    return organisations.filter(condition)


def scope_for(user) -> Scope:
    scope = getattr(user, "_qms_scope", None)
    if scope is None:
        scope = Scope(user)
        if user.is_authenticated:
            user._qms_scope = scope
    return scope


def scope_reset(user) -> None:
    """Forget the cached scope, after the user's memberships changed in this request."""
    if hasattr(user, "_qms_scope"):
        del user._qms_scope
