"""Reads of the changes part: the maintenance window, who decides on a change, the roadmap."""

import datetime
import zoneinfo
from collections import OrderedDict

from django.db.models import Q
from django.utils import timezone

from incidents.choices import (
    DEFAULT_MAINTENANCE_END,
    DEFAULT_MAINTENANCE_START,
    DEFAULT_MAINTENANCE_WEEKDAY,
    ChangeStatus,
)
from incidents.models import Change
from incidents.selectors.incidents import policy_for

# The source's maintenance window is Dutch wall-clock time, whatever the server's zone.
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# A change still on its way; the others are settled.
OPEN_CHANGE_STATUSES = (
    ChangeStatus.SUBMITTED,
    ChangeStatus.ASSESSED,
    ChangeStatus.APPROVED,
    ChangeStatus.PLANNED,
    ChangeStatus.TESTED,
)


def _as_time(value, default: str) -> datetime.time:
    """A policy's time (a TimeField; an unsaved default policy still holds the default as text)."""
    if isinstance(value, datetime.time):
        return value
    return datetime.time.fromisoformat(str(value or default))


class MaintenanceWindow:
    """An organisation's weekly maintenance window (default Thursday 16:00-17:00, Europe/Amsterdam).

    Times are wall-clock in Amsterdam, so the window keeps its hour across the change of clock. A
    window whose end is not after its start runs past midnight into the next day."""

    def __init__(self, weekday: int, start: datetime.time, end: datetime.time):
        self.weekday, self.start, self.end = weekday, start, end

    @classmethod
    def of(cls, organisation) -> "MaintenanceWindow":
        policy = policy_for(organisation)
        weekday = policy.maintenance_weekday if policy.maintenance_weekday is not None else DEFAULT_MAINTENANCE_WEEKDAY
        return cls(
            int(weekday),
            _as_time(policy.maintenance_start, DEFAULT_MAINTENANCE_START),
            _as_time(policy.maintenance_end, DEFAULT_MAINTENANCE_END),
        )

    def occurrence(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """The window that opens on ``day`` (a day of the window's weekday), as aware UTC moments."""
        opens = datetime.datetime.combine(day, self.start, tzinfo=AMSTERDAM)
        closing_day = day if self.end > self.start else day + datetime.timedelta(days=1)
        closes = datetime.datetime.combine(closing_day, self.end, tzinfo=AMSTERDAM)
        return opens.astimezone(datetime.UTC), closes.astimezone(datetime.UTC)

    def contains(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        """True when ``start`` and ``end`` fall within one occurrence of the window (end inclusive)."""
        if start is None or end is None or end <= start:
            return False
        local_start = start.astimezone(AMSTERDAM)
        for day in (local_start.date(), local_start.date() - datetime.timedelta(days=1)):
            if day.weekday() != self.weekday:
                continue
            opens, closes = self.occurrence(day)
            if opens <= start.astimezone(datetime.UTC) and end.astimezone(datetime.UTC) <= closes:
                return True
        return False

    def next_after(self, moment: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.datetime]:
        """The next occurrence that has not opened yet at ``moment`` (default: now)."""
        moment = moment or timezone.now()
        day = moment.astimezone(AMSTERDAM).date()
        for offset in range(0, 15):
            candidate = day + datetime.timedelta(days=offset)
            if candidate.weekday() == self.weekday:
                opens, closes = self.occurrence(candidate)
                if opens > moment:
                    return opens, closes
        raise AssertionError("a weekly window occurs within two weeks")  # pragma: no cover

    def describe(self) -> dict:
        return {"weekday": self.weekday, "start": self.start, "end": self.end}


def in_maintenance_window(organisation, start, end) -> bool:
    return MaintenanceWindow.of(organisation).contains(start, end)


CHANGES = Change.objects.select_related("unit", "organisation", "owner", "requester", "risk")


def changes_for(user):
    """The changes ``user`` sees, with what a list shows of them."""
    return CHANGES.visible_to(user)


def roadmap(queryset, *, year: int) -> dict:
    """The roadmap of ``year``: the changes of ``queryset`` planned in that year by month (Amsterdam
    months, each in the order of their planned start), then those not planned yet. One query.

    Returns ``{"months": [(date(year, m, 1), [changes...]) for m in 1..12], "unplanned": [...],
    "counts": {status: n}}``."""
    first = datetime.datetime(year, 1, 1, tzinfo=AMSTERDAM)
    after = datetime.datetime(year + 1, 1, 1, tzinfo=AMSTERDAM)
    rows = list(
        queryset.filter(Q(planned_start__gte=first, planned_start__lt=after) | Q(planned_start__isnull=True)).order_by(
            "planned_start", "pk"
        )
    )
    months: OrderedDict = OrderedDict((datetime.date(year, month, 1), []) for month in range(1, 13))
    unplanned = []
    counts: dict[str, int] = {}
    for change in rows:
        counts[change.status] = counts.get(change.status, 0) + 1
        if change.planned_start is None:
            unplanned.append(change)
        else:
            local = change.planned_start.astimezone(AMSTERDAM)
            months[datetime.date(year, local.month, 1)].append(change)
    return {"months": list(months.items()), "unplanned": unplanned, "counts": counts, "total": len(rows)}
