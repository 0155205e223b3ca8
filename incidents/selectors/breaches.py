"""Reads of the breaches part: who owns and who hears of a data breach of an organisation."""

from qms.choices import Role
from qms.models import Membership, OrganisationUnit, User
from qms.selectors import RoleHolders


def breach_role_holders(organisations, roles) -> RoleHolders:
    """The holders of ``roles`` on these organisations and the units above them, in one query."""
    return RoleHolders(list(organisations), list(roles))


def breach_owner_for(organisation: OrganisationUnit, holders: RoleHolders | None = None) -> User | None:
    """The owner of a new breach: the data-protection officer nearest the organisation (on it or on a
    unit above), else the nearest quality officer; of several on one unit, the longest serving."""
    holders = holders or breach_role_holders([organisation], [Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER])
    for role in (Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER):
        found = holders.nearest(organisation, role)
        if found:
            return min(found, key=lambda user: user.pk)
    return None


def organisation_role_holders(organisation: OrganisationUnit, roles) -> list[User]:
    """Every active person holding one of ``roles`` on the organisation or a unit above it (each once)."""
    memberships = Membership.objects.filter(
        unit_id__in=organisation.ancestor_ids, role__in=list(roles), user__is_active=True
    ).select_related("user")
    return list({membership.user_id: membership.user for membership in memberships}.values())


def is_breach_officer(user: User, organisation: OrganisationUnit) -> bool:
    """Holds a data-protection officer or quality officer role on the organisation or above (one query)."""
    return Membership.objects.filter(
        user=user,
        unit_id__in=organisation.ancestor_ids,
        role__in=[Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER],
        user__is_active=True,
    ).exists()
