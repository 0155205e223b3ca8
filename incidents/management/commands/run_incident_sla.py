from django.core.management.base import BaseCommand

from incidents.services.incidents import sla_watch


class Command(BaseCommand):
    help = (
        "The SLA watch (same code as the Celery task): warn the owner of each running incident at 75 % of its "
        "restore target and escalate at 100 % to the owner, their manager and the quality officers, once each."
    )

    def handle(self, *args, **options):
        result = sla_watch()
        self.stdout.write(f"warned: {result['warned']}; escalated: {result['escalated']}")
