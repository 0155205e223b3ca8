"""Recurring customer complaints through a full CAPA to a verified effect, in a real Chromium (issue 12 item
10): a team lead's flagged feedback recurs, so the KPIs propose an escalation; the quality officer
escalates it into a non-conformity, promotes it to a CAPA, records the root cause, plans a corrective and a
preventive action for two colleagues and starts the implementation; each owner marks their action done from
"My actions"; the quality officer plans the effectiveness check with a verifier who is not the owner; the
verifier finds the actions effective; the CAPA closes, and its PDCA trace shows the whole cycle closed.

Only the people, the units and the feedback are made directly (the feedback through the KPIs' intake
service, which flags it, assigns it to the team lead and proposes the escalation); the organisation gets the
default cause categories a new organisation gets."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.choices import NcSource, NcStatus, Verdict
from incidents.models import CauseCategory, EffectivenessCheck, NonConformity
from incidents.services.nonconformities import cause_categories_for_new_organisation
from kpis.choices import EscalationStatus, FeedbackCategory
from kpis.models import FeedbackEscalation
from kpis.services.feedback import feedback_receive
from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action
from tests.e2e.conftest import label, log_in, log_out
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e

COMPLAINTS = [
    "Bezorging twee dagen te laat, niemand belde.",
    "Weer te laat geleverd en geen bericht vooraf.",
    "Derde keer dat de levering niet op de afgesproken dag kwam.",
]
ROOT_CAUSE = "Routes are planned on Friday for the whole week; changes after Friday never reach the drivers."
CORRECTIVE = "Re-plan the routes every morning from the live order list"
PREVENTIVE = "Text the customer the delivery window the day before"
EVIDENCE = "Four weeks after the change: no late delivery reported, CSAT on delivery up from 2.1 to 4.3."


def person(username, first_name, last_name, role, unit):
    # English is their own setting: the pages speak it once they are logged in (the login page speaks Dutch).
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, language="en")
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def journey_cast(transactional_db):
    """An organisation with a delivery team: its team lead (who follows flagged feedback up, and so owns the
    non-conformity), the organisation's quality officer, two colleagues who will own the actions and an
    auditor who verifies the effect (five different people)."""
    group = UnitFactory(name="Zuiderzee Zorggroep", kind=UnitKind.GROUP)
    organisation = UnitFactory(name="Noordhaven Thuiszorg", kind=UnitKind.ORGANISATION, parent=group)
    team = UnitFactory(name="Bezorging", kind=UnitKind.TEAM, parent=organisation)
    # What a new organisation gets (unit_create); the factory stores the unit without its defaults.
    cause_categories_for_new_organisation(organisation=organisation)
    return SimpleNamespace(
        organisation=organisation,
        team=team,
        team_lead=person("tessa", "Tessa", "Mulder", Role.TEAM_LEAD, team),
        quality_officer=person("sanne", "Sanne", "de Vries", Role.QUALITY_OFFICER, organisation),
        planner=person("omar", "Omar", "Haddou", Role.RISK_OWNER, team),
        driver_lead=person("lotte", "Lotte", "Visser", Role.RISK_OWNER, team),
        verifier=person("victor", "Victor", "Smit", Role.AUDITOR, organisation),
    )


def open_step(page, name):
    """The card of a step with questions (``step-<name>``), its form unfolded."""
    step = page.get_by_test_id(f"step-{name}")
    step.locator("summary").click()
    return step


def success(page, text):
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def complete_own_action(page, owner, title):
    """``owner`` logs in, finds the action under "My actions" and marks it done (in place, htmx)."""
    log_in(page, owner)
    page.locator("#mainnav").get_by_role("link", name=label("My actions")).click()
    expect(page).to_have_url(re.compile(r"/actions/$"))
    page.get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_test_id("action-status")).to_have_text("Open")
    page.get_by_role("button", name="Mark done", exact=True).click()
    expect(page.get_by_test_id("action-status")).to_have_text("Done")
    log_out(page, owner)


def test_it_takes_recurring_feedback_through_a_capa_to_an_effective_check_and_a_closed_pdca_cycle(page, journey_cast):
    cast = journey_cast
    today = timezone.localdate()

    # --- the signal: three complaints about delivery in one team, flagged and followed up by the team lead --
    now = timezone.now()
    for days_ago, comment in zip((6, 3, 1), COMPLAINTS, strict=True):
        feedback_receive(
            actor=cast.team_lead,
            unit=cast.team,
            score=1,
            comment=comment,
            category=FeedbackCategory.DELIVERY,
            received_at=now - datetime.timedelta(days=days_ago),
        )
    escalation = FeedbackEscalation.objects.get(unit=cast.team, category=FeedbackCategory.DELIVERY)
    assert escalation.status == EscalationStatus.PROPOSED
    assert escalation.items.filter(assigned_to=cast.team_lead).count() == 3

    # --- the quality officer escalates the proposal into a non-conformity ----------------------------------
    page.goto("/")
    log_in(page, cast.quality_officer)
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    page.locator("#mainnav").get_by_role("link", name=label("KPIs")).click()
    page.get_by_role("link", name=label("Feedback")).click()
    expect(page).to_have_url(re.compile(r"/kpis/feedback/$"))
    page.get_by_test_id("escalations").locator(f'a[href="{escalation.get_absolute_url()}"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(escalation.get_absolute_url())}$"))
    expect(page.get_by_test_id("escalation-status")).to_have_text("Proposed")
    decision = page.get_by_test_id("escalation-decision")
    decision.get_by_label("Reason").fill("Three late deliveries in a week: a pattern, not bad luck.")
    decision.get_by_role("button", name=label("Escalate to a non-conformity")).click()
    success(page, "Decision recorded.")
    expect(page.get_by_test_id("escalation-status")).to_have_text("Escalated to a non-conformity")

    escalation.refresh_from_db()
    nc = escalation.follow_up
    assert isinstance(nc, NonConformity)
    assert (nc.source, nc.source_object_id, nc.owner) == (NcSource.FEEDBACK, escalation.pk, cast.team_lead)
    # The escalation links to the non-conformity it became.
    page.get_by_test_id("escalation-follow-up").click()
    expect(page).to_have_url(re.compile(rf"/incidents/nonconformities/{nc.pk}/$"))
    nc_url = page.url
    # The non-conformity links back to the escalation it came from.
    expect(page.get_by_test_id("nc-source")).to_contain_text("Customer feedback")
    expect(page.get_by_test_id("nc-source").get_by_role("link")).to_have_attribute(
        "href", escalation.get_absolute_url()
    )
    expect(page.get_by_test_id("nc-owner")).to_have_text(str(cast.team_lead))
    expect(page.get_by_test_id("nc-status")).to_have_text("Registered")
    expect(page.get_by_test_id("nc-capa")).to_have_count(0)  # minor: not a CAPA yet

    # --- promoted to a CAPA; the analysis ---------------------------------------------------------------
    promote = open_step(page, "promote")
    promote.get_by_label("Reason").fill("Recurring: the cause must be found and removed.")
    promote.locator("form").get_by_role("button").click()
    success(page, "The non-conformity is now a CAPA.")
    expect(page.get_by_test_id("nc-capa")).to_have_text("CAPA")
    expect(page.get_by_test_id("stage-bar").locator('[aria-current="step"]')).to_have_attribute(
        "data-stage", NcStatus.REGISTERED
    )

    page.get_by_role("button", name="Start the analysis", exact=True).click()
    success(page, "The analysis has started.")
    expect(page.get_by_test_id("nc-status")).to_have_text("Analysis")

    category = CauseCategory.objects.get(organisation=cast.organisation, code="process")
    analysis = open_step(page, "record-analysis")
    analysis.get_by_label("Root cause").fill(ROOT_CAUSE)
    analysis.get_by_label("Analysis method").select_option(label="5 whys")
    analysis.get_by_label("Cause category").select_option(label=category.name)
    analysis.locator("form").get_by_role("button").click()
    success(page, "The analysis is recorded.")
    root_cause = page.get_by_test_id("nc-analysis")
    expect(root_cause).to_contain_text(ROOT_CAUSE)
    expect(root_cause).to_contain_text("5 whys")
    expect(root_cause).to_contain_text(category.name)

    # --- the action plan: a corrective and a preventive action, for two colleagues --------------------------
    page.get_by_role("button", name="Analysis done: to the action plan", exact=True).click()
    success(page, "The CAPA is in the action plan.")
    expect(page.get_by_test_id("nc-status")).to_have_text("Action plan")
    due = today + datetime.timedelta(days=14)
    for kind, title, owner in (
        ("Corrective action", CORRECTIVE, cast.planner),
        ("Preventive action", PREVENTIVE, cast.driver_lead),
    ):
        page.get_by_test_id("nc-actions").locator("summary").click()
        form = page.get_by_test_id("action-form")
        form.get_by_label("Kind").select_option(label=kind)
        form.get_by_label("Title").fill(title)
        form.get_by_label("Owner").select_option(label=str(owner))
        form.get_by_label("Due date").fill(due.isoformat())
        form.get_by_role("button", name="Add the action", exact=True).click()
        expect(page).to_have_url(re.compile(r"#actions$"))
        success(page, "The action is added; its owner finds it in their actions.")
        row = page.get_by_test_id("nc-actions").get_by_role("row", name=re.compile(re.escape(title)))
        expect(row).to_contain_text(kind)
        expect(row).to_contain_text(str(owner))
        expect(row).to_contain_text("Open")

    page.get_by_role("button", name="Plan complete: implement", exact=True).click()
    success(page, "The actions are being implemented.")
    expect(page.get_by_test_id("nc-status")).to_have_text("Implementation")
    log_out(page, cast.quality_officer)

    # --- each owner completes their action from "My actions" ---------------------------------------------
    complete_own_action(page, cast.planner, CORRECTIVE)
    complete_own_action(page, cast.driver_lead, PREVENTIVE)

    # --- the quality officer plans the effectiveness check with a verifier who is not the owner -------------
    log_in(page, cast.quality_officer)
    page.goto(nc_url)
    actions = page.get_by_test_id("nc-actions")
    for title in (CORRECTIVE, PREVENTIVE):
        expect(actions.get_by_role("row", name=re.compile(re.escape(title)))).to_contain_text("Done")
    verify = open_step(page, "verify")
    # The owner (the team lead) is not offered as the verifier.
    expect(verify.get_by_label("Verifier").locator("option", has_text=str(cast.team_lead))).to_have_count(0)
    verify.get_by_label("Check on").fill(today.isoformat())
    verify.get_by_label("Verifier").select_option(label=str(cast.verifier))
    verify.locator("form").get_by_role("button").click()
    success(page, "The effectiveness check is planned; the verifier is told.")
    expect(page.get_by_test_id("nc-status")).to_have_text("Effectiveness check")
    expect(page.get_by_test_id("nc-checks")).to_contain_text(str(cast.verifier))
    log_out(page, cast.quality_officer)

    # --- the verifier, told under the bell, records "effective" with the evidence --------------------------
    log_in(page, cast.verifier)
    page.locator("#mainnav").get_by_role("link", name=re.compile(r"^\W*Notifications\b")).click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    page.get_by_role("button", name=f"Check the effect of the actions of {nc.title}", exact=True).click()
    expect(page).to_have_url(nc_url)
    check_form = page.get_by_test_id("check-form")
    check_form.get_by_label("Verdict").select_option(label="Effective")
    check_form.get_by_label("Evidence").fill(EVIDENCE)
    check_form.get_by_role("button", name="Record the verdict", exact=True).click()
    success(page, "The check is recorded.")
    checks = page.get_by_test_id("nc-checks")
    expect(checks).to_contain_text("Effective")
    expect(checks).to_contain_text(EVIDENCE)
    log_out(page, cast.verifier)

    # --- the quality officer closes the CAPA; the PDCA trace shows the cycle closed ------------------------
    log_in(page, cast.quality_officer)
    page.goto(nc_url)
    page.get_by_role("button", name="Close", exact=True).click()
    success(page, "The non-conformity is closed.")
    expect(page.get_by_test_id("nc-status")).to_have_text("Closed")
    expect(page.get_by_test_id("stage-bar").locator('[data-state="done"]')).to_have_count(6)
    # The trace's panel on the page, in short.
    panel = page.get_by_test_id("pdca-panel")
    expect(panel).to_contain_text("Customer feedback")
    expect(panel).to_contain_text(f"{category.name} (5 whys)")
    expect(panel).to_contain_text("round 1: 2 of 2 done")
    expect(panel).to_contain_text("Effective")
    expect(panel.get_by_test_id("pdca-closed")).to_have_text("PDCA closed")

    page.get_by_role("link", name="PDCA trace", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/incidents/nonconformities/{nc.pk}/trace/$"))
    trace = page.get_by_test_id("pdca-trace")
    signal = trace.get_by_test_id("trace-signal")
    # When it came in and from where (the date in the reader's format), and the record it came from.
    expect(signal).to_contain_text(re.compile(r"\d+[-/.]\d+[-/.]\d+ · Customer feedback"))
    expect(signal.get_by_role("link")).to_have_attribute("href", escalation.get_absolute_url())
    analysed = trace.get_by_test_id("trace-analysis")
    expect(analysed).to_contain_text(ROOT_CAUSE)
    expect(analysed).to_contain_text("5 whys")
    expect(analysed).to_contain_text(category.name)
    done = trace.get_by_test_id("trace-actions")
    expect(done).to_contain_text("all done")
    expect(done.locator('[data-action-status="done"]')).to_have_count(2)
    expect(done).to_contain_text(f"Corrective action: {CORRECTIVE}")
    expect(done).to_contain_text(f"Preventive action: {PREVENTIVE}")
    effect = trace.get_by_test_id("trace-effect")
    expect(effect.locator("[data-check-verdict]")).to_have_attribute("data-check-verdict", Verdict.EFFECTIVE)
    expect(effect).to_contain_text("Effective")
    expect(effect.get_by_test_id("pdca-closed")).to_have_text(re.compile(r"^\s*PDCA closed\s*$"))

    # What the pages did, in the records.
    nc.refresh_from_db()
    assert (nc.status, nc.capa, nc.round) == (NcStatus.CLOSED, True, 1)
    assert (nc.analysis_method, nc.cause_category) == ("five_whys", category)
    actions = {action.kind: action for action in Action.objects.for_source(nc)}
    assert {kind: (a.owner, a.status) for kind, a in actions.items()} == {
        ActionKind.CORRECTIVE: (cast.planner, ActionStatus.DONE),
        ActionKind.PREVENTIVE: (cast.driver_lead, ActionStatus.DONE),
    }
    check = EffectivenessCheck.objects.get(nonconformity=nc)
    assert (check.verifier, check.verdict, check.evidence) == (cast.verifier, Verdict.EFFECTIVE, EVIDENCE)
