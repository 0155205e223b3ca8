"""The cast every test can use: a group with two organisations, a person for every role, an outsider.

group G (group management: ``group_mgmt``)
├── organisation A (administrator, quality officer, board member, viewer)
│   └── business unit A1 (risk owner, auditor)
│       └── team A1a (team lead)
└── organisation B (``member_b``: quality officer)
    └── business unit B1
``outsider``: no role anywhere.
"""

import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from qms.choices import Role, UnitKind
from tests.factories import MembershipFactory, UnitFactory, UserFactory

PASSWORD = "correct-horse-battery"


def pytest_configure(config):
    if os.environ.get("QMS_REQUIRE_SERVICES") == "1" and os.environ.get("QMS_TEST_SERVICES") != "11":
        raise pytest.UsageError("QMS_REQUIRE_SERVICES=1 but PostgreSQL and Redis were not both started")


@pytest.fixture
def row_locks():
    """For the race tests, which need PostgreSQL's row locks (SQLite locks the whole database, so there
    is no race to win): skipped on the SQLite fallback of a local run; where the services are required
    (``.ci/run``), running them on SQLite is a failure instead."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("QMS_REQUIRE_SERVICES") == "1":
            pytest.fail("QMS_REQUIRE_SERVICES=1, yet the race tests run on SQLite")
        pytest.skip("needs PostgreSQL's row locks (scripts/test.sh starts one)")


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttle counters and lockouts live in the cache: no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    # Services speak the active language; tests read their messages in English. Requests still
    # pick their own language in the middleware (Dutch by default).
    with translation.override("en"):
        yield


@pytest.fixture
def units(db):
    group = UnitFactory(name="Group G", kind=UnitKind.GROUP)
    org_a = UnitFactory(name="Organisation A", kind=UnitKind.ORGANISATION, parent=group)
    bu_a1 = UnitFactory(name="Business unit A1", kind=UnitKind.BUSINESS_UNIT, parent=org_a)
    team_a1a = UnitFactory(name="Team A1a", kind=UnitKind.TEAM, parent=bu_a1)
    org_b = UnitFactory(name="Organisation B", kind=UnitKind.ORGANISATION, parent=group)
    bu_b1 = UnitFactory(name="Business unit B1", kind=UnitKind.BUSINESS_UNIT, parent=org_b)
    return SimpleNamespace(group=group, org_a=org_a, bu_a1=bu_a1, team_a1a=team_a1a, org_b=org_b, bu_b1=bu_b1)


def _person(username, *grants):
    user = UserFactory(username=username)
    for role, unit in grants:
        MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def cast(units):
    return SimpleNamespace(
        units=units,
        admin_a=_person("admin_a", (Role.ADMINISTRATOR, units.org_a)),
        qo_a=_person("qo_a", (Role.QUALITY_OFFICER, units.org_a)),
        board_a=_person("board_a", (Role.BOARD_MEMBER, units.org_a)),
        viewer_a=_person("viewer_a", (Role.VIEWER, units.org_a)),
        risk_owner_a=_person("risk_owner_a", (Role.RISK_OWNER, units.bu_a1)),
        auditor_a=_person("auditor_a", (Role.AUDITOR, units.bu_a1)),
        team_lead_a=_person("team_lead_a", (Role.TEAM_LEAD, units.team_a1a)),
        group_mgmt=_person("group_mgmt", (Role.GROUP_MANAGEMENT, units.group)),
        member_b=_person("member_b", (Role.QUALITY_OFFICER, units.org_b)),
        outsider=_person("outsider"),
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True),
    )


@pytest.fixture
def login(client):
    """Log the test client in as a user; returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def as_user(login):
    """Log in as a cast member who reads English, so that messages can be asserted in English (a
    person's language setting wins over the Dutch default)."""
    from qms.models import User

    def _as(user):
        User.objects.filter(pk=user.pk).update(language="en")
        return login(user)

    return _as


@pytest.fixture
def api():
    """An API client authenticated as a user (by force: token auth itself is tested separately), asking
    for English so that messages can be asserted in English (without it the API answers in Dutch)."""

    def _api(user=None):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api


@pytest.fixture
def count_queries():
    """How many queries a GET of ``path`` costs (and that it answers 200): for the tests that pin a
    list's query count for 1 and 50 rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def _count(client, path):
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    return _count


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``force_login`` stands for a whole login: where two-factor login applies to the person (administrators;
    everyone in an organisation that requires it) the session has passed the second step too, as after
    entering a code. Production keeps its rule; the tests of the second step log in through the pages."""
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from qms.models import User
    from qms.services.security import two_factor_applies

    force_login = ClientMixin.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        fresh = User.objects.get(pk=user.pk)  # not the test's own object: it would keep a cached scope
        if two_factor_applies(fresh):
            device = TOTPDevice.objects.filter(user=fresh, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=fresh, name="tests", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login_verified)
