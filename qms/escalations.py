"""The daily sweep (``run_escalations``): the registry of sweeps and the once-a-day claim.

Each sweep lives with its domain and registers in its app's ``AppConfig.ready`` (the list is in
docs/architecture.md). A sweep takes ``today`` and returns how many records it escalated. A record is
escalated for a reason at most once a day: ``escalation_claim`` inserts an EscalationLog row under a
unique constraint, and only the caller whose insert succeeds notifies anybody. ``escalate`` is that
claim-and-notify loop, written once for every sweep.
"""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

Sweep = Callable[..., int]
_SWEEPS: dict[str, Sweep] = {}


def register_sweep(name: str):
    def decorator(func: Sweep) -> Sweep:
        _SWEEPS[name] = func
        return func

    return decorator


def registered_sweeps() -> dict[str, Sweep]:
    return dict(_SWEEPS)


def escalation_claim(*, target, reason: str, day: datetime.date) -> bool:
    """Claim the escalation of ``target`` for ``reason`` on ``day``; False if it was claimed already."""
    from qms.models import EscalationLog

    try:
        with transaction.atomic():
            EscalationLog.objects.create(
                target_content_type=ContentType.objects.get_for_model(target),
                target_object_id=target.pk,
                reason=reason,
                day=day,
            )
    except IntegrityError:
        return False
    return True


def already_escalated(model, reason: str, day: datetime.date):
    """The ids of ``model`` rows escalated for ``reason`` on ``day`` (a subquery)."""
    from qms.models import EscalationLog

    return EscalationLog.objects.filter(
        target_content_type=ContentType.objects.get_for_model(model), reason=reason, day=day
    ).values("target_object_id")


def escalations_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Run every registered sweep for ``today`` (default: today in the configured time zone)."""
    today = today or timezone.localdate()
    results = {}
    for name, sweep in _SWEEPS.items():
        results[name] = sweep(today=today)
        logger.info("escalation sweep %s escalated %s record(s) on %s", name, results[name], today)
    return results


def escalate(
    records,
    *,
    reason: str,
    day: datetime.date,
    notice: Callable[[Any, Any], dict],
    prepare: Callable[[list], Any] | None = None,
) -> int:
    """Escalate each record of the queryset ``records`` not yet escalated for ``reason`` on ``day``.

    ``prepare(pending)`` runs once on the records to escalate and returns what ``notice`` needs for all
    of them (the role holders of their units, in one query); ``notice(record, prepared)`` returns the
    keyword arguments of ``notify`` for one record. Each record is claimed and notified in its own
    transaction, so a concurrent or second run notifies nobody twice. Returns how many were escalated.
    """
    from qms.services.notifications import notify

    pending = list(records.exclude(pk__in=already_escalated(records.model, reason, day)))
    prepared = prepare(pending) if prepare is not None else None
    escalated = 0
    for record in pending:
        with transaction.atomic():
            if not escalation_claim(target=record, reason=reason, day=day):
                continue
            notify(target=record, **notice(record, prepared))
        escalated += 1
    return escalated
