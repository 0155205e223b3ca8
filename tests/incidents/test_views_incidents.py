"""The incident pages: the list with its saved views and export, the quick entry and its live preview,
an incident with its SLA bar, steps, updates and timeline, the edit and history pages."""

import csv
import io

import pytest
from django.urls import reverse

from incidents.choices import Impact, IncidentStatus, Urgency
from incidents.models import Incident, IncidentUpdate
from qms.choices import Role
from tests.factories import MembershipFactory, UserFactory
from tests.factories.incidents import IncidentFactory
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db

LIST = reverse("incidents:incident_list")
ADD = reverse("incidents:incident_add")
PREVIEW = reverse("incidents:incident_preview")


def quick_entry(cast, **fields):
    data = {
        "data_breach_suspected": "no",
        "unit": cast.units.bu_a1.pk,
        "impact": Impact.UNIT,
        "urgency": Urgency.STOPS,
        "title": "Enrolment form down",
        "description": "",
        "category": "application",
        "channel": "phone",
        "reporter_name": "J. Jansen",
        "reported_at": "2026-11-02T09:00",
    }
    data.update(fields)
    return data


# --- the list ---------------------------------------------------------------------------------


def test_it_makes_the_menus_incidents_lead_to_the_list(cast, as_user):
    IncidentFactory(unit=cast.units.bu_a1, title="Printer on fire")
    response = as_user(cast.qo_a).get(reverse("incidents:index"))
    assert response.status_code == 200
    assert "Printer on fire" in response.content.decode()
    assert reverse("incidents:index") in response.content.decode()  # the menu link


def test_it_lists_only_what_the_reader_sees(cast, as_user):
    IncidentFactory(unit=cast.units.bu_a1, title="Mine to see")
    IncidentFactory(unit=cast.units.bu_b1, title="Of organisation B")
    page = as_user(cast.viewer_a).get(LIST).content.decode()
    assert "Mine to see" in page and "Of organisation B" not in page
    assert 'data-testid="add-incident"' not in page  # a viewer registers nothing
    outsider = as_user(cast.outsider).get(LIST).content.decode()
    assert "Mine to see" not in outsider and 'data-testid="empty-state"' in outsider


def test_it_offers_the_saved_views_and_filters_by_them(cast, as_user, clock):
    clock.set(ams(2026, 11, 4, 12, 0))
    IncidentFactory(unit=cast.units.bu_a1, title="Big one", impact=Impact.UNIT, owner=cast.qo_a)
    IncidentFactory(unit=cast.units.bu_a1, title="Small one", impact=Impact.ONE_PERSON)
    client = as_user(cast.qo_a)
    page = client.get(LIST).content.decode()
    for key in ("mine", "p1", "at_risk"):
        assert f'data-saved-view="{key}"' in page
    p1 = client.get(LIST + "?priority=1&status=new&status=in_progress&status=on_hold").content.decode()
    assert "Big one" in p1 and "Small one" not in p1
    mine = client.get(LIST + "?mine=true").content.decode()
    assert "Big one" in mine and "Small one" not in mine


def test_it_filters_sla_at_risk_and_breached(cast, as_user, clock):
    now = clock.set(ams(2026, 11, 4, 12, 0))
    IncidentFactory(
        unit=cast.units.bu_a1, title="Late one", reported_at=ams(2026, 11, 2, 9, 0), restore_due=ams(2026, 11, 3, 9, 0)
    )
    IncidentFactory(
        unit=cast.units.bu_a1,
        title="Nearly late",
        reported_at=ams(2026, 11, 4, 9, 0),
        restore_due=ams(2026, 11, 4, 13, 0),
        sla_warn_at=ams(2026, 11, 4, 12, 0),
    )
    IncidentFactory(unit=cast.units.bu_a1, title="Fresh one", reported_at=now, restore_due=ams(2026, 11, 6, 9, 0))
    client = as_user(cast.qo_a)
    breached = client.get(LIST + "?sla=breached").content.decode()
    assert "Late one" in breached and "Nearly late" not in breached and "Fresh one" not in breached
    at_risk = client.get(LIST + "?sla=at_risk").content.decode()
    assert "Nearly late" in at_risk and "Late one" not in at_risk
    everything = client.get(LIST).content.decode()
    assert 'data-sla="breached"' in everything and 'data-sla="at_risk"' in everything


def test_it_answers_hostile_filters_with_a_message_not_an_error(cast, as_user):
    response = as_user(cast.qo_a).get(LIST + "?priority=9&sla=soon&unit=999999&reported_after=2026-13-01")
    assert response.status_code == 200


def test_it_exports_the_filtered_scoped_list(cast, as_user):
    IncidentFactory(unit=cast.units.bu_a1, title="Exported", impact=Impact.UNIT)
    IncidentFactory(unit=cast.units.bu_a1, title="Filtered out", impact=Impact.ONE_PERSON)
    IncidentFactory(unit=cast.units.bu_b1, title="Out of sight", impact=Impact.UNIT)
    response = as_user(cast.qo_a).get(LIST + "?priority=1&export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    titles = [row[1] for row in rows[1:]]
    assert titles == ["Exported"]
    assert rows[1][3] == "P1"
    xlsx = as_user(cast.qo_a).get(LIST + "?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_it_keeps_the_list_at_a_fixed_number_of_queries(cast, as_user, count_queries):
    client = as_user(cast.qo_a)
    IncidentFactory(unit=cast.units.bu_a1, owner=cast.qo_a)
    one = count_queries(client, LIST)
    for _ in range(49):
        IncidentFactory(unit=cast.units.bu_a1, owner=cast.qo_a)
    assert count_queries(client, LIST + "?per_page=50") == one
    assert count_queries(client, LIST) == one


# --- quick entry and preview --------------------------------------------------------------------


def test_it_registers_an_incident_from_the_quick_entry(cast, as_user, clock, coordinator):
    clock.set(ams(2026, 11, 2, 9, 30))
    client = as_user(cast.qo_a)
    page = client.get(ADD).content.decode()
    # The breach question comes first, with no answer chosen.
    assert page.index('data-testid="breach-question"') < page.index('name="impact"')
    assert 'name="data_breach_suspected" value="yes" class="form-check-input" required id' in page or (
        "checked" not in page.split('data-testid="breach-question"')[1].split("</fieldset>")[0]
    )
    assert "The process falters" in page and "A limited number of persons" in page
    response = client.post(ADD, quick_entry(cast))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.priority == 1
    assert incident.restore_due == ams(2026, 11, 2, 13, 0)  # 4 service hours
    assert incident.reporter_name == "J. Jansen" and incident.channel == "phone"
    assert incident.data_breach_suspected is False


def test_it_refuses_a_quick_entry_without_the_breach_answer(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 9, 30))
    data = quick_entry(cast)
    del data["data_breach_suspected"]
    response = as_user(cast.qo_a).post(ADD, data)
    assert response.status_code == 200
    assert "Answer whether this concerns information security or privacy." in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"impact": "everyone"}, "Choose one of the impacts listed."),
        ({"urgency": "panic"}, "Choose one of the urgencies listed."),
        ({"data_breach_suspected": "maybe"}, "Select a valid choice."),
        ({"reported_at": "2026-11-03T09:00"}, "The report time cannot be in the future."),
        ({"reported_at": "yesterday"}, "Enter a valid date/time."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_it_rerenders_bad_quick_entries_with_messages(cast, as_user, clock, fields, message):
    clock.set(ams(2026, 11, 2, 9, 30))
    response = as_user(cast.qo_a).post(ADD, quick_entry(cast, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Incident.objects.exists()


def test_it_refuses_a_unit_out_of_sight(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 9, 30))
    response = as_user(cast.qo_a).post(ADD, quick_entry(cast, unit=cast.units.bu_b1.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Incident.objects.exists()


def test_it_refuses_the_quick_entry_to_readers(cast, as_user):
    assert as_user(cast.viewer_a).get(ADD).status_code == 403
    assert as_user(cast.outsider).post(ADD, quick_entry(cast)).status_code == 403
    assert not Incident.objects.exists()


def test_it_previews_priority_and_due_time(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 9, 30))
    client = as_user(cast.qo_a)
    query = f"?unit={cast.units.bu_a1.pk}&impact=limited_group&urgency=falters&reported_at=2026-11-02T09:00"
    page = client.get(PREVIEW + query).content.decode()
    assert "P2" in page and "16 service hours" in page
    assert "03-11-2026 16:30" in page or "3-11-2026" in page or "11/03/2026" in page or "03-11-2026" in page
    empty = client.get(PREVIEW + "?impact=unit").content.decode()
    assert "Choose the unit, impact and urgency" in empty
    future = client.get(PREVIEW + query.replace("2026-11-02T09:00", "2027-01-01T09:00"))
    assert future.status_code == 200
    hidden = client.get(PREVIEW + f"?unit={cast.units.bu_b1.pk}&impact=unit&urgency=stops").content.decode()
    assert "P1" not in hidden


# --- one incident -------------------------------------------------------------------------------


def test_it_shows_an_incident_with_its_sla_bar_and_steps(cast, as_user, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register(impact=Impact.UNIT, urgency=Urgency.STOPS)  # P1, 4 service hours
    clock.set(ams(2026, 11, 2, 12, 0))  # 3 of 4 hours used
    page = as_user(cast.qo_a).get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="sla-bar"' in page and 'data-width="75.0"' in page
    assert 'data-sla="at_risk"' in page
    assert 'data-step="start"' in page and 'data-testid="step-hold"' in page and 'data-testid="update-form"' in page
    assert 'data-testid="p1-block"' in page


def test_it_shows_readers_no_buttons_and_refuses_their_posts(cast, as_user, register, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register()
    client = as_user(cast.viewer_a)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "data-step=" not in page and 'data-testid="update-form"' not in page and "edit-incident" not in page
    assert client.post(reverse("incidents:incident_step", args=[incident.pk, "start"])).status_code == 403
    assert client.post(reverse("incidents:incident_post_update", args=[incident.pk]), {"text": "x"}).status_code == 403
    assert client.get(reverse("incidents:incident_edit", args=[incident.pk])).status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_it_hides_incidents_from_outsiders(cast, as_user, register, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register()
    client = as_user(cast.member_b)
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert client.get(reverse("incidents:incident_history", args=[incident.pk])).status_code == 404
    assert client.post(reverse("incidents:incident_step", args=[incident.pk, "start"])).status_code == 404


def test_it_takes_an_incident_through_its_steps(cast, as_user, register, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register()
    client = as_user(cast.qo_a)
    step = lambda name: reverse("incidents:incident_step", args=[incident.pk, name])  # noqa: E731
    assert client.post(step("start")).status_code == 302
    # A hold without a reason re-renders with the service's message and changes nothing.
    response = client.post(step("hold"), {"reason": ""})
    assert response.status_code == 200 and "Say why the incident is on hold." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.IN_PROGRESS
    assert client.post(step("hold"), {"reason": "Waiting for the supplier"}).status_code == 302
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Waiting for the supplier" in page and 'data-testid="hold-reason"' in page
    clock.set(ams(2026, 11, 2, 10, 0))
    assert client.post(step("resume")).status_code == 302
    # A resolution before the report is refused with a message.
    response = client.post(step("resolve"), {"resolution": "Rebooted", "resolved_at": "2026-11-01T09:00"})
    assert "An incident cannot be resolved before it was reported." in response.content.decode()
    assert client.post(step("resolve"), {"resolution": "Rebooted", "resolved_at": ""}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED and incident.sla_met is True
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="sla-outcome"' in page and "SLA met" in page
    assert client.post(step("close")).status_code == 302
    # A step that does not apply any more says why.
    response = client.post(step("close"), follow=True)
    assert "Only a resolved incident can be closed." in response.content.decode()
    assert client.post(step("explode")).status_code == 404
    timeline = client.get(incident.get_absolute_url()).content.decode()
    assert timeline.count('data-timeline="status"') == 5


def test_it_posts_updates_onto_the_timeline(cast, as_user, register, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register(impact=Impact.UNIT)
    client = as_user(cast.qo_a)
    url = reverse("incidents:incident_post_update", args=[incident.pk])
    assert client.post(url, {"text": ""}).status_code == 200
    assert client.post(url, {"text": "Supplier is on it"}).status_code == 302
    assert IncidentUpdate.objects.filter(incident=incident).count() == 1
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Supplier is on it" in page


def test_it_edits_and_rederives_the_priority(cast, as_user, register, clock):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register(impact=Impact.ONE_PERSON, urgency=Urgency.STOPS)
    assert incident.priority == 3
    client = as_user(cast.qo_a)
    url = reverse("incidents:incident_edit", args=[incident.pk])
    page = client.get(url).content.decode()
    assert 'hx-get="' in page and "incident-preview" in page
    data = {
        "title": incident.title,
        "description": "",
        "category": "other",
        "impact": Impact.UNIT,
        "urgency": Urgency.STOPS,
        "owner": "",
        "reason": "More schools affected",
    }
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.priority == 1
    assert client.post(url, {**data, "impact": "galaxy"}).status_code == 200
    history = client.get(reverse("incidents:incident_history", args=[incident.pk])).content.decode()
    assert "More schools affected" in history
    timeline = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-timeline="priority"' in timeline


def test_it_links_the_breach_only_for_those_who_see_it(cast, as_user, clock, register):
    clock.set(ams(2026, 11, 2, 9, 0))
    incident = register(data_breach_suspected=True)
    breach = getattr(incident, "data_breach", None)
    page = as_user(cast.qo_a).get(incident.get_absolute_url()).content.decode()
    if breach is not None:
        assert breach.get_absolute_url() in page
    viewer = as_user(cast.viewer_a).get(incident.get_absolute_url()).content.decode()
    if breach is not None:
        assert breach.get_absolute_url() not in viewer


def test_the_sub_navigation_shows_the_breach_register_only_to_its_readers(cast, as_user):
    dpo = UserFactory(username="dpo_a")
    MembershipFactory(user=dpo, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    register = reverse("incidents:breach_list")
    for reader in (dpo, cast.qo_a, cast.admin_a):
        assert register in as_user(reader).get(reverse("incidents:index")).content.decode()
    for other in (cast.viewer_a, cast.team_lead_a, cast.board_a):
        page = as_user(other).get(reverse("incidents:index")).content.decode()
        assert register not in page and reverse("incidents:problem_list") in page
