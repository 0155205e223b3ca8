from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from risks.services.scoring import monthly_run


class Command(BaseCommand):
    help = (
        "The monthly job (same code as the Celery task): close the month for every organisation, compute the "
        "totals and open an investigation for every area whose score dropped. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", help="The month to close (YYYY-MM), one that is over; default: the previous month."
        )

    def handle(self, *args, **options):
        try:
            result = monthly_run(month=options["month"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"closed: {result['closed']} month(s); investigations opened: {result['investigations']}")
