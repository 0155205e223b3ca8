"""Benchmark of the maturity report at the scale of issue 13 item 11: an organisation with 100 units x 9
principles x 3 assessors x 10 years of audits, against one with the same units and only the last year,
seeded in the same run and measured in the same process and database.

    python manage.py benchmark_audits --yes [--units 100] [--years 10] [--assessors 3] [--principles 9]
        [--warmups 3] [--requests 20] [--keep]

Each organisation gets its principles and levels, ``--units`` business units and a pool of auditors
(from two assessing units of its own); every unit an audit a year, final, on every principle, with each
assessor's score (1-5, a rationale), the calibrated score at their median, two findings and a good
example with themes from a list of twelve (so the common threads have work), and an auditee's mark.
Rows written by ``bulk_create`` without history rows: it measures reading, not seeding.

Then for the last year of each organisation: the selectors behind the maturity report in-process (best
and median of ``--requests``), and the page itself through Django's test client as the organisation's
quality officer (no web server: the view, its queries and its template, with the production settings'
middleware), with the query count of each. It prints the ratios ten years / one year (issue 13's
target: the page within 2x) and whether the query counts are equal (they must be: a constant number of
queries whatever the number of years). It prints; it asserts nothing. The data is removed afterwards
unless --keep (and always before a run).
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
from django.urls import reverse
from django.utils import timezone

from audits.choices import FindingKind
from audits.models import (
    Audit,
    AuditAssessor,
    AuditCalibration,
    AuditEvaluation,
    AuditScore,
    Finding,
    MaturityLevel,
    Principle,
    Theme,
)
from audits.selectors.reports import (
    common_threads,
    evaluation_average,
    good_examples,
    maturity_by_principle,
    maturity_over_years,
    unit_over_years,
)
from qms import benchmark
from qms.choices import Role, UnitKind
from qms.models import Membership, OrganisationUnit, User
from qms.services.organisation import unit_store_new

CODE = "BENCH-AUDIT"
PEOPLE = "benchmark-audit"
TARGET = 2.0  # issue 13: the report over ten years within 2x of the report over one
THEMES = [
    "Effectmeting",
    "Samenwerking in de keten",
    "Klantbeeld",
    "Sturingsinformatie",
    "Eigenaarschap",
    "Procesbeschrijvingen",
    "Opleiding en ontwikkeling",
    "Leveranciersafspraken",
    "Risicomanagement",
    "Verbetercultuur",
    "Rolverdeling",
    "Documentbeheer",
]
LEVELS = [(1, "Ad hoc"), (2, "Initieel"), (3, "Reproduceren"), (4, "Sturen"), (5, "Optimaliseren")]
BATCH = 5_000


class Command(BaseCommand):
    help = "Seed audits of 100 units over 10 years and over 1 year and compare their maturity reports."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=100, help="Audited units per organisation.")
        parser.add_argument("--years", type=int, default=10, help="Years of audits of the large organisation.")
        parser.add_argument("--assessors", type=int, default=3, help="Assessors per audit.")
        parser.add_argument("--principles", type=int, default=9, help="Principles assessed per audit.")
        parser.add_argument("--warmups", type=int, default=3, help="Untimed runs before the timed ones.")
        parser.add_argument("--requests", type=int, default=20, help="Timed runs of each measurement.")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data afterwards.")
        parser.add_argument("--yes", action="store_true", help="Write to the configured database (DEBUG is off).")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        for name in ("units", "years", "assessors", "principles", "requests"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["assessors"] < 2:
            raise CommandError("--assessors must be at least 2 (an audit has two or more).")
        self.rng = random.Random(42)
        self.year = timezone.localdate().year - 1
        self.cleanup()
        sides = []
        try:
            for label, years in (("one year", 1), (f"{options['years']} years", options["years"])):
                started = time.perf_counter()
                side = self.seed(label, years, options)
                sides.append(side)
                self.stdout.write(
                    f"seeded {label}: {options['units']} units x {options['principles']} principles x "
                    f"{options['assessors']} assessors x {years} year(s): {side['audits']:,} audits, "
                    f"{side['scores']:,} scores, {side['calibrations']:,} calibrated scores, "
                    f"{side['findings']:,} findings in {time.perf_counter() - started:.1f} s (bulk insert, no history)"
                )
            started = time.perf_counter()
            benchmark.settle_database()
            self.stdout.write(
                f"database: {connection.vendor}; DEBUG={settings.DEBUG}; "
                f"ANALYZE in {time.perf_counter() - started:.1f} s"
            )
            if connection.vendor != "postgresql":
                self.stdout.write(self.style.WARNING("Not PostgreSQL: the figures are not the ones to record."))
            self.stdout.write(
                f"the report of {self.year}; {options['warmups']} warm-up(s) + {options['requests']} timed run(s) "
                "each; pages through Django's test client, in-process (no web server, no network)"
            )
            results = [self.measure(side, options) for side in sides]
            self.report(results)
        finally:
            if not options["keep"]:
                self.cleanup()
            else:
                self.stdout.write(f"benchmark data kept (units {CODE}-*); the next run removes it")

    # --- measuring ---------------------------------------------------------------------------------

    def measure(self, side, options) -> dict:
        organisation, year = side["organisation"], self.year
        of_year = {"organisation": organisation, "year": year}
        parts = {
            "maturity_by_principle": lambda: maturity_by_principle(**of_year),
            "common_threads": lambda: common_threads(**of_year),
            "good_examples": lambda: good_examples(**of_year),
            "maturity_over_years": lambda: maturity_over_years(organisation=organisation),
            "unit_over_years": lambda: unit_over_years(organisation=organisation, years=side["years"]),
            "evaluation_average": lambda: evaluation_average(audits=Audit.objects.filter(**of_year)),
        }

        def selectors():
            for part in parts.values():
                part()

        client = Client(HTTP_HOST=self.host())
        # The login throttle logs every forced login, the request log every request: not what this reports.
        logging.getLogger("axes").setLevel(logging.WARNING)
        logging.getLogger("qms.request").setLevel(logging.WARNING)
        client.force_login(side["officer"])
        path = reverse("audits:maturity_report") + f"?organisation={organisation.pk}&year={year}"

        def page():
            response = client.get(path, secure=settings.SECURE_SSL_REDIRECT)
            if response.status_code != 200:
                raise CommandError(f"GET {path} answered {response.status_code}")
            return response

        result = {"label": side["label"], "figures": {}}
        for name, run in [*parts.items(), ("selectors", selectors), ("maturity report page", page)]:
            for _ in range(options["warmups"]):
                run()
            queries = []

            def counted(execute, sql, *args, queries=queries):
                queries.append(sql)
                return execute(sql, *args)

            # Counted at the cursor (connection.queries is emptied when a request starts, and off without DEBUG).
            with connection.execute_wrapper(counted):
                run()
            timings = []
            for _ in range(options["requests"]):
                began = time.perf_counter()
                run()
                timings.append((time.perf_counter() - began) * 1000)
            timings.sort()
            result["figures"][name] = {
                "median": statistics.median(timings),
                "best": timings[0],
                "p95": timings[max(math.ceil(0.95 * len(timings)) - 1, 0)],
                "queries": len(queries),
            }
        result["size"] = len(page().content)
        client.logout()
        return result

    def report(self, results):
        self.stdout.write(f"{'measurement':<42} {'median ms':>10} {'best ms':>9} {'p95 ms':>9} {'queries':>8}")
        for result in results:
            for name, figures in result["figures"].items():
                self.stdout.write(
                    f"{name + ', ' + result['label']:<42} {figures['median']:>10.1f} {figures['best']:>9.1f} "
                    f"{figures['p95']:>9.1f} {figures['queries']:>8}"
                )
        one, many = results
        self.stdout.write(
            f"page size: {one['size']:,} bytes ({one['label']}), {many['size']:,} bytes ({many['label']})"
        )
        for name, figures in many["figures"].items():
            small = one["figures"][name]
            ratio = figures["median"] / small["median"] if small["median"] else float("nan")
            target = f"  (target <= {TARGET}x)" if name == "maturity report page" else ""
            equal = "equal" if figures["queries"] == small["queries"] else "NOT EQUAL"
            self.stdout.write(
                f"  ratio {many['label']} / {one['label']}, {name}: {ratio:.2f}x{target}; "
                f"queries {figures['queries']} / {small['queries']} ({equal})"
            )

    def host(self) -> str:
        hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")]
        return hosts[0] if hosts else "localhost"

    # --- seeding -----------------------------------------------------------------------------------

    @transaction.atomic
    def seed(self, label, years, options) -> dict:
        rng, now = self.rng, timezone.now()
        code = f"{CODE}-{years}Y"
        group = unit_store_new(
            OrganisationUnit(code=code, name=f"Benchmark audits group ({label})", kind=UnitKind.GROUP)
        )
        organisation = unit_store_new(
            OrganisationUnit(
                code=f"{code}-ORG", name=f"Benchmark audits ({label})", kind=UnitKind.ORGANISATION, parent=group
            )
        )
        units = [
            unit_store_new(
                OrganisationUnit(
                    code=f"{code}-BU{n}", name=f"Unit {n:03d}", kind=UnitKind.BUSINESS_UNIT, parent=organisation
                )
            )
            for n in range(options["units"])
        ]
        homes = [
            unit_store_new(
                OrganisationUnit(
                    code=f"{code}-AUDIT{n}", name=f"Audit office {n}", kind=UnitKind.BUSINESS_UNIT, parent=organisation
                )
            )
            for n in range(2)
        ]
        officer = User.objects.create(username=f"{PEOPLE}-{years}y-officer", first_name="Benchmark")
        officer.set_unusable_password()  # only ever logged in by this command
        officer.save(update_fields=["password"])
        Membership.objects.create(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
        pool = User.objects.bulk_create(
            User(username=f"{PEOPLE}-{years}y-auditor-{n}", first_name="Auditor", last_name=str(n), password="!")  # noqa: S106
            for n in range(max(options["assessors"] * 4, 6))
        )
        Membership.objects.bulk_create(
            Membership(user=person, unit=homes[n % 2], role=Role.AUDITOR) for n, person in enumerate(pool)
        )
        MaturityLevel.objects.bulk_create(
            MaturityLevel(organisation=organisation, level=level, name=name) for level, name in LEVELS
        )
        principles = Principle.objects.bulk_create(
            Principle(
                organisation=organisation, code=f"p{n}", name=f"Principe {n}", name_en=f"Principle {n}", position=n
            )
            for n in range(1, options["principles"] + 1)
        )
        themes = Theme.objects.bulk_create(Theme(organisation=organisation, name=name) for name in THEMES)
        audits = Audit.objects.bulk_create(
            Audit(
                organisation=organisation,
                unit=unit,
                year=year,
                lead_assessor=pool[(index + year) % len(pool)],
                status="final",
                status_changed_at=now,
                created_by=officer,
            )
            for year in range(self.year - years + 1, self.year + 1)
            for index, unit in enumerate(units)
        )
        links, principle_links, scores, calibrations, findings, evaluations = [], [], [], [], [], []
        through = Audit.principles.through
        for audit in audits:
            start = pool.index(audit.lead_assessor)
            assessors = [pool[(start + k) % len(pool)] for k in range(options["assessors"])]
            links += [AuditAssessor(audit=audit, user=person) for person in assessors]
            # A unit's maturity drifts a little over the years around its own base.
            base = 1 + (audit.unit_id * 7 + audit.year) % 4
            for principle in principles:
                principle_links.append(through(audit_id=audit.pk, principle_id=principle.pk))
                given = [min(5, max(1, base + rng.choice((-1, 0, 0, 1)))) for _ in assessors]
                scores += [
                    AuditScore(audit=audit, principle=principle, assessor=person, score=score, rationale="Benchmark.")
                    for person, score in zip(assessors, given, strict=True)
                ]
                median = Decimal(statistics.median(given))
                calibrated = int(median.to_integral_value())
                calibrations.append(
                    AuditCalibration(
                        audit=audit,
                        principle=principle,
                        score=calibrated,
                        median=median,
                        reason="" if calibrated == median else "Benchmark: the team settled on the lower score.",
                        calibrated_by=audit.lead_assessor,
                        calibrated_at=now,
                    )
                )
            for kind in (FindingKind.FINDING, FindingKind.RECOMMENDATION, FindingKind.GOOD_EXAMPLE):
                findings.append(
                    Finding(
                        audit=audit,
                        kind=kind,
                        principle=rng.choice(principles),
                        theme=rng.choice(themes),
                        title=f"Benchmark {kind} of {audit.unit_id} in {audit.year}",
                        text="Synthetic text for the benchmark.",
                        created_by=audit.lead_assessor,
                    )
                )
            evaluations.append(AuditEvaluation(audit=audit, evaluator=officer, mark=rng.randint(5, 9)))
        for model, rows in (
            (AuditAssessor, links),
            (through, principle_links),
            (AuditScore, scores),
            (AuditCalibration, calibrations),
            (Finding, findings),
            (AuditEvaluation, evaluations),
        ):
            model.objects.bulk_create(rows, batch_size=BATCH)
        return {
            "label": label,
            "years": list(range(self.year - years + 1, self.year + 1)),
            "organisation": organisation,
            "officer": officer,
            "audits": len(audits),
            "scores": len(scores),
            "calibrations": len(calibrations),
            "findings": len(findings),
        }

    def cleanup(self):
        # Raw deletes: the bulk-inserted rows have no history, and deleting them one by one (what the
        # history signals and the cascades would do) would take minutes.
        unit_ids = list(OrganisationUnit.objects.filter(code__startswith=CODE).values_list("pk", flat=True))
        user_ids = list(User.objects.filter(username__startswith=PEOPLE).values_list("pk", flat=True))
        if not unit_ids and not user_ids:
            return
        with transaction.atomic():
            audit_ids = Audit.objects.filter(organisation_id__in=unit_ids).values("pk")
            membership_ids = list(Membership.objects.filter(user_id__in=user_ids).values_list("pk", flat=True))
            for queryset in (
                AuditEvaluation.objects.filter(audit_id__in=audit_ids),
                Finding.objects.filter(audit_id__in=audit_ids),
                AuditCalibration.objects.filter(audit_id__in=audit_ids),
                AuditScore.objects.filter(audit_id__in=audit_ids),
                AuditAssessor.objects.filter(audit_id__in=audit_ids),
                Audit.principles.through.objects.filter(audit_id__in=audit_ids),
                Audit.objects.filter(organisation_id__in=unit_ids),
                Theme.objects.filter(organisation_id__in=unit_ids),
                Principle.objects.filter(organisation_id__in=unit_ids),
                MaturityLevel.objects.filter(organisation_id__in=unit_ids),
                Membership.objects.filter(pk__in=membership_ids),
                Membership.history.filter(id__in=membership_ids),
            ):
                queryset._raw_delete(queryset.db)
            for kind in (UnitKind.BUSINESS_UNIT, UnitKind.ORGANISATION, UnitKind.GROUP):  # children first
                queryset = OrganisationUnit.objects.filter(pk__in=unit_ids, kind=kind)
                queryset._raw_delete(queryset.db)
            queryset = OrganisationUnit.history.filter(id__in=unit_ids)
            queryset._raw_delete(queryset.db)
            User.objects.filter(pk__in=user_ids).delete()
