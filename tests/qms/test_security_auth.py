"""The client's address behind a proxy (lock-out by user name and address together, the API's rate limits,
the security log), the shared cache production insists on, and session time-outs."""

import subprocess
import sys
import time

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from qms.choices import SecurityEventKind
from qms.http import client_ip
from qms.middleware import SESSION_LOGIN_AT, SESSION_SEEN_AT
from qms.models import SecurityEvent
from tests.conftest import PASSWORD
from tests.qms.test_platform import production_env, settings_in

PROXY = "10.0.0.2"  # the TLS proxy in front: the socket's peer of every request
ATTACKER = "203.0.113.66"
COLLEAGUE = "198.51.100.7"


def through_proxy(address: str, forged: str = "") -> Client:
    """A browser at ``address`` behind the proxy, which appends what it saw to any X-Forwarded-For sent."""
    forwarded = f"{forged}, {address}" if forged else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5


# The address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.2"),
        (0, "192.0.2.1", "10.0.0.2"),  # nobody in front: the header is the client's own invention
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the left part was written by the client
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.3", "192.0.2.1"),
        (2, "192.0.2.1", "192.0.2.1"),  # a shorter chain: the farthest address a proxy saw
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_what_the_trusted_proxies_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **extra)) == expected


def test_behind_a_proxy_wrong_passwords_lock_only_the_attackers_pair(cast, one_proxy):
    attacker = through_proxy(ATTACKER)
    assert [log_in(attacker, "board_a", "wrong").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    # The pair is locked, even with the right password...
    assert log_in(attacker, "board_a").status_code == 429
    # ...and changing the forged part of the header does not help.
    assert log_in(through_proxy(ATTACKER, forged="192.0.2.55"), "board_a").status_code == 429
    # The user logs in from their own address; somebody else logs in from the attacker's.
    assert log_in(through_proxy(COLLEAGUE), "board_a").status_code == 302
    assert log_in(through_proxy(ATTACKER), "viewer_a").status_code == 302
    # Still locked for the attacker.
    assert log_in(through_proxy(ATTACKER), "board_a").status_code == 429
    locked = SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).first()
    assert locked.ip_address == ATTACKER and locked.username == "board_a"


def test_behind_a_proxy_the_security_log_records_the_clients_address(cast, one_proxy):
    log_in(through_proxy(COLLEAGUE, forged="192.0.2.99"), "viewer_a")
    login = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN)
    assert login.ip_address == COLLEAGUE


def test_without_proxies_a_forwarded_header_changes_nothing(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        log_in(Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "qo_a", "wrong")
    locked = log_in(Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.200"), "qo_a")
    assert locked.status_code == 429
    assert set(SecurityEvent.objects.values_list("ip_address", flat=True)) == {"10.0.0.9"}


def test_behind_a_proxy_the_token_rate_limit_counts_per_client(cast, one_proxy):
    from rest_framework.settings import api_settings

    from qms.api.throttling import ScopedRateThrottle

    def token(address, forged=""):
        forwarded = f"{forged}, {address}" if forged else address
        client = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
        return client.post("/api/v1/auth/token/", {"username": "viewer_a", "password": PASSWORD}).status_code

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "auth": "2/minute"}
    try:
        attacker = [token(ATTACKER, forged=f"192.0.2.{n}") for n in range(3)]
        colleague = token(COLLEAGUE)
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert attacker == [201, 201, 429]  # a fresh forged part every time does not dodge the limit
    assert colleague == 201  # one client's limit is not everybody's behind the proxy


# A shared cache in production


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    env = production_env(tmp_path)
    del env["REDIS_URL"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "qms.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set REDIS_URL" in result.stderr


def test_a_single_process_deployment_may_say_so_and_use_a_local_cache(tmp_path):
    env = production_env(tmp_path, ALLOW_LOCAL_CACHE="1")
    del env["REDIS_URL"]
    backend = settings_in(env, "CACHES")["CACHES"]["default"]["BACKEND"]
    assert backend == "django.core.cache.backends.locmem.LocMemCache"


def test_production_with_redis_shares_the_cache(tmp_path):
    backend = settings_in(production_env(tmp_path), "CACHES")["CACHES"]["default"]["BACKEND"]
    assert backend == "qms.cache.TolerantRedisCache"


# Sessions


def stamp(client, *, seen_ago: float, login_ago: float | None = None) -> None:
    now = time.time()
    session = client.session
    session[SESSION_SEEN_AT] = now - seen_ago
    session[SESSION_LOGIN_AT] = now - (login_ago if login_ago is not None else seen_ago)
    session.save()


def test_sessions_last_no_longer_than_the_browser_and_twelve_hours(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_ABSOLUTE_TIMEOUT_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_the_session_cookie_dies_with_the_browser(cast, settings):
    client = Client()
    response = log_in(client, "viewer_a")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_a_login_stamps_the_session(cast):
    client = Client()
    before = time.time()
    log_in(client, "viewer_a")
    assert client.session[SESSION_LOGIN_AT] >= before
    assert client.session[SESSION_SEEN_AT] >= before


def test_an_idle_session_is_logged_out_with_a_message_on_the_login_page(cast, as_user):
    client = as_user(cast.viewer_a)
    stamp(client, seen_ago=31 * 60)
    response = client.get("/actions/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/actions/"
    page = client.get(response["Location"])
    assert "after 30 minutes without activity" in page.content.decode()
    assert client.get("/").status_code == 302  # the session is gone
    logout = SecurityEvent.objects.get(kind=SecurityEventKind.LOGOUT)
    assert logout.detail == "session expired (idle)" and logout.user == cast.viewer_a


def test_activity_keeps_a_session_alive(cast, as_user):
    client = as_user(cast.viewer_a)
    stamp(client, seen_ago=29 * 60, login_ago=3 * 60 * 60)
    assert client.get("/actions/").status_code == 200
    assert time.time() - client.session[SESSION_SEEN_AT] < 5  # activity recorded


def test_a_session_ends_twelve_hours_after_the_login_whatever_the_activity(cast, as_user):
    client = as_user(cast.viewer_a)
    stamp(client, seen_ago=10, login_ago=12 * 60 * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "at most 12 hours" in client.get(response["Location"]).content.decode()


def test_the_idle_timeout_is_configurable(cast, as_user, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    client = as_user(cast.viewer_a)
    stamp(client, seen_ago=6 * 60)
    assert client.get("/").status_code == 302


def test_the_api_answers_an_expired_session_as_nobody(cast, as_user):
    client = as_user(cast.viewer_a)
    stamp(client, seen_ago=31 * 60)
    assert client.get("/api/v1/units/").status_code in (401, 403)
