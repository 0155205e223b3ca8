"""A quality officer's day in a real Chromium: log in (in Dutch), see and finish an action, switch to English,
log out. Runs against pytest-django's live server; the page's htmx and Bootstrap are the vendored files."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from qms.choices import ActionStatus, Role, UnitKind
from tests.conftest import PASSWORD
from tests.factories import ActionFactory, MembershipFactory, UnitFactory, UserFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
# For the auto-waiting assertions too (their own default is 5 s), so a slow CI machine is not a failure.
expect.set_options(timeout=TIMEOUT_MS)

pytestmark = pytest.mark.e2e


def label(text: str) -> re.Pattern:
    """A link's accessible name: its text, after the icon glyph that Bootstrap Icons put before it."""
    return re.compile(rf"^\W*{re.escape(text)}$")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("QMS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses database work
    # where a loop runs; the tests' own database work (factories, flushing) is plain sync code all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def quality_officer(transactional_db):
    organisation = UnitFactory(name="Noordhaven Software", kind=UnitKind.ORGANISATION)
    officer = UserFactory(username="sanne", first_name="Sanne")
    MembershipFactory(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
    action = ActionFactory(
        unit=organisation,
        owner=officer,
        title="Review the supplier contracts",
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    return officer, action


def test_a_quality_officer_logs_in_finishes_an_action_switches_to_english_and_logs_out(page, quality_officer):
    officer, action = quality_officer

    # The login page speaks Dutch to a browser that asks for English: Dutch is the product's default.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Inloggen", exact=True)).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill(officer.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()

    # The dashboard, with the open action.
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_test_id("my-open-actions").get_by_role("link", name=action.title)).to_be_visible()

    # My actions, then the action, whose status changes in place (htmx swaps the status card).
    page.locator("#mainnav").get_by_role("link", name=label("Mijn acties")).click()
    expect(page).to_have_url(re.compile(r"/actions/$"))
    page.get_by_role("link", name=action.title).click()
    expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/$"))
    expect(page.get_by_test_id("action-status")).to_have_text("Open")
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Afronden", exact=True).click()
    expect(page.get_by_test_id("action-status")).to_have_text("Afgerond")
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, not a new page
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE

    # The language switch: the same page, now in English.
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    navigation = page.locator("#mainnav")
    expect(navigation.get_by_role("link", name=label("My actions"))).to_be_visible()
    expect(navigation.get_by_role("link", name=label("Risks"))).to_be_visible()
    expect(page.get_by_test_id("action-status")).to_have_text("Done")

    # Log out (from the person menu): back at the login page, in English now.
    page.get_by_role("button", name=label(str(officer))).click()
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
