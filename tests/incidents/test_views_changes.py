"""The change pages: the list (filters, export, query count), a change with the forms of the steps the
person may take, the request form, the step forms, and the roadmap (by month, scoped, exported)."""

import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from incidents.choices import ChangeKind, ChangeStatus
from incidents.models import Change
from incidents.services import changes as services
from qms.choices import Role
from tests.factories import MembershipFactory, UserFactory
from tests.factories.risks import category

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def people(cast):
    coordinator = UserFactory(username="coordinator_a")
    MembershipFactory(user=coordinator, unit=cast.units.org_a, role=Role.INCIDENT_COORDINATOR)
    dpo = UserFactory(username="dpo_a")
    MembershipFactory(user=dpo, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    cast.coordinator, cast.dpo = coordinator, dpo
    category("operational")
    return cast


def submit(people, unit=None, title="Bulk export", actor=None):
    return services.change_create(
        actor=actor or people.risk_owner_a, kind=ChangeKind.CHANGE, title=title, unit=unit or people.units.bu_a1
    )


def assessed(people, **kwargs):
    values = {
        "privacy_impact": "low",
        "security_impact": "none",
        "governance_impact": "none",
        "architecture_impact": "low",
        "fits_requirements": True,
        "risk_likelihood": 2,
        "risk_impact": 2,
        **kwargs,
    }
    return services.change_assess(actor=people.qo_a, change=submit(people), **values)


def approved(people, **kwargs):
    change = assessed(people, **kwargs)
    services.change_decide(actor=people.board_a, change=change, approved=True, reason="Good.")
    return services.change_conclude(actor=people.coordinator, change=change, approved=True, reason="Agreed.")


def thursday(year, month, day, hour=16):
    return datetime.datetime(year, month, day, hour, tzinfo=AMS)


def plan(people, change, start, hours=1, reason=""):
    return services.change_plan(
        actor=people.coordinator,
        change=change,
        planned_start=start,
        planned_end=start + datetime.timedelta(hours=hours),
        outside_window_reason=reason,
    )


# --- the list ----------------------------------------------------------------------------------


def test_it_lists_the_changes_a_person_sees(people, as_user):
    mine = submit(people, title="Visible change")
    services.change_create(actor=people.member_b, kind="wish", title="Other organisation", unit=people.units.org_b)
    page = as_user(people.viewer_a).get(reverse("incidents:change_list"))
    assert page.status_code == 200
    assert mine.title in page.content.decode()
    assert "Other organisation" not in page.content.decode()


def test_it_filters_by_dpia_pending_and_window(people, as_user):
    pending = assessed(people, privacy_impact="high")
    plain = submit(people, title="Plain change")
    client = as_user(people.qo_a)
    page = client.get(reverse("incidents:change_list") + "?dpia_pending=true").content.decode()
    assert pending.title in page
    assert plain.title not in page
    assert client.get(reverse("incidents:change_list") + "?in_window=maybe").status_code == 200


def test_it_exports_the_list(people, as_user):
    submit(people, title="Exported change")
    response = as_user(people.qo_a).get(reverse("incidents:change_list") + "?export=csv")
    assert response.status_code == 200
    assert "Exported change" in response.content.decode("utf-8-sig")


def test_the_list_costs_the_same_for_1_and_50_rows(people, as_user, count_queries):
    client = as_user(people.qo_a)
    submit(people)
    client.get(reverse("incidents:change_list"))  # warm caches (content types, sessions)
    one = count_queries(client, reverse("incidents:change_list"))
    for index in range(49):
        submit(people, title=f"Change {index}")
    assert count_queries(client, reverse("incidents:change_list") + "?per_page=50") == one


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("incidents:change_list"))
    assert response.status_code == 302


# --- one change --------------------------------------------------------------------------------


def test_it_hides_a_change_from_an_outsider(people, as_user):
    change = submit(people)
    for name in ("change_detail", "change_history", "change_edit", "change_assess", "change_withdraw"):
        assert as_user(people.outsider).get(reverse(f"incidents:{name}", args=[change.pk])).status_code == 404
    assert as_user(people.member_b).get(change.get_absolute_url()).status_code == 404


def test_it_shows_the_impact_panel_gate_and_the_forms_a_person_may_use(people, as_user):
    change = assessed(people, privacy_impact="high")
    page = as_user(people.board_a).get(change.get_absolute_url()).content.decode()
    assert 'data-testid="impact-panel"' in page
    assert "Required, outcome pending" in page
    assert reverse("incidents:change_decide", args=[change.pk]) in page
    assert reverse("incidents:change_record_dpia", args=[change.pk]) not in page
    dpo_page = as_user(people.dpo).get(change.get_absolute_url()).content.decode()
    assert reverse("incidents:change_record_dpia", args=[change.pk]) in dpo_page
    viewer_page = as_user(people.viewer_a).get(change.get_absolute_url()).content.decode()
    assert reverse("incidents:change_decide", args=[change.pk]) not in viewer_page
    assert reverse("incidents:change_assess", args=[change.pk]) not in viewer_page


def test_it_shows_the_history_with_the_decisions(people, as_user):
    change = approved(people)
    page = as_user(people.viewer_a).get(reverse("incidents:change_history", args=[change.pk]))
    assert page.status_code == 200
    assert "Decision of" in page.content.decode()


def test_it_submits_a_request_through_the_form(people, as_user):
    response = as_user(people.risk_owner_a).post(
        reverse("incidents:change_add"),
        {"kind": "wish", "title": "Dark mode", "unit": people.units.bu_a1.pk, "description": "Please."},
    )
    change = Change.objects.get(title="Dark mode")
    assert response.status_code == 302
    assert change.owner == people.coordinator
    assert change.requester == people.risk_owner_a


def test_it_refuses_the_request_form_to_a_viewer(people, as_user):
    assert as_user(people.viewer_a).get(reverse("incidents:change_add")).status_code == 403


def test_it_assesses_through_the_form_with_field_errors(people, as_user):
    change = submit(people)
    client = as_user(people.qo_a)
    url = reverse("incidents:change_assess", args=[change.pk])
    assert client.get(url).status_code == 200
    data = {
        "privacy_impact": "high",
        "security_impact": "low",
        "governance_impact": "none",
        "architecture_impact": "none",
        "dpia_required": "no",
        "fits_requirements": "yes",
        "risk_likelihood": "2",
        "risk_impact": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "A high privacy impact requires a DPIA." in response.content.decode()
    data["dpia_required"] = ""
    assert client.post(url, data).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.ASSESSED and change.dpia_required


def test_it_refuses_a_step_to_someone_without_the_role(people, as_user):
    change = assessed(people)
    response = as_user(people.viewer_a).post(
        reverse("incidents:change_decide", args=[change.pk]), {"decide-decision": "approve", "decide-reason": "x"}
    )
    assert response.status_code == 403


def test_it_records_a_decision_and_the_conclusion_through_the_forms(people, as_user):
    change = assessed(people)
    response = as_user(people.board_a).post(
        reverse("incidents:change_decide", args=[change.pk]), {"decide-decision": "approve", "decide-reason": ""}
    )
    assert response.status_code == 200  # the reason is required
    as_user(people.board_a).post(
        reverse("incidents:change_decide", args=[change.pk]), {"decide-decision": "approve", "decide-reason": "Yes."}
    )
    as_user(people.coordinator).post(
        reverse("incidents:change_conclude", args=[change.pk]),
        {"conclude-decision": "approve", "conclude-reason": "Agreed."},
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED


def test_it_needs_a_reason_to_plan_outside_the_window_in_the_form(people, as_user):
    change = approved(people)
    client = as_user(people.coordinator)
    url = reverse("incidents:change_plan", args=[change.pk])
    start = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(url, {"planned_start": f"{start}T09:00", "planned_end": f"{start}T10:00"})
    # 09:00 is outside the 16:00-17:00 window on any day.
    assert response.status_code == 200
    assert "outside the maintenance window" in response.content.decode()


def test_it_refuses_a_release_untested_with_a_message(people, as_user):
    change = plan(people, approved(people), thursday(2030, 1, 3))
    response = as_user(people.coordinator).post(reverse("incidents:change_release", args=[change.pk]), {})
    assert response.status_code == 200
    assert "untested" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED


# --- the roadmap -------------------------------------------------------------------------------


@pytest.fixture
def roadmap(people):
    in_window = plan(people, approved(people), thursday(2030, 1, 3))
    emergency = plan(people, approved(people), thursday(2030, 3, 5, hour=9), reason="Security patch.")
    unplanned = assessed(people, privacy_impact="high")
    other = services.change_create(actor=people.member_b, kind="wish", title="Org B wish", unit=people.units.org_b)
    return in_window, emergency, unplanned, other


def test_the_roadmap_shows_the_changes_by_month_for_everyone_in_the_organisation(people, roadmap, as_user):
    in_window, emergency, unplanned, other = roadmap
    page = as_user(people.team_lead_a).get(reverse("incidents:roadmap") + "?year=2030")
    assert page.status_code == 200
    content = page.content.decode()
    # The team lead sees only the changes of the units they see: none of business unit A1's.
    assert f"#{in_window.pk} " not in content
    page = as_user(people.viewer_a).get(reverse("incidents:roadmap") + "?year=2030").content.decode()
    january = page.split('data-month="2030-01"')[1].split("</tr>")[0]
    march = page.split('data-month="2030-03"')[1].split("</tr>")[0]
    unplanned_row = page.split('data-month="unplanned"')[1].split("</tr>")[0]
    assert f"#{in_window.pk} " in january and "in window" in january
    assert f"#{emergency.pk} " in march and "outside the window" in march
    assert f"#{unplanned.pk} " in unplanned_row and "DPIA pending" in unplanned_row
    assert other.title not in page


def test_the_roadmap_filters_and_refuses_a_bad_year(people, roadmap, as_user):
    in_window, emergency, unplanned, other = roadmap
    client = as_user(people.qo_a)
    page = client.get(reverse("incidents:roadmap") + "?year=2030&status=planned").content.decode()
    assert f"#{in_window.pk} " in page and f"#{unplanned.pk} " not in page
    response = client.get(reverse("incidents:roadmap") + "?year=0")
    assert response.status_code == 200
    assert f"#{in_window.pk} " not in response.content.decode()


def test_the_roadmap_exports_what_the_person_sees(people, roadmap, as_user):
    in_window, emergency, unplanned, other = roadmap
    client = as_user(people.qo_a)
    csv = client.get(reverse("incidents:roadmap") + "?year=2030&export=csv").content.decode("utf-8-sig")
    assert "2030-01" in csv and in_window.title in csv and other.title not in csv
    xlsx = client.get(reverse("incidents:roadmap") + "?year=2030&export=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[0][0] == "Month"
    assert len(rows) == 4  # the header, two planned, one unplanned


def test_the_roadmap_costs_the_same_for_1_and_50_changes(people, as_user, count_queries):
    client = as_user(people.qo_a)
    submit(people)
    client.get(reverse("incidents:roadmap"))
    one = count_queries(client, reverse("incidents:roadmap"))
    for index in range(49):
        submit(people, title=f"Change {index}")
    assert count_queries(client, reverse("incidents:roadmap")) == one


def test_the_plan_form_refuses_a_moment_out_of_range(people, as_user):
    change = approved(people)
    response = as_user(people.coordinator).post(
        reverse("incidents:change_plan", args=[change.pk]),
        {"planned_start": "0001-01-01T00:00", "planned_end": "9999-12-31T23:59"},
    )
    assert response.status_code == 200
    assert "Give a moment between" in response.content.decode()


def test_it_shows_a_change_in_every_state(people, as_user):
    client = as_user(people.coordinator)
    risky = services.change_assess(
        actor=people.qo_a,
        change=submit(people, title="Risky"),
        privacy_impact="high",
        security_impact="high",
        governance_impact="low",
        architecture_impact="none",
        fits_requirements=False,
        risk_likelihood=4,
        risk_impact=4,
    )
    released = plan(people, approved(people), thursday(2030, 1, 3), hours=1)
    released = services.change_record_test(
        actor=people.coordinator, change=released, tested_at=timezone.now(), result="passed"
    )
    released = services.change_release(actor=people.coordinator, change=released)
    rejected = assessed(people)
    services.change_decide(actor=people.board_a, change=rejected, approved=False, reason="No budget.")
    rejected = services.change_conclude(actor=people.coordinator, change=rejected, approved=False, reason="No.")
    withdrawn = services.change_withdraw(actor=people.risk_owner_a, change=submit(people), reason="Not needed.")
    for change in (risky, released, rejected, withdrawn):
        page = client.get(change.get_absolute_url())
        assert page.status_code == 200
        assert client.get(reverse("incidents:change_history", args=[change.pk])).status_code == 200
    assert risky.risk.get_absolute_url() in client.get(risky.get_absolute_url()).content.decode()
