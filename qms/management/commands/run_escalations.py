import datetime

from django.core.management.base import BaseCommand, CommandError

from qms.escalations import escalations_run


class Command(BaseCommand):
    help = (
        "The daily sweep (same code as the Celery task): escalate overdue actions, reviews, approvals and "
        "measurements. Idempotent: a record is escalated at most once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        results = escalations_run(today=today)
        for name, count in results.items():
            self.stdout.write(f"{name}: {count} escalated")
