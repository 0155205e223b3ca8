"""Celery tasks of the risks app: thin, calling services."""

from celery import shared_task

from risks.services.scoring import monthly_run


@shared_task(name="risks.run_monthly_scoring", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def run_monthly_scoring(month: str | None = None) -> dict[str, int]:
    """Close the month (default: the previous one) and open investigations for drops; idempotent."""
    return monthly_run(month=month)
