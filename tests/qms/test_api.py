"""The core API: units, users, memberships, actions. For each: anonymous, wrong role, right role, other unit."""

import datetime

import pytest
from django.utils import timezone

from qms.choices import ActionStatus, Role
from qms.models import Action, Membership, OrganisationUnit, User
from tests.factories import ActionFactory, MembershipFactory, UserFactory

NEXT_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("path", ["/api/v1/units/", "/api/v1/users/", "/api/v1/memberships/", "/api/v1/actions/"])
def test_it_answers_anonymous_callers_with_401(api, db, path):
    response = api().get(path)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/units/", "/api/v1/memberships/", "/api/v1/actions/"])
def test_it_lists_nothing_for_an_outsider(api, cast, path):
    ActionFactory(unit=cast.units.org_a, owner=cast.qo_a)
    response = api(cast.outsider).get(path)
    assert response.status_code == 200
    assert response.json()["count"] == 0


# Units


def test_it_lists_the_units_a_member_may_see(api, cast):
    response = api(cast.risk_owner_a).get("/api/v1/units/")
    assert ids(response) == {cast.units.bu_a1.pk, cast.units.team_a1a.pk}


def test_it_answers_404_for_a_unit_of_another_organisation(api, cast):
    assert api(cast.qo_a).get(f"/api/v1/units/{cast.units.org_b.pk}/").status_code == 404
    assert api(cast.qo_a).patch(f"/api/v1/units/{cast.units.org_b.pk}/", {"name": "Mine"}).status_code == 404
    assert OrganisationUnit.objects.get(pk=cast.units.org_b.pk).name == "Organisation B"


def test_it_shows_related_objects_briefly(api, cast):
    response = api(cast.qo_a).get(f"/api/v1/units/{cast.units.bu_a1.pk}/")
    parent = response.json()["parent"]
    assert parent["id"] == cast.units.org_a.pk
    assert parent["display"] == "Organisation A"
    assert parent["url"].endswith(f"/api/v1/units/{cast.units.org_a.pk}/")


def test_it_lets_an_administrator_add_a_unit(api, cast):
    response = api(cast.admin_a).post(
        "/api/v1/units/", {"name": "Team new", "kind": "team", "parent": cast.units.bu_a1.pk}
    )
    assert response.status_code == 201, response.json()
    unit = OrganisationUnit.objects.get(pk=response.json()["id"])
    assert unit.is_within(cast.units.bu_a1)


def test_it_takes_a_new_unit_with_every_field_an_hr_system_sends(api, cast):
    body = {"name": "Team closed", "kind": "team", "parent": cast.units.bu_a1.pk, "code": "T-9"}
    response = api(cast.admin_a).post("/api/v1/units/", {**body, "is_active": False, "description": "Old"})
    assert response.status_code == 201, response.json()
    assert OrganisationUnit.objects.get(code="T-9").is_active is False


def test_it_forbids_a_quality_officer_to_add_a_unit(api, cast):
    response = api(cast.qo_a).post("/api/v1/units/", {"name": "X", "kind": "team", "parent": cast.units.bu_a1.pk})
    assert response.status_code == 403
    assert not OrganisationUnit.objects.filter(name="X").exists()


def test_it_treats_a_parent_out_of_sight_as_nonexistent(api, cast):
    response = api(cast.admin_a).post("/api/v1/units/", {"name": "X", "kind": "team", "parent": cast.units.bu_b1.pk})
    assert response.status_code == 400
    assert "parent" in response.json()


def test_it_takes_a_unit_back_as_it_was_read_though_its_parent_is_out_of_sight(api, cast):
    client = api(cast.admin_a)
    shown = client.get(f"/api/v1/units/{cast.units.org_a.pk}/").json()
    assert shown["parent"]["id"] == cast.units.group.pk  # the group, which admin_a does not see
    body = {**shown, "parent": shown["parent"]["id"], "description": "Our organisation"}
    response = client.put(f"/api/v1/units/{cast.units.org_a.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert OrganisationUnit.objects.get(pk=cast.units.org_a.pk).description == "Our organisation"


def test_it_does_not_let_a_unit_move_under_a_parent_out_of_sight(api, cast):
    response = api(cast.admin_a).patch(
        f"/api/v1/units/{cast.units.bu_a1.pk}/", {"parent": cast.units.group.pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert OrganisationUnit.objects.get(pk=cast.units.bu_a1.pk).parent == cast.units.org_a


def test_it_answers_a_kind_that_cannot_sit_there_with_a_field_error(api, cast):
    response = api(cast.admin_a).post(
        "/api/v1/units/", {"name": "X", "kind": "organisation", "parent": cast.units.bu_a1.pk}
    )
    assert response.status_code == 400
    assert "parent" in response.json()


def test_it_answers_malformed_json_with_400(api, cast):
    response = api(cast.admin_a).post("/api/v1/units/", "{not json", content_type="application/json")
    assert response.status_code == 400


# Users: administrators provision people as an HR system would.


def test_it_lets_an_administrator_provision_a_person_and_give_them_a_role(api, cast):
    client = api(cast.admin_a)
    response = client.post(
        "/api/v1/users/",
        {"username": "j.devries", "first_name": "Jan", "last_name": "de Vries", "email": "jan@example.org"},
    )
    assert response.status_code == 201, response.json()
    user_id = response.json()["id"]
    assert "password" not in response.json()
    response = client.post("/api/v1/memberships/", {"user": user_id, "unit": cast.units.bu_a1.pk, "role": "risk_owner"})
    assert response.status_code == 201, response.json()
    assert Membership.objects.filter(user_id=user_id, role=Role.RISK_OWNER).exists()


def test_it_refuses_a_weak_password_with_a_field_error(api, cast):
    response = api(cast.admin_a).post("/api/v1/users/", {"username": "weak", "password": "123"})
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="weak").exists()


def test_it_refuses_a_duplicate_username_with_a_field_error(api, cast):
    response = api(cast.admin_a).post("/api/v1/users/", {"username": "qo_a"})
    assert response.status_code == 400
    assert "username" in response.json()


def test_it_forbids_non_administrators_to_provision_people(api, cast):
    assert api(cast.qo_a).post("/api/v1/users/", {"username": "someone"}).status_code == 403


def test_it_deactivates_a_person(api, cast):
    response = api(cast.admin_a).patch(f"/api/v1/users/{cast.viewer_a.pk}/", {"is_active": False})
    assert response.status_code == 200
    assert not User.objects.get(pk=cast.viewer_a.pk).is_active


def test_it_does_not_delete_people(api, cast):
    assert api(cast.admin_a).delete(f"/api/v1/users/{cast.viewer_a.pk}/").status_code == 405


def test_it_hides_people_of_other_organisations(api, cast):
    client = api(cast.admin_a)
    assert client.get(f"/api/v1/users/{cast.member_b.pk}/").status_code == 404
    assert client.patch(f"/api/v1/users/{cast.member_b.pk}/", {"first_name": "X"}).status_code == 404
    assert cast.member_b.pk not in ids(client.get("/api/v1/users/?limit=500"))


# Memberships


def test_it_refuses_a_board_member_below_an_organisation(api, cast):
    response = api(cast.admin_a).post(
        "/api/v1/memberships/", {"user": cast.qo_a.pk, "unit": cast.units.bu_a1.pk, "role": "board_member"}
    )
    assert response.status_code == 400
    assert "role" in response.json()


def test_it_refuses_an_unknown_role(api, cast):
    response = api(cast.admin_a).post(
        "/api/v1/memberships/", {"user": cast.qo_a.pk, "unit": cast.units.bu_a1.pk, "role": "king"}
    )
    assert response.status_code == 400
    assert "role" in response.json()


def test_it_forbids_a_viewer_to_give_roles(api, cast):
    response = api(cast.viewer_a).post(
        "/api/v1/memberships/", {"user": cast.viewer_a.pk, "unit": cast.units.org_a.pk, "role": "administrator"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=cast.viewer_a, role=Role.ADMINISTRATOR).exists()


def test_it_lets_an_administrator_remove_a_role(api, cast):
    membership = Membership.objects.get(user=cast.viewer_a)
    assert api(cast.admin_a).delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_it_hides_memberships_of_other_organisations(api, cast):
    membership = Membership.objects.get(user=cast.member_b)
    assert api(cast.admin_a).delete(f"/api/v1/memberships/{membership.pk}/").status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


# Actions


def test_it_creates_an_action_for_someone_in_the_organisation(api, cast):
    response = api(cast.qo_a).post(
        "/api/v1/actions/",
        {"title": "Fix it", "unit": cast.units.bu_a1.pk, "owner": cast.risk_owner_a.pk, "due_date": NEXT_WEEK},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open"
    assert body["owner"]["id"] == cast.risk_owner_a.pk
    assert body["source_type"] is None


def test_it_refuses_an_action_with_an_owner_outside_the_organisation(api, cast):
    response = api(cast.group_mgmt).post(
        "/api/v1/actions/",
        {"title": "Fix it", "unit": cast.units.bu_a1.pk, "owner": cast.member_b.pk, "due_date": NEXT_WEEK},
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    assert not Action.objects.exists()


def test_it_refuses_an_action_without_title_and_a_bad_date(api, cast):
    response = api(cast.qo_a).post(
        "/api/v1/actions/", {"unit": cast.units.bu_a1.pk, "owner": cast.risk_owner_a.pk, "due_date": "31-12-2026"}
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"title", "due_date"}


def test_it_lists_my_open_actions(api, cast):
    mine = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, status=ActionStatus.CANCELLED)
    ActionFactory(unit=cast.units.bu_a1, owner=cast.qo_a)
    response = api(cast.risk_owner_a).get("/api/v1/actions/?mine=true&open=true")
    assert ids(response) == {mine.pk}


def test_it_moves_an_action_through_its_workflow(api, cast):
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    client = api(cast.risk_owner_a)
    response = client.patch(f"/api/v1/actions/{action.pk}/", {"status": "done", "note": "All fixed"})
    assert response.status_code == 200, response.json()
    assert response.json()["completion_note"] == "All fixed"
    response = client.patch(f"/api/v1/actions/{action.pk}/", {"status": "cancelled"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_it_forbids_a_viewer_to_change_an_action(api, cast):
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    response = api(cast.viewer_a).patch(f"/api/v1/actions/{action.pk}/", {"status": "done"})
    assert response.status_code == 403
    # Nothing to change is no way round it.
    assert api(cast.viewer_a).patch(f"/api/v1/actions/{action.pk}/", {}).status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_it_answers_404_for_an_action_of_another_organisation(api, cast):
    action = ActionFactory(unit=cast.units.bu_b1, owner=cast.member_b)
    client = api(cast.qo_a)
    assert client.get(f"/api/v1/actions/{action.pk}/").status_code == 404
    assert client.patch(f"/api/v1/actions/{action.pk}/", {"title": "Mine now"}).status_code == 404


# Pagination and query counts


def test_it_pages_with_a_default_of_50_and_a_maximum_of_500(api, cast, settings):
    for _ in range(3):
        ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    body = api(cast.qo_a).get("/api/v1/actions/?limit=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and "offset=2" in body["next"]
    from qms.api.pagination import LimitOffsetPagination

    assert (LimitOffsetPagination.default_limit, LimitOffsetPagination.max_limit) == (50, 500)


def test_it_orders_and_filters_the_list(api, cast):
    late = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Late")
    early = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Early", due_date=timezone.localdate())
    body = api(cast.qo_a).get("/api/v1/actions/?ordering=-due_date").json()
    assert [row["id"] for row in body["results"]] == [late.pk, early.pk]
    body = api(cast.qo_a).get("/api/v1/actions/?q=earl").json()
    assert [row["id"] for row in body["results"]] == [early.pk]


def test_it_answers_an_invalid_filter_with_400(api, cast):
    response = api(cast.qo_a).get("/api/v1/actions/?status=nonsense")
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/units/", "/api/v1/users/", "/api/v1/memberships/", "/api/v1/actions/"])
def test_it_keeps_the_query_count_of_a_list_constant(api, cast, path, count_queries):
    client = api(cast.admin_a)
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    few = count_queries(client, path)
    for _ in range(50):
        user = UserFactory()
        MembershipFactory(user=user, unit=cast.units.bu_a1, role=Role.VIEWER)
        ActionFactory(unit=cast.units.bu_a1, owner=user)
    many = count_queries(client, path)
    assert few == many


def test_it_answers_a_rule_about_the_whole_record_under_non_field_errors(api, cast):
    # A duplicate role breaks a constraint over several fields: the model names it "__all__".
    data = {"user": cast.qo_a.pk, "unit": cast.units.org_a.pk, "role": "quality_officer"}
    response = api(cast.admin_a).post("/api/v1/memberships/", data)
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"], response.json()
    assert Membership.objects.filter(user=cast.qo_a, role=Role.QUALITY_OFFICER).count() == 1


@pytest.mark.parametrize(
    "query", ["offset=0.95", "offset=-1", "limit=0", "limit=abc", "limit=²", "offset=99999999999999"]
)
def test_it_answers_a_limit_or_offset_that_is_no_whole_number_with_400(api, cast, query):
    response = api(cast.qo_a).get(f"/api/v1/actions/?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"limit", "offset"}


def test_it_gives_the_largest_page_for_a_limit_above_the_maximum(api, cast, settings):
    assert api(cast.qo_a).get("/api/v1/actions/?limit=100000&offset=0").status_code == 200
