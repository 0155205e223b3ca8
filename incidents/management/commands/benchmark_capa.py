"""Benchmark of non-conformities and CAPA at the scale of issue 12 item 9: the CAPA overview of an
organisation with 100,000 non-conformities against that of one with 1,000, seeded in the same run and
measured through the same server and database.

    python manage.py benchmark_capa --yes [--small 1000] [--large 100000] [--workers 3] [--requests 40]
        [--keep]

Seeds two organisations with 50 units each (10 business units of 4 teams), one with ``--small`` and one
with ``--large`` non-conformities over the last two years: kinds, sources and severities with plausible
weights, cause categories from the default catalogue; minor ones and observations mostly closed after
their correction, major ones (and a few promoted minor ones) formal CAPAs through the stages, the older
ones mostly closed (``closed_at``), the recent ones spread over the open stages. Each CAPA past its
analysis has two core actions per round (``qms.models.Action``, source the non-conformity, kinds
corrective and preventive; done once implemented, some open past their due date), and its
effectiveness checks: effective for the closed ones, pending (some past their date) at the check stage,
not or partly effective for those sent back to a second round, so the effectiveness rate has data in
every quarter of the two years. Rows written without history rows, by ``COPY`` on PostgreSQL (elsewhere
by ``executemany`` in batches, since ``bulk_create`` would overwrite the seeded ``created_at`` with now),
then the overview's figures kept per quarter recounted from them (``capa_figures_recount``): it measures
reading, not seeding.

Then, in-process, the ``capa_overview`` selector for each organisation; and through a real gunicorn with
the production settings (``qms.benchmark``), for the quality officer of each organisation: the
non-conformity list page, the CAPA overview page (``?organisation=<id>``) and
``GET /api/v1/nonconformities/?limit=50``, with the ratio large / small per page (issue 12's target:
the overview at 100,000 within 2x of the overview at 1,000). It prints; it asserts nothing. The data is
removed afterwards unless --keep.
"""

import datetime
import random
import statistics
import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.choices import DEFAULT_CAUSE_CATEGORIES, AnalysisMethod, NcKind, NcSource, NcStatus, Severity, Verdict
from incidents.management.commands.benchmark_incidents import LineStream
from incidents.models import CapaProposal, CapaQuarter, CauseCategory, EffectivenessCheck, NonConformity
from incidents.selectors.nonconformities import capa_overview
from incidents.services.nonconformities import capa_figures_recount
from qms import benchmark
from qms.choices import ActionKind, ActionStatus, Role
from qms.models import Action, ApiToken, Membership, Notification, OrganisationUnit, User
from qms.services.security import token_create

CODE = "BENCH-CAPA"
OFFICER = "benchmark-capa-officer"
PASSWORD = "benchmark-" + "x" * 20  # noqa: S105 (a throwaway user, deleted afterwards)
BUSINESS_UNITS = 10
TEAMS_PER_UNIT = 4  # 10 business units + 40 teams = 50 units
DAYS = 2 * 365  # the non-conformities are registered over the last two years
BATCH = 10_000
SEVERITIES = [(Severity.OBSERVATION, 20), (Severity.MINOR, 55), (Severity.MAJOR, 25)]
KINDS = [(NcKind.DEVIATION, 50), (NcKind.ERROR, 35), (NcKind.SUGGESTION, 15)]
SOURCES = [
    (NcSource.INTERNAL, 30),
    (NcSource.INCIDENT, 20),
    (NcSource.AUDIT, 15),
    (NcSource.FEEDBACK, 12),
    (NcSource.COMPLAINT, 10),
    (NcSource.PROBLEM, 8),
    (NcSource.MANAGEMENT_REVIEW, 5),
]
PROMOTED_SHARE = 0.05  # minor ones the quality officer promotes to a CAPA
# The stages of a recent CAPA (under half a year old); older ones are mostly closed.
RECENT_CAPA_STAGES = [
    (NcStatus.REGISTERED, 8),
    (NcStatus.ANALYSIS, 17),
    (NcStatus.ACTION_PLAN, 20),
    (NcStatus.IMPLEMENTATION, 25),
    (NcStatus.EFFECTIVENESS_CHECK, 15),
    (NcStatus.CLOSED, 15),
]
PLANNED = (NcStatus.ACTION_PLAN, NcStatus.IMPLEMENTATION, NcStatus.EFFECTIVENESS_CHECK, NcStatus.CLOSED)
ANALYSED = (NcStatus.ANALYSIS, *PLANNED)
TARGET = 2.0  # issue 12: the overview at the large count within 2x of the overview at the small one


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


class Command(BaseCommand):
    help = "Seed 1,000 and 100,000 non-conformities in two organisations and compare their pages."

    def add_arguments(self, parser):
        parser.add_argument("--small", type=int, default=1_000, help="Non-conformities of the small organisation.")
        parser.add_argument("--large", type=int, default=100_000, help="Non-conformities of the large organisation.")
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument(
            "--requests", type=int, default=benchmark.REQUESTS_PER_RUN, help="Sequential requests per run (3 runs)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data afterwards.")
        parser.add_argument("--yes", action="store_true", help="Write to the configured database (DEBUG is off).")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        self.rng = random.Random(42)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.cleanup()
        sides = []
        try:
            for label, count in (("small", options["small"]), ("large", options["large"])):
                started = time.perf_counter()
                side = self.seed(label, count)
                side["seconds"] = time.perf_counter() - started
                sides.append(side)
                self.stdout.write(
                    f"seeded {label}: {count} non-conformities ({side['capas']} CAPAs, {side['actions']} actions, "
                    f"{side['checks']} checks) in one organisation with {BUSINESS_UNITS * (TEAMS_PER_UNIT + 1)} "
                    f"units in {side['seconds']:.1f} s"
                )
            self.stdout.write(f"database: {connection.vendor}")
            started = time.perf_counter()
            benchmark.settle_database()
            self.stdout.write(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
            if connection.vendor != "postgresql":
                self.stdout.write(self.style.WARNING("Not PostgreSQL: the figures are not the ones to record."))
            self.measure_in_process(sides)
            self.measure_server(options, sides)
        finally:
            ApiToken.objects.filter(user__username__startswith=OFFICER).delete()
            if not options["keep"]:
                self.cleanup()

    # --- measuring ---------------------------------------------------------------------------------

    def measure_in_process(self, sides):
        for side in sides:
            queryset = NonConformity.objects.visible_to(side["officer"]).filter(organisation=side["organisation"])
            timings, overview = [], {}
            for _ in range(5):
                began = time.perf_counter()
                overview = capa_overview(queryset, side["organisation"])
                timings.append((time.perf_counter() - began) * 1000)
            self.stdout.write(
                f"capa_overview, {side['label']} ({side['count']}): {min(timings):.1f} ms best, "
                f"{statistics.median(timings):.1f} ms median of 5 ({overview['open_total']} open, "
                f"{overview['overdue_actions']} overdue actions, {len(overview['effectiveness'])} quarters, "
                f"{overview['mean_days_to_close']} days to close)"
            )

    def measure_server(self, options, sides):
        pages = [
            ("non-conformity list page", lambda side: reverse("incidents:nc_list"), "browser"),
            (
                "CAPA overview page",
                lambda side: reverse("incidents:capa_overview") + f"?organisation={side['organisation'].pk}",
                "browser",
            ),
            ("GET /api/v1/nonconformities/?limit=50", lambda side: "/api/v1/nonconformities/?limit=50", "api"),
        ]
        for side in sides:
            _token, raw = token_create(user=side["officer"], name="benchmark")
            side["api"] = {"Authorization": f"Token {raw}", "Accept": "application/json"}
        with benchmark.Gunicorn(workers=options["workers"]) as server:
            self.stdout.write(f"gunicorn: {options['workers']} sync workers on 127.0.0.1:{server.port}")
            for side in sides:
                side["browser"] = {"Cookie": benchmark.login(server.port, side["officer"].username, PASSWORD)}
            warmups = [(path(side), side[headers]) for _l, path, headers in pages for side in sides]
            benchmark.warm(server.port, warmups, times=options["workers"] * 2)
            self.stdout.write(f"{'request':<58} {'median ms':>10} {'p95 ms':>10} {'status':>7} {'bytes':>9}")
            ratios = []
            for label, path, headers in pages:
                results = []
                for side in sides:
                    result = benchmark.latency(server.port, path(side), side[headers], per_run=options["requests"])
                    results.append(result)
                    self.stdout.write(
                        f"{label + ', ' + side['label'] + ' (' + str(side['count']) + ')':<58} "
                        f"{result.median_ms:>10.1f} {result.p95_ms:>10.1f} {result.status:>7} {result.size:>9}"
                    )
                small, large = results
                ratio = large.median_ms / small.median_ms if small.median_ms else float("nan")
                ratios.append((label, ratio))
            for label, ratio in ratios:
                target = f"  (target <= {TARGET}x)" if label == "CAPA overview page" else ""
                self.stdout.write(f"  ratio large/small, {label}: {ratio:.2f}x{target}")
            self.stdout.write(f"peak RSS of a worker: {server.peak_rss_mb():.0f} MB")

    # --- seeding -----------------------------------------------------------------------------------

    @transaction.atomic
    def seed(self, label, count):
        code = f"{CODE}-{label.upper()}"
        organisation, business_units, units = benchmark.benchmark_tree(
            code, f"Benchmark CAPA {label}", business_units=BUSINESS_UNITS, teams_per_unit=TEAMS_PER_UNIT
        )
        officer, _ = User.objects.get_or_create(username=f"{OFFICER}-{label}", defaults={"first_name": "Benchmark"})
        officer.set_password(PASSWORD)
        officer.save(update_fields=["password"])
        Membership.objects.get_or_create(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
        owners = []  # two team leads per business unit, owning its non-conformities and their actions
        for n, business_unit in enumerate(business_units):
            for k in range(2):
                owner, _ = User.objects.get_or_create(username=f"{OFFICER}-{label}-owner-{n}-{k}")
                Membership.objects.get_or_create(user=owner, unit=business_unit, role=Role.TEAM_LEAD)
                owners.append(owner.pk)
        per_business_unit = TEAMS_PER_UNIT + 1  # units are in order: a business unit, then its teams
        owners_of = {unit.pk: owners[2 * (i // per_business_unit) :][:2] for i, unit in enumerate(units)}
        # The default catalogue, without history rows (unit_store_new does not run the organisation hooks).
        categories = CauseCategory.objects.bulk_create(
            CauseCategory(organisation=organisation, code=code_, name=str(name))
            for code_, name in DEFAULT_CAUSE_CATEGORIES
        )
        plans = list(self.nc_rows(organisation, units, owners_of, officer, [c.pk for c in categories], count))
        self.insert(NonConformity, (row for row, _plan in plans))
        pks = list(NonConformity.objects.filter(organisation=organisation).order_by("pk").values_list("pk", flat=True))
        content_type = ContentType.objects.get_for_model(NonConformity)
        actions, checks = [], []
        for pk, (row, plan) in zip(pks, plans, strict=True):
            for action in plan["actions"]:
                action.update(source_content_type_id=content_type.pk, source_object_id=pk, unit_id=row["unit_id"])
                actions.append(action)
            for check in plan["checks"]:
                check.update(nonconformity_id=pk)
                checks.append(check)
        self.insert(Action, actions)
        self.insert(EffectivenessCheck, checks)
        # The overview's kept figures, as the services would have counted them (rows written around them).
        capa_figures_recount(organisation_ids=[organisation.pk])
        return {
            "label": label,
            "count": count,
            "organisation": organisation,
            "officer": officer,
            "capas": sum(1 for row, _plan in plans if row["capa"]),
            "actions": len(actions),
            "checks": len(checks),
        }

    def nc_rows(self, organisation, units, owners_of, officer, category_ids, count):
        """(row, plan) per non-conformity, oldest first: the row's column values (attnames) and the plan of
        its actions and checks (filled in with the row's id once it is stored)."""
        rng, now = self.rng, self.now
        severities, severity_weights = _weighted(SEVERITIES)
        kinds, kind_weights = _weighted(KINDS)
        sources, source_weights = _weighted(SOURCES)
        stages, stage_weights = _weighted(RECENT_CAPA_STAGES)
        methods = list(AnalysisMethod.values)
        unit_ids = [unit.pk for unit in units]
        span = DAYS * 86400
        first = now - datetime.timedelta(seconds=span)
        for n in range(count):
            created = first + datetime.timedelta(seconds=span * n // max(count, 1))
            age = (now - created).days
            severity = rng.choices(severities, severity_weights)[0]
            capa = severity == Severity.MAJOR or (severity == Severity.MINOR and rng.random() < PROMOTED_SHARE)
            unit_id = rng.choice(unit_ids)
            owner_id = rng.choice(owners_of[unit_id])
            row = {
                "organisation_id": organisation.pk,
                "unit_id": unit_id,
                "title": f"Benchmark non-conformity {n}",
                "description": "Synthetic non-conformity for the benchmark.",
                "kind": rng.choices(kinds, kind_weights)[0],
                "source": rng.choices(sources, source_weights)[0],
                "source_content_type_id": None,
                "source_object_id": None,
                "severity": severity,
                "status": NcStatus.REGISTERED,
                "capa": capa,
                "reporter_id": officer.pk,
                "owner_id": owner_id,
                "correction": "",
                "corrected_at": None,
                "root_cause": "",
                "analysis_method": "",
                "cause_category_id": rng.choice(category_ids) if rng.random() < 0.7 else None,
                "round": 1,
                "round_started_at": None,
                "stage_since": created,
                "promoted_by_id": officer.pk if capa and severity == Severity.MINOR else None,
                "promoted_at": created + datetime.timedelta(days=1) if capa and severity == Severity.MINOR else None,
                "closed_at": None,
                "cancel_reason": "",
                "created_at": created,
                "updated_at": created,
            }
            plan = {"actions": [], "checks": []}
            if capa:
                self.capa_plan(row, plan, age, stages, stage_weights, methods, category_ids, officer)
            else:
                self.minor_plan(row, age)
            yield row, plan

    def minor_plan(self, row, age):
        """Observations and minor ones: closed after the correction within days, a few cancelled or open."""
        rng, created = self.rng, row["created_at"]
        draw = rng.random()
        if age > 30 and draw < 0.92 or age <= 30 and draw < 0.4:
            corrected = min(created + datetime.timedelta(days=rng.uniform(0.5, 20)), self.now)
            row.update(
                status=NcStatus.CLOSED,
                correction="Corrected on the spot.",
                corrected_at=corrected,
                closed_at=corrected,
                stage_since=corrected,
                updated_at=corrected,
            )
        elif age > 30 and draw < 0.95:
            row.update(status=NcStatus.CANCELLED, cancel_reason="Registered twice.", updated_at=created)

    def capa_plan(self, row, plan, age, stages, stage_weights, methods, category_ids, officer):
        rng, now, created = self.rng, self.now, row["created_at"]
        if age > 180:
            draw = rng.random()
            if draw < 0.88:
                stage = NcStatus.CLOSED
            elif draw < 0.92:
                stage = NcStatus.CANCELLED
            else:  # long-running ones, spread over the open stages
                stage = rng.choice(list(stages[1:-1]))
        else:
            stage = rng.choices(stages, stage_weights)[0]
        row["status"] = stage
        if stage == NcStatus.CANCELLED:
            row.update(cancel_reason="Merged into another CAPA.")
            return
        if stage in ANALYSED:
            row.update(
                root_cause="Synthetic root cause.",
                analysis_method=rng.choice(methods),
                cause_category_id=rng.choice(category_ids),
                correction="Contained.",
                corrected_at=created + datetime.timedelta(days=1),
            )
        if stage not in PLANNED:
            row["stage_since"] = min(created + datetime.timedelta(days=rng.uniform(1, 10)), now)
            return
        # Closed ones take 30-150 days; open ones are somewhere on their way.
        if stage == NcStatus.CLOSED:
            closed = min(created + datetime.timedelta(days=rng.uniform(30, 150)), now - datetime.timedelta(hours=1))
            end = closed
        else:
            end = now
        duration = end - created
        planned_at = created + duration * 0.15
        # A second round for some: the first round's check found the actions not (or partly) effective.
        second_round = stage != NcStatus.EFFECTIVENESS_CHECK and duration.days > 60 and rng.random() < 0.2
        rounds = [(planned_at, created + duration * (0.5 if second_round else 0.8))]
        if second_round:
            failed_at = rounds[0][1]
            rounds.append((failed_at + datetime.timedelta(days=1), created + duration * 0.85))
            row.update(round=2, round_started_at=failed_at)
        for number, (start, checked) in enumerate(rounds, start=1):
            last = number == len(rounds)
            implemented = not last or stage in (NcStatus.EFFECTIVENESS_CHECK, NcStatus.CLOSED)
            for kind in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE):
                due = (start + datetime.timedelta(days=rng.uniform(14, 45))).date()
                done = implemented or (stage == NcStatus.IMPLEMENTATION and rng.random() < 0.4)
                if done:
                    completed = min(start + (checked - start) * rng.uniform(0.3, 0.9), now)
                    status, completed_at = ActionStatus.DONE, completed
                else:
                    status = ActionStatus.IN_PROGRESS if stage == NcStatus.IMPLEMENTATION else ActionStatus.OPEN
                    completed_at = None
                plan["actions"].append(
                    {
                        "title": f"{kind.label} of {row['title']}",
                        "description": "",
                        "kind": kind,
                        "owner_id": row["owner_id"],
                        "due_date": due,
                        "status": status,
                        "completed_at": completed_at,
                        "completion_note": "Done." if completed_at else "",
                        "created_by_id": officer.pk,
                        "created_at": start,
                        "updated_at": completed_at or start,
                    }
                )
            if not last:
                verdict = Verdict.NOT_EFFECTIVE if rng.random() < 0.6 else Verdict.PARTLY_EFFECTIVE
            elif stage == NcStatus.CLOSED:
                verdict = Verdict.EFFECTIVE
            elif stage == NcStatus.EFFECTIVENESS_CHECK:
                verdict = ""  # pending; some past their date
            else:
                continue
            check_date = (checked if verdict else now + datetime.timedelta(days=rng.uniform(-20, 40))).date()
            planned = min(start + (checked - start) * 0.95, now)
            plan["checks"].append(
                {
                    "round": number,
                    "due_date": check_date,
                    "verifier_id": officer.pk,
                    "kpi_id": None,
                    "effect_id": None,
                    "proposed_verdict": "",
                    "verdict": verdict,
                    "evidence": "Measured on the records." if verdict else "",
                    "checked_at": checked if verdict else None,
                    "created_at": planned,
                }
            )
        if stage == NcStatus.CLOSED:
            row.update(closed_at=end, stage_since=end, updated_at=end)
        else:
            row.update(stage_since=min(created + duration * 0.9, now), updated_at=now)

    def insert(self, model, rows):
        """Write the rows without history: COPY on PostgreSQL, executemany in batches elsewhere (the
        seeded timestamps kept; bulk_create would set auto_now_add fields to now)."""
        fields = [f for f in model._meta.concrete_fields if f.attname != "id"]
        names = [f.attname for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)

        def values(row):
            missing = [name for name in names if name not in row]
            if missing:
                raise RuntimeError(f"benchmark_capa does not fill {missing}: a new column of {model.__name__}?")
            return [row[name] for name in names]

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":

                def text(value):
                    if value is None:
                        return "\\N"
                    if value is True:
                        return "t"
                    if value is False:
                        return "f"
                    if isinstance(value, datetime.date | datetime.datetime):
                        return value.isoformat()
                    return str(value)  # no tabs, newlines or backslashes in the synthetic values

                lines = ("\t".join(text(value) for value in values(row)) + "\n" for row in rows)
                cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", LineStream(lines))
                return
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (the model's own names)
            batch = []
            for row in rows:
                pairs = zip(fields, values(row), strict=True)
                batch.append([field.get_db_prep_save(value, connection) for field, value in pairs])
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)

    def cleanup(self):
        # Raw deletes: the synthetic rows have no history; deleting 100,000 one by one would take long.
        unit_ids = list(OrganisationUnit.objects.filter(code__startswith=CODE).values_list("pk", flat=True))
        if not unit_ids and not User.objects.filter(username__startswith=OFFICER).exists():
            return
        with transaction.atomic():
            nc_ids = NonConformity.objects.filter(organisation_id__in=unit_ids).values("pk")
            content_type = ContentType.objects.get_for_model(NonConformity)
            for queryset in (
                Notification.objects.filter(recipient__username__startswith=OFFICER),
                Action.objects.filter(source_content_type=content_type, source_object_id__in=nc_ids),
                EffectivenessCheck.objects.filter(nonconformity_id__in=nc_ids),
                CapaProposal.nonconformities.through.objects.filter(nonconformity_id__in=nc_ids),
                CapaProposal.objects.filter(unit_id__in=unit_ids),
                NonConformity.objects.filter(organisation_id__in=unit_ids),
                CapaQuarter.objects.filter(organisation_id__in=unit_ids),
                CauseCategory.objects.filter(organisation_id__in=unit_ids),
                ApiToken.objects.filter(user__username__startswith=OFFICER),
                Membership.objects.filter(user__username__startswith=OFFICER),
            ):
                queryset._raw_delete(queryset.db)
            for depth in (3, 2, 1, 0):  # children before parents
                queryset = OrganisationUnit.objects.filter(pk__in=unit_ids, depth=depth)
                queryset._raw_delete(queryset.db)
            User.objects.filter(username__startswith=OFFICER).delete()
