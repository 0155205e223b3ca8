"""Two-factor login: enrolment with a QR code, the second login step, replayed and recovery codes, who must
use it (administrators; everyone in an organisation that requires it), and API tokens behind it.

These tests log in through the login form (``force_login`` passes the second step: see tests/conftest.py)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from qms.models import OrganisationUnit, SecurityEvent, User
from qms.services import security
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def code(device, drift=0) -> str:
    """What the person's app shows now (``drift=1``: the next code, 30 seconds on)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + drift):0{device.digits}d}"


def password_login(user, **extra) -> Client:
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client(**extra)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def enrolled(user) -> TOTPDevice:
    """``user`` with a confirmed authenticator (as after enrolment), and ten recovery codes."""
    device = security.totp_device_start(user=user)
    device_, _codes = security.totp_device_confirm(user=user, token=code(device))
    return device_


def unthrottle(device) -> None:
    """As if the wait after a wrong code had passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


# Enrolment


def test_an_administrator_without_an_authenticator_is_sent_to_enrolment_after_the_password(cast):
    client = password_login(cast.admin_a)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/setup/")
    # Every page leads there, with the way back kept.
    response = client.get("/actions/")
    assert response["Location"] == "/account/two-factor/setup/?next=/actions/"
    # The enrolment page draws the QR code itself and shows the key as text.
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "<svg" in content and 'data-testid="totp-secret"' in content
    assert "no-store" in page["Cache-Control"]


def test_enrolment_is_confirmed_with_a_first_code_and_shows_ten_recovery_codes_once(cast):
    client = password_login(cast.admin_a)
    client.get("/account/two-factor/setup/")
    device = TOTPDevice.objects.get(user=cast.admin_a)
    assert not device.confirmed
    wrong = client.post("/account/two-factor/setup/", {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "does not match" in wrong.content.decode()
    unthrottle(device)
    response = client.post("/account/two-factor/setup/", {"code": code(device), "next": "/actions/"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = list(StaticToken.objects.filter(device__user=cast.admin_a).values_list("token", flat=True))
    assert len(codes) == 10 and all(token in response.content.decode() for token in codes)
    device.refresh_from_db()
    assert device.confirmed
    # Fully logged in now.
    assert client.get("/actions/").status_code == 200
    assert "two_factor_enrolled" in kinds()


def test_reloading_the_enrolment_page_keeps_the_same_secret(cast):
    client = password_login(cast.admin_a)
    first = client.get("/account/two-factor/setup/").context["secret"]
    assert client.get("/account/two-factor/setup/").context["secret"] == first
    assert TOTPDevice.objects.filter(user=cast.admin_a).count() == 1


def test_a_password_alone_cannot_replace_the_authenticator(cast):
    enrolled(cast.admin_a)
    client = password_login(cast.admin_a)
    response = client.get("/account/two-factor/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/code/")
    assert TOTPDevice.objects.filter(user=cast.admin_a).count() == 1


# The second login step


def test_an_enrolled_person_logs_in_with_password_and_then_a_code(cast):
    device = enrolled(cast.admin_a)
    client = password_login(cast.admin_a)
    response = client.get("/actions/")
    assert response["Location"] == "/account/two-factor/code/?next=/actions/"
    session_before = client.session.session_key
    response = client.post("/account/two-factor/code/", {"code": code(device, drift=1), "next": "/actions/"})
    assert response.status_code == 302 and response["Location"] == "/actions/"
    assert client.session.session_key != session_before  # a new session for the new privilege
    assert client.get("/actions/").status_code == 200
    assert kinds()[-1] == "two_factor_passed"


def test_a_wrong_code_is_refused_and_logged(cast):
    device = enrolled(cast.admin_a)
    client = password_login(cast.admin_a)
    wrong = "000000" if code(device, drift=1) != "000000" else "111111"
    response = client.post("/account/two-factor/code/", {"code": wrong})
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert client.get("/").status_code == 302
    assert kinds()[-1] == "two_factor_failed"


def test_a_used_code_is_refused_the_second_time(cast):
    device = enrolled(cast.admin_a)
    used = code(device, drift=1)
    first = password_login(cast.admin_a)
    assert first.post("/account/two-factor/code/", {"code": used})["Location"] == "/"
    # The same code, seen over a shoulder, in another browser: refused.
    second = password_login(cast.admin_a, REMOTE_ADDR="10.0.0.99")
    response = second.post("/account/two-factor/code/", {"code": used})
    assert response.status_code == 200
    assert second.get("/").status_code == 302


def test_wrong_codes_slow_down_guessing(cast):
    device = enrolled(cast.admin_a)
    client = password_login(cast.admin_a)
    wrong = "000000" if code(device, drift=1) != "000000" else "111111"
    client.post("/account/two-factor/code/", {"code": wrong})
    # Right after a failure even the right code waits (django-otp doubles the wait per failure).
    assert client.post("/account/two-factor/code/", {"code": code(device, drift=1)}).status_code == 200
    unthrottle(device)
    assert client.post("/account/two-factor/code/", {"code": code(device, drift=1)}).status_code == 302


def test_a_recovery_code_logs_in_once(cast):
    enrolled(cast.admin_a)
    recovery = StaticToken.objects.filter(device__user=cast.admin_a).first().token
    client = password_login(cast.admin_a)
    response = client.post("/account/two-factor/code/", {"code": recovery})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=cast.admin_a).count() == 9
    assert kinds()[-1] == "recovery_code_used"
    again = password_login(cast.admin_a, REMOTE_ADDR="10.0.0.98")
    assert again.post("/account/two-factor/code/", {"code": recovery}).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(cast, client):
    enrolled(cast.admin_a)
    old = set(StaticToken.objects.filter(device__user=cast.admin_a).values_list("token", flat=True))
    client.force_login(cast.admin_a)
    response = client.post("/account/two-factor/recovery-codes/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new = set(StaticToken.objects.filter(device__user=cast.admin_a).values_list("token", flat=True))
    assert len(new) == 10 and not new & old


def test_the_half_logged_in_session_may_log_out(cast):
    client = password_login(cast.admin_a)
    assert client.post("/logout/").status_code == 302
    assert client.get("/login/").status_code == 200


def test_the_api_sees_nobody_in_a_session_that_has_not_passed_the_second_step(cast):
    enrolled(cast.admin_a)
    client = password_login(cast.admin_a)
    assert client.get("/api/v1/units/").status_code in (401, 403)


# Who must use it


def test_a_person_without_a_role_that_requires_it_logs_in_with_the_password_alone(cast):
    client = password_login(cast.viewer_a)
    assert client.get("/").status_code == 200


def test_a_person_who_chose_two_factor_login_passes_the_second_step_too(cast):
    enrolled(cast.viewer_a)
    client = password_login(cast.viewer_a)
    assert client.get("/")["Location"].startswith("/account/two-factor/code/")


def test_a_superuser_must_use_two_factor_login(cast):
    assert security.two_factor_required_for(cast.superuser)
    client = password_login(cast.superuser)
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/setup/")


def test_administrators_can_be_exempted_by_setting_for_a_demo(cast, settings):
    settings.TWO_FACTOR_MANDATORY_FOR_ADMINS = False
    assert password_login(cast.admin_a).get("/").status_code == 200


def test_a_quality_officer_requires_two_factor_login_for_everyone_in_their_organisation(cast):
    officer = Client()
    officer.force_login(cast.qo_a)
    page = officer.get("/account/two-factor/")
    assert [organisation for organisation, _form in page.context["policies"]] == [cast.units.org_a]
    response = officer.post(
        "/account/two-factor/organisations/", {"organisation": cast.units.org_a.pk, "required": "on"}
    )
    assert response.status_code == 302
    assert OrganisationUnit.objects.get(pk=cast.units.org_a.pk).two_factor_required
    # The change is in the unit's history and the security log.
    assert cast.units.org_a.history.first().history_user == cast.qo_a
    assert kinds()[-1] == "two_factor_policy"
    # Everyone with a role in it, below it too, is sent to enrolment at their next page...
    for person in (cast.viewer_a, cast.team_lead_a):
        assert password_login(person).get("/")["Location"].startswith("/account/two-factor/setup/")
    # ...and nobody elsewhere.
    assert password_login(cast.member_b).get("/").status_code == 200


def test_a_viewer_cannot_set_the_organisations_rule(cast, client):
    client.force_login(cast.viewer_a)
    assert client.get("/account/two-factor/").context["policies"] == []
    response = client.post(
        "/account/two-factor/organisations/", {"organisation": cast.units.org_a.pk, "required": "on"}
    )
    assert response.status_code == 404
    assert not OrganisationUnit.objects.get(pk=cast.units.org_a.pk).two_factor_required


def test_a_quality_officer_of_another_organisation_cannot_set_the_rule(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        security.organisation_require_two_factor(actor=cast.member_b, organisation=cast.units.org_a, required=True)


# API tokens


def token_request(user, **data):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        TOKEN_URL, {"username": user.username, "password": PASSWORD, **data}, format="json"
    )


def test_a_token_for_an_administrator_needs_a_code(cast):
    device = enrolled(cast.admin_a)
    missing = token_request(cast.admin_a)
    assert missing.status_code == 400 and "otp" in missing.json()
    current = code(device, drift=1)
    assert token_request(cast.admin_a, otp=current).status_code == 201
    # Not twice with the same code.
    assert token_request(cast.admin_a, otp=current).status_code == 400


def test_no_token_for_an_administrator_without_an_authenticator(cast):
    response = token_request(cast.admin_a, otp="123456")
    assert response.status_code == 400
    assert "set it up" in response.json()["otp"][0]


def test_a_token_for_somebody_without_two_factor_needs_no_code(cast):
    assert token_request(cast.viewer_a).status_code == 201


def test_the_schema_documents_the_code_field_of_the_token_request(cast, client):
    client.force_login(cast.viewer_a)
    schema = client.get("/api/schema/?format=json").json()
    properties = schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert "otp" in properties and "username" in properties


def test_the_demo_login_page_says_that_administrators_set_up_two_factor_login(db, client):
    # make run (DEMO_MODE): beheerder is a superuser, so the demo shows the enrolment at the first login.
    assert 'data-testid="demo-two-factor"' in client.get("/login/").content.decode()
