"""A quality officer's day in a real Chromium: log in (in Dutch), see and finish an action, switch to English,
log out. Runs against pytest-django's live server; the page's htmx and Bootstrap are the vendored files."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qms.choices import ActionStatus, Role, UnitKind
from tests.e2e.conftest import label, log_in, log_out
from tests.factories import ActionFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e


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
    log_in(page, officer, language="nl")  # the heading "Inloggen", then the form

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
    log_out(page, officer, language="en")
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
