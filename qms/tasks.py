"""Celery tasks of the core app: thin wrappers that take ids and call services.

Every task here is idempotent (escalations are claimed once per record, reason and day; e-mails are
claimed by a conditional update), so each acknowledges late and is given back to the broker when its
worker dies (``acks_late``, ``reject_on_worker_lost``): a worker killed mid-run leaves the task to the
next worker, which does only what is left. Time limits end a hung run; transient errors retry with backoff.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from qms.escalations import escalations_run
from qms.services.notifications import notifications_send_due, notifications_send_emails

# A dropped database connection or a mail server that is away for a moment: worth another try.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


def idempotent_task(name: str, *, minutes: int, retries: int = 5, **options):
    """A task that may run again after its worker died: acknowledged late and given back when the
    worker is lost, stopped after ``minutes`` (softly; for good a sixth later, at least a minute), retried
    with backoff on transient errors. Only for tasks that are idempotent by construction."""
    return shared_task(
        name=name,
        acks_late=True,
        reject_on_worker_lost=True,
        soft_time_limit=minutes * 60,
        time_limit=(minutes + max(1, minutes // 6)) * 60,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=True,
        retry_kwargs={"max_retries": retries},
        **options,
    )


@idempotent_task("qms.tasks.run_escalations", minutes=30)
def run_escalations() -> dict[str, int]:
    """The daily sweep (beat: CELERY_BEAT_SCHEDULE["daily-escalations"])."""
    return escalations_run()


@idempotent_task("qms.tasks.send_notification_emails", minutes=5, ignore_result=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    return notifications_send_emails(notification_ids=notification_ids)


@idempotent_task("qms.tasks.send_due_notification_emails", minutes=5, retries=3)
def send_due_notification_emails() -> int:
    """The e-mail sweep (beat: CELERY_BEAT_SCHEDULE["due-emails"]): what the broker never received."""
    return notifications_send_due()


@idempotent_task("qms.tasks.run_retention", minutes=30, retries=3)
def run_retention() -> dict[str, int]:
    """The retention job (beat: CELERY_BEAT_SCHEDULE["daily-retention"]); each rule changes only what it
    has not changed yet, so a run repeated after a killed worker does the rest and nothing twice."""
    from qms.services.retention import retention_run

    return retention_run().results
