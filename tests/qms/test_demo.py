"""The demo data of `manage.py seed_demo`: idempotent, never without DEMO_MODE, and its people can log in."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from qms.demo import DEMO_PASSWORD, PEOPLE
from qms.models import Action, Membership, OrganisationUnit, User

CORE_MODELS = (OrganisationUnit, User, Membership, Action)


def seed():
    call_command("seed_demo", "--quiet-logins", verbosity=0)


def row_counts(models=None) -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in models or apps.get_models()}


def test_it_creates_units_people_roles_and_actions_and_prints_the_logins(db, capsys):
    call_command("seed_demo")
    assert all(count > 0 for count in row_counts(CORE_MODELS).values()), row_counts(CORE_MODELS)
    assert User.objects.filter(username__in=[username for username, *_rest in PEOPLE]).count() == len(PEOPLE)
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    assert all(username in output for username, *_rest in PEOPLE)


def test_it_creates_nothing_new_when_it_runs_again(db):
    seed()
    core_counts, all_counts = row_counts(CORE_MODELS), row_counts()
    seed()
    assert row_counts(CORE_MODELS) == core_counts
    # Every table, history and the apps' own demo data included.
    assert row_counts() == all_counts


def test_it_refuses_to_run_without_demo_mode(db):
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="DEMO_MODE"):
        seed()
    assert not User.objects.exists()


def test_it_lets_every_demo_person_log_in_with_the_demo_password(db, client):
    seed()
    for username, *_rest in PEOPLE:
        client.logout()
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert (response.status_code, response.url) == (302, "/"), username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


def test_it_does_not_let_a_demo_person_in_with_another_password(db, client):
    seed()
    response = client.post("/login/", {"username": "kwaliteit", "password": "not-the-demo-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
