from django.core.management.base import BaseCommand

from qms.services.retention import registered_retention_rules, retention_days, retention_run


class Command(BaseCommand):
    help = (
        "The retention job (same code as the Celery task): delete or anonymise every kind of record that "
        "has outlived its period (RETENTION_DAYS), history rows included, and record the run. Idempotent."
    )

    def handle(self, *args, **options):
        run = retention_run()
        for name in registered_retention_rules():
            days = retention_days(name)
            if name in run.results:
                self.stdout.write(f"{name}: {run.results[name]} record(s) older than {days} days")
            else:
                self.stdout.write(f"{name}: kept (no period)")
