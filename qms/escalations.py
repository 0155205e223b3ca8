"""The daily sweep (``run_escalations``): every app registers what it escalates.

Each sweep takes ``today`` and returns how many records it escalated. A record is escalated for a
reason at most once a day: ``escalation_claim`` inserts an EscalationLog row under a unique
constraint, and only the caller whose insert succeeds notifies anybody.
"""

import datetime
import logging
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.choices import Role

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


@register_sweep("overdue_actions")
def sweep_overdue_actions(*, today: datetime.date) -> int:
    """Escalate each overdue action to its owner, the owner's manager and the unit's quality officers."""
    from qms.models import Action
    from qms.selectors import RoleHolders, action_escalation_recipients
    from qms.services.notifications import notify

    actions = list(
        Action.objects.overdue(today)
        .exclude(pk__in=already_escalated(Action, "overdue", today))
        .select_related("owner__manager", "unit")
    )
    holders = RoleHolders([action.unit for action in actions], [Role.TEAM_LEAD, Role.QUALITY_OFFICER])
    escalated = 0
    for action in actions:
        with transaction.atomic():
            if not escalation_claim(target=action, reason="overdue", day=today):
                continue
            notify(
                recipients=[action.owner, *action_escalation_recipients(action, holders)],
                verb="action_overdue",
                title=_("Overdue action: %(title)s"),
                params={"title": action.title},
                body=_("This action of %(owner)s was due on %(due)s and is not finished."),
                body_params={"owner": action.owner, "due": action.due_date},
                target=action,
            )
        escalated += 1
    return escalated
