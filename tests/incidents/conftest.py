"""Shared fixtures of the incidents tests: a settable clock, Amsterdam times, an incident coordinator of
organisation A and a one-line way to register an incident through the service.

- ``ams(2026, 11, 2, 9, 30)``: an aware Europe/Amsterdam datetime (import it from here).
- ``clock``: ``clock.set(moment)`` fixes ``timezone.now()`` for the services (and auto_now fields).
- ``coordinator``: a person with ``Role.INCIDENT_COORDINATOR`` on organisation A (so the default owner).
- ``register(actor=..., **fields)``: ``incident_create`` with defaults (unit A1, P2, no breach).
"""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from incidents.choices import Impact, Urgency
from qms.choices import Role
from tests.factories import MembershipFactory, UserFactory

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def ams(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=AMSTERDAM)


class Clock:
    def __init__(self, monkeypatch):
        self.now = None
        monkeypatch.setattr(timezone, "now", lambda: self.now if self.now is not None else _real_now())

    def set(self, moment: datetime.datetime) -> datetime.datetime:
        self.now = moment
        return moment


_real_now = timezone.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def coordinator(cast):
    user = UserFactory(username="coordinator_a", email="coordinator@example.org")
    MembershipFactory(user=user, unit=cast.units.org_a, role=Role.INCIDENT_COORDINATOR)
    return user


@pytest.fixture
def register(cast):
    from incidents.services.incidents import incident_create

    def _register(actor=None, **fields):
        values = {
            "unit": cast.units.bu_a1,
            "title": "Mail is down",
            "impact": Impact.LIMITED_GROUP,
            "urgency": Urgency.STOPS,
            "data_breach_suspected": False,
        }
        values.update(fields)
        return incident_create(actor=actor or cast.qo_a, **values)

    return _register
