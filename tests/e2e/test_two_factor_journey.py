"""An administrator's first login in a real Chromium: password, then the enrolment that two-factor login
being mandatory for administrators leads to (scan, or here read, the key; confirm with a code; recovery
codes), log out, and log in again with the password and a code of the app."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from qms.choices import Language, Role, UnitKind
from tests.e2e.conftest import log_in, log_out
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def administrator(transactional_db):
    organisation = UnitFactory(name="Noordhaven Software", kind=UnitKind.ORGANISATION)
    admin = UserFactory(username="femke", first_name="Femke", language=Language.ENGLISH)
    MembershipFactory(user=admin, unit=organisation, role=Role.ADMINISTRATOR)
    return admin


def app_code(secret: str, drift: int = 0) -> str:
    """What an authenticator app shows for the key on the page (``drift=1``: its next code)."""
    return f"{totp(b32decode(secret.replace(' ', '')), drift=drift):06d}"


def test_an_administrator_enrols_logs_out_and_logs_in_with_a_code(page, administrator):
    page.goto("/actions/")
    log_in(page, administrator, language="nl")

    # Mandatory for administrators: the password leads to enrolment, with a QR code drawn by the server.
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/\?next=/actions/$"))
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor login").click()

    # Ten recovery codes, shown once; then on to where the administrator was going.
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/actions/$"))

    log_out(page, administrator)

    # The password, then the app's (next) code: the code used for enrolment is not taken twice.
    page.goto("/")
    log_in(page, administrator, language="nl")
    expect(page).to_have_url(re.compile(r"/account/two-factor/code/\?next=/$"))
    page.get_by_role("textbox", name=re.compile(r"^Code")).fill(app_code(secret, drift=1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
