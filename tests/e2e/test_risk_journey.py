"""A high risk from registration to the board's approval, in a real Chromium: the quality officer registers it
with a measure and submits it, the board member approves it from the review queue (in place, htmx), and the risk
owner sees the approval under the bell and on the risk page. Only the people and units are made directly."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qms.choices import Role, UnitKind
from risks.choices import RiskLevel, RiskStatus
from risks.models import Risk
from risks.selectors.register import matrix_for
from tests.e2e.conftest import label, log_in, log_out
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.factories.risks import category

pytestmark = pytest.mark.e2e

TITLE = "Ransomware on the planning system"
MEASURE = "Offline back-ups of the planning database"
# Possible (3) x Major (4): high on the default 5x5 matrix, so the board of the organisation must approve it.
LIKELIHOOD, IMPACT = 3, 4


def person(username, first_name, last_name, role, unit):
    # English is their own setting: the pages speak it once they are logged in (the login page speaks Dutch).
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, language="en")
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def journey_cast(transactional_db):
    """A group with an organisation and its business unit; the quality officer and the board member of the
    organisation, and the risk owner in the business unit (three different people)."""
    group = UnitFactory(name="Zuiderzee Zorggroep", kind=UnitKind.GROUP)
    organisation = UnitFactory(name="Noordhaven Thuiszorg", kind=UnitKind.ORGANISATION, parent=group)
    unit = UnitFactory(name="Planning", kind=UnitKind.BUSINESS_UNIT, parent=organisation)
    # The organisation has not configured a matrix: it uses the default one, where this cell is high.
    assert matrix_for(organisation).level(LIKELIHOOD, IMPACT) == RiskLevel.HIGH
    return SimpleNamespace(
        organisation=organisation,
        unit=unit,
        # A default category (a data migration makes them; an earlier test's flush may have removed them).
        category=category("operational"),
        quality_officer=person("sanne", "Sanne", "de Vries", Role.QUALITY_OFFICER, organisation),
        board_member=person("bram", "Bram", "Jansen", Role.BOARD_MEMBER, organisation),
        risk_owner=person("ruben", "Ruben", "Bakker", Role.RISK_OWNER, unit),
    )


def test_it_takes_a_high_risk_from_the_quality_officer_through_the_board_approval_to_its_owner(page, journey_cast):
    cast = journey_cast
    due = timezone.localdate() + datetime.timedelta(days=30)

    # --- the quality officer registers the risk with a measure and submits it ---------------------------------
    page.goto("/")
    log_in(page, cast.quality_officer)
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    page.locator("#mainnav").get_by_role("link", name=label("Risks")).click()
    expect(page).to_have_url(re.compile(r"/risks/register/$"))
    page.get_by_test_id("add-risk").click()
    expect(page.get_by_role("heading", name="Register a risk", exact=True)).to_be_visible()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Category").select_option(label="Operational")
    page.get_by_label("Unit").select_option(label=str(cast.unit))
    page.get_by_label("Owner").select_option(label=str(cast.risk_owner))
    # By role: a label's text also holds its required mark, which the accessible name leaves out.
    page.get_by_role("combobox", name="Likelihood", exact=True).select_option(label=f"{LIKELIHOOD} – Possible")
    page.get_by_role("combobox", name="Impact", exact=True).select_option(label=f"{IMPACT} – Major")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/risks/\d+/$"))
    risk_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_test_id("risk-status")).to_have_text("Draft")
    expect(page.get_by_test_id("risk-level")).to_have_text("High")
    expect(page.get_by_test_id("risk-warnings")).to_contain_text("No mitigation plan.")
    expect(page.get_by_test_id("submit-risk")).to_be_disabled()  # no plan yet

    plan = page.get_by_test_id("plan")
    plan.get_by_label("Title").fill(MEASURE)
    plan.get_by_label("Owner").select_option(label=str(cast.risk_owner))
    plan.get_by_label("Due date").fill(due.isoformat())
    plan.get_by_label("Description").fill("A nightly copy, kept off the network, restored once a quarter.")
    plan.get_by_role("button", name="Add measure", exact=True).click()
    expect(page).to_have_url(re.compile(r"/risks/\d+/#plan$"))
    expect(page.get_by_role("alert").filter(has_text="The measure is added to the plan.")).to_be_visible()
    expect(plan.get_by_role("link", name=MEASURE)).to_be_visible()
    expect(plan.get_by_role("row", name=re.compile(re.escape(MEASURE)))).to_contain_text(str(cast.risk_owner))

    page.get_by_test_id("submit-risk").click()
    expect(
        page.get_by_role("alert").filter(has_text="Submitted: the risk waits for the approval of the board.")
    ).to_be_visible()
    expect(page.get_by_test_id("risk-status")).to_have_text("Awaiting approval")
    expect(page.get_by_test_id("required-approvals")).to_have_text("Board")
    approvals = page.get_by_test_id("approvals")
    expect(approvals.get_by_role("row", name=re.compile(r"^Board\b"))).to_contain_text("Pending")
    expect(page.get_by_test_id("submit-risk")).to_have_count(0)
    log_out(page, cast.quality_officer)

    # --- the board member approves it from the review queue, in place ----------------------------------------
    log_in(page, cast.board_member)
    queue_link = page.get_by_test_id("risk-queue-count")
    expect(queue_link).to_have_text(re.compile(r"^\s*Risks awaiting your decision\s+1\s*$"))
    queue_link.click()
    expect(page).to_have_url(re.compile(r"/risks/queue/board/$"))
    expect(page.get_by_role("heading", name="Review queue of the board", exact=True)).to_be_visible()
    card = page.get_by_test_id("queue-card").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("risk-level")).to_have_text("High")
    expect(card).to_contain_text(str(cast.risk_owner))
    expect(card.get_by_role("link", name=MEASURE, exact=True)).to_be_visible()
    expect(card).to_contain_text(str(cast.quality_officer))  # who submitted it
    page.evaluate("window.__notReloaded = true")
    card.get_by_role("button", name=label("Approve")).click()
    outcome = page.get_by_test_id("decision-outcome")
    expect(outcome).to_contain_text(f"You approved {TITLE}.")
    expect(outcome.get_by_test_id("risk-status")).to_have_text("Approved")
    expect(page.get_by_test_id("decision-form")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, not a new page
    log_out(page, cast.board_member)

    # --- the risk owner sees the approval: under the bell, and on the risk page -------------------------------
    log_in(page, cast.risk_owner)
    bell = page.locator("#mainnav").get_by_role("link", name=re.compile(r"^\W*Notifications\b"))
    expect(bell.get_by_test_id("unread-count")).to_be_visible()
    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    approval_notice = page.get_by_role("button", name=f"Risk {TITLE}: approved by board", exact=True)
    expect(approval_notice).to_be_visible()
    approval_notice.click()  # marks it read and opens the risk

    expect(page).to_have_url(risk_url)
    expect(page.get_by_test_id("risk-status")).to_have_text("Approved")
    approval_row = page.get_by_test_id("approvals").get_by_role("row", name=re.compile(r"^Board\b"))
    expect(approval_row).to_contain_text("Approved")
    expect(approval_row).to_contain_text(str(cast.board_member))
    expect(page.get_by_test_id("approved-level")).to_have_text("High")

    risk = Risk.objects.get(title=TITLE)
    assert (risk.status, risk.level, risk.owner) == (RiskStatus.APPROVED, RiskLevel.HIGH, cast.risk_owner)
