import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qms.choices import Role, UnitKind
from qms.models import Membership, OrganisationUnit
from qms.services.organisation import (
    membership_create,
    membership_delete,
    unit_create,
    unit_update,
    user_create,
    user_update,
)


def test_it_creates_a_unit_with_its_path_below_the_parent(cast):
    unit = unit_create(actor=cast.admin_a, name="Team new", kind=UnitKind.TEAM, parent=cast.units.bu_a1)
    unit.refresh_from_db()
    assert unit.path == f"{cast.units.bu_a1.path}{unit.pk}/"
    assert unit.depth == cast.units.bu_a1.depth + 1 == 3
    assert unit.organisation == cast.units.org_a


def test_it_records_who_created_a_unit(cast):
    unit = unit_create(actor=cast.admin_a, name="Team new", kind=UnitKind.TEAM, parent=cast.units.bu_a1)
    assert unit.history.get().history_user == cast.admin_a


def test_it_refuses_a_unit_from_a_non_administrator(cast):
    with pytest.raises(PermissionDenied):
        unit_create(actor=cast.qo_a, name="X", kind=UnitKind.TEAM, parent=cast.units.bu_a1)


def test_it_refuses_a_unit_in_another_organisation(cast):
    with pytest.raises(PermissionDenied):
        unit_create(actor=cast.admin_a, name="X", kind=UnitKind.TEAM, parent=cast.units.bu_b1)


def test_it_refuses_a_top_level_unit_from_an_organisation_administrator(cast):
    with pytest.raises(PermissionDenied):
        unit_create(actor=cast.admin_a, name="X", kind=UnitKind.GROUP)


@pytest.mark.parametrize(
    ("kind", "parent_name"),
    [(UnitKind.ORGANISATION, "bu_a1"), (UnitKind.BUSINESS_UNIT, "team_a1a"), (UnitKind.GROUP, "org_a")],
)
def test_it_refuses_a_kind_below_a_parent_it_cannot_sit_under(cast, kind, parent_name):
    with pytest.raises(ValidationError) as error:
        unit_create(actor=cast.superuser, name="X", kind=kind, parent=getattr(cast.units, parent_name))
    assert "parent" in error.value.message_dict
    assert OrganisationUnit.objects.filter(name="X").count() == 0


def test_it_refuses_a_duplicate_unit_code(cast):
    unit_create(actor=cast.admin_a, name="One", kind=UnitKind.TEAM, parent=cast.units.bu_a1, code="T1")
    with pytest.raises(ValidationError) as error:
        unit_create(actor=cast.admin_a, name="Two", kind=UnitKind.TEAM, parent=cast.units.bu_a1, code="T1")
    assert "Another unit already has this code." in str(error.value)


def test_it_moves_a_whole_subtree(cast):
    new_bu = unit_create(actor=cast.admin_a, name="BU A2", kind=UnitKind.BUSINESS_UNIT, parent=cast.units.org_a)
    unit_update(actor=cast.admin_a, unit=cast.units.team_a1a, parent=new_bu)
    team = OrganisationUnit.objects.get(pk=cast.units.team_a1a.pk)
    assert team.path == f"{new_bu.path}{team.pk}/"
    assert team.is_within(new_bu)


def test_it_refuses_to_move_a_unit_below_itself(cast):
    with pytest.raises(ValidationError):
        unit_update(actor=cast.admin_a, unit=cast.units.bu_a1, parent=cast.units.team_a1a)


def test_it_refuses_to_move_a_unit_into_an_organisation_the_actor_does_not_administer(cast):
    with pytest.raises(PermissionDenied):
        unit_update(actor=cast.admin_a, unit=cast.units.bu_a1, parent=cast.units.org_b)


def test_it_gives_a_person_several_roles(cast):
    membership_create(actor=cast.admin_a, user=cast.qo_a, unit=cast.units.team_a1a, role=Role.TEAM_LEAD)
    assert set(Membership.objects.filter(user=cast.qo_a).values_list("role", flat=True)) == {
        Role.QUALITY_OFFICER,
        Role.TEAM_LEAD,
    }


def test_it_refuses_the_same_role_twice(cast):
    with pytest.raises(ValidationError) as error:
        membership_create(actor=cast.admin_a, user=cast.qo_a, unit=cast.units.org_a, role=Role.QUALITY_OFFICER)
    assert "already has this role" in str(error.value)


def test_it_seats_board_members_on_organisations_only(cast):
    with pytest.raises(ValidationError) as error:
        membership_create(actor=cast.admin_a, user=cast.qo_a, unit=cast.units.bu_a1, role=Role.BOARD_MEMBER)
    assert "role" in error.value.message_dict


def test_it_lets_only_an_administrator_of_the_unit_give_roles(cast):
    with pytest.raises(PermissionDenied):
        membership_create(actor=cast.admin_a, user=cast.qo_a, unit=cast.units.org_b, role=Role.VIEWER)


def test_it_removes_a_role_and_keeps_the_removal_in_history(cast):
    membership = Membership.objects.get(user=cast.viewer_a)
    membership_id = membership.pk
    membership_delete(actor=cast.admin_a, membership=membership)
    assert not Membership.objects.filter(pk=membership_id).exists()
    removal = Membership.history.filter(id=membership_id, history_type="-").get()
    assert removal.history_user == cast.admin_a


def test_it_provisions_a_person_without_a_password(cast):
    user = user_create(actor=cast.admin_a, username="new.person", first_name="New", email="n@example.org")
    assert not user.has_usable_password()


def test_it_refuses_a_weak_password(cast):
    with pytest.raises(ValidationError) as error:
        user_create(actor=cast.admin_a, username="new.person", password="short")
    assert "password" in error.value.message_dict


def test_it_refuses_a_common_password_of_twelve_characters(cast):
    with pytest.raises(ValidationError) as error:
        user_create(actor=cast.admin_a, username="new.person", password="password1234")
    assert "password" in error.value.message_dict


def test_it_lets_only_administrators_add_people(cast):
    with pytest.raises(PermissionDenied):
        user_create(actor=cast.qo_a, username="new.person")


def test_it_keeps_an_administrator_off_people_of_other_organisations(cast):
    with pytest.raises(PermissionDenied):
        user_update(actor=cast.admin_a, user=cast.member_b, first_name="Changed")


def test_it_lets_an_administrator_deactivate_a_person_of_their_organisation(cast):
    user = user_update(actor=cast.admin_a, user=cast.viewer_a, is_active=False)
    assert not user.is_active
    assert user.history.first().history_user == cast.admin_a


def test_it_refuses_to_deactivate_yourself(cast):
    with pytest.raises(ValidationError):
        user_update(actor=cast.admin_a, user=cast.admin_a, is_active=False)


def test_it_refuses_a_person_as_their_own_manager(cast):
    with pytest.raises(ValidationError) as error:
        user_update(actor=cast.admin_a, user=cast.viewer_a, manager=cast.viewer_a)
    assert "manager" in error.value.message_dict


def test_it_keeps_password_hashes_out_of_the_history(cast):
    user_update(actor=cast.admin_a, user=cast.viewer_a, password="a-much-longer-passphrase")
    assert not hasattr(cast.viewer_a.history.first(), "password")
