"""The Content-Security-Policy breaks nothing, in a real Chromium on the demo data: the quality officer's
cockpit (charts), register (filtered in place by htmx), heat map, score dashboard (charts, contribution
bar), KPI page (chart), objective tree (progress bars), the risk form's live level preview and the API
documentation work, and the browser reports no violation of the policy on any of them (an inline script,
style or handler it blocked)."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from kpis.models import Kpi
from qms.models import User
from qms.scoping import organisations_for
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

VIOLATION = re.compile(r"Content Security Policy|Content-Security-Policy|evalDisallowed", re.I)


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)
    officer = User.objects.get(username="kwaliteit")
    officer.set_password(PASSWORD)
    officer.save()
    return officer


@pytest.fixture
def violations(page):
    """What the browser says about the policy: console messages and script errors."""
    found = []
    page.on("console", lambda message: VIOLATION.search(message.text) and found.append(message.text))
    page.on("pageerror", lambda error: found.append(f"script error: {error}"))
    return found


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_the_pages_work_under_the_policy_without_a_violation(page, demo, violations):
    officer = demo
    organisation = organisations_for(officer).first()
    kpi = Kpi.objects.visible_to(officer).filter(measurements__isnull=False).distinct().first()
    page.goto("/login/")
    log_in(page, officer)
    expect(page).not_to_have_url(re.compile(r"/login/"))

    # The cockpit, where the login lands: its small charts are drawn from their data attributes.
    visit(page, reverse("dashboard"))
    chart = page.locator("canvas[data-cockpit-chart]").first
    assert chart.evaluate("canvas => canvas.width > 0 && !!Chart.getChart(canvas)")

    # The register, filtered in place: htmx swaps the table in and moves the address along.
    visit(page, reverse("risks:risk_list"))
    select = page.locator("[data-filter-bar] form select").first
    select.select_option(index=1)
    expect(page).to_have_url(re.compile(r"\?.+="))
    page.wait_for_load_state("networkidle")

    visit(page, reverse("risks:heatmap"))
    expect(page.locator(".heatmap-cell").first).to_be_visible()

    # The score dashboard: its charts are drawn, the contribution bar's parts have their widths and colours.
    visit(page, reverse("risks:score_dashboard", args=[organisation.pk]))
    expect(page.locator("canvas[data-chart-source]").first).to_be_visible()
    part = page.locator(".contribution-bar .progress").first
    assert part.evaluate("element => element.style.width").endswith("%")
    assert part.locator(".progress-bar").evaluate("element => element.style.backgroundColor")

    # The KPI page's chart (Chart.js draws into the canvas and sizes it).
    visit(page, reverse("kpis:kpi_detail", args=[kpi.pk]))
    assert page.locator("#kpi-chart").evaluate("canvas => canvas.width > 0 && !!Chart.getChart(canvas)")

    # The objective tree: levels indented, progress bars as wide as their progress.
    visit(page, reverse("kpis:objective_list"))
    assert (
        page.locator("[data-testid=goal-tree] [data-indent]")
        .first.evaluate("element => element.style.paddingLeft")
        .endswith("rem")
    )
    bar = page.locator("[data-testid=goal-tree] .progress-bar[data-width]").first
    assert bar.evaluate("element => element.style.width").endswith("%")

    # The risk form's live preview of the level.
    visit(page, reverse("risks:risk_add"))
    page.locator("[name=likelihood]").select_option("5")
    page.locator("[name=impact]").select_option("5")
    expect(page.locator("[data-level-preview] .badge").first).to_be_visible()

    # The API documentation: Swagger UI renders the operations (its script is a file of its own).
    visit(page, reverse("api_docs"))
    expect(page.locator(".opblock").first).to_be_visible()

    assert violations == []
