"""Attacks an acceptance review tried: taking over accounts an administrator does not look after,
dodging the rate limits with a made-up X-Forwarded-For, a token outliving its password."""

import pytest
from rest_framework.test import APIClient

from qms.choices import Role
from qms.models import ApiToken, User
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
NEW_PASSWORD = "Hijacked-Root-Pass-99"


@pytest.fixture
def root(db):
    return UserFactory(username="root-admin", is_superuser=True, is_staff=True)


def test_an_organisation_administrator_can_neither_see_nor_take_over_a_superuser(api, cast, root):
    client = api(cast.admin_a)
    assert client.get(f"/api/v1/users/{root.pk}/").status_code == 404
    assert client.patch(f"/api/v1/users/{root.pk}/", {"password": NEW_PASSWORD}).status_code == 404
    root.refresh_from_db()
    assert not root.check_password(NEW_PASSWORD)


def test_a_superuser_who_shares_a_unit_is_visible_but_not_manageable(api, cast, root):
    MembershipFactory(user=root, unit=cast.units.org_a, role=Role.QUALITY_OFFICER)
    client = api(cast.admin_a)
    assert client.get(f"/api/v1/users/{root.pk}/").status_code == 200
    assert client.patch(f"/api/v1/users/{root.pk}/", {"password": NEW_PASSWORD}).status_code == 403
    root.refresh_from_db()
    assert not root.check_password(NEW_PASSWORD)


def test_only_the_administrator_who_provisioned_a_person_manages_them_until_they_have_a_role(api, cast):
    other_organisation_admin = UserFactory(username="admin_b")
    MembershipFactory(user=other_organisation_admin, unit=cast.units.org_b, role=Role.ADMINISTRATOR)
    created = api(cast.admin_a).post("/api/v1/users/", {"username": "new.person", "first_name": "New"})
    assert created.status_code == 201, created.json()
    person = created.json()["id"]
    assert User.objects.get(pk=person).provisioned_by == cast.admin_a
    outsider_admin = api(other_organisation_admin)
    assert outsider_admin.get(f"/api/v1/users/{person}/").status_code == 404
    assert outsider_admin.patch(f"/api/v1/users/{person}/", {"password": NEW_PASSWORD}).status_code == 404
    assert api(cast.admin_a).patch(f"/api/v1/users/{person}/", {"first_name": "Nina"}).status_code == 200


def test_a_person_without_roles_made_elsewhere_is_out_of_every_administrators_sight(api, cast):
    stray = UserFactory(username="stray")  # e.g. made with createsuperuser or the admin site
    assert api(cast.admin_a).get(f"/api/v1/users/{stray.pk}/").status_code == 404


def test_a_made_up_forwarded_address_does_not_dodge_the_token_rate_limit(cast, settings):
    from rest_framework.settings import api_settings

    from qms.api.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "auth": "2/minute"}
    try:
        statuses = [
            APIClient(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
            .post(TOKEN_URL, {"username": "qo_a", "password": "wrong"})
            .status_code
            for n in range(4)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert statuses[-1] == 429, statuses


def test_changing_the_password_ends_every_api_token(cast, client):
    token = APIClient().post(TOKEN_URL, {"username": "qo_a", "password": PASSWORD}).json()["token"]
    client.force_login(cast.qo_a)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-long-pass-2026",
            "new_password2": "Another-long-pass-2026",
        },
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=cast.qo_a).exists()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/units/").status_code == 401


def test_an_administrator_setting_a_password_ends_the_persons_tokens(api, cast):
    APIClient().post(TOKEN_URL, {"username": "risk_owner_a", "password": PASSWORD})
    assert ApiToken.objects.filter(user=cast.risk_owner_a).exists()
    response = api(cast.admin_a).patch(f"/api/v1/users/{cast.risk_owner_a.pk}/", {"password": NEW_PASSWORD})
    assert response.status_code == 200, response.json()
    assert not ApiToken.objects.filter(user=cast.risk_owner_a).exists()


def test_a_not_found_answer_names_no_model(api, cast):
    response = api(cast.qo_a).get("/api/v1/units/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_id_no_database_can_hold_is_an_invalid_choice_not_a_crash(cast, client):
    organisation = cast.units.org_a
    from qms.models import Course

    course = Course.objects.create(organisation=organisation, title="Privacy")
    client.force_login(cast.qo_a)
    response = client.post(f"/training/courses/{course.pk}/assign/", {"year": 2026, "users": ["99999999999999999999"]})
    assert response.status_code == 200
    assert response.context["form"].errors["users"]
