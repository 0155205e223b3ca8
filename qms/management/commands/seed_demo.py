from importlib import import_module, util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qms.api.urls import DOMAIN_APPS
from qms.demo import DEMO_PASSWORD, demo_logins, seed_core


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run unless DEMO_MODE is on (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo data is only loaded with DEMO_MODE=1 (it has known passwords).")
        context = seed_core()
        for app in DOMAIN_APPS:
            if util.find_spec(f"{app}.demo") is not None:
                import_module(f"{app}.demo").seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if not options["quiet_logins"]:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for username, roles, sees in demo_logins():
                self.stdout.write(f"  {username:<15} {roles:<60} sees: {sees}")
