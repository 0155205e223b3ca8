"""A maturity audit from independent scoring to the organisation's maturity report, in a real Chromium
(issue 13 item 12): two assessors from other business units score the audit of "Thuiszorg", neither
seeing the other's scores; the lead assessor starts calibration, sees all scores side by side and sets
the calibrated scores, one of them off the median, which the page refuses until it has a reason; the unit's
manager gives the management response; and the organisation's maturity report, which held only the other
audited unit of the year, now shows the averages over both units (one of them 2.50, reported as level 3:
half up, as the source reports it).

The organisation gets its model as a new organisation would (levels, principles, cycle); the people and
the audits are made directly, the other unit's audit through the audit services up to its draft report."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from audits.choices import AuditStatus
from audits.models import Audit, AuditCalibration, ManagementResponse
from audits.services.model import model_defaults_for_new_organisation
from qms.choices import Role, UnitKind
from tests.e2e.conftest import log_in, log_out
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.factories.audits import advance, audit_with_assessors, calibrated, principles_of, scored

pytestmark = pytest.mark.e2e

YEAR = 2026
ANNA_RATIONALE = "Klantreizen zijn beschreven maar worden niet gemeten; geen effectmeting van verbeteringen."
BART_RATIONALE = "Klantreizen worden per kwartaal met cijfers besproken in het MT: aantoonbaar reproduceerbaar."
REASON = "Kalibratie: de kwartaalcijfers die Bart zag zijn bij beiden bevestigd in de interviews."


def person(username, first_name, last_name, role, unit):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, language="en")
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def journey(transactional_db):
    group = UnitFactory(name="Zuiderzee Zorggroep", kind=UnitKind.GROUP)
    organisation = UnitFactory(name="Noordhaven Zorg", kind=UnitKind.ORGANISATION, parent=group)
    model_defaults_for_new_organisation(organisation=organisation)
    audited = UnitFactory(name="Thuiszorg", kind=UnitKind.BUSINESS_UNIT, parent=organisation)
    other = UnitFactory(name="Dagbesteding", kind=UnitKind.BUSINESS_UNIT, parent=organisation)
    wijkteams = UnitFactory(name="Wijkteams", kind=UnitKind.BUSINESS_UNIT, parent=organisation)
    backoffice = UnitFactory(name="Backoffice", kind=UnitKind.BUSINESS_UNIT, parent=organisation)
    first, second = principles = principles_of(organisation, 2)
    cast = SimpleNamespace(
        organisation=organisation,
        principles=principles,
        first=first,
        second=second,
        anna=person("anna", "Anna", "de Wit", Role.AUDITOR, wijkteams),
        bart=person("bart", "Bart", "Koster", Role.AUDITOR, backoffice),
        manager=person("mila", "Mila", "Jansen", Role.TEAM_LEAD, audited),
        quality_officer=person("sanne", "Sanne", "de Vries", Role.QUALITY_OFFICER, organisation),
    )
    # The other unit's audit of the year: calibrated 2 and 3, so the report shows it alone until now.
    earlier = audit_with_assessors(
        organisation, other, year=YEAR, assessors=[cast.anna, cast.bart], principles=principles
    )
    earlier = scored(earlier, {cast.anna: {first: 2, second: 3}, cast.bart: {first: 2, second: 3}})
    earlier = advance(earlier, AuditStatus.CALIBRATION)
    earlier = calibrated(earlier, {first: 2, second: 3})
    advance(earlier, AuditStatus.DRAFT_REPORT)
    cast.audit = audit_with_assessors(
        organisation,
        audited,
        year=YEAR,
        assessors=[cast.anna, cast.bart],
        principles=principles,
        actor=cast.quality_officer,
        status=AuditStatus.SCORING,
    )
    return cast


def score(page, principle, value, rationale):
    form = page.locator(f"form[action$='/scoring/{principle.pk}/']")
    form.locator(f"input[type=radio][value='{value}']").check()
    form.get_by_label("Rationale").fill(rationale)
    form.get_by_role("button", name="Give my score").click()
    expect(page.locator(f"#principle-{principle.pk}").get_by_test_id("own-score")).to_have_text(f"Your score: {value}")


def calibrate(page, principle, value, reason=""):
    form = page.locator(f"form[action$='/calibration/{principle.pk}/']")
    form.locator(f"input[type=radio][value='{value}']").check()
    form.get_by_label("Reason").fill(reason)
    form.get_by_role("button", name=re.compile("calibrated score")).click()


def take_step(page, audit, step):
    page.goto(f"/audits/{audit.pk}/")
    page.locator(f"button[data-step='{step}']").click()


def decimal(text):
    """A figure with either decimal mark (the page writes it in the reader's language)."""
    return re.compile(rf"^\s*{text.replace('.', '[.,]')}\s*$")


def maturity_row(page, principle):
    return page.get_by_test_id("maturity-table").locator(f"tr[data-principle='{principle.pk}']")


def test_two_assessors_score_blind_the_lead_calibrates_the_manager_responds_and_the_report_averages(page, journey):
    audit, first, second = journey.audit, journey.first, journey.second

    # Before: the year's report holds the other unit only.
    page.goto("/login/")
    log_in(page, journey.quality_officer)
    page.goto(f"/audits/maturity/?organisation={journey.organisation.pk}&year={YEAR}")
    expect(maturity_row(page, first).locator("[data-figure=average]")).to_have_text(decimal("2.00"))
    expect(maturity_row(page, first).locator("[data-figure=units]")).to_have_text("1")
    log_out(page, journey.quality_officer)

    # Anna, the lead, scores on her own.
    log_in(page, journey.anna)
    page.goto(f"/audits/{audit.pk}/scoring/")
    expect(page.get_by_test_id("scoring-intro")).to_contain_text("nobody sees your scores but you")
    score(page, first, 3, ANNA_RATIONALE)
    score(page, second, 2, "Doelen zijn vastgelegd, de sturing erop is nog niet zichtbaar.")
    log_out(page, journey.anna)

    # Bart scores without seeing Anna's scores: not on the scoring page, not on the calibration tab.
    log_in(page, journey.bart)
    page.goto(f"/audits/{audit.pk}/scoring/")
    expect(page.get_by_test_id("own-score")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(ANNA_RATIONALE)
    score(page, first, 4, BART_RATIONALE)
    score(page, second, 2, "Doelen staan in het jaarplan; de KPI-set wordt niet gebruikt om bij te sturen.")
    page.goto(f"/audits/{audit.pk}/calibration/")
    expect(page.get_by_test_id("calibration-blind")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(ANNA_RATIONALE)
    log_out(page, journey.bart)

    # Anna starts calibration and sees both scores side by side, the median of 3 and 4 being 3.5.
    log_in(page, journey.anna)
    take_step(page, audit, "start-calibration")
    expect(page.get_by_test_id("audit-status")).to_have_attribute("data-status", "calibration")
    page.goto(f"/audits/{audit.pk}/calibration/")
    expect(page.locator("body")).to_contain_text(BART_RATIONALE)
    expect(page.get_by_test_id("median").first).to_have_text(re.compile(r"3[.,]5"))
    # A calibrated 4 differs from the median: refused without a reason, nothing saved.
    calibrate(page, first, 4)
    expect(page.locator("body")).to_contain_text("say why")
    assert not AuditCalibration.objects.filter(audit=audit).exists()
    calibrate(page, first, 4, REASON)
    expect(page.get_by_test_id("calibration-reason")).to_contain_text(REASON)
    calibrate(page, second, 2)
    expect(page.get_by_test_id("calibrated-score")).to_have_count(2)
    take_step(page, audit, "complete-calibration")
    expect(page.get_by_test_id("audit-status")).to_have_attribute("data-status", "draft_report")
    take_step(page, audit, "request-response")
    expect(page.get_by_test_id("audit-status")).to_have_attribute("data-status", "management_response")
    log_out(page, journey.anna)

    # The unit's manager responds.
    log_in(page, journey.manager)
    page.goto(f"/audits/{audit.pk}/response/")
    form = page.get_by_test_id("response-form")
    form.get_by_label("Recognised", exact=True).check()
    form.get_by_label("Comments").fill("Herkend. We gaan klantreizen meten en de effecten per kwartaal bespreken.")
    form.get_by_role("button", name="Give the response").click()
    expect(page.get_by_test_id("management-response")).to_contain_text("klantreizen meten")
    log_out(page, journey.manager)
    assert ManagementResponse.objects.get(audit=audit).given_by == journey.manager
    assert AuditCalibration.objects.get(audit=audit, principle=first).reason == REASON

    # The report now averages both units: (2 + 4) / 2 = 3.00 and (3 + 2) / 2 = 2.50, level 3 (half up).
    log_in(page, journey.quality_officer)
    page.goto(f"/audits/maturity/?organisation={journey.organisation.pk}&year={YEAR}")
    expect(maturity_row(page, first).locator("[data-figure=average]")).to_have_text(decimal("3.00"))
    expect(maturity_row(page, first).locator("[data-figure=units]")).to_have_text("2")
    expect(maturity_row(page, first).locator("[data-figure=min]")).to_have_text("2")
    expect(maturity_row(page, first).locator("[data-figure=max]")).to_have_text("4")
    expect(maturity_row(page, second).locator("[data-figure=average]")).to_have_text(decimal("2.50"))
    expect(maturity_row(page, second).locator("[data-figure=level]")).to_contain_text("3")
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.MANAGEMENT_RESPONSE
