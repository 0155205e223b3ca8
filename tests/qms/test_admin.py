"""The admin writes through the services or not at all: a unit's path, an action's transitions, the hooks of
the apps and the defaults of a new organisation hold there too; workflow records are read-only."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms.choices import ActionStatus, Role, SecurityEventKind, UnitKind
from qms.models import Action, ApiToken, EscalationLog, Membership, Notification, OrganisationUnit
from qms.services.notifications import notify
from qms.services.security import security_event_log, token_create
from tests.factories import ActionFactory, MembershipFactory


@pytest.fixture
def admin_client(cast, as_user):
    return as_user(cast.superuser)


def unit_data(unit, **changes):
    data = {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "description": unit.description,
        "is_active": "on" if unit.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def action_data(action, **changes):
    data = {
        "title": action.title,
        "description": action.description,
        "kind": action.kind,
        "owner": action.owner_id,
        "due_date": action.due_date.isoformat(),
        "status": action.status,
        "note": "",
    }
    data.update(changes)
    return data


# Units


def test_it_moves_a_unit_and_its_subtree_when_its_parent_changes_in_the_admin(cast, admin_client):
    units = cast.units
    response = admin_client.post(
        f"/admin/qms/organisationunit/{units.bu_a1.pk}/change/", unit_data(units.bu_a1, parent=units.org_b.pk)
    )
    assert response.status_code == 302, response.content.decode()
    units.bu_a1.refresh_from_db()
    units.team_a1a.refresh_from_db()
    assert units.bu_a1.parent == units.org_b
    assert units.bu_a1.path == f"{units.org_b.path}{units.bu_a1.pk}/"
    assert units.team_a1a.path == f"{units.bu_a1.path}{units.team_a1a.pk}/"
    assert units.team_a1a.depth == units.bu_a1.depth + 1
    # Scoping follows the path: the member of organisation B now sees the team.
    assert OrganisationUnit.objects.visible_to(cast.member_b).filter(pk=units.team_a1a.pk).exists()


def test_it_shows_the_services_refusal_on_the_unit_form_and_saves_nothing(cast, admin_client):
    units = cast.units
    response = admin_client.post(
        f"/admin/qms/organisationunit/{units.bu_a1.pk}/change/", unit_data(units.bu_a1, parent=units.team_a1a.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    units.bu_a1.refresh_from_db()
    assert units.bu_a1.parent == units.org_a


def test_it_creates_an_organisation_in_the_admin_with_its_defaults(cast, admin_client):
    from risks.models import ScoreArea

    data = unit_data(OrganisationUnit(name="Organisation C", kind=UnitKind.ORGANISATION, parent=cast.units.group))
    response = admin_client.post("/admin/qms/organisationunit/add/", data)
    assert response.status_code == 302, response.content.decode()
    organisation = OrganisationUnit.objects.get(name="Organisation C")
    assert organisation.path == f"{cast.units.group.path}{organisation.pk}/"
    assert organisation.history.earliest().history_user == cast.superuser
    # The risks app's default score areas (registered in RisksConfig.ready).
    assert ScoreArea.objects.filter(organisation=organisation).count() > 0


def test_it_deletes_no_unit_in_the_admin(cast, admin_client):
    team = cast.units.team_a1a
    assert admin_client.post(f"/admin/qms/organisationunit/{team.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OrganisationUnit.objects.filter(pk=team.pk).exists()


def test_it_reverts_no_unit_to_an_old_version_in_the_admin(cast, admin_client):
    units = cast.units
    units.bu_a1.name = "Renamed"
    units.bu_a1.save()
    version = units.bu_a1.history.earliest()
    url = f"/admin/qms/organisationunit/{units.bu_a1.pk}/history/{version.history_id}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, unit_data(units.bu_a1, name=version.name)).status_code == 403
    units.bu_a1.refresh_from_db()
    assert units.bu_a1.name == "Renamed"


# Actions


@pytest.fixture
def action(cast):
    return ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)


def test_it_finishes_an_action_through_its_transition_in_the_admin(action, admin_client):
    response = admin_client.post(f"/admin/qms/action/{action.pk}/change/", action_data(action, status="done"))
    assert response.status_code == 302, response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.completed_at is not None


def test_it_refuses_to_cancel_an_action_without_a_note_in_the_admin(action, admin_client):
    response = admin_client.post(
        f"/admin/qms/action/{action.pk}/change/", action_data(action, status="cancelled", title="Changed too")
    )
    assert response.status_code == 200
    assert "Say why the action is cancelled." in response.content.decode()
    action.refresh_from_db()
    # Nothing saved: neither the status nor the title changed with it.
    assert (action.status, action.title) == (ActionStatus.OPEN, action.title)
    assert not Action.objects.filter(title="Changed too").exists()


def test_it_cancels_an_action_with_a_note_in_the_admin(action, admin_client):
    response = admin_client.post(
        f"/admin/qms/action/{action.pk}/change/", action_data(action, status="cancelled", note="Not needed")
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completion_note) == (ActionStatus.CANCELLED, "Not needed")


def test_it_refuses_a_transition_the_table_does_not_allow_in_the_admin(action, admin_client):
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.DONE, completed_at=timezone.now())
    action.refresh_from_db()
    response = admin_client.post(f"/admin/qms/action/{action.pk}/change/", action_data(action, status="in_progress"))
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_it_runs_the_apps_hook_for_a_measure_changed_in_the_admin(cast, admin_client):
    from risks.choices import RiskStatus
    from risks.models import Risk
    from tests.factories.risks import RiskFactory, add_measure

    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    measure = add_measure(risk)
    Risk.objects.filter(pk=risk.pk).update(status=RiskStatus.CLOSED)
    later = measure.due_date + datetime.timedelta(days=10)
    response = admin_client.post(
        f"/admin/qms/action/{measure.pk}/change/", action_data(measure, due_date=later.isoformat())
    )
    assert response.status_code == 200
    assert "its plan cannot change" in response.content.decode()
    measure.refresh_from_db()
    assert measure.due_date != later


def test_it_creates_an_action_through_the_service_in_the_admin(cast, admin_client):
    due = timezone.localdate() + datetime.timedelta(days=5)
    data = {
        "title": "From the admin",
        "description": "",
        "kind": "general",
        "unit": cast.units.bu_a1.pk,
        "owner": cast.risk_owner_a.pk,
        "due_date": due.isoformat(),
    }
    assert admin_client.post("/admin/qms/action/add/", data).status_code == 302
    action = Action.objects.get(title="From the admin")
    assert action.created_by == cast.superuser
    # The owner is told, as by every other path.
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="action_assigned").exists()
    # An owner outside the unit's organisation is refused by the service.
    data.update(title="Elsewhere", owner=cast.member_b.pk)
    response = admin_client.post("/admin/qms/action/add/", data)
    assert response.status_code == 200
    assert not Action.objects.filter(title="Elsewhere").exists()


# Memberships


def test_it_gives_and_takes_a_role_through_the_services_in_the_admin(cast, admin_client):
    data = {"user": cast.outsider.pk, "unit": cast.units.org_b.pk, "role": Role.VIEWER}
    assert admin_client.post("/admin/qms/membership/add/", data).status_code == 302
    membership = Membership.objects.get(user=cast.outsider)
    assert membership.history.earliest().history_user == cast.superuser
    # No change of a role in place: take it away, give another.
    assert admin_client.post(f"/admin/qms/membership/{membership.pk}/change/", data).status_code == 403
    response = admin_client.post(f"/admin/qms/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=cast.outsider).exists()


def test_it_refuses_a_role_for_an_inactive_person_in_the_admin(cast, admin_client):
    cast.outsider.is_active = False
    cast.outsider.save()
    data = {"user": cast.outsider.pk, "unit": cast.units.org_b.pk, "role": Role.VIEWER}
    response = admin_client.post("/admin/qms/membership/add/", data)
    assert response.status_code == 200
    assert "This person is not active." in response.content.decode()
    assert not Membership.objects.filter(user=cast.outsider).exists()


# People


def test_it_ends_the_api_tokens_of_a_person_whose_password_the_admin_sets(cast, admin_client):
    token_create(user=cast.viewer_a, name="script")
    password = "a-new-long-password-42"
    response = admin_client.post(
        f"/admin/qms/user/{cast.viewer_a.pk}/password/", {"password1": password, "password2": password}
    )
    assert response.status_code == 302, response.content.decode()
    cast.viewer_a.refresh_from_db()
    assert cast.viewer_a.check_password(password)
    assert not ApiToken.objects.filter(user=cast.viewer_a).exists()


def test_it_refuses_to_deactivate_oneself_in_the_admin(cast, admin_client):
    user = cast.superuser
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "is_staff": "on",
        "is_superuser": "on",
    }
    response = admin_client.post(f"/admin/qms/user/{user.pk}/change/", data)
    assert response.status_code == 200
    assert "You cannot deactivate yourself." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


# Read-only records


def read_only_records(cast) -> dict:
    """One record of each model that only its workflow writes."""
    (notification,) = notify(recipients=[cast.viewer_a], verb="test", title="Hello")
    escalation = EscalationLog.objects.create(
        target_content_type=ContentType.objects.get_for_model(OrganisationUnit),
        target_object_id=cast.units.org_a.pk,
        reason="overdue",
        day=timezone.localdate(),
    )
    event = security_event_log(kind=SecurityEventKind.LOGIN, user=cast.viewer_a)
    return {"notification": notification, "escalationlog": escalation, "securityevent": event}


@pytest.mark.parametrize("model", ["notification", "escalationlog", "securityevent"])
def test_a_read_only_admin_shows_a_record_and_refuses_to_add_change_or_delete_it(cast, admin_client, model):
    record = read_only_records(cast)[model]
    change = f"/admin/qms/{model}/{record.pk}/change/"
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {}).status_code == 403
    assert admin_client.post(f"/admin/qms/{model}/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"/admin/qms/{model}/add/").status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


def test_a_notification_cannot_be_changed_in_the_admin(cast, admin_client):
    (notification,) = notify(recipients=[cast.viewer_a], verb="test", title="Hello")
    response = admin_client.post(f"/admin/qms/notification/{notification.pk}/change/", {"title": "Changed"})
    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.title == "Hello"


def test_it_revokes_an_api_token_through_the_service_in_the_admin(cast, admin_client):
    token, _raw = token_create(user=cast.viewer_a, name="script")
    response = admin_client.post(f"/admin/qms/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    # token_revoke logs it.
    from qms.models import SecurityEvent

    assert SecurityEvent.objects.filter(detail=token.prefix).exists()


def test_the_admin_pages_open(cast, admin_client, action):
    MembershipFactory(user=cast.outsider, unit=cast.units.org_b, role=Role.VIEWER)
    for path in [
        "/admin/",
        "/admin/qms/organisationunit/",
        f"/admin/qms/organisationunit/{cast.units.bu_a1.pk}/change/",
        "/admin/qms/organisationunit/add/",
        f"/admin/qms/action/{action.pk}/change/",
        "/admin/qms/action/add/",
        "/admin/qms/user/",
        f"/admin/qms/user/{cast.viewer_a.pk}/change/",
        "/admin/qms/user/add/",
        "/admin/qms/membership/add/",
        f"/admin/qms/membership/{Membership.objects.filter(user=cast.outsider).get().pk}/change/",
        "/admin/qms/notification/",
        "/admin/qms/apitoken/",
    ]:
        assert admin_client.get(path).status_code == 200, path
