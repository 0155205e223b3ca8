from django.core.management.base import BaseCommand

from incidents.services.nonconformities import capa_figures_recount


class Command(BaseCommand):
    help = (
        "Rebuild the CAPA overview's figures kept per organisation and quarter (checks recorded and effective, "
        "non-conformities closed and their time to close) from the checks and non-conformities themselves. "
        "Idempotent; the services keep them up to date, so this is for rows written around them (a restore, "
        "an import, a repair)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", type=int, action="append", dest="organisations", help="Only this organisation (id)."
        )

    def handle(self, *args, **options):
        rows = capa_figures_recount(organisation_ids=options["organisations"])
        self.stdout.write(f"CAPA figures recounted: {rows} quarter rows")
