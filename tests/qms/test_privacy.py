"""Personal data (SPEC 8, issue 15 deliverable 9): a person downloads everything the system holds about
them; an administrator erases a person, who stays in the records under a pseudonym."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qms.choices import ActionStatus, SecurityEventKind
from qms.models import Action, ApiToken, Notification, SecurityEvent, User
from qms.services import privacy
from qms.services.base import system_note
from qms.services.privacy import register_open_work, register_personal_data, user_erase
from qms.services.security import token_create
from tests.factories import ActionFactory

DOWNLOAD = reverse("qms:personal_data")


def pseudonym(person) -> str:
    """The pseudonym in the stored language ("Verwijderde persoon 17" in a Dutch installation)."""
    return system_note(privacy.PSEUDONYM, number=person.pk)


def erase_url(person):
    return reverse("qms:user_erase", args=[person.pk])


# --- download -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_downloads_everything_held_about_them_as_json(as_user, cast):
    person = cast.risk_owner_a
    ActionFactory(unit=cast.units.bu_a1, owner=person, title="My measure")
    ActionFactory(unit=cast.units.bu_a1, owner=cast.qo_a, created_by=person, title="Made by me")
    ActionFactory(unit=cast.units.bu_a1, owner=cast.qo_a, title="Not mine")
    Notification.objects.create(recipient=person, verb="x", title="For me")
    Notification.objects.create(recipient=cast.qo_a, verb="x", title="Not for me")
    token_create(user=person, name="laptop")
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username=person.username, detail="mine")
    response = as_user(person).get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["username"] == person.username
    assert data["person"]["email"] == person.email
    assert [m["role"] for m in data["memberships"]] == ["risk_owner"]
    assert {a["title"] for a in data["actions"]} == {"My measure", "Made by me"}
    assert [n["title"] for n in data["notifications"]] == ["For me"]
    assert [t["name"] for t in data["api_tokens"]] == ["laptop"]
    assert "mine" in {e["detail"] for e in data["security_events"]}
    assert data["profile_history"]
    assert "key_hash" not in response.content.decode()


@pytest.mark.django_db
def test_the_download_holds_nothing_of_other_people(as_user, cast):
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, user=cast.qo_a, detail="someone else")
    text = as_user(cast.viewer_a).get(DOWNLOAD).content.decode()
    assert "someone else" not in text and cast.qo_a.username not in text


@pytest.mark.django_db
def test_the_download_is_logged(as_user, cast):
    as_user(cast.viewer_a).get(DOWNLOAD)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED, user=cast.viewer_a).exists()


@pytest.mark.django_db
def test_apps_add_their_sections_to_the_download(as_user, cast, monkeypatch):
    monkeypatch.setattr(privacy, "_PERSONAL_DATA", dict(privacy._PERSONAL_DATA))
    register_personal_data("risks_owned")(lambda *, user: [{"title": f"risk of {user.username}"}])
    data = json.loads(as_user(cast.viewer_a).get(DOWNLOAD).content)
    assert data["risks_owned"] == [{"title": "risk of viewer_a"}]


@pytest.mark.django_db
def test_the_profile_page_links_to_the_download(as_user, cast):
    assert DOWNLOAD in as_user(cast.viewer_a).get(reverse("qms:profile")).content.decode()


@pytest.mark.django_db
def test_an_anonymous_visitor_downloads_nothing(client):
    assert client.get(DOWNLOAD).status_code == 302


# --- erasure --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_erasing_replaces_name_username_and_email_by_a_pseudonym(cast):
    person = cast.viewer_a
    user_erase(actor=cast.admin_a, user=person)
    person.refresh_from_db()
    assert (person.username, person.first_name, person.last_name, person.email) == (
        f"erased-{person.pk}",
        pseudonym(person),
        "",
        "",
    )
    assert not person.is_active and not person.has_usable_password()


@pytest.mark.django_db
def test_erasing_keeps_the_records_under_the_pseudonym(cast):
    person = cast.risk_owner_a
    done = ActionFactory(unit=cast.units.bu_a1, owner=person, status=ActionStatus.DONE, completed_at=timezone.now())
    created = ActionFactory(unit=cast.units.bu_a1, owner=cast.qo_a, created_by=person)
    user_erase(actor=cast.admin_a, user=person)
    assert Action.objects.get(pk=done.pk).owner_id == person.pk
    assert Action.objects.get(pk=created.pk).created_by_id == person.pk
    assert str(Action.objects.get(pk=done.pk).owner) == pseudonym(person)


@pytest.mark.django_db
def test_erasing_rewrites_the_persons_history_to_the_pseudonym(cast):
    person = cast.viewer_a
    old_name, old_email = person.username, person.email
    person.first_name = "Johanna"
    person.save()
    user_erase(actor=cast.admin_a, user=person)
    rows = User.history.filter(id=person.pk)
    assert rows.count() >= 2
    for row in rows:
        assert (row.username, row.first_name, row.last_name, row.email) == (
            f"erased-{person.pk}",
            pseudonym(person),
            "",
            "",
        )
    assert not User.history.filter(username=old_name).exists()
    assert not User.history.filter(email=old_email).exclude(email="").exists()
    assert rows.latest().history_user == cast.admin_a


@pytest.mark.django_db
def test_erasing_ends_sessions_tokens_and_security_log_names(cast):
    person = cast.viewer_a
    browser = Client()
    browser.force_login(person)
    token_create(user=person, name="laptop")
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="viewer_a")
    Notification.objects.create(recipient=person, verb="x", title="For me")
    user_erase(actor=cast.admin_a, user=person)
    assert not ApiToken.objects.filter(user=person).exists()
    assert browser.get(reverse("dashboard")).status_code == 302
    assert not any(s.get_decoded().get("_auth_user_id") == str(person.pk) for s in Session.objects.all())
    assert not SecurityEvent.objects.filter(username="viewer_a").exists()
    assert not Notification.objects.filter(recipient=person).exists()


@pytest.mark.django_db
def test_erasing_is_logged_without_the_persons_name(cast):
    person = cast.viewer_a
    old_name = person.get_full_name()
    user_erase(actor=cast.admin_a, user=person)
    logged = SecurityEvent.objects.get(kind=SecurityEventKind.PERSON_ERASED)
    assert logged.user == cast.admin_a
    assert f"#{person.pk}" in logged.detail and old_name not in logged.detail


@pytest.mark.django_db
def test_erasing_is_refused_while_the_person_owns_open_work_and_says_which(cast):
    person = cast.risk_owner_a
    ActionFactory(unit=cast.units.bu_a1, owner=person)
    ActionFactory(unit=cast.units.bu_a1, owner=person, status=ActionStatus.IN_PROGRESS)
    cast.viewer_a.manager = person
    cast.viewer_a.save()
    with pytest.raises(ValidationError) as refused:
        user_erase(actor=cast.admin_a, user=person)
    message = str(refused.value.message_dict["successor"])
    assert "2 open action(s)" in message and "manager of 1 person(s)" in message
    person.refresh_from_db()
    assert person.username == "risk_owner_a" and person.is_active


@pytest.mark.django_db
def test_a_successor_takes_the_open_work_over_in_the_same_step(cast):
    person = cast.risk_owner_a
    open_action = ActionFactory(unit=cast.units.bu_a1, owner=person)
    done = ActionFactory(unit=cast.units.bu_a1, owner=person, status=ActionStatus.DONE, completed_at=timezone.now())
    cast.viewer_a.manager = person
    cast.viewer_a.save()
    user_erase(actor=cast.admin_a, user=person, successor=cast.qo_a)
    assert Action.objects.get(pk=open_action.pk).owner == cast.qo_a
    assert Action.objects.get(pk=done.pk).owner_id == person.pk
    assert User.objects.get(pk=cast.viewer_a.pk).manager == cast.qo_a
    assert Action.history.filter(id=open_action.pk).latest().history_user == cast.admin_a


@pytest.mark.django_db
def test_a_successor_who_cannot_take_the_work_leaves_everything_as_it_was(cast):
    person = cast.risk_owner_a
    action = ActionFactory(unit=cast.units.bu_a1, owner=person)
    with pytest.raises(ValidationError):
        user_erase(actor=cast.superuser, user=person, successor=cast.member_b)  # not in organisation A
    assert Action.objects.get(pk=action.pk).owner == person
    assert User.objects.get(pk=person.pk).username == "risk_owner_a"


@pytest.mark.django_db
def test_apps_say_what_open_work_a_person_holds(cast, monkeypatch):
    monkeypatch.setattr(privacy, "_OPEN_WORK", dict(privacy._OPEN_WORK))
    taken = []
    register_open_work(
        "risks",
        label="%(count)s open risk(s)",
        count=lambda *, user: 3,
        reassign=lambda *, user, successor, actor: taken.append(successor) or 3,
    )
    with pytest.raises(ValidationError, match="3 open risk"):
        user_erase(actor=cast.admin_a, user=cast.viewer_a)
    user_erase(actor=cast.admin_a, user=cast.viewer_a, successor=cast.qo_a)
    assert taken == [cast.qo_a]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["qo_a", "member_b", "viewer_a"])
def test_only_an_administrator_who_manages_the_person_erases_them(cast, actor):
    with pytest.raises(PermissionDenied):
        user_erase(actor=getattr(cast, actor), user=cast.viewer_a)


@pytest.mark.django_db
def test_nobody_erases_themselves_and_an_organisation_administrator_never_a_superuser(cast):
    with pytest.raises(ValidationError):
        user_erase(actor=cast.superuser, user=cast.superuser)
    with pytest.raises(PermissionDenied):
        user_erase(actor=cast.admin_a, user=cast.superuser)


@pytest.mark.django_db
def test_a_person_is_erased_once(cast):
    user_erase(actor=cast.admin_a, user=cast.viewer_a)
    with pytest.raises(ValidationError):
        user_erase(actor=cast.admin_a, user=cast.viewer_a)


# --- the page -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_erase_page_lists_the_open_work_and_erases_with_a_successor(as_user, cast):
    person = cast.risk_owner_a
    ActionFactory(unit=cast.units.bu_a1, owner=person)
    client = as_user(cast.admin_a)
    page = client.get(erase_url(person))
    assert page.status_code == 200
    assert "1 open action(s)" in page.content.decode()
    refused = client.post(erase_url(person), {"confirm": "on"})
    assert refused.status_code == 200 and "still owns open work" in refused.content.decode()
    done = client.post(erase_url(person), {"confirm": "on", "successor": cast.qo_a.pk})
    assert done.status_code == 302
    assert User.objects.get(pk=person.pk).username == f"erased-{person.pk}"


@pytest.mark.django_db
def test_the_erase_page_asks_for_confirmation(as_user, cast):
    response = as_user(cast.admin_a).post(erase_url(cast.viewer_a), {})
    assert response.status_code == 200
    assert User.objects.get(pk=cast.viewer_a.pk).username == "viewer_a"


@pytest.mark.django_db
def test_the_person_page_offers_erasure_to_their_administrator_only(as_user, cast):
    detail = reverse("qms:user_detail", args=[cast.viewer_a.pk])
    assert erase_url(cast.viewer_a) in as_user(cast.admin_a).get(detail).content.decode()
    assert erase_url(cast.viewer_a) not in as_user(cast.qo_a).get(detail).content.decode()


@pytest.mark.django_db
def test_the_erase_page_is_403_for_other_roles_and_404_out_of_sight(as_user, cast):
    assert as_user(cast.qo_a).get(erase_url(cast.viewer_a)).status_code == 403
    assert as_user(cast.outsider).get(erase_url(cast.viewer_a)).status_code == 404
    assert as_user(cast.admin_a).get(erase_url(cast.admin_a)).status_code == 403
