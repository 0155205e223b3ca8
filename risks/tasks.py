"""Celery tasks of the risks app: thin, calling services."""

from celery import shared_task

from risks.services.scoring import monthly_run


# Idempotent (one transaction that claims open months by status: a killed run leaves nothing), so it is
# acknowledged late and given back when its worker dies (docs/operations.md).
@shared_task(
    name="risks.run_monthly_scoring",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=30 * 60,
    time_limit=35 * 60,
)
def run_monthly_scoring(month: str | None = None) -> dict[str, int]:
    """Close the month (default: the previous one) and open investigations for drops; idempotent."""
    return monthly_run(month=month)
