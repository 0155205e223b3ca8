"""Scoping in one place: a membership shows its unit and everything below it, and nothing else."""

from qms import scoping
from qms.choices import Role, UnitKind
from qms.models import Action, Membership, OrganisationUnit, User
from qms.scoping import scope_for
from qms.services.organisation import unit_update
from tests.factories import ActionFactory, UnitFactory


def names(queryset):
    return {str(obj) for obj in queryset}


def test_it_shows_a_member_their_unit_and_everything_below(cast):
    visible = OrganisationUnit.objects.visible_to(cast.risk_owner_a)
    assert names(visible) == {"Business unit A1", "Team A1a"}


def test_it_shows_a_board_member_their_whole_organisation_only(cast):
    visible = OrganisationUnit.objects.visible_to(cast.board_a)
    assert names(visible) == {"Organisation A", "Business unit A1", "Team A1a"}


def test_it_shows_group_management_every_organisation_of_the_group(cast):
    visible = OrganisationUnit.objects.visible_to(cast.group_mgmt)
    assert names(visible) == {
        "Group G",
        "Organisation A",
        "Business unit A1",
        "Team A1a",
        "Organisation B",
        "Business unit B1",
    }


def test_it_shows_an_outsider_nothing(cast):
    ActionFactory(unit=cast.units.org_a, owner=cast.qo_a)
    assert not OrganisationUnit.objects.visible_to(cast.outsider).exists()
    assert not Membership.objects.visible_to(cast.outsider).exists()
    assert not Action.objects.visible_to(cast.outsider).exists()
    assert list(User.objects.visible_to(cast.outsider)) == [cast.outsider]


def test_it_keeps_organisation_b_out_of_sight_of_organisation_a(cast):
    ActionFactory(unit=cast.units.bu_b1, owner=cast.member_b, title="B's action")
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="A's action")
    assert names(Action.objects.visible_to(cast.qo_a)) == {"A's action"}
    assert names(Action.objects.visible_to(cast.member_b)) == {"B's action"}
    assert cast.member_b not in User.objects.visible_to(cast.qo_a)


def test_it_shows_an_owner_their_action_from_a_unit_they_do_not_belong_to(cast):
    action = ActionFactory(unit=cast.units.org_a, owner=cast.team_lead_a)
    assert action in Action.objects.visible_to(cast.team_lead_a)


def test_it_shows_administrators_the_people_they_provisioned_who_have_no_role_yet(cast):
    User.objects.filter(pk=cast.outsider.pk).update(provisioned_by=cast.admin_a)
    assert cast.outsider in User.objects.visible_to(cast.admin_a)
    assert cast.outsider not in User.objects.visible_to(cast.qo_a)


def test_it_hides_people_without_a_role_that_another_administrator_provisioned(cast):
    assert cast.outsider not in User.objects.visible_to(cast.admin_a)


def test_it_counts_a_role_held_on_a_unit_above(cast):
    scope = scope_for(cast.qo_a)
    assert scope.has_role(cast.units.team_a1a, Role.QUALITY_OFFICER)
    assert not scope.has_role(cast.units.bu_b1, Role.QUALITY_OFFICER)
    assert not scope.has_role(cast.units.group, Role.QUALITY_OFFICER)


def test_it_does_not_give_superusers_board_roles(cast):
    scope = scope_for(cast.superuser)
    assert scope.has_role(cast.units.org_a, Role.ADMINISTRATOR)
    assert not scope.has_role(cast.units.org_a, Role.BOARD_MEMBER)
    assert OrganisationUnit.objects.visible_to(cast.superuser).count() == 6


def test_it_shows_an_inactive_person_nothing(cast):
    cast.qo_a.is_active = False
    cast.qo_a.save()
    user = User.objects.get(pk=cast.qo_a.pk)
    assert not OrganisationUnit.objects.visible_to(user).exists()


def test_it_shows_a_unit_created_after_the_scope_was_loaded(cast):
    qo = cast.qo_a
    assert "Team A1b" not in names(OrganisationUnit.objects.visible_to(qo))
    team = UnitFactory(name="Team A1b", kind=UnitKind.TEAM, parent=cast.units.bu_a1)
    assert "Team A1b" in names(OrganisationUnit.objects.visible_to(qo))
    assert ActionFactory(unit=team, owner=cast.risk_owner_a) in Action.objects.visible_to(qo)


def test_it_follows_a_unit_moved_out_of_sight_after_the_scope_was_loaded(cast):
    qo = cast.qo_a
    assert "Team A1a" in names(OrganisationUnit.objects.visible_to(qo))
    unit_update(actor=cast.superuser, unit=cast.units.team_a1a, parent=cast.units.bu_b1)
    assert "Team A1a" not in names(OrganisationUnit.objects.visible_to(qo))


def test_it_gives_a_wide_scope_to_the_database_as_a_subquery(cast, monkeypatch):
    monkeypatch.setattr(scoping, "LISTED_UNITS_MAX", 2)
    assert names(OrganisationUnit.objects.visible_to(cast.board_a)) == {
        "Organisation A",
        "Business unit A1",
        "Team A1a",
    }
    assert names(OrganisationUnit.objects.visible_to(cast.risk_owner_a)) == {"Business unit A1", "Team A1a"}
