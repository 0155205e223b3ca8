"""Retention (SPEC 8): what the system keeps, for how long, and the daily job that lets the rest go.

Each rule has a name, a period in days (``settings.RETENTION_DAYS``, overridable from the environment;
0 keeps that kind of record for ever) and a function ``rule(*, cutoff) -> int`` that deletes or
anonymises what is older than ``cutoff`` and returns how many records it changed. The core's rules are
below; an app registers its own in its ``AppConfig.ready`` (``register_retention_rule``) and uses
``records_delete`` / ``records_anonymise``, which treat the records' history rows
(django-simple-history) the same way as the records. A rule changes only what it has not changed yet,
so a second run on the same day changes nothing; every run is recorded as a ``RetentionRun``.
"""

import datetime
import logging
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qms.models import ApiToken, Notification, RetentionRun, SecurityEvent

logger = logging.getLogger(__name__)

Rule = Callable[..., int]
_RULES: dict[str, Rule] = {}
BATCH = 500


def register_retention_rule(name: str):
    """Register ``rule(*, cutoff: datetime) -> int`` under ``name`` (its period: ``RETENTION_DAYS[name]``)."""

    def decorator(func: Rule) -> Rule:
        _RULES[name] = func
        return func

    return decorator


def registered_retention_rules() -> dict[str, Rule]:
    return dict(_RULES)


def retention_days(name: str) -> int:
    """The period of rule ``name`` in days; 0 (or a rule without a period) keeps everything."""
    return int(settings.RETENTION_DAYS.get(name) or 0)


def _history_model(model):
    """The historical model of ``model`` (django-simple-history), or None."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def _batches(ids: list, size: int = BATCH):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def records_delete(queryset) -> int:
    """Delete the records of ``queryset`` and every history row of them (deleting writes one more, which
    goes too): a deleted record leaves no copy behind in its history. Returns how many records went."""
    model = queryset.model
    history = _history_model(model)
    ids = list(queryset.order_by().values_list("pk", flat=True))
    for batch in _batches(ids):
        model._default_manager.filter(pk__in=batch).delete()
        if history is not None:
            history._default_manager.filter(**{f"{model._meta.pk.attname}__in": batch}).delete()
    return len(ids)


def records_anonymise(queryset, **values) -> int:
    """Overwrite fields of the records of ``queryset`` and of all their history rows with ``values``
    (a comment emptied, a name replaced), without a new history row. ``queryset`` must leave out what is
    anonymised already, so that a second run counts nothing. Returns how many records changed."""
    model = queryset.model
    history = _history_model(model)
    ids = list(queryset.order_by().values_list("pk", flat=True))
    for batch in _batches(ids):
        model._default_manager.filter(pk__in=batch).update(**values)
        if history is not None:
            history._default_manager.filter(**{f"{model._meta.pk.attname}__in": batch}).update(**values)
    return len(ids)


# --- the core's rules -------------------------------------------------------------------------------


@register_retention_rule("security_events")
def security_events_expire(*, cutoff: datetime.datetime) -> int:
    return records_delete(SecurityEvent.objects.filter(created_at__lt=cutoff))


@register_retention_rule("notifications")
def notifications_expire(*, cutoff: datetime.datetime) -> int:
    return records_delete(Notification.objects.filter(created_at__lt=cutoff))


@register_retention_rule("expired_api_tokens")
def api_tokens_expire(*, cutoff: datetime.datetime) -> int:
    """Tokens that stopped working before ``cutoff``: nothing can use them, only who had them is left."""
    return records_delete(ApiToken.objects.filter(expires_at__lt=cutoff))


@register_retention_rule("login_records")
def login_records_expire(*, cutoff: datetime.datetime) -> int:
    """django-axes' own records of logins and failed attempts (user names, addresses, browsers)."""
    if not apps.is_installed("axes"):
        return 0
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return sum(
        records_delete(model.objects.filter(attempt_time__lt=cutoff))
        for model in (AccessLog, AccessFailureLog, AccessAttempt)
    )


@register_retention_rule("email_files")
def email_files_expire(*, cutoff: datetime.datetime) -> int:
    """The messages the file e-mail backend (the embedded default) wrote under ``EMAIL_FILE_PATH``."""
    if "filebased" not in settings.EMAIL_BACKEND and not settings.EMAIL_BACKEND.startswith("qms.mail"):
        return 0
    directory = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not str(directory) or not directory.is_dir():
        return 0
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def retention_run(*, now: datetime.datetime | None = None) -> RetentionRun:
    """Apply every rule with a period (each in its own transaction) and record what each changed."""
    now = now or timezone.now()
    run = RetentionRun.objects.create()
    results = {}
    for name, rule in _RULES.items():
        days = retention_days(name)
        if days <= 0:
            continue
        with transaction.atomic():
            results[name] = rule(cutoff=now - datetime.timedelta(days=days))
        logger.info("retention rule %s (%s days) changed %s record(s)", name, days, results[name])
    run.results = results
    run.total = sum(results.values())
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "total", "finished_at"])
    return run
