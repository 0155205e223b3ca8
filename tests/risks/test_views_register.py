"""The risk register's pages: who sees what, forms that re-render with the services' messages, the
review queues with in-place decisions, filters, heat map, export and the matrix."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from qms.choices import ActionStatus, Role
from risks.choices import ApprovalBody, Decision, RiskLevel, RiskStatus
from risks.models import Risk, RiskCategory, RiskMatrix
from risks.services import register as services
from tests.factories import MembershipFactory, UserFactory
from tests.factories.risks import RiskFactory, add_measure, category

TODAY = timezone.localdate
NEXT_MONTH = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
IN_HALF_A_YEAR = timezone.localdate() + datetime.timedelta(days=180)


@pytest.fixture
def risk_b(cast):
    risk = RiskFactory(unit=cast.units.bu_b1, owner=cast.member_b, actor=cast.member_b, title="Risk of B")
    add_measure(risk)
    return risk


def group_quality_officer(cast):
    """A quality officer of the group: registers risks in both organisations (group management decides on
    risks; it does not register them)."""
    user = UserFactory(username="group_qo")
    MembershipFactory(user=user, unit=cast.units.group, role=Role.QUALITY_OFFICER)
    return user


def awaiting_board(cast, risk):
    return services.risk_submit(actor=cast.qo_a, risk=risk)


def rows_of(response):
    return [row.record for row in response.context["table"].rows]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def risk_form(cast, **overrides):
    data = {
        "title": "Supplier goes bankrupt",
        "category": category("supplier").pk,
        "unit": cast.units.bu_a1.pk,
        "owner": cast.risk_owner_a.pk,
        "likelihood": "3",
        "impact": "4",
        "residual_likelihood": "",
        "residual_impact": "",
        "next_review": "",
    }
    data.update(overrides)
    return data


# --- who may see and do what -------------------------------------------------------------------


def page_paths(risk, measure, organisation):
    return [
        "/risks/register/",
        "/risks/heatmap/",
        "/risks/add/",
        "/risks/import/",
        "/risks/queue/board/",
        "/risks/queue/group/",
        "/risks/board/",
        f"/risks/matrix/{organisation.pk}/",
        f"/risks/{risk.pk}/",
        f"/risks/{risk.pk}/history/",
        f"/risks/{risk.pk}/edit/",
        f"/risks/{risk.pk}/review/",
        f"/risks/{risk.pk}/close/",
        f"/risks/{risk.pk}/reopen/",
        f"/risks/{risk.pk}/measures/add/",
        f"/risks/measures/{measure.pk}/remove/",
    ]


def test_it_sends_anonymous_visitors_to_the_login_page(cast, client, high_risk):
    measure = high_risk.measures.get()
    for path in page_paths(high_risk, measure, cast.units.org_a):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    for path in [f"/risks/{high_risk.pk}/submit/", f"/risks/{high_risk.pk}/decide/"]:
        response = client.post(path, {"body": "board", "decision": "approved"})
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    assert high_risk.approvals.count() == 0


def test_it_redirects_the_start_page_to_the_register(cast, as_user):
    response = as_user(cast.viewer_a).get("/risks/")
    assert response.status_code == 302 and response["Location"] == "/risks/register/"


@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_it_answers_404_for_the_risks_of_another_organisation(cast, as_user, high_risk, user):
    client = as_user(getattr(cast, user))
    measure = high_risk.measures.get()
    for path in [
        f"/risks/{high_risk.pk}/",
        f"/risks/{high_risk.pk}/history/",
        f"/risks/{high_risk.pk}/edit/",
        f"/risks/{high_risk.pk}/review/",
        f"/risks/{high_risk.pk}/close/",
        f"/risks/{high_risk.pk}/reopen/",
        f"/risks/{high_risk.pk}/measures/add/",
        f"/risks/measures/{measure.pk}/remove/",
        f"/risks/matrix/{cast.units.org_a.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/risks/{high_risk.pk}/submit/").status_code == 404
    assert client.post(f"/risks/{high_risk.pk}/decide/", {"body": "board", "decision": "approved"}).status_code == 404
    assert client.post(f"/risks/measures/{measure.pk}/remove/", {"reason": "x"}).status_code == 404
    high_risk.refresh_from_db()
    measure.refresh_from_db()
    assert high_risk.status == RiskStatus.DRAFT and measure.status == ActionStatus.OPEN


@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_it_lists_and_exports_nothing_of_organisation_a_to_others(cast, as_user, high_risk, user):
    client = as_user(getattr(cast, user))
    assert high_risk not in rows_of(client.get("/risks/register/"))
    assert high_risk.title not in client.get("/risks/register/").content.decode()
    assert len(csv_rows(client.get("/risks/register/?export=csv"))) == 1  # the header only
    grids = client.get("/risks/heatmap/").context["grids"]
    assert sum(cell["count"] for grid in grids for row in grid["rows"] for cell in row["cells"]) == 0


def test_it_lets_a_viewer_read_but_not_write(cast, as_user, high_risk):
    client = as_user(cast.viewer_a)
    measure = high_risk.measures.get()
    assert client.get("/risks/register/").status_code == 200
    assert client.get(f"/risks/{high_risk.pk}/").status_code == 200
    assert client.get(f"/risks/{high_risk.pk}/history/").status_code == 200
    assert client.get("/risks/heatmap/").status_code == 200
    assert client.get(f"/risks/matrix/{cast.units.org_a.pk}/").status_code == 200
    for path in [
        "/risks/add/",
        "/risks/import/",
        f"/risks/{high_risk.pk}/edit/",
        f"/risks/{high_risk.pk}/review/",
        f"/risks/{high_risk.pk}/close/",
        f"/risks/{high_risk.pk}/reopen/",
        f"/risks/{high_risk.pk}/measures/add/",
        f"/risks/measures/{measure.pk}/remove/",
        "/risks/queue/board/",
        "/risks/board/",
    ]:
        assert client.get(path).status_code == 403, path
    assert client.post(f"/risks/{high_risk.pk}/submit/").status_code == 403
    awaiting_board(cast, high_risk)
    response = client.post(f"/risks/{high_risk.pk}/decide/", {"body": "board", "decision": "approved"})
    assert response.status_code == 403
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.AWAITING_APPROVAL


def test_it_shows_no_write_buttons_to_a_viewer(cast, as_user, high_risk):
    content = as_user(cast.viewer_a).get(f"/risks/{high_risk.pk}/").content.decode()
    assert f"/risks/{high_risk.pk}/edit/" not in content
    assert 'data-testid="submit-risk"' not in content
    assert "/risks/add/" not in as_user(cast.viewer_a).get("/risks/register/").content.decode()


# --- registering, the plan, submitting ---------------------------------------------------------


def test_it_registers_a_risk_from_the_form(cast, as_user):
    response = as_user(cast.qo_a).post("/risks/add/", risk_form(cast))
    risk = Risk.objects.get(title="Supplier goes bankrupt")
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url()
    assert (risk.level, risk.organisation, risk.created_by) == (RiskLevel.HIGH, cast.units.org_a, cast.qo_a)
    assert risk.next_review == services.one_year_after(TODAY())


def test_it_offers_only_units_people_and_categories_in_sight(cast, as_user):
    other = RiskCategory.objects.create(organisation=cast.units.org_b, code="b-only", name="B only")
    form = as_user(cast.qo_a).get("/risks/add/").context["form"]
    assert cast.units.bu_a1 in form.fields["unit"].queryset
    assert cast.units.org_b not in form.fields["unit"].queryset
    assert cast.member_b not in form.fields["owner"].queryset
    assert other not in form.fields["category"].queryset
    # One organisation: the matrix's step labels.
    assert ("3", "3 – Possible") in [(str(value), label) for value, label in form.fields["likelihood"].choices]


def test_it_re_renders_the_form_for_a_likelihood_off_the_matrix(cast, as_user):
    response = as_user(cast.qo_a).post("/risks/add/", risk_form(cast, likelihood="9"))
    assert response.status_code == 200
    assert response.context["form"].errors["likelihood"]
    assert 'value="Supplier goes bankrupt"' in response.content.decode()
    assert not Risk.objects.filter(title="Supplier goes bankrupt").exists()


def test_it_shows_the_services_message_for_a_likelihood_off_the_matrix(cast, as_user):
    # A quality officer of the group spans two organisations: plain numbers, checked by the service.
    response = as_user(group_quality_officer(cast)).post("/risks/add/", risk_form(cast, likelihood="9"))
    assert response.status_code == 200
    assert "Choose a value from 1 to 5 (the organisation&#x27;s matrix)." in response.content.decode()
    assert not Risk.objects.exists()


def test_it_refuses_an_owner_from_another_organisation(cast, as_user):
    response = as_user(cast.qo_a).post("/risks/add/", risk_form(cast, owner=cast.member_b.pk))
    assert response.status_code == 200 and response.context["form"].errors["owner"]
    # Someone who sees both organisations gets the service's reason.
    response = as_user(group_quality_officer(cast)).post("/risks/add/", risk_form(cast, owner=cast.member_b.pk))
    assert "is not a member of Organisation A" in str(response.context["form"].errors["owner"])
    assert not Risk.objects.exists()


def test_it_edits_a_risk_with_a_reason_in_its_history(cast, as_user, high_risk):
    data = risk_form(cast, title="Renamed", likelihood="5", impact="5", next_review=NEXT_MONTH)
    data["change_reason"] = "New information"
    response = as_user(cast.qo_a).post(f"/risks/{high_risk.pk}/edit/", data)
    assert response.status_code == 302
    high_risk.refresh_from_db()
    assert (high_risk.title, high_risk.level) == ("Renamed", RiskLevel.VERY_HIGH)
    assert high_risk.history.first().history_change_reason == "New information"


def test_it_adds_a_measure_and_submits_the_risk(cast, as_user):
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    client = as_user(cast.qo_a)
    response = client.post(f"/risks/{risk.pk}/submit/", follow=True)
    assert "add at least one measure" in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.DRAFT
    response = client.post(
        f"/risks/{risk.pk}/measures/add/",
        {"title": "Second supplier", "owner": cast.risk_owner_a.pk, "due_date": NEXT_MONTH},
    )
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url() + "#plan"
    assert risk.measures.get().title == "Second supplier"
    response = client.post(f"/risks/{risk.pk}/submit/", {"note": "Please decide"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL
    approval = risk.approvals.get()
    assert (approval.body, approval.submitted_by, approval.submission_note) == ("board", cast.qo_a, "Please decide")


def test_it_re_renders_the_measure_form_with_the_services_message(cast, as_user, high_risk):
    response = as_user(cast.qo_a).post(
        f"/risks/{high_risk.pk}/measures/add/",
        {"title": "Late", "owner": cast.risk_owner_a.pk, "due_date": "2000-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["due_date"]
    assert high_risk.measures.count() == 1


def test_it_removes_a_measure_with_a_reason(cast, as_user, high_risk):
    measure = high_risk.measures.get()
    response = as_user(cast.qo_a).post(f"/risks/measures/{measure.pk}/remove/", {"reason": "Not needed"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == ActionStatus.CANCELLED
    content = as_user(cast.qo_a).get(f"/risks/{high_risk.pk}/").content.decode()
    assert "No mitigation plan." in content


def test_it_warns_about_overdue_measures_and_reviews_on_the_detail_page(cast, as_user, high_risk):
    add_measure(high_risk, due_date=TODAY() - datetime.timedelta(days=3), title="Late one")
    Risk.objects.filter(pk=high_risk.pk).update(next_review=TODAY() - datetime.timedelta(days=1))
    response = as_user(cast.viewer_a).get(f"/risks/{high_risk.pk}/")
    content = response.content.decode()
    assert "1 measure is overdue." in content and "The review was due on" in content
    assert [measure.title for measure in response.context["overdue_measures"]] == ["Late one"]


def test_it_records_a_review_and_closes_a_risk(cast, as_user, high_risk):
    client = as_user(cast.qo_a)
    response = client.post(
        f"/risks/{high_risk.pk}/review/", {"likelihood": "2", "impact": "2", "note": "Better now", "next_review": ""}
    )
    assert response.status_code == 302
    high_risk.refresh_from_db()
    assert (high_risk.level, high_risk.last_reviewed) == (RiskLevel.LOW, TODAY())
    assert high_risk.reviews.get().note == "Better now"
    response = client.post(f"/risks/{high_risk.pk}/close/", {"reason": ""})
    assert response.status_code == 200 and "Say why the risk is closed." in response.content.decode()
    response = client.post(f"/risks/{high_risk.pk}/close/", {"reason": "Supplier replaced"})
    assert response.status_code == 302
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.CLOSED


def test_it_shows_the_history_tab(cast, as_user, high_risk):
    services.risk_update(actor=cast.qo_a, risk=high_risk, title="After")
    content = as_user(cast.qo_a).get(f"/risks/{high_risk.pk}/history/").content.decode()
    assert 'data-testid="history"' in content and "After" in content


# --- approvals ---------------------------------------------------------------------------------


def test_it_shows_the_risk_in_the_board_queue_and_approves_it_in_place(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    client = as_user(cast.board_a)
    response = client.get("/risks/queue/board/")
    [card] = response.context["cards"]
    assert card["risk"] == high_risk and [m.title for m in card["measures"]] == ["Measure"]
    content = response.content.decode()
    assert high_risk.title in content and f'hx-post="/risks/{high_risk.pk}/decide/"' in content

    response = client.post(
        f"/risks/{high_risk.pk}/decide/",
        {"body": "board", "decision": "approved", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert f'id="queue-card-{high_risk.pk}-board"' in content and 'data-testid="decision-outcome"' in content
    high_risk.refresh_from_db()
    approval = high_risk.approvals.get()
    assert (approval.decision, approval.decided_by) == (Decision.APPROVED, cast.board_a)
    assert high_risk.status == RiskStatus.APPROVED
    assert client.get("/risks/queue/board/").context["cards"] == []


def test_it_re_renders_the_card_when_rejecting_without_a_reason(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    response = as_user(cast.board_a).post(
        f"/risks/{high_risk.pk}/decide/",
        {"body": "board", "decision": "rejected", "reason": " "},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert response.status_code == 200 and "Give a reason for this decision." in content
    assert f'id="queue-card-{high_risk.pk}-board"' in content and 'data-testid="decision-form"' in content
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.AWAITING_APPROVAL
    assert high_risk.approvals.get().is_pending


def test_it_rejects_with_a_reason_and_tells_the_owner(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    as_user(cast.board_a).post(
        f"/risks/{high_risk.pk}/decide/",
        {"body": "board", "decision": "rejected", "reason": "Plan too thin"},
        HTTP_HX_REQUEST="true",
    )
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.REJECTED
    content = as_user(cast.risk_owner_a).get(f"/risks/{high_risk.pk}/").content.decode()
    assert "Plan too thin" in content and "Rejected" in content


def test_it_does_not_let_the_owner_approve_their_own_risk(cast, as_user):
    # The risk owner holds no board role: the decision is not theirs to make at all.
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    add_measure(risk)
    awaiting_board(cast, risk)
    response = as_user(cast.risk_owner_a).post(f"/risks/{risk.pk}/decide/", {"body": "board", "decision": "approved"})
    assert response.status_code == 403
    # A board member who owns the risk sees it in the queue without a form, and the service refuses.
    own = RiskFactory(unit=cast.units.org_a, owner=cast.board_a, actor=cast.qo_a, title="Board's own")
    add_measure(own)
    awaiting_board(cast, own)
    client = as_user(cast.board_a)
    [card] = [card for card in client.get("/risks/queue/board/").context["cards"] if card["risk"] == own]
    assert card["own"]
    response = client.post(
        f"/risks/{own.pk}/decide/", {"body": "board", "decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    assert "You own this risk: someone else must decide on it." in response.content.decode()
    assert own.approvals.get().is_pending
    assert risk.approvals.get().is_pending


def test_it_sends_a_very_high_risk_on_to_group_management(cast, as_user, very_high_risk):
    awaiting_board(cast, very_high_risk)
    as_user(cast.board_a).post(
        f"/risks/{very_high_risk.pk}/decide/", {"body": "board", "decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    client = as_user(cast.group_mgmt)
    [card] = client.get("/risks/queue/group/").context["cards"]
    assert card["risk"] == very_high_risk and card["body"] == ApprovalBody.GROUP
    assert [approval.decision for approval in card["decided"]] == [Decision.APPROVED]
    # Without htmx: back to the queue with a message.
    response = client.post(
        f"/risks/{very_high_risk.pk}/decide/",
        {"body": "group", "decision": "changes_requested", "reason": "Add a fallback", "next": "/risks/queue/group/"},
    )
    assert response.status_code == 302 and response["Location"] == "/risks/queue/group/"
    very_high_risk.refresh_from_db()
    assert very_high_risk.status == RiskStatus.CHANGES_REQUESTED


def test_it_says_when_a_risk_no_longer_waits_for_the_decision(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    services.approval_decide(actor=cast.board_a, risk=high_risk, body="board", decision="approved")
    response = as_user(cast.board_a).post(
        f"/risks/{high_risk.pk}/decide/",
        {"body": "board", "decision": "rejected", "reason": "x"},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert "This risk is not awaiting a decision of the board." in content
    assert high_risk.approvals.get().decision == Decision.APPROVED


def test_it_shows_the_decision_form_on_the_detail_page_to_the_deciding_body_only(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    assert as_user(cast.board_a).get(f"/risks/{high_risk.pk}/").context["decisions"]
    assert not as_user(cast.qo_a).get(f"/risks/{high_risk.pk}/").context["decisions"]
    assert not as_user(cast.group_mgmt).get(f"/risks/{high_risk.pk}/").context["decisions"]


def test_it_gives_queues_to_approvers_only(cast, as_user):
    for user in (cast.qo_a, cast.risk_owner_a, cast.outsider):
        client = as_user(user)
        assert client.get("/risks/queue/board/").status_code == 403
        assert client.get("/risks/queue/group/").status_code == 403
    # A board member on the group queue: an empty page that says why.
    response = as_user(cast.board_a).get("/risks/queue/group/")
    assert response.status_code == 200 and not response.context["has_role"]
    assert "You are not in group management" in response.content.decode()
    response = as_user(cast.board_a).get("/risks/queue/board/")
    assert "No risks wait for your decision." in response.content.decode()


def test_it_shows_the_queue_count_in_the_navigation_of_a_board_member(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    content = as_user(cast.board_a).get("/").content.decode()
    assert 'data-testid="risk-queue-count"' in content
    assert 'data-testid="risk-queue-count"' not in as_user(cast.qo_a).get("/").content.decode()


def test_it_keeps_other_organisations_out_of_the_board_queue(cast, as_user, high_risk, risk_b):
    awaiting_board(cast, high_risk)
    services.risk_submit(actor=cast.member_b, risk=risk_b)
    cards = as_user(cast.board_a).get("/risks/queue/board/").context["cards"]
    assert [card["risk"] for card in cards] == [high_risk]


def test_it_shows_the_board_overview_of_open_medium_and_higher_risks(cast, as_user, high_risk, risk_b):
    low = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=1, impact=1)
    closed = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, title="Closed one")
    services.risk_close(actor=cast.qo_a, risk=closed, reason="Gone")
    rows = rows_of(as_user(cast.board_a).get("/risks/board/"))
    assert rows == [high_risk]
    assert low not in rows and risk_b not in rows
    # Group management starts with the very high risks of all their organisations.
    very_high = RiskFactory(unit=cast.units.bu_b1, owner=cast.member_b, actor=cast.member_b, likelihood=5, impact=5)
    assert rows_of(as_user(cast.group_mgmt).get("/risks/board/")) == [very_high]
    assert set(rows_of(as_user(cast.group_mgmt).get("/risks/board/?level=high&level=very_high"))) == {
        high_risk,
        very_high,
        risk_b,
    }


# --- the register ------------------------------------------------------------------------------


def test_it_filters_the_register(cast, as_user, high_risk, very_high_risk):
    low = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=1, impact=1)
    late = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=1, impact=2)
    add_measure(late)
    add_measure(low)
    Risk.objects.filter(pk=late.pk).update(next_review=TODAY() - datetime.timedelta(days=1))
    no_plan = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    awaiting_board(cast, high_risk)
    client = as_user(cast.qo_a)

    def found(query):
        return set(rows_of(client.get(f"/risks/register/?{query}")))

    assert found("level=very_high") == {very_high_risk}
    assert found("level=low") == {low, late}
    assert found("missing_plan=true") == {no_plan}
    assert found("review_overdue=true") == {late}
    assert found("awaiting=board") == {high_risk}
    assert found("status=awaiting_approval") == {high_risk}
    assert found(f"owner={cast.risk_owner_a.pk}&level=high") == {high_risk, no_plan}


def test_it_filters_with_htmx_returning_only_the_table(cast, as_user, high_risk):
    RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, title="Other risk")
    response = as_user(cast.qo_a).get(f"/risks/register/?q={high_risk.title}", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert high_risk.title in content and "Other risk" not in content and "<html" not in content


def test_it_flags_missing_plans_and_overdue_measures_in_the_register(cast, as_user, high_risk):
    add_measure(high_risk, due_date=TODAY() - datetime.timedelta(days=2))
    without = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    cancelled = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    add_measure(cancelled, status=ActionStatus.CANCELLED)
    response = as_user(cast.qo_a).get("/risks/register/")
    counts = {risk.pk: (risk.measure_count, risk.overdue_measure_count) for risk in rows_of(response)}
    assert counts == {high_risk.pk: (2, 1), without.pk: (0, 0), cancelled.pk: (0, 0)}
    content = response.content.decode()
    assert content.count("no plan") == 2 and "1 overdue" in content and "2 measures" in content
    flags = response.context["flags"]
    assert (flags["missing_plan"], flags["measures_overdue"], flags["review_overdue"]) == (2, 1, 0)


def test_it_exports_the_register_as_csv_with_formulas_defused(cast, as_user, risk_b):
    RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, title="=HYPERLINK(1)")
    response = as_user(cast.qo_a).get("/risks/register/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert len(rows) == 2
    header = rows[0]
    assert rows[1][header.index("Title")] == "'=HYPERLINK(1)"
    assert rows[1][header.index("Level")] == "High" and rows[1][header.index("Plan")] == "0"


def test_it_exports_the_filtered_register_as_xlsx(cast, as_user, high_risk, very_high_risk):
    Risk.objects.filter(pk=high_risk.pk).update(title="+SUM(1)")
    response = as_user(cast.qo_a).get("/risks/register/?export=xlsx&level=high")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 2 and rows[1][0] == "'+SUM(1)"


def test_it_keeps_the_register_at_a_constant_number_of_queries(cast, as_user):
    client = as_user(cast.qo_a)

    def make(count):
        for _ in range(count):
            risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
            add_measure(risk)
            add_measure(risk, due_date=TODAY() - datetime.timedelta(days=1))

    make(1)
    with CaptureQueriesContext(connection) as one:
        response = client.get("/risks/register/?per_page=100")
    assert len(rows_of(response)) == 1
    make(49)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get("/risks/register/?per_page=100")
    assert len(rows_of(response)) == 50
    # Session, person, memberships, notifications; the filter form's units, organisations, people and
    # categories; the count and the page of risks with their plan counts.
    assert len(fifty) == len(one), [query["sql"] for query in fifty.captured_queries]


# --- the heat map ------------------------------------------------------------------------------


def test_it_counts_risks_per_cell_and_links_to_the_filtered_register(cast, as_user, high_risk):
    RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=3, impact=4)
    RiskFactory(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        actor=cast.qo_a,
        likelihood=5,
        impact=5,
        residual_likelihood=2,
        residual_impact=3,
    )
    client = as_user(cast.qo_a)
    inherent, residual = client.get("/risks/heatmap/").context["grids"]
    cells = {(cell["likelihood"], cell["impact"]): cell for row in inherent["rows"] for cell in row["cells"]}
    assert cells[(3, 4)]["count"] == 2 and cells[(5, 5)]["count"] == 1 and cells[(1, 1)]["count"] == 0
    assert (cells[(3, 4)]["level"], cells[(5, 5)]["level"]) == (RiskLevel.HIGH, RiskLevel.VERY_HIGH)
    assert inherent["rows"][0]["number"] == 5  # drawn with the highest likelihood on top
    assert cells[(3, 4)]["url"] == "/risks/register/?likelihood=3&impact=4"
    assert len(rows_of(client.get(cells[(3, 4)]["url"]))) == 2
    residual_cells = {(c["likelihood"], c["impact"]): c for row in residual["rows"] for c in row["cells"]}
    assert residual_cells[(2, 3)]["count"] == 1 and residual["total"] == 1
    assert residual_cells[(2, 3)]["url"] == "/risks/register/?residual_likelihood=2&residual_impact=3"


def test_it_keeps_the_filters_in_the_heat_map_and_its_links(cast, as_user, high_risk, very_high_risk):
    inherent, _residual = as_user(cast.qo_a).get("/risks/heatmap/?level=high&likelihood=5").context["grids"]
    cells = {(cell["likelihood"], cell["impact"]): cell for row in inherent["rows"] for cell in row["cells"]}
    assert cells[(3, 4)]["count"] == 1 and cells[(5, 5)]["count"] == 0  # the cell filter itself is dropped
    assert cells[(3, 4)]["url"] == "/risks/register/?level=high&likelihood=3&impact=4"


def test_it_colours_the_heat_map_with_the_organisations_matrix(cast, as_user, high_risk):
    bands = [["low"] * 5 for _ in range(5)]
    services.matrix_update(
        actor=cast.qo_a,
        organisation=cast.units.org_a,
        likelihood_steps=[{"label": f"L{n}"} for n in range(1, 6)],
        impact_steps=[{"label": f"I{n}"} for n in range(1, 6)],
        bands=bands,
    )
    response = as_user(cast.qo_a).get("/risks/heatmap/")
    assert response.context["matrix"].organisation == cast.units.org_a
    levels = {cell["level"] for row in response.context["grids"][0]["rows"] for cell in row["cells"]}
    assert levels == {"low"}
    # Group management spans two organisations: the default matrix, unless one is filtered.
    response = as_user(cast.group_mgmt).get("/risks/heatmap/")
    assert response.context["matrix"].pk is None
    response = as_user(cast.group_mgmt).get(f"/risks/heatmap/?organisation={cast.units.org_a.pk}")
    assert response.context["matrix"].organisation == cast.units.org_a


# --- matrix and categories ---------------------------------------------------------------------


def matrix_post(form, **changes):
    """The matrix form's current values as POST data, with ``changes``."""
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    return data


def test_it_re_derives_levels_when_a_quality_officer_changes_the_matrix(cast, as_user, high_risk):
    client = as_user(cast.qo_a)
    response = client.get(f"/risks/matrix/{cast.units.org_a.pk}/")
    assert response.context["can_configure"]
    data = matrix_post(response.context["matrix_form"], band_3_4="medium", likelihood_3_label="Sometimes")
    response = client.post(f"/risks/matrix/{cast.units.org_a.pk}/", data)
    assert response.status_code == 302
    matrix = RiskMatrix.objects.get(organisation=cast.units.org_a)
    assert matrix.level(3, 4) == RiskLevel.MEDIUM and matrix.likelihood_steps[2]["label"] == "Sometimes"
    high_risk.refresh_from_db()
    assert high_risk.level == RiskLevel.MEDIUM
    assert high_risk.history.first().history_change_reason == "Risicomatrix gewijzigd"  # the organisation's language


def test_the_matrix_page_has_a_grid_form_and_no_json(cast, as_user):
    response = as_user(cast.qo_a).get(f"/risks/matrix/{cast.units.org_a.pk}/")
    html = response.content.decode()
    form = response.context["matrix_form"]
    assert (form.rows, form.columns) == (5, 5)
    assert 'data-testid="matrix-grid"' in html and 'data-testid="matrix-size"' in html
    assert html.count('name="band_') == 25 and 'name="likelihood_5_label"' in html
    assert "layout" not in form.fields and "JSON" not in html and "<textarea" not in html


def four_by_four(form) -> dict:
    """A 4 x 4 matrix as posted: labels and descriptions per step, a level per cell."""
    data = matrix_post(form)
    for axis in ("likelihood", "impact"):
        for number in range(1, 5):
            data[f"{axis}_{number}_label"] = f"{axis.title()} {number}"
            data[f"{axis}_{number}_description"] = f"Step {number}"
    for likelihood in range(1, 5):
        for impact in range(1, 5):
            data[f"band_{likelihood}_{impact}"] = "high" if likelihood + impact >= 6 else "low"
    return data


def test_it_changes_the_size_of_the_matrix_through_the_form(cast, as_user):
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=3, impact=3)
    assert risk.level == RiskLevel.MEDIUM
    client = as_user(cast.admin_a)
    path = f"/risks/matrix/{cast.units.org_a.pk}/"
    page = client.get(path, {"likelihood_count": 4, "impact_count": 4})
    form = page.context["matrix_form"]
    assert (form.rows, form.columns) == (4, 4) and page.context["resizing"]
    assert page.content.decode().count('name="band_') == 16
    assert not RiskMatrix.objects.exists()  # choosing a size saves nothing
    response = client.post(f"{path}?likelihood_count=4&impact_count=4", four_by_four(form))
    assert response.status_code == 302
    matrix = RiskMatrix.objects.get(organisation=cast.units.org_a)
    assert matrix.size == (4, 4)
    assert matrix.likelihood_steps[3] == {"label": "Likelihood 4", "description": "Step 4"}
    assert matrix.level(3, 3) == RiskLevel.HIGH and matrix.level(1, 4) == RiskLevel.LOW
    risk.refresh_from_db()
    assert risk.level == RiskLevel.HIGH


@pytest.mark.parametrize(
    ("change", "field"),
    [({"impact_2_label": ""}, "impact_2_label"), ({"band_2_3": "catastrophic"}, "band_2_3")],
)
def test_a_bad_matrix_is_shown_again_with_the_field_s_error_and_changes_nothing(cast, as_user, change, field):
    client = as_user(cast.qo_a)
    path = f"/risks/matrix/{cast.units.org_a.pk}/"
    form = client.get(path, {"likelihood_count": 4, "impact_count": 4}).context["matrix_form"]
    response = client.post(path, {**four_by_four(form), **change})
    assert response.status_code == 200
    form = response.context["matrix_form"]
    assert (form.rows, form.columns) == (4, 4) and list(form.errors) == [field]
    assert "is-invalid" in str(form[field])
    assert not RiskMatrix.objects.exists()


def test_it_explains_why_a_matrix_cannot_shrink_under_open_risks(cast, as_user, high_risk):
    client = as_user(cast.qo_a)
    path = f"/risks/matrix/{cast.units.org_a.pk}/"
    form = client.get(path, {"likelihood_count": 2, "impact_count": 2}).context["matrix_form"]
    response = client.post(path, matrix_post(form, likelihood_1_label="a", likelihood_2_label="b"))
    assert response.status_code == 200
    assert "assessed outside a 2 x 2 matrix" in response.content.decode()
    assert not RiskMatrix.objects.exists()


def test_it_forbids_a_viewer_to_change_the_matrix(cast, as_user, high_risk):
    client = as_user(cast.viewer_a)
    response = client.get(f"/risks/matrix/{cast.units.org_a.pk}/")
    assert response.status_code == 200 and not response.context["can_configure"]
    assert "matrix_form" not in response.context
    assert client.post(f"/risks/matrix/{cast.units.org_a.pk}/", {"band_3_4": "low"}).status_code == 403
    response = client.post(f"/risks/matrix/{cast.units.org_a.pk}/categories/add/", {"code": "x", "name": "X"})
    assert response.status_code == 403
    assert not RiskMatrix.objects.exists() and not RiskCategory.objects.filter(code="x").exists()


def test_it_shows_a_business_unit_member_the_matrix_of_their_organisation(cast, as_user):
    client = as_user(cast.risk_owner_a)
    response = client.get("/risks/matrix/")
    assert response.status_code == 302 and response["Location"] == f"/risks/matrix/{cast.units.org_a.pk}/"
    assert client.get(f"/risks/matrix/{cast.units.org_b.pk}/").status_code == 404


def test_it_adds_a_category_and_shows_the_services_message_for_a_default_code(cast, as_user):
    category("security")
    client = as_user(cast.qo_a)
    path = f"/risks/matrix/{cast.units.org_a.pk}/categories/add/"
    response = client.post(path, {"code": "climate", "name": "Climate"})
    assert response.status_code == 302
    assert RiskCategory.objects.get(code="climate").organisation == cast.units.org_a
    response = client.post(path, {"code": "security", "name": "Mine"})
    assert response.status_code == 200
    assert "This is the code of a default category." in response.content.decode()


# --- the plan changed through the action pages ------------------------------------------------------


def approved_risk(cast, risk):
    awaiting_board(cast, risk)
    services.approval_decide(actor=cast.board_a, risk=risk, body="board", decision="approved")
    risk.refresh_from_db()
    return risk


def test_cancelling_a_measure_on_the_action_page_sends_the_plan_to_the_board_again(cast, as_user, high_risk):
    risk = approved_risk(cast, high_risk)
    measure = risk.measures.get()
    client = as_user(cast.qo_a)
    response = client.post(
        f"/actions/{measure.pk}/status/", {"status": "cancelled", "note": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Say why the action is cancelled." in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.APPROVED
    client.post(f"/actions/{measure.pk}/status/", {"status": "cancelled", "note": "Supplier gone"})
    risk.refresh_from_db()
    measure.refresh_from_db()
    assert (measure.status, risk.status) == (ActionStatus.CANCELLED, RiskStatus.AWAITING_APPROVAL)


def test_rescheduling_a_measure_on_the_action_page_sends_the_plan_to_the_board_again(cast, as_user, high_risk):
    risk = approved_risk(cast, high_risk)
    measure = risk.measures.get()
    data = {
        "title": measure.title,
        "description": "",
        "kind": measure.kind,
        "owner": measure.owner_id,
        "due_date": (TODAY() + datetime.timedelta(days=200)).isoformat(),
    }
    response = as_user(cast.qo_a).post(f"/actions/{measure.pk}/edit/", data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.AWAITING_APPROVAL


def test_the_action_page_says_where_the_plan_of_a_risk_is_changed(cast, as_user, high_risk):
    risk = approved_risk(cast, high_risk)
    measure = add_measure(risk, owner=cast.viewer_a, title="Viewer's measure")
    response = as_user(cast.viewer_a).post(
        f"/actions/{measure.pk}/status/", {"status": "cancelled", "note": "Bored"}, HTTP_HX_REQUEST="true"
    )
    assert "only those who may change the risk change its plan" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == ActionStatus.OPEN


# --- the board reads and decides --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["board_a", "group_mgmt"])
def test_the_board_and_group_management_get_no_edit_buttons_or_pages(cast, as_user, high_risk, who):
    client = as_user(getattr(cast, who))
    content = client.get(f"/risks/{high_risk.pk}/").content.decode()
    for path in ("edit", "review", "close", "measures/add"):
        assert f"/risks/{high_risk.pk}/{path}/" not in content
        assert client.get(f"/risks/{high_risk.pk}/{path}/").status_code == 403
    assert f"/risks/measures/{high_risk.measures.get().pk}/remove/" not in content
    assert client.get("/risks/add/").status_code == 403
    assert client.get("/risks/import/").status_code == 403
    assert 'data-testid="add-risk"' not in client.get("/risks/register/").content.decode()


def test_a_board_member_who_changed_the_plan_is_told_they_cannot_approve(cast, as_user, high_risk):
    MembershipFactory(user=cast.board_a, unit=cast.units.org_a, role=Role.QUALITY_OFFICER)
    client = as_user(cast.board_a)
    assert f"/risks/{high_risk.pk}/edit/" in client.get(f"/risks/{high_risk.pk}/").content.decode()
    client.post(
        f"/risks/{high_risk.pk}/measures/add/", {"title": "Extra", "owner": cast.qo_a.pk, "due_date": NEXT_MONTH}
    )
    awaiting_board(cast, high_risk)
    assert 'data-testid="changed-by-you"' in client.get(f"/risks/{high_risk.pk}/").content.decode()
    response = client.post(
        f"/risks/{high_risk.pk}/decide/", {"body": "board", "decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    assert "You changed this risk or its plan in this round" in response.content.decode()
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.AWAITING_APPROVAL


# --- the counts after a decision in place -----------------------------------------------------------


def test_a_decision_in_place_updates_the_queue_heading_and_the_navigation(cast, as_user, high_risk):
    other = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, title="Other")
    add_measure(other)
    awaiting_board(cast, high_risk)
    awaiting_board(cast, other)
    client = as_user(cast.board_a)
    content = client.get("/risks/queue/board/").content.decode()
    assert "2 risks wait" in content and 'id="risk-queue-nav"' in content and 'id="risk-subnav-board-count"' in content
    response = client.post(
        f"/risks/{high_risk.pk}/decide/", {"body": "board", "decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert 'id="queue-count" hx-swap-oob="true"' in content and "1 risk waits" in content
    assert 'id="risk-queue-nav" hx-swap-oob="true"' in content
    assert 'id="risk-subnav-board-count" hx-swap-oob="true"' in content
    assert 'id="risk-subnav-group-count"' not in content  # not in group management: no such place on the page
    response = client.post(
        f"/risks/{other.pk}/decide/", {"body": "board", "decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "risks wait" not in content and "risk waits" not in content
    assert 'data-testid="risk-queue-count"' not in content  # the navigation's badge is gone


# --- exports, closed risks, flags, filters ------------------------------------------------------------


def test_it_exports_the_status_as_its_label(cast, as_user, high_risk):
    awaiting_board(cast, high_risk)
    rows = csv_rows(as_user(cast.qo_a).get("/risks/register/?export=csv"))
    assert rows[1][rows[0].index("Status")] == "Awaiting approval"
    rows = csv_rows(as_user(cast.qo_a).get("/actions/all/?export=csv"))
    assert "<span" not in "".join(rows[1]) and rows[1][rows[0].index("Status")] == "Open"


def test_the_register_and_heat_map_show_open_risks_unless_asked_for_closed_ones(cast, as_user, high_risk):
    closed = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, title="Closed one")
    services.risk_close(actor=cast.qo_a, risk=closed, reason="Gone")
    client = as_user(cast.qo_a)
    response = client.get("/risks/register/")
    assert rows_of(response) == [high_risk]
    assert response.context["flags"]["missing_plan"] == 0  # the closed one has no plan, and is not counted
    assert rows_of(client.get("/risks/register/?status=closed")) == [closed]
    assert client.get("/risks/register/?status=closed").context["flags"]["missing_plan"] == 1
    assert len(csv_rows(client.get("/risks/register/?export=csv"))) == 2
    grids = client.get("/risks/heatmap/").context["grids"]
    assert grids[0]["total"] == 1
    assert client.get("/risks/heatmap/?status=closed").context["grids"][0]["total"] == 1
    assert client.get("/risks/heatmap/?status=closed&status=draft").context["grids"][0]["total"] == 2


def test_the_flags_count_what_the_filters_select_and_keep_them(cast, as_user, high_risk, very_high_risk):
    RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=3, impact=4, title="Bare")
    RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=5, impact=5, title="Bare2")
    client = as_user(cast.board_a)
    response = client.get("/risks/board/?level=high")
    assert response.context["flags"]["missing_plan"] == 1
    assert "level=high" in response.context["flag_links"]["missing_plan"]
    assert client.get("/risks/board/?level=high&level=very_high").context["flags"]["missing_plan"] == 2
    # Filtering in place: the flags come along out of band.
    response = client.get("/risks/board/?level=very_high", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'id="register-flags" data-testid="register-flags" hx-swap-oob="true"' in content
    assert response.context["flags"]["missing_plan"] == 1


def test_an_unreadable_yes_or_no_filter_shows_nothing(cast, as_user, high_risk):
    response = as_user(cast.qo_a).get("/risks/register/?missing_plan=maybe")
    assert rows_of(response) == [] and response.context["filter"].errors["missing_plan"]


# --- reopening -------------------------------------------------------------------------------------


def test_a_quality_officer_reopens_a_closed_risk_from_its_page(cast, as_user, high_risk):
    services.risk_close(actor=cast.qo_a, risk=high_risk, reason="Gone")
    assert 'data-testid="reopen-risk"' not in as_user(cast.risk_owner_a).get(f"/risks/{high_risk.pk}/").content.decode()
    assert as_user(cast.risk_owner_a).get(f"/risks/{high_risk.pk}/reopen/").status_code == 403
    client = as_user(cast.qo_a)
    assert 'data-testid="reopen-risk"' in client.get(f"/risks/{high_risk.pk}/").content.decode()
    response = client.post(f"/risks/{high_risk.pk}/reopen/", {"reason": ""})
    assert response.status_code == 200 and "Say why the risk is reopened." in response.content.decode()
    response = client.post(f"/risks/{high_risk.pk}/reopen/", {"reason": "Back again"})
    assert response.status_code == 302
    high_risk.refresh_from_db()
    assert high_risk.status == RiskStatus.DRAFT
    assert as_user(cast.member_b).get(f"/risks/{high_risk.pk}/reopen/").status_code == 404


# --- the next review on the form ---------------------------------------------------------------------


@pytest.mark.parametrize("days", [-3, 400])
def test_the_form_refuses_a_next_review_outside_a_year(cast, as_user, days):
    next_review = (TODAY() + datetime.timedelta(days=days)).isoformat()
    response = as_user(cast.qo_a).post("/risks/add/", risk_form(cast, next_review=next_review))
    assert response.status_code == 200 and response.context["form"].errors["next_review"]
    assert not Risk.objects.exists()


# --- categories ------------------------------------------------------------------------------------


def test_a_quality_officer_renames_and_stops_using_categories_on_the_matrix_page(cast, as_user):
    legal = category("legal")
    own = RiskCategory.objects.create(organisation=cast.units.org_a, code="aviation", name="Aviation")
    client = as_user(cast.qo_a)
    base = f"/risks/matrix/{cast.units.org_a.pk}/categories"
    assert client.post(f"{base}/{own.pk}/", {"name": "Air travel"}).status_code == 302
    own.refresh_from_db()
    assert own.name == "Air travel"
    client.post(f"{base}/{legal.pk}/", {"active": "false"})
    client.post(f"{base}/{own.pk}/", {"active": "false"})
    assert not RiskCategory.objects.for_organisation(cast.units.org_a).filter(pk__in=[legal.pk, own.pk]).exists()
    assert RiskCategory.objects.for_organisation(cast.units.org_b).filter(pk=legal.pk).exists()
    response = client.get(f"/risks/matrix/{cast.units.org_a.pk}/")
    in_use = {c.code: c.in_use for c in response.context["categories"]}
    assert (in_use["legal"], in_use["aviation"]) == (False, False)
    response = client.post(f"{base}/{legal.pk}/", {"name": "Law"}, follow=True)
    assert "A default category keeps its name" in response.content.decode()
    assert "Law" not in str(legal)
    client.post(f"{base}/{legal.pk}/", {"active": "true"})
    assert RiskCategory.objects.for_organisation(cast.units.org_a).filter(pk=legal.pk).exists()


def test_only_configurers_change_categories_and_only_their_organisations(cast, as_user):
    own = RiskCategory.objects.create(organisation=cast.units.org_a, code="aviation", name="Aviation")
    path = f"/risks/matrix/{cast.units.org_a.pk}/categories/{own.pk}/"
    assert as_user(cast.viewer_a).post(path, {"active": "false"}).status_code == 403
    assert as_user(cast.board_a).post(path, {"active": "false"}).status_code == 403
    assert as_user(cast.member_b).post(path, {"active": "false"}).status_code == 404
    other = RiskCategory.objects.create(organisation=cast.units.org_b, code="shipping", name="Shipping")
    assert (
        as_user(cast.qo_a)
        .post(f"/risks/matrix/{cast.units.org_a.pk}/categories/{other.pk}/", {"active": "false"})
        .status_code
        == 404
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.is_active and other.is_active


def test_a_risk_keeps_a_category_its_organisation_no_longer_uses_on_the_form(cast, as_user, high_risk):
    services.category_set_active(
        actor=cast.qo_a, category=high_risk.category, organisation=cast.units.org_a, active=False
    )
    data = risk_form(cast, category=high_risk.category_id, title="Still here", next_review=high_risk.next_review)
    response = as_user(cast.qo_a).post(f"/risks/{high_risk.pk}/edit/", data)
    assert response.status_code == 302
    high_risk.refresh_from_db()
    assert high_risk.title == "Still here"


def test_the_form_previews_the_level_from_the_organisations_matrix(cast, as_user, high_risk):
    content = as_user(cast.qo_a).get("/risks/add/").content.decode()
    assert 'id="risk-level-preview"' in content and "js/risk-form.js" in content
    assert 'data-testid="level-preview"' in as_user(cast.qo_a).get(f"/risks/{high_risk.pk}/edit/").content.decode()
