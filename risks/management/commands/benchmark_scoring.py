"""Benchmark of the monthly job: N organisations with 24 months of scores, one monthly run timed.

    python manage.py benchmark_scoring --yes [--organisations 1000] [--keep]

Runs against the configured database (SQLite by default, PostgreSQL with DATABASE_URL), under the
production settings: it refuses DEBUG, and asks for --yes before writing (scripts/bench.sh gives it a
throwaway PostgreSQL). The data is
synthetic and made with bulk_create, without history rows, in its own group (deleted afterwards unless
--keep): it measures the job, not the seeding.
"""

import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from qms import benchmark
from qms.choices import Role, UnitKind
from qms.models import Membership, Notification, OrganisationUnit, User
from qms.services.organisation import unit_store_new
from risks.choices import DEFAULT_SCORE_AREAS, MonthStatus, ScoreSource
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea
from risks.services import scoring

GROUP_CODE = "BENCH-SCORE"


class Command(BaseCommand):
    help = "Time one monthly scoring run over many organisations with 24 months of scores."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=1000)
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data afterwards.")
        parser.add_argument("--yes", action="store_true", help="Write to the configured database (DEBUG is off).")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        count = options["organisations"]
        random.seed(42)
        self._cleanup()
        started = time.perf_counter()
        month = self._seed(count)
        seeded = time.perf_counter() - started
        self.stdout.write(f"database: {connection.vendor}; seeded {count} organisations x 24 months in {seeded:.1f} s")

        started = time.perf_counter()
        result = scoring.monthly_run(month=month)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = scoring.monthly_run(month=month)
        second = time.perf_counter() - started
        self.stdout.write(
            f"monthly run {month:%Y-%m}: {first:.2f} s, closed {result['closed']} month(s), "
            f"opened {result['investigations']} investigation(s)"
        )
        self.stdout.write(f"second run (idempotent): {second:.2f} s, {again}")
        if not options["keep"]:
            self._cleanup()

    @transaction.atomic
    def _seed(self, count):
        group = unit_store_new(OrganisationUnit(code=GROUP_CODE, name="Benchmark group", kind=UnitKind.GROUP))
        owner, _ = User.objects.get_or_create(username="benchmark-area-owner")
        Membership.objects.get_or_create(user=owner, unit=group, role=Role.QUALITY_OFFICER)
        organisations = [
            unit_store_new(
                OrganisationUnit(
                    code=f"{GROUP_CODE}-{n}", name=f"Benchmark {n}", kind=UnitKind.ORGANISATION, parent=group
                )
            )
            for n in range(count)
        ]
        areas = ScoreArea.objects.bulk_create(
            ScoreArea(
                organisation=org,
                code=code,
                name=str(name),
                weight=Decimal(weight),
                source=ScoreSource.MANUAL,
                position=position,
            )
            for org in organisations
            for position, (code, name, weight, _source) in enumerate(DEFAULT_SCORE_AREAS)
        )
        areas_by_org = {}
        for area in areas:
            areas_by_org.setdefault(area.organisation_id, []).append(area)
        last = scoring.previous_month(timezone.localdate())
        months = [scoring.month_shift(last, -back) for back in range(23, -1, -1)]
        monthly = MonthlyScore.objects.bulk_create(
            MonthlyScore(
                organisation=org,
                month=month,
                status=MonthStatus.OPEN if month == last else MonthStatus.CLOSED,
            )
            for org in organisations
            for month in months
        )

        # Scores creep up month by month; about 2% of the areas drop in the last month, as in real life.
        def score(row, area):
            base = 60 + (hash((row.organisation_id, area.code)) % 300) / 10 + months.index(row.month) * 0.2
            if row.month == last and random.random() < 0.02:
                base -= 5
            return Decimal(str(round(min(base, 100), 1)))

        AreaScore.objects.bulk_create(
            (
                AreaScore(monthly=row, area=area, score=score(row, area), weight=area.weight)
                for row in monthly
                for area in areas_by_org[row.organisation_id]
            ),
            batch_size=5000,
        )
        return last

    def _cleanup(self):
        # Raw deletes: the synthetic rows have no history, and deleting 150,000 rows one by one (what
        # the history signals would do) would take minutes.
        organisations = OrganisationUnit.objects.filter(code__startswith=GROUP_CODE)
        org_ids = list(organisations.values_list("pk", flat=True))
        with transaction.atomic():
            for queryset in (
                Notification.objects.filter(recipient__username="benchmark-area-owner"),
                Investigation.objects.filter(organisation_id__in=org_ids),
                AreaScore.objects.filter(monthly__organisation_id__in=org_ids),
                MonthlyScore.objects.filter(organisation_id__in=org_ids),
                ScoreArea.objects.filter(organisation_id__in=org_ids),
                Membership.objects.filter(unit_id__in=org_ids),
                OrganisationUnit.objects.filter(pk__in=org_ids).exclude(kind=UnitKind.GROUP),
                OrganisationUnit.objects.filter(pk__in=org_ids),
            ):
                queryset._raw_delete(queryset.db)
