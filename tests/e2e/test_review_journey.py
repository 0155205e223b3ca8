"""The annual management review in a real Chromium (issue 14, item 8): the quality officer prepares this
year's review of the organisation, finds the pack assembled from the system's own data (a very high risk,
a KPI off its norm, an incident), writes the commentary of every section, records who attended and the
meeting date, records a decision with an action (owner, due date), finalises the review (its figures
frozen "as of" that moment) and downloads the PDF (a PDF with the organisation's name and the year in its
text); a board member then sees it in their cockpit, opens it from there and reads it.

Only the people, the units, the risk, the KPI with its measurements and the incident are made directly;
everything else happens through the pages."""

import datetime
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from incidents.choices import Impact, Urgency
from qms.choices import ActionKind, Role, UnitKind
from qms.models import Action
from reviews.choices import ReviewInput, ReviewStatus
from reviews.models import ManagementReview
from tests.e2e.conftest import label, log_in, log_out
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.factories.incidents import IncidentFactory
from tests.factories.kpis import KpiFactory, measure
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.e2e

RISK = "Medication errors during the night shift"
KPI = "Client satisfaction"
INCIDENT = "Care plan portal down for two hours"
DECISION = "The night shift gets a second check on high-risk medication from the first quarter on."
ACTION = "Introduce the double check on the night shift"
CSP = re.compile(r"Content Security Policy|Content-Security-Policy|evalDisallowed", re.I)


def person(username, first_name, last_name, role, unit):
    # English is their own setting: the pages speak it once they are logged in (the login page speaks Dutch).
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, language="en")
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def journey_cast(transactional_db):
    """An organisation with a care team; its quality officer, a board member and a team lead; a very high
    risk, a client-satisfaction KPI measured below its norm this year and an incident this year."""
    group = UnitFactory(name="Zuiderzee Zorggroep", kind=UnitKind.GROUP)
    organisation = UnitFactory(name="Noordhaven Thuiszorg", kind=UnitKind.ORGANISATION, parent=group)
    team = UnitFactory(name="Wijkteam Centrum", kind=UnitKind.TEAM, parent=organisation)
    cast = SimpleNamespace(
        organisation=organisation,
        team=team,
        quality_officer=person("sanne", "Sanne", "de Vries", Role.QUALITY_OFFICER, organisation),
        board_member=person("bram", "Bram", "Kok", Role.BOARD_MEMBER, organisation),
        team_lead=person("tessa", "Tessa", "Mulder", Role.TEAM_LEAD, team),
    )
    RiskFactory(title=RISK, unit=team, owner=cast.team_lead, likelihood=5, impact=5)
    kpi = KpiFactory(name=KPI, org_unit=organisation, owner=cast.quality_officer)
    year = timezone.localdate().year
    for month, value in ((1, "4.6"), (2, "4.1"), (3, "3.5")):
        measure(kpi, f"{year}-{month:02d}", value)
    IncidentFactory(
        title=INCIDENT,
        unit=team,
        impact=Impact.LIMITED_GROUP,
        urgency=Urgency.STOPS,
        reported_at=timezone.now() - datetime.timedelta(days=3),
    )
    return cast


def success(page, text):
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def test_it_prepares_holds_and_finalises_the_management_review_and_hands_the_board_a_pdf(page, journey_cast):
    cast = journey_cast
    year = timezone.localdate().year
    due = timezone.localdate() + datetime.timedelta(days=45)
    # Finalising (and removing) asks first (data-confirm): the person says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    # The charts and the htmx commentary work under the Content-Security-Policy: nothing blocked.
    violations = []
    page.on("console", lambda message: CSP.search(message.text) and violations.append(message.text))
    page.on("pageerror", lambda error: violations.append(f"script error: {error}"))

    # --- the quality officer prepares this year's review --------------------------------------------
    page.goto("/")
    log_in(page, cast.quality_officer)
    page.locator("#mainnav").get_by_role("link", name=label("Management review")).click()
    expect(page).to_have_url(re.compile(r"/reviews/$"))
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("prepare-review").click()
    expect(page.get_by_label("Organisation")).to_have_value(str(cast.organisation.pk))
    expect(page.get_by_label("Year")).to_have_value(str(year))
    page.get_by_role("button", name="Prepare the review", exact=True).click()
    success(page, "The review is prepared")
    review = ManagementReview.objects.get(organisation=cast.organisation, year=year)
    expect(page).to_have_url(re.compile(rf"/reviews/{review.pk}/$"))
    expect(page.get_by_test_id("review-status")).to_have_text("In preparation")
    expect(page.get_by_test_id("review-as-of")).to_contain_text("Live figures, assembled now")

    # --- the pack: a section per input, with the figures of the fixture's records ----------------------
    for code in ReviewInput.values:
        expect(page.get_by_test_id(f"section-{code}")).to_be_visible()
    risks = page.get_by_test_id(f"section-{ReviewInput.RISKS}")
    expect(risks).to_contain_text("Very high")
    expect(risks.get_by_role("link", name=RISK)).to_be_visible()
    # Chart.js drew the section's chart (static/js/reviews.js, under the page's CSP)
    expect(risks.locator("canvas[data-review-chart][data-drawn]")).to_have_count(1)
    # The KPI measured below its norm, and the incident, in the process performance.
    performance = page.get_by_test_id(f"section-{ReviewInput.PROCESS_PERFORMANCE}")
    expect(performance.get_by_role("link", name=re.compile(re.escape(KPI)))).to_be_visible()
    expect(performance.locator("[data-figure]").filter(has_text="Incidents reported")).to_contain_text("1")

    # --- commentary on every section (htmx: the section's block is saved in place) --------------------
    for code in ReviewInput.values:
        block = page.get_by_test_id(f"commentary-{code}")
        block.get_by_label("Commentary").fill(f"Our reading of {ReviewInput(code).label.lower()}.")
        block.get_by_role("button", name="Save the commentary", exact=True).click()
        expect(page.get_by_test_id(f"commentary-{code}").get_by_role("status")).to_have_text(re.compile("Saved."))
    assert review.sections.filter(commentary="").count() == 0

    # --- the meeting: its date, an attendee -----------------------------------------------------------
    meeting = page.get_by_test_id("meeting")
    meeting.get_by_label("Meeting date").fill(timezone.localdate().isoformat())
    meeting.get_by_label("Conclusion").fill("The QMS is suitable, adequate and effective.")
    meeting.get_by_role("button", name="Save the meeting", exact=True).click()
    success(page, "The meeting is saved.")

    attendee = page.get_by_test_id("attendee-form")
    attendee.get_by_label("Person").select_option(label=str(cast.board_member))
    attendee.get_by_label("Function").fill("Chair of the board")
    attendee.get_by_role("button", name="Add the attendee", exact=True).click()
    success(page, "The attendee is added.")
    expect(page.get_by_test_id("attendees")).to_contain_text(str(cast.board_member))

    # --- a decision with an action --------------------------------------------------------------------
    form = page.get_by_test_id("decision-form")
    form.get_by_label("Input").select_option(label=str(ReviewInput.RISKS.label))
    form.get_by_label("Decision").fill(DECISION)
    row = form.get_by_test_id("action-row-1")
    row.get_by_label("Action").fill(ACTION)
    row.get_by_label("Owner").select_option(label=str(cast.team_lead))
    row.get_by_label("Due date").fill(due.isoformat())
    form.get_by_role("button", name="Record the decision", exact=True).click()
    success(page, "The decision is recorded")
    decisions = page.get_by_test_id("decisions")
    expect(decisions).to_contain_text(DECISION)
    action_row = decisions.get_by_role("row", name=re.compile(re.escape(ACTION)))
    expect(action_row).to_contain_text(str(cast.team_lead))
    expect(action_row).to_contain_text("Open")
    action = Action.objects.get(title=ACTION)
    assert (action.kind, action.owner, action.due_date) == (ActionKind.REVIEW_DECISION, cast.team_lead, due)

    # --- finalise: the figures frozen, no forms any more ----------------------------------------------
    expect(page.get_by_test_id("finalise-ready")).to_be_visible()
    page.get_by_test_id("finalise").get_by_role("button", name="Finalise the review", exact=True).click()
    success(page, "The review is finalised")
    expect(page.get_by_test_id("review-status")).to_have_text("Finalised")
    expect(page.get_by_test_id("review-as-of")).to_contain_text("As of")
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_test_id("finalise")).to_have_count(0)
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINALISED and review.pack is not None

    # --- the PDF --------------------------------------------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_test_id("review-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"management-review-noordhaven-thuiszorg-{year}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert cast.organisation.name in text
    assert str(year) in text
    assert RISK in text and DECISION[:40] in " ".join(text.split())
    log_out(page, cast.quality_officer)

    # --- the board member sees it in their cockpit and in the list ------------------------------------
    log_in(page, cast.board_member)
    tile = page.get_by_test_id("tile-management_review")
    expect(tile).to_contain_text(f"{cast.organisation.name} {year}")
    expect(tile).to_contain_text("finalised, as of")
    page.locator("#mainnav").get_by_role("link", name=label("Management review")).click()
    expect(page).to_have_url(re.compile(r"/reviews/$"))
    expect(page.get_by_test_id("prepare-review")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile(re.escape(cast.organisation.name)))
    expect(row).to_contain_text("Finalised")
    page.goto("/")
    page.get_by_test_id("tile-management_review").get_by_role(
        "link", name=re.compile(re.escape(f"{cast.organisation.name} {year}"))
    ).click()
    expect(page).to_have_url(re.compile(rf"/reviews/{review.pk}/$"))
    expect(page.get_by_test_id("review-status")).to_have_text("Finalised")
    expect(page.get_by_test_id("review-as-of")).to_contain_text("As of")
    expect(page.get_by_test_id("decisions")).to_contain_text(DECISION)
    expect(page.locator("textarea")).to_have_count(0)
    assert violations == []
