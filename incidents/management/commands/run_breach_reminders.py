from django.core.management.base import BaseCommand

from incidents.services.breaches import breach_reminders_run


class Command(BaseCommand):
    help = (
        "The data-breach reminders (same code as the Celery task): the owner at 24 and 48 hours after discovery, "
        "the quality officers and the board at 60 hours, and when the 72 hours to notify the authority have "
        "passed; each once per breach, so running it again sends nothing twice."
    )

    def handle(self, *args, **options):
        sent = breach_reminders_run()
        self.stdout.write(f"breach reminders sent: {sent}")
