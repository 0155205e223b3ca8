"""Headers and cookies (issue 15, finding 6; ASVS 3.4, 14.4): a Content-Security-Policy with no inline
script or style on every page, ``no-store`` on every authenticated answer (pages, exports, API answers, the
page that shows a new token) but not on static files, a Permissions-Policy on every answer, ``__Host-``
cookie names in production. And the browsable API (finding 2): off in production, and no 500 where it is on.
The same headers on every page of the demo: tests/test_security_headers_crawl.py."""

import re

import pytest
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tests.factories.risks import RiskFactory
from tests.qms.test_platform import clean_env, production_env, settings_in

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
BROWSER_FEATURES_OFF = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {name: value.strip() for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store", response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


@pytest.fixture
def browsable_api(monkeypatch):
    """The renderers of DEBUG (views read DEFAULT_RENDERER_CLASSES once, at import)."""
    monkeypatch.setattr(APIView, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])


@pytest.fixture
def risk(cast):
    return RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)


# Content-Security-Policy


def test_it_sends_a_strict_content_security_policy_on_pages(cast, as_user):
    response = as_user(cast.qo_a).get("/")
    assert response.status_code == 200
    policy = directives(response)
    for name, value in EXPECTED_DIRECTIVES.items():
        assert policy.get(name) == value, name
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_it_sends_the_policy_on_the_login_page_too(client, db):
    response = client.get("/login/")
    assert directives(response)["script-src"] == "'self'"


def test_it_tells_htmx_to_inject_no_styles_and_evaluate_nothing(cast, as_user):
    content = as_user(cast.qo_a).get("/").content.decode()
    (config,) = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", content)
    assert config == '{"includeIndicatorStyles": false, "allowEval": false}'


def test_the_api_docs_are_for_logged_in_people_and_load_their_script_from_a_file(cast, as_user, client):
    assert client.get("/api/docs/").status_code in (401, 403)
    response = as_user(cast.qo_a).get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>" not in content and "<style>" not in content
    assert "/api/docs/?script" in content
    assert as_user(cast.qo_a).get("/api/docs/?script").status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# no-store


def test_it_forbids_storing_an_authenticated_page(cast, as_user):
    assert_no_store(as_user(cast.qo_a).get("/"))


def test_it_forbids_storing_an_export(cast, as_user, risk):
    response = as_user(cast.qo_a).get("/risks/register/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert_no_store(response)


def test_it_forbids_storing_the_page_that_shows_a_new_token(cast, as_user):
    response = as_user(cast.qo_a).post("/account/tokens/", {"name": "laptop"})
    assert response.status_code == 200 and response.context["new_token"]
    assert_no_store(response)


def test_it_forbids_storing_api_answers_of_a_session_or_a_token(cast, api, client):
    assert_no_store(api(cast.qo_a).get("/api/v1/units/"))
    client.force_login(cast.qo_a)
    assert_no_store(client.get("/api/v1/units/"))


def test_it_forbids_storing_the_token_endpoints_answer(cast):
    cast.qo_a.set_password("a long enough password")
    cast.qo_a.save()
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "qo_a", "password": "a long enough password"}, format="json"
    )
    assert response.status_code in (200, 201), response.content
    assert_no_store(response)


@pytest.fixture
def static_files(settings):
    """WhiteNoise serves the files of static/ (the tests collect none); it reads this as the client starts."""
    settings.WHITENOISE_USE_FINDERS = True


def test_it_leaves_static_files_to_their_own_caching(client, db, static_files):
    response = client.get("/static/css/qms.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


def test_it_keeps_the_health_checks_own_cache_header(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


# Permissions-Policy and Referrer-Policy


@pytest.mark.parametrize("path", ["/login/", "/static/css/qms.css", "/healthz"])
def test_it_switches_off_browser_features_on_every_answer(client, db, static_files, path):
    response = client.get(path)
    for feature in BROWSER_FEATURES_OFF:
        assert feature in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_it_switches_off_browser_features_on_authenticated_pages_and_the_api(cast, as_user, api):
    assert "camera=()" in as_user(cast.qo_a).get("/")["Permissions-Policy"]
    assert "camera=()" in api(cast.qo_a).get("/api/v1/units/")["Permissions-Policy"]


# Cookies


def test_production_cookies_carry_the_host_prefix(tmp_path):
    values = settings_in(production_env(tmp_path), "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_NAME")
    assert values == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "LANGUAGE_COOKIE_NAME": "__Host-qms_language",
    }


def test_development_cookies_keep_plain_names_a_browser_accepts_over_http(tmp_path):
    values = settings_in(clean_env(tmp_path, DEBUG="1"), "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME")
    assert values == {"SESSION_COOKIE_NAME": "sessionid", "CSRF_COOKIE_NAME": "csrftoken"}


def test_a_secure_session_cookie_is_sent_as_a_host_cookie_would_need(cast, client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    cast.qo_a.set_password("a long enough password")
    cast.qo_a.save()
    response = client.post("/login/", {"username": "qo_a", "password": "a long enough password"})
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]


# The browsable API


def test_production_speaks_json_only(tmp_path):
    values = settings_in(production_env(tmp_path), "REST_FRAMEWORK")
    assert values["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"] == ["rest_framework.renderers.JSONRenderer"]
    development = settings_in(clean_env(tmp_path, DEBUG="1"), "REST_FRAMEWORK")
    assert "rest_framework.renderers.BrowsableAPIRenderer" in development["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"]


def test_a_browser_asking_the_api_for_html_gets_json(cast, client, risk):
    client.force_login(cast.qo_a)
    for path in ("/api/v1/risks/", f"/api/v1/risks/{risk.pk}/"):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 406, (path, response.status_code)
        assert response["Content-Type"] == "application/json"
        response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")  # a real browser's
        assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_the_browsable_api_renders_lists_and_records_with_related_fields(cast, client, risk, browsable_api):
    # Related objects are shown as {id, url, display}: the form's choices were keyed by that dict (a 500).
    client.force_login(cast.qo_a)
    for path in ("/api/v1/risks/", f"/api/v1/risks/{risk.pk}/", "/api/v1/units/", "/api/v1/actions/"):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, (path, response.status_code)
        assert response["Content-Type"].startswith("text/html")
    assert risk.unit.name in client.get(f"/api/v1/risks/{risk.pk}/", HTTP_ACCEPT="text/html").content.decode()
