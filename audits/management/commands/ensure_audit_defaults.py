from django.core.management.base import BaseCommand

from audits.services.model import model_defaults_for_new_organisation
from qms.choices import UnitKind
from qms.models import OrganisationUnit


class Command(BaseCommand):
    help = (
        "Give every organisation the default maturity model (five levels, nine principles with their "
        "controls and questions, a first cycle) where it is missing. New organisations get it when they are "
        "created; this is for organisations that existed before the audits app. Idempotent: adds only what "
        "is missing and changes nothing an organisation set itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", type=int, action="append", dest="organisations", help="Only this organisation (id)."
        )

    def handle(self, *args, **options):
        organisations = OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION).order_by("pk")
        if options["organisations"]:
            organisations = organisations.filter(pk__in=options["organisations"])
        count = 0
        for organisation in organisations:
            model_defaults_for_new_organisation(organisation=organisation)
            count += 1
        self.stdout.write(f"Audit defaults in place for {count} organisation(s)")
