"""The core pages: who sees what, forms that re-render with messages, exports, history, htmx."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from qms.choices import ActionStatus, SecurityEventKind
from qms.models import Action, Membership, Notification, OrganisationUnit, SecurityEvent
from tests.factories import ActionFactory

NEXT_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/units/",
        "/people/",
        "/actions/",
        "/actions/all/",
        "/notifications/",
        "/account/",
        "/account/tokens/",
        "/account/password/",
        "/risks/register/",
        "/kpis/",
        "/incidents/",
        "/audits/",
    ],
)
def test_it_shows_every_page_to_a_member(cast, login, path):
    # Start pages may redirect to the module's main list; what counts is where the member lands.
    assert login(cast.viewer_a).get(path, follow=True).status_code == 200


def test_it_lists_only_the_units_in_sight(cast, login):
    response = login(cast.risk_owner_a).get("/units/")
    assert [row.record.name for row in response.context["table"].rows] == ["Business unit A1", "Team A1a"]
    assert "Organisation B" not in response.content.decode()


@pytest.mark.parametrize("user", ["qo_a", "outsider", "risk_owner_a"])
def test_it_answers_404_for_records_out_of_sight(cast, login, user):
    action = ActionFactory(unit=cast.units.bu_b1, owner=cast.member_b)
    client = login(getattr(cast, user))
    for path in [
        f"/units/{cast.units.org_b.pk}/",
        f"/units/{cast.units.org_b.pk}/history/",
        f"/units/{cast.units.org_b.pk}/edit/",
        f"/people/{cast.member_b.pk}/",
        f"/actions/{action.pk}/",
        f"/actions/{action.pk}/history/",
        f"/actions/{action.pk}/edit/",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/actions/{action.pk}/status/", {"status": "done"}).status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_it_shows_an_outsider_an_empty_dashboard_that_says_why(cast, login):
    ActionFactory(unit=cast.units.org_a, owner=cast.qo_a, title="Secret plan")
    content = login(cast.outsider).get("/").content.decode()
    assert "Secret plan" not in content
    assert "nog geen rol" in content


def test_it_shows_my_open_actions_on_the_dashboard(cast, login):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Mine to do")
    ActionFactory(unit=cast.units.bu_a1, owner=cast.qo_a, title="Not mine")
    content = login(cast.risk_owner_a).get("/").content.decode()
    assert "Mine to do" in content and "Not mine" not in content


def test_it_forbids_a_viewer_to_open_the_add_forms(cast, login):
    client = login(cast.viewer_a)
    assert client.get("/actions/add/").status_code == 403
    assert client.get("/units/add/").status_code == 403
    assert client.get(f"/units/{cast.units.org_a.pk}/roles/add/").status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_DENIED).count() == 3


def test_it_creates_an_action_from_the_form(cast, login):
    response = login(cast.qo_a).post(
        "/actions/add/",
        {
            "title": "From the form",
            "kind": "general",
            "unit": cast.units.bu_a1.pk,
            "owner": cast.risk_owner_a.pk,
            "due_date": NEXT_WEEK,
        },
    )
    action = Action.objects.get(title="From the form")
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()


def test_it_re_renders_the_form_with_the_services_message_and_keeps_the_input(cast, login):
    response = login(cast.qo_a).post(
        "/actions/add/",
        {
            "title": "Keep me",
            "kind": "general",
            "unit": cast.units.bu_a1.pk,
            "owner": cast.risk_owner_a.pk,
            "due_date": "2000-01-01",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "De vervaldatum kan niet in het verleden liggen." in content
    assert 'value="Keep me"' in content
    assert not Action.objects.exists()


def test_it_offers_only_units_and_people_in_sight_in_the_form(cast, login):
    form = login(cast.qo_a).get("/actions/add/").context["form"]
    assert cast.units.org_b not in form.fields["unit"].queryset
    assert cast.member_b not in form.fields["owner"].queryset


def test_it_changes_a_status_in_place_with_htmx(cast, login):
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    response = login(cast.risk_owner_a).post(
        f"/actions/{action.pk}/status/", {"status": "in_progress"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="action-status"' in response.content.decode()
    assert "<html" not in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_it_shows_the_reason_a_status_change_is_refused(cast, login):
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    response = login(cast.risk_owner_a).post(
        f"/actions/{action.pk}/status/", {"status": "cancelled"}, HTTP_HX_REQUEST="true"
    )
    assert "Geef aan waarom de actie wordt geannuleerd." in response.content.decode()


def test_it_shows_who_changed_what_in_the_history_tab(cast, login):
    from qms.services.actions import action_update

    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Before", created_by=cast.qo_a)
    action_update(actor=cast.qo_a, action=action, title="After")
    content = login(cast.qo_a).get(f"/actions/{action.pk}/history/").content.decode()
    assert "Before" in content and "After" in content and str(cast.qo_a) in content
    assert "Titel" in content


def test_it_filters_the_table_with_htmx_returning_only_the_table(cast, login):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Findable")
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="Other")
    response = login(cast.qo_a).get("/actions/all/?q=findable", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Findable" in content and "Other" not in content and "<html" not in content


def test_it_exports_only_visible_rows_and_defuses_formulas_in_csv(cast, login):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title='=HYPERLINK("http://evil")')
    ActionFactory(unit=cast.units.bu_b1, owner=cast.member_b, title="Organisation B's action")
    response = login(cast.qo_a).get("/actions/all/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, user=cast.qo_a).exists()


def test_it_exports_xlsx_with_the_same_protection(cast, login):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title="@SUM(1+1)")
    response = login(cast.qo_a).get("/actions/all/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert values[0] == "'@SUM(1+1)"


def test_it_exports_nothing_to_an_outsider(cast, login):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    response = login(cast.outsider).get("/actions/all/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_it_lets_an_administrator_add_a_unit_and_a_role(cast, login):
    client = login(cast.admin_a)
    response = client.post(
        "/units/add/", {"name": "New team", "kind": "team", "parent": cast.units.bu_a1.pk, "is_active": "on"}
    )
    unit = OrganisationUnit.objects.get(name="New team")
    assert response.status_code == 302
    response = client.post(f"/units/{unit.pk}/roles/add/", {"user": cast.viewer_a.pk, "role": "team_lead"})
    assert response.status_code == 302
    assert Membership.objects.filter(unit=unit, user=cast.viewer_a, role="team_lead").exists()


def test_it_re_renders_the_unit_form_when_the_kind_cannot_sit_there(cast, login):
    response = login(cast.admin_a).post(
        "/units/add/", {"name": "Wrong", "kind": "organisation", "parent": cast.units.bu_a1.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not OrganisationUnit.objects.filter(name="Wrong").exists()


def test_it_marks_a_notification_read_and_follows_its_link(cast, login):
    from qms.services.notifications import notify

    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    [notification] = notify(recipients=[cast.risk_owner_a], verb="x", title="Look", target=action)
    response = login(cast.risk_owner_a).post(f"/notifications/{notification.pk}/read/")
    assert response["Location"] == action.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_keeps_other_peoples_notifications_private(cast, login):
    from qms.services.notifications import notify

    [notification] = notify(recipients=[cast.risk_owner_a], verb="x", title="Private")
    assert login(cast.qo_a).post(f"/notifications/{notification.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_it_creates_an_api_token_and_shows_it_once(cast, login):
    client = login(cast.qo_a)
    response = client.post("/account/tokens/", {"name": "Monitoring"})
    token = response.context["new_token"]
    assert token.startswith("qms_")
    assert token not in client.get("/account/tokens/").content.decode()


def test_it_serves_security_txt_and_a_health_check_without_login(db, client):
    assert "Contact:" in client.get("/.well-known/security.txt").content.decode()
    assert client.get("/healthz").json() == {"status": "ok"}
