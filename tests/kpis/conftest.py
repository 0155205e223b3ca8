import datetime

import pytest
from django.utils import timezone

from qms.periods import Frequency, last_due_period, period_containing
from tests.factories.kpis import KpiFactory


def month(back: int = 0) -> str:
    """The month ``back`` months before this one, as ``YYYY-MM``."""
    return str(period_containing(timezone.localdate(), Frequency.MONTHLY).shift(-back))


def quarter(back: int = 0) -> str:
    return str(period_containing(timezone.localdate(), Frequency.QUARTERLY).shift(-back))


def first_day(period: str) -> datetime.date:
    """The first day of a month given as ``YYYY-MM``."""
    return datetime.date(int(period[:4]), int(period[5:7]), 1)


def due_month(today=None) -> str:
    return str(last_due_period(today or timezone.localdate(), Frequency.MONTHLY, 10))


def backdate(kpi, days: int = 400):
    """Pretend the KPI was defined ``days`` ago (the sweep only expects measurements after that)."""
    type(kpi).objects.filter(pk=kpi.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    kpi.refresh_from_db()
    return kpi


def past_action(created: datetime.date, due: datetime.date, completed: datetime.date | None = None, **fields):
    """An action created on ``created`` and due on ``due`` (and done on ``completed``): effect windows
    are held to these dates. Made in the present, then moved back, as the services refuse past dates."""
    from qms.choices import ActionStatus
    from tests.factories import ActionFactory

    action = ActionFactory(**fields)

    def moment(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    changes = {"created_at": moment(created), "due_date": due}
    if completed is not None:
        changes |= {"status": ActionStatus.DONE, "completed_at": moment(completed)}
    type(action).objects.filter(pk=action.pk).update(**changes)
    action.refresh_from_db()
    return action


@pytest.fixture
def csat(cast):
    """A monthly CSAT KPI of organisation A (higher is better: green from 4.2, amber from 3.8), owned
    by the quality officer."""
    return KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, code="CSAT", name="CSAT", actor=cast.qo_a)
