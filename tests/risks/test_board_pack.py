"""The board pack of the risk register (issue 14): a PDF of the medium and higher risks the register's
filters select, with their plans, approvals and trend; scoped like the register and its export, logged
as an export, at a constant number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from qms.choices import ActionStatus, SecurityEventKind
from qms.models import SecurityEvent
from qms.services.actions import action_set_status
from risks.choices import ApprovalBody, Decision, RiskLevel
from risks.services import register as services
from tests.factories.risks import RiskFactory, add_measure

pytestmark = pytest.mark.django_db

URL = reverse("risks:risk_board_pack")


def text_of(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def flat(text: str) -> str:
    """The PDF's text with its line breaks as spaces (a long title may wrap in a table cell)."""
    return " ".join(text.split())


def risk_a(cast, title, likelihood=3, impact=4, **kwargs):
    return RiskFactory(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        actor=cast.qo_a,
        title=title,
        likelihood=likelihood,
        impact=impact,
        **kwargs,
    )


@pytest.fixture
def register(cast):
    """Organisation A: a high risk with a plan, approved by the board; a medium one; a low one. B: a very
    high one."""
    high = risk_a(cast, "Supplier goes bankrupt")
    add_measure(high, title="Second supplier contracted", owner=cast.risk_owner_a)
    services.risk_submit(actor=cast.qo_a, risk=high)
    services.approval_decide(actor=cast.board_a, risk=high, body=ApprovalBody.BOARD, decision=Decision.APPROVED)
    medium = risk_a(cast, "Key person leaves", likelihood=2, impact=3)
    low = risk_a(cast, "Coffee machine breaks", likelihood=1, impact=1)
    other = RiskFactory(
        unit=cast.units.bu_b1, owner=cast.member_b, actor=cast.member_b, title="Data centre floods", likelihood=5
    )
    assert (high.level, medium.level, low.level) == (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)
    return high, medium, low, other


def test_it_sends_anonymous_visitors_to_the_login_page(client, register):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_it_renders_the_medium_and_higher_risks_with_plan_approvals_and_the_organisation(cast, as_user, register):
    text = flat(text_of(as_user(cast.board_a).get(URL)))
    assert "Organisation A" in text
    assert "Supplier goes bankrupt" in text
    assert "Key person leaves" in text
    assert "Second supplier contracted" in text  # the plan
    assert "Approved" in text  # the board's decision
    assert "Coffee machine breaks" not in text  # low: not for the board
    assert "Data centre floods" not in text  # organisation B: out of sight
    assert "Organisation B" not in text


def test_it_keeps_other_organisations_out_and_gives_an_outsider_an_empty_pack(cast, as_user, register):
    text = flat(text_of(as_user(cast.member_b).get(URL)))
    assert "Data centre floods" in text
    assert "Supplier goes bankrupt" not in text and "Key person leaves" not in text
    text = flat(text_of(as_user(cast.outsider).get(URL)))
    assert "Supplier goes bankrupt" not in text and "Data centre floods" not in text
    assert "No risks at medium or higher match these filters." in text


def test_it_respects_the_registers_filters_and_lists_them(cast, as_user, register):
    client = as_user(cast.qo_a)
    text = flat(text_of(client.get(URL, {"level": RiskLevel.MEDIUM})))
    assert "Key person leaves" in text
    assert "Supplier goes bankrupt" not in text
    assert "Filters applied" in text and "Level Medium" in text
    text = flat(text_of(client.get(URL, {"q": "supplier"})))
    assert "Supplier goes bankrupt" in text and "Key person leaves" not in text
    assert "Search supplier" in text
    # A filter on the low risk alone leaves nothing for the board.
    text = flat(text_of(client.get(URL, {"q": "coffee"})))
    assert "Coffee machine breaks" not in text
    assert "No risks at medium or higher match these filters." in text


def test_it_shows_an_invalid_filter_as_an_empty_pack(cast, as_user, register):
    text = flat(text_of(as_user(cast.qo_a).get(URL, {"missing_plan": "maybe"})))
    assert "Supplier goes bankrupt" not in text
    assert "The filters are not valid" in text


def test_it_shows_the_trend_of_a_risks_level(cast, as_user, register):
    high, medium, *_rest = register
    services.risk_update(actor=cast.qo_a, risk=medium, likelihood=5, impact=5, reason="Two leave at once")
    text = flat(text_of(as_user(cast.qo_a).get(URL)))
    assert "Trend: Medium → Very high" in text


def test_it_marks_an_overdue_measure_and_shows_a_done_one(cast, as_user, register):
    import datetime

    from django.utils import timezone

    _high, medium, *_rest = register
    done = add_measure(medium, title="Handover written")
    action_set_status(actor=cast.risk_owner_a, action=done, status=ActionStatus.DONE)
    add_measure(medium, title="Deputy trained", due_date=timezone.localdate() - datetime.timedelta(days=3))
    text = flat(text_of(as_user(cast.qo_a).get(URL)))
    assert "Handover written" in text and "Done" in text
    assert "Deputy trained" in text and "(overdue)" in text


def test_it_logs_the_pack_as_an_export(cast, as_user, register):
    as_user(cast.qo_a).get(URL, {"level": RiskLevel.HIGH})
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert event.user == cast.qo_a
    assert event.detail == "risk-board-pack: 1 risks as pdf"
    assert "level=high" in event.path


def test_it_offers_the_button_with_the_registers_query_string(cast, as_user, register):
    response = as_user(cast.qo_a).get(reverse("risks:risk_list"), {"level": RiskLevel.HIGH, "q": "supplier"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="board-pack"' in html
    assert f"{URL}?level=high&amp;q=supplier" in html


def queries_for(client):
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_it_costs_the_same_queries_for_1_and_20_risks(cast, as_user):
    client = as_user(cast.qo_a)

    def add(number):
        risk = risk_a(cast, f"Risk number {number}")
        add_measure(risk, title=f"Measure {number}")
        services.risk_submit(actor=cast.qo_a, risk=risk)
        return risk

    add(0)
    queries_for(client)  # warm the caches (content types, the scope)
    one = queries_for(client)
    for number in range(1, 20):
        add(number)
    assert queries_for(client) == one


def test_it_names_every_organisation_in_a_pack_of_the_group(cast, as_user, register):
    text = flat(text_of(as_user(cast.group_mgmt).get(URL)))
    assert "Organisation A, Organisation B" in text  # the title
    assert "Supplier goes bankrupt" in text and "Data centre floods" in text
    text = flat(text_of(as_user(cast.group_mgmt).get(URL, {"organisation": cast.units.org_b.pk})))
    assert "Data centre floods" in text and "Supplier goes bankrupt" not in text
    assert "Organisation Organisation B" in text  # the filter listed by the organisation's name
