"""Login, throttling by username + IP, hashed expiring API tokens, password rules."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from qms.choices import SecurityEventKind
from qms.models import ApiToken, SecurityEvent
from qms.models.security import hash_token
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def token_for(user, ip="10.0.0.1", password=PASSWORD):
    return APIClient(REMOTE_ADDR=ip).post(TOKEN_URL, {"username": user.username, "password": password})


def test_it_gives_a_token_for_a_valid_username_and_password(cast):
    response = token_for(cast.qo_a)
    assert response.status_code == 201
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    units = client.get("/api/v1/units/")
    assert units.status_code == 200
    assert units.json()["count"] == 3


def test_it_stores_only_the_hash_of_a_token(cast):
    token = token_for(cast.qo_a).json()["token"]
    stored = ApiToken.objects.get(user=cast.qo_a)
    assert stored.key_hash == hash_token(token)
    assert token not in {stored.key_hash, stored.prefix, stored.name}


def test_it_refuses_an_expired_token(cast):
    token = token_for(cast.qo_a).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/").status_code == 401


def test_it_refuses_a_token_of_a_deactivated_person(cast):
    token = token_for(cast.qo_a).json()["token"]
    cast.qo_a.is_active = False
    cast.qo_a.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/").status_code == 401


def test_it_sets_the_expiry_from_the_settings(cast, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(days=30)
    expires_at = datetime.datetime.fromisoformat(token_for(cast.qo_a).json()["expires_at"])
    assert abs(expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)


def test_it_revokes_the_token_in_use(cast):
    token = token_for(cast.qo_a).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/units/").status_code == 401


def test_it_answers_a_wrong_password_with_a_json_error(cast):
    response = token_for(cast.qo_a, password="wrong")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username="qo_a").exists()


def test_it_answers_a_missing_field_with_a_field_error(db):
    response = APIClient().post(TOKEN_URL, {"username": "someone"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_it_locks_a_username_from_one_address_but_not_from_others(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        token_for(cast.qo_a, ip="10.0.0.9", password="wrong")
    # Locked from this address, even with the right password...
    assert token_for(cast.qo_a, ip="10.0.0.9").status_code == 429
    # ...but not from another address, and another person at the same address is not locked.
    assert token_for(cast.qo_a, ip="10.0.0.10").status_code == 201
    assert token_for(cast.board_a, ip="10.0.0.9").status_code == 201
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).exists()


def test_it_locks_the_login_page_by_username_and_address(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(3):
        attacker.post("/login/", {"username": "qo_a", "password": "wrong"})
    locked = attacker.post("/login/", {"username": "qo_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "/login/" not in locked.get("Location", "")
    elsewhere = Client(REMOTE_ADDR="10.0.0.10").post("/login/", {"username": "qo_a", "password": PASSWORD})
    assert elsewhere.status_code == 302


def test_it_throttles_token_requests(cast):
    from rest_framework.settings import api_settings

    from qms.api.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "auth": "2/minute"}
    try:
        statuses = [token_for(cast.qo_a).status_code for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert statuses == [201, 201, 429]


def test_it_logs_in_and_out_through_the_pages(cast):
    client = Client()
    response = client.post("/login/", {"username": "qo_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {SecurityEventKind.LOGIN, SecurityEventKind.LOGOUT} <= kinds


def test_it_shows_the_login_form_errors_in_dutch(cast):
    response = Client().post("/login/", {"username": "qo_a", "password": "wrong"})
    assert response.status_code == 200
    assert "gebruikersnaam" in response.content.decode().lower()


@pytest.mark.parametrize(
    ("new_password", "accepted"),
    [("short", False), ("password1234", False), ("123456789012345", False), ("a-long-and-unusual-phrase", True)],
)
def test_it_applies_the_password_rules_when_changing_a_password(cast, login, new_password, accepted):
    client = login(cast.qo_a)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert (response.status_code == 302) is accepted
    cast.qo_a.refresh_from_db()
    assert cast.qo_a.check_password(new_password) is accepted


def test_it_requires_a_login_for_every_page(db):
    for path in ["/", "/units/", "/people/", "/actions/", "/notifications/", "/account/", "/risks/", "/api/docs/"]:
        response = Client().get(path)
        assert response.status_code in (302, 401, 403), path
        if response.status_code == 302:
            assert response["Location"].startswith("/login/"), path


def test_it_limits_each_person_to_the_rate_per_window_and_lets_them_in_again_in_the_next(cast, api, monkeypatch):
    from rest_framework.settings import api_settings

    from qms.api.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/minute"})
    now = [1_000_000.0]
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: now[0])
    client, other = api(cast.qo_a), api(cast.board_a)
    statuses = [client.get("/api/v1/units/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(client.get("/api/v1/units/")["Retry-After"]) <= 60
    assert other.get("/api/v1/units/").status_code == 200  # counted per person
    now[0] += 60
    assert client.get("/api/v1/units/").status_code == 200
