"""Benchmark of the KPI pages: N KPIs with years of monthly measurements, then the latency of the KPI
overview page and of the measurements API, as a logged-in quality officer.

    python manage.py benchmark_kpis [--kpis 500] [--years 10] [--warmups 3] [--requests 40] [--yes]
    python manage.py benchmark_kpis --cleanup [--yes]

A measurement that prints figures, not a test. It measures the production settings: it refuses to run
with DEBUG on, and, since it writes to the configured database (SQLite by default, PostgreSQL with
DATABASE_URL), without --yes (``scripts/bench.sh`` runs it on a throwaway PostgreSQL with both).
Everything it makes lives in its own group and organisation (code BENCH-KPI), never mixed with real
data: a run first removes what an earlier run left, and keeps its data afterwards (to look at, or to
time again by hand) until --cleanup removes it.

Requests go through Django's test Client in-process: no web server and no network, so the figures are
the view, its queries and its template (plus the middleware, with the static files of a deploy: run
collectstatic first, as scripts/bench.sh does), not gunicorn or the browser.
"""

import logging
import math
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from kpis.choices import Direction, KpiCategory
from kpis.models import Kpi, KpiMeasurement
from qms import benchmark
from qms.choices import Role, UnitKind
from qms.models import Membership, OrganisationUnit, User
from qms.periods import Frequency, period_containing
from qms.services.organisation import unit_store_new

GROUP_CODE = "BENCH-KPI"
OFFICER = "benchmark-kpi-officer"
BUSINESS_UNITS = 4


class Command(BaseCommand):
    help = "Time the KPI overview page and the measurements API over many KPIs with years of measurements."

    def add_arguments(self, parser):
        parser.add_argument("--kpis", type=int, default=500, help="How many KPIs to seed (default 500).")
        parser.add_argument("--years", type=int, default=10, help="Years of monthly measurements per KPI.")
        parser.add_argument("--warmups", type=int, default=3, help="Untimed requests before the timed ones.")
        parser.add_argument("--requests", type=int, default=40, help="Timed requests per page.")
        parser.add_argument("--yes", action="store_true", help="Write to the configured database (DEBUG is off).")
        parser.add_argument("--cleanup", action="store_true", help="Only remove the benchmark data, then stop.")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        if options["cleanup"]:
            removed = self._cleanup()
            self.stdout.write(f"benchmark data removed ({removed} KPI(s) and their measurements)")
            return
        if options["kpis"] < 1 or options["years"] < 1 or options["requests"] < 1 or options["warmups"] < 0:
            raise CommandError("--kpis, --years and --requests must be at least 1, --warmups at least 0.")
        self._cleanup()
        started = time.perf_counter()
        officer, kpis, rows = self._seed(options["kpis"], options["years"] * 12)
        benchmark.settle_database()
        seeded = time.perf_counter() - started
        self.stdout.write(
            f"database: {connection.vendor}; DEBUG={settings.DEBUG}; "
            "requests: Django test Client, in-process (no web server, no network)"
        )
        self.stdout.write(
            f"seeded {len(kpis)} KPIs x {options['years'] * 12} monthly measurements ({rows:,} rows) "
            f"in {seeded:.1f} s (bulk insert, no history rows)"
        )
        self.stdout.write(
            f"as quality officer {officer.username}: {options['warmups']} warm-up(s) + "
            f"{options['requests']} timed request(s) per page"
        )
        client = Client(HTTP_HOST=self._host())
        # The login throttle logs every login and logout: not what this command reports on.
        logging.getLogger("axes").setLevel(logging.WARNING)
        client.force_login(officer)
        try:
            for label, path, accept in [
                ("KPI overview page", "/kpis/", "text/html"),
                ("measurements API, first page", "/api/v1/kpi-measurements/?limit=50", "application/json"),
                ("measurements API, one KPI", f"/api/v1/kpi-measurements/?kpi={kpis[0].pk}", "application/json"),
            ]:
                self._time(client, label, path, accept, options["warmups"], options["requests"])
        finally:
            client.logout()
        self.stdout.write(f"benchmark data kept in organisation {GROUP_CODE}-ORG; remove it with --cleanup")

    def _host(self) -> str:
        hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")]
        return hosts[0] if hosts else "localhost"

    def _get(self, client, path, accept):
        response = client.get(path, HTTP_ACCEPT=accept, secure=settings.SECURE_SSL_REDIRECT)
        if response.status_code != 200:
            raise CommandError(f"GET {path} answered {response.status_code}")
        return response

    def _time(self, client, label, path, accept, warmups, requests):
        for _index in range(warmups):
            self._get(client, path, accept)
        # The query count of one more request (counting adds a little time, so it is not a timed one).
        # Counted at the cursor: connection.queries is emptied when a request starts.
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            self._get(client, path, accept)
        timings = []
        for _index in range(requests):
            started = time.perf_counter()
            self._get(client, path, accept)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[max(math.ceil(0.95 * len(timings)) - 1, 0)]
        self.stdout.write(
            f"{label:<30} GET {path:<42} median {statistics.median(timings):7.1f} ms   "
            f"p95 {p95:7.1f} ms   {len(queries)} queries/request"
        )

    @transaction.atomic
    def _seed(self, count: int, months: int):
        random.seed(42)
        group = unit_store_new(OrganisationUnit(code=GROUP_CODE, name="Benchmark KPIs", kind=UnitKind.GROUP))
        organisation = unit_store_new(
            OrganisationUnit(
                code=f"{GROUP_CODE}-ORG", name="Benchmark KPI organisation", kind=UnitKind.ORGANISATION, parent=group
            )
        )
        units = [organisation] + [
            unit_store_new(
                OrganisationUnit(
                    code=f"{GROUP_CODE}-BU{n}",
                    name=f"Benchmark business unit {n}",
                    kind=UnitKind.BUSINESS_UNIT,
                    parent=organisation,
                )
            )
            for n in range(1, BUSINESS_UNITS + 1)
        ]
        officer, _created = User.objects.get_or_create(username=OFFICER, defaults={"is_active": True})
        if officer.has_usable_password():
            officer.set_unusable_password()  # only ever logged in by this command
            officer.save(update_fields=["password"])
        Membership.objects.get_or_create(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
        # The KPIs and their measurements are bulk-inserted: fast, and without history rows, which a
        # benchmark of reads does not need (real KPIs and measurements are written through the
        # services, with their history).
        categories = list(KpiCategory.values)
        kpis = Kpi.objects.bulk_create(
            Kpi(
                organisation=organisation,
                org_unit=units[n % len(units)],
                owner=officer,
                code=f"B{n:04d}",
                name=f"Benchmark KPI {n}",
                category=categories[n % len(categories)],
                measure_unit="%",
                frequency=Frequency.MONTHLY,
                **(
                    {"direction": Direction.HIGHER_IS_BETTER, "target": 95, "good_threshold": 90}
                    if n % 2 == 0
                    else {"direction": Direction.LOWER_IS_BETTER, "target": 5, "good_threshold": 10}
                ),
                acceptable_threshold=80 if n % 2 == 0 else 20,
            )
            for n in range(count)
        )
        last = period_containing(timezone.localdate(), Frequency.MONTHLY).shift(-1)
        periods = [last.shift(-back) for back in range(months - 1, -1, -1)]

        def measurements():
            for kpi in kpis:
                for period in periods:
                    value = Decimal(f"{random.uniform(0, 100):.2f}")
                    yield KpiMeasurement(
                        kpi=kpi,
                        period=str(period),
                        period_start=period.start,
                        value=value,
                        status=kpi.status_for(value),
                    )

        KpiMeasurement.objects.bulk_create(measurements(), batch_size=5000)
        return officer, kpis, len(kpis) * len(periods)

    def _cleanup(self) -> int:
        # Raw deletes: the bulk-inserted rows have no history, and deleting 60,000 measurements one by
        # one (what the history signals would do) would take minutes.
        unit_ids = list(OrganisationUnit.objects.filter(code__startswith=GROUP_CODE).values_list("pk", flat=True))
        if not unit_ids:
            return 0
        kpi_ids = list(Kpi.objects.filter(organisation_id__in=unit_ids).values_list("pk", flat=True))
        membership_ids = list(Membership.objects.filter(unit_id__in=unit_ids).values_list("pk", flat=True))
        with transaction.atomic():
            for queryset in (
                KpiMeasurement.objects.filter(kpi_id__in=kpi_ids),
                KpiMeasurement.history.filter(kpi_id__in=kpi_ids),
                Kpi.objects.filter(pk__in=kpi_ids),
                Kpi.history.filter(id__in=kpi_ids),
                Membership.objects.filter(pk__in=membership_ids),
                Membership.history.filter(id__in=membership_ids),
                # Children before their parents: the units refer to the one above them.
                OrganisationUnit.objects.filter(pk__in=unit_ids, kind=UnitKind.BUSINESS_UNIT),
                OrganisationUnit.objects.filter(pk__in=unit_ids, kind=UnitKind.ORGANISATION),
                OrganisationUnit.objects.filter(pk__in=unit_ids),
                OrganisationUnit.history.filter(id__in=unit_ids),
            ):
                queryset._raw_delete(queryset.db)
        return len(kpi_ids)
