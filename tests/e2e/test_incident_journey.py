"""A major disruption with a suspected data breach, in a real Chromium: a service-desk colleague registers
it through the quick entry (the breach question first, the priority and due time shown live); the breach
record appears for the data-protection officer with its 72-hour deadline; the incident coordinator posts
an update and resolves the incident, which then shows the SLA as met. Only people and units are made
directly."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from incidents.models import DataBreach, Incident
from qms.choices import Role, UnitKind
from tests.e2e.conftest import label, log_in, log_out
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e

TITLE = "Aanmelden onmogelijk voor alle instellingen"


def person(username, first_name, last_name, role, unit):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, language="en")
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def journey_cast(transactional_db):
    group = UnitFactory(name="Coöperatie Groep", kind=UnitKind.GROUP)
    organisation = UnitFactory(name="Coöperatie Aanmelden", kind=UnitKind.ORGANISATION, parent=group)
    desk = UnitFactory(name="Servicedesk", kind=UnitKind.TEAM, parent=organisation)
    return SimpleNamespace(
        organisation=organisation,
        desk=desk,
        agent=person("youssef", "Youssef", "El Idrissi", Role.RISK_OWNER, desk),
        coordinator=person("iris", "Iris", "Kok", Role.INCIDENT_COORDINATOR, organisation),
        privacy=person("hanna", "Hanna", "Peters", Role.DATA_PROTECTION_OFFICER, organisation),
    )


def test_it_takes_a_p1_with_a_suspected_breach_from_the_service_desk_to_a_resolution_within_the_sla(page, journey_cast):
    cast = journey_cast

    # --- the service desk registers the disruption ------------------------------------------------------------
    page.goto("/")
    log_in(page, cast.agent)
    page.locator("#mainnav").get_by_role("link", name=label("Incidents")).click()
    expect(page).to_have_url(re.compile(r"/incidents/$"))
    page.get_by_test_id("add-incident").click()
    form = page.get_by_test_id("incident-form")
    # Saving without the breach answer is refused with a message, and nothing is registered.
    form.get_by_label("Title").fill(TITLE)
    page.get_by_test_id("save-incident").click()
    expect(page.get_by_test_id("breach-question")).to_contain_text(
        "Answer whether this concerns information security or privacy."
    )
    assert not Incident.objects.exists()

    page.get_by_test_id("breach-question").get_by_label("Yes").check()
    form.get_by_label("Reporting unit").select_option(label=str(cast.desk))
    form.get_by_label("Several institutions / units").check()
    form.get_by_label("The process stops").check()
    preview = page.get_by_test_id("incident-preview")
    expect(preview).to_contain_text("P1")
    expect(preview).to_contain_text("4 service hours")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Description").fill("Het aanmeldformulier geeft bij elke instelling een time-out.")
    page.get_by_test_id("save-incident").click()

    expect(page).to_have_url(re.compile(r"/incidents/incidents/\d+/$"))
    incident_url = page.url
    expect(page.get_by_test_id("incident-priority")).to_contain_text("P1")
    expect(page.get_by_test_id("breach-suspected")).to_be_visible()
    expect(page.get_by_test_id("incident-owner")).to_have_text(str(cast.coordinator))
    # The reporter does not see the breach record: it is for the data-protection officer.
    expect(page.get_by_test_id("breach-link")).to_contain_text("the record is for the data-protection officer")
    log_out(page, cast.agent)

    # --- the data-protection officer finds the breach record with its 72-hour deadline ------------------------
    breach = DataBreach.objects.get(incident__title=TITLE)
    log_in(page, cast.privacy)
    page.goto(incident_url)
    page.get_by_test_id("breach-link").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/incidents/breaches/{breach.pk}/$"))
    expect(page.get_by_test_id("breach-status")).to_have_text("Under assessment")
    expect(page.get_by_test_id("breach-clock")).to_contain_text("hours left")
    expect(page.get_by_test_id("time-left")).to_contain_text(re.compile(r"^(7[01]|72) hours$"))
    expect(page.get_by_test_id("authority-deadline")).to_contain_text("72 hours after discovery")
    log_out(page, cast.privacy)

    # --- the coordinator posts an update and resolves the incident --------------------------------------------
    log_in(page, cast.coordinator)
    page.goto(incident_url)
    page.get_by_role("button", name="Start work", exact=True).click()
    expect(page.get_by_test_id("incident-status")).to_have_text("In progress")
    update = page.get_by_test_id("update-form")
    update.get_by_label("Update").fill("Oorzaak gevonden bij de database van de leverancier; herstart loopt.")
    update.get_by_role("button", name="Post update").click()
    expect(page.get_by_role("alert").filter(has_text="The update is posted.")).to_be_visible()
    expect(page.get_by_text("Oorzaak gevonden bij de database van de leverancier; herstart loopt.")).to_be_visible()

    resolve = page.get_by_test_id("step-resolve")
    resolve.locator("summary").click()  # opens the step's form
    resolve.get_by_label("Resolution").fill("Database herstart; aanmeldingen komen weer binnen.")
    resolve.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="The incident is resolved.")).to_be_visible()
    expect(page.get_by_test_id("incident-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("sla-outcome")).to_have_text("SLA met")
    assert Incident.objects.get(title=TITLE).sla_met is True
