from django.core.management.base import BaseCommand

from incidents.services.incidents import p1_updates_run


class Command(BaseCommand):
    help = (
        "The P1 update watch (same code as the Celery task): on each open P1 whose hourly update (07:00-22:00 "
        "Amsterdam) is overdue, count the missed hour and remind the owner (after two in a row the quality "
        "officers too). Idempotent per hour."
    )

    def handle(self, *args, **options):
        result = p1_updates_run()
        self.stdout.write(f"reminded: {result['reminded']}; escalated: {result['escalated']}")
