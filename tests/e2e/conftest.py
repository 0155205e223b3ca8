"""What the browser journeys share: a headless Debian Chromium driven by Playwright, a page on pytest-django's
live server (in an English-speaking browser), and logging in and out through the pages themselves."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import PASSWORD

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

# The login page's words: it speaks Dutch until somebody chooses English (the language switch's cookie).
LOGIN_WORDS = {
    "nl": {"heading": "Inloggen", "username": "Gebruikersnaam", "password": "Wachtwoord", "button": "Inloggen"},
    "en": {"heading": "Log in", "username": "Username", "password": "Password", "button": "Log in"},
}
LOG_OUT = {"nl": "Uitloggen", "en": "Log out"}


def label(text: str) -> re.Pattern:
    """A link's accessible name: its text, after the icon glyph that Bootstrap Icons put before it."""
    return re.compile(rf"^\W*{re.escape(text)}$")


def log_in(page, user, *, language: str = "nl") -> None:
    """Log ``user`` in on the login page the browser shows, in the language it speaks."""
    words = LOGIN_WORDS[language]
    expect(page.get_by_role("heading", name=words["heading"], exact=True)).to_be_visible()
    page.get_by_label(words["username"]).fill(user.username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["button"], exact=True).click()


def log_out(page, user, *, language: str = "en") -> None:
    """Log out from the person menu; the browser lands on the login page."""
    page.get_by_role("button", name=label(str(user))).click()
    page.get_by_role("button", name=LOG_OUT[language], exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/$"))


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
