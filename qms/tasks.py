"""Celery tasks of the core app: thin wrappers that take ids and call services."""

from celery import shared_task

from qms.escalations import escalations_run
from qms.services.notifications import notifications_send_emails


@shared_task(name="qms.tasks.run_escalations")
def run_escalations() -> dict[str, int]:
    """The daily sweep (beat: CELERY_BEAT_SCHEDULE["daily-escalations"])."""
    return escalations_run()


@shared_task(
    name="qms.tasks.send_notification_emails",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_notification_emails(notification_ids: list[int]) -> int:
    return notifications_send_emails(notification_ids=notification_ids)
