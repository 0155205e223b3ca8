"""Celery tasks of the risks app: thin, calling services."""

from qms.tasks import idempotent_task
from risks.services.scoring import monthly_run


# Idempotent (one transaction that claims open months by status: a killed run leaves nothing), so it is
# acknowledged late and given back when its worker dies (docs/operations.md).
@idempotent_task("risks.run_monthly_scoring", minutes=30)
def run_monthly_scoring(month: str | None = None) -> dict[str, int]:
    """Close the month (default: the previous one) and open investigations for drops; idempotent."""
    return monthly_run(month=month)
