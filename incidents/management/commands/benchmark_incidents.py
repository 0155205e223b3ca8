"""Benchmark of incidents at the scale of issue 11: N incidents over three years in one organisation,
compared in the same run (same process, same server, same database) with the risk register.

    python manage.py benchmark_incidents --yes [--incidents 1000000] [--open 20000] [--risks 10000]
        [--workers 3] [--requests 40] [--keep]

Seeds N incidents in one organisation with 50 units (10 business units of 4 teams each), most of them
resolved or closed (resolved time and SLA outcome from the service calendar), ``--open`` of them open
(reported in the last days: some past 75 % of their target, some past due), plus ``--risks`` risks the
way ``benchmark_register`` seeds them. Incidents are written without history rows, by ``COPY`` on
PostgreSQL (``bulk_create`` in batches elsewhere): it measures reading, not seeding. No affected units.

Then, through a real gunicorn with the production settings (``qms.benchmark``): the incident API page of
50 filtered by status and priority against the risk API page of 50, the incident list page against the
register page, and the SLA report page; in-process: the SLA report for a year and for a month, one SLA
watch run over the open incidents (in a transaction rolled back afterwards, so every run finds the same
work), and the calendar's ``add`` for a 42.5 h target. It prints figures and ratios; it asserts nothing.
The data is removed afterwards unless --keep.
"""

import datetime
import io
import itertools
import random
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from incidents.choices import (
    DEFAULT_PRIORITY_MATRIX,
    DEFAULT_RESTORE_HOURS,
    SLA_WARNING_SHARE,
    Channel,
    Impact,
    IncidentCategory,
    IncidentStatus,
    Urgency,
)
from incidents.models import Incident, IncidentUpdate
from incidents.selectors.reports import sla_report
from incidents.services.incidents import sla_watch
from qms import benchmark
from qms.calendar import calendar_for
from qms.choices import Role
from qms.models import ApiToken, Membership, Notification, OrganisationUnit, User
from qms.services.security import token_create
from risks.management.commands import benchmark_register

CODE = "BENCH-INC"
OFFICER = "benchmark-incident-officer"
PASSWORD = "benchmark-" + "x" * 20  # noqa: S105 (a throwaway user, deleted afterwards)
BUSINESS_UNITS = 10
TEAMS_PER_UNIT = 4  # 10 business units + 40 teams = 50 units
YEARS = 3
BATCH = 10_000
# Plausible shares: most reports concern one person and the process goes on; P1 about 7 %.
IMPACTS = [(Impact.ONE_PERSON, 55), (Impact.LIMITED_GROUP, 30), (Impact.UNIT, 10), (Impact.MULTIPLE_UNITS, 5)]
URGENCIES = [(Urgency.STOPS, 10), (Urgency.FALTERS, 40), (Urgency.CONTINUES, 50)]
CATEGORIES = [
    (IncidentCategory.APPLICATION, 40),
    (IncidentCategory.ACCESS, 25),
    (IncidentCategory.DATA_EXCHANGE, 15),
    (IncidentCategory.INFRASTRUCTURE, 10),
    (IncidentCategory.OTHER, 10),
]
CHANNELS = [(Channel.PHONE, 40), (Channel.MAIL, 25), (Channel.WEB, 25), (Channel.API, 10)]
OPEN_STATUSES = [(IncidentStatus.NEW, 25), (IncidentStatus.IN_PROGRESS, 60), (IncidentStatus.ON_HOLD, 15)]
# How far back open incidents were reported, per priority (days): P1 within a day and a half, etc.
OPEN_AGE_DAYS = {1: 1.5, 2: 4, 3: 14}
# The SLA watch has run every few minutes until this long ago: what crossed 75 % or 100 % since is
# what the measured run finds (an hour's worth: a worker that was down for an hour, or 12 runs' work).
WATCH_LAG = datetime.timedelta(hours=1)
# Issue 11's targets (ratios to the risk figures of the same run; in-process seconds).
TARGETS = {"api": 1.5, "page": 1.0, "report": 1.0, "watch": 1.0}


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, weights


class Command(BaseCommand):
    help = "Seed 1,000,000 incidents (and the register's risks) and measure incident reads against risk reads."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=1_000_000)
        parser.add_argument("--open", type=int, default=20_000, help="How many of them are open.")
        parser.add_argument("--risks", type=int, default=10_000, help="Risks seeded for the comparison.")
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument(
            "--requests", type=int, default=benchmark.REQUESTS_PER_RUN, help="Sequential requests per run (3 runs)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data afterwards.")
        parser.add_argument("--yes", action="store_true", help="Write to the configured database (DEBUG is off).")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        count, open_count = options["incidents"], min(options["open"], options["incidents"])
        self.rng = random.Random(42)
        random.seed(42)  # benchmark_register's seeding draws from the module's generator
        register = benchmark_register.Command()
        self.cleanup()
        register.cleanup()
        started = time.perf_counter()
        officer, organisation = self.seed_incidents(count, open_count)
        seeded = time.perf_counter() - started
        self.stdout.write(
            f"database: {connection.vendor}; seeded {count} incidents ({open_count} open) in one organisation "
            f"with {BUSINESS_UNITS * (TEAMS_PER_UNIT + 1)} units in {seeded:.1f} s"
        )
        started = time.perf_counter()
        risk_officer, _sample = register.seed(options["risks"])
        self.stdout.write(f"seeded {options['risks']} risks in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        benchmark.settle_database()
        self.stdout.write(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
        if connection.vendor != "postgresql":
            self.stdout.write(self.style.WARNING("Not PostgreSQL: the figures are not the ones to record."))
        try:
            self.measure_in_process(organisation, officer)
            self.measure_server(options, officer, risk_officer, organisation)
        finally:
            ApiToken.objects.filter(user__in=[officer, risk_officer]).delete()
            if not options["keep"]:
                self.cleanup()
                register.cleanup()

    # --- measuring ---------------------------------------------------------------------------------

    def measure_server(self, options, officer, risk_officer, organisation):
        _token, incident_raw = token_create(user=officer, name="benchmark")
        _token, risk_raw = token_create(user=risk_officer, name="benchmark")
        incident_api = {"Authorization": f"Token {incident_raw}", "Accept": "application/json"}
        risk_api = {"Authorization": f"Token {risk_raw}", "Accept": "application/json"}
        incident_browser, risk_browser = {}, {}
        year = self.report_year
        pairs = [
            # (label, incident path, its headers, risk path, its headers, target ratio)
            (
                "API page of 50",
                "/api/v1/incidents/?status=in_progress&priority=2&limit=50",
                incident_api,
                "/api/v1/risks/?limit=50",
                risk_api,
                TARGETS["api"],
            ),
            (
                "list page vs register page",
                "/incidents/incidents/?status=in_progress&priority=2",
                incident_browser,
                "/risks/register/",
                risk_browser,
                TARGETS["page"],
            ),
        ]
        singles = [
            ("GET /api/v1/incidents/?limit=50", "/api/v1/incidents/?limit=50", incident_api),
            ("incident list page, no filter", "/incidents/incidents/", incident_browser),
            ("incident list page, SLA at risk", "/incidents/incidents/?sla=at_risk", incident_browser),
            ("GET /api/v1/incidents/{id}/", f"/api/v1/incidents/{self.sample_pk}/", incident_api),
        ]
        report_pages = [
            (
                "SLA report page, a month",
                f"/incidents/incidents/sla-report/?organisation={organisation.pk}&month={year}-06",
            ),
            (
                "SLA report page, a year",
                f"/incidents/incidents/sla-report/?organisation={organisation.pk}&month={year}",
            ),
        ]
        with benchmark.Gunicorn(workers=options["workers"]) as server:
            self.stdout.write(f"gunicorn: {options['workers']} sync workers on 127.0.0.1:{server.port}")
            incident_browser["Cookie"] = benchmark.login(server.port, OFFICER, PASSWORD)
            risk_browser["Cookie"] = benchmark.login(
                server.port, benchmark_register.OFFICER, benchmark_register.PASSWORD
            )
            warmups = [(path, headers) for _l, path, headers, risk_path, risk_headers, _t in pairs]
            warmups += [(risk_path, risk_headers) for _l, _p, _h, risk_path, risk_headers, _t in pairs]
            warmups += [(path, headers) for _l, path, headers in singles]
            benchmark.warm(server.port, warmups, times=options["workers"] * 2)
            self.stdout.write(f"{'request':<44} {'median ms':>10} {'p95 ms':>10} {'status':>7} {'bytes':>9}")

            def show(label, result, note=""):
                self.stdout.write(
                    f"{label:<44} {result.median_ms:>10.1f} {result.p95_ms:>10.1f} {result.status:>7} "
                    f"{result.size:>9}{note}"
                )

            for label, path, headers, risk_path, risk_headers, target in pairs:
                # Alternating the two halves of a pair would be fairer still; measured back to back here.
                incident = benchmark.latency(server.port, path, headers, per_run=options["requests"])
                risk = benchmark.latency(server.port, risk_path, risk_headers, per_run=options["requests"])
                show(path, incident)
                show(risk_path, risk)
                ratio = incident.median_ms / risk.median_ms if risk.median_ms else float("nan")
                self.stdout.write(f"  ratio {label}: {ratio:.2f}x  (target <= {target}x)")
            for label, path, headers in singles:
                show(label, benchmark.latency(server.port, path, headers, per_run=options["requests"]))
            # The reports may take seconds at a million incidents: one request to warm, then three.
            for label, path in report_pages:
                timings = []
                status = size = 0
                for _ in range(4):
                    began = time.perf_counter()
                    status, size = benchmark.request(server.port, path, incident_browser)
                    timings.append((time.perf_counter() - began) * 1000)
                timings = timings[1:]
                self.stdout.write(
                    f"{label + ' (3 requests)':<44} {statistics.median(timings):>10.1f} "
                    f"{max(timings):>10.1f} {status:>7} {size:>9}  (target well under 1 s)"
                )
            self.stdout.write(f"peak RSS of a worker: {server.peak_rss_mb():.0f} MB")

    def measure_in_process(self, organisation, officer):
        incidents = Incident.objects.visible_to(officer)
        year = self.report_year
        for label, month in ((f"a year ({year})", None), (f"a month ({year}-06)", 6)):
            timings = []
            for _ in range(3):
                began = time.perf_counter()
                report = sla_report(incidents=incidents, organisation=organisation, year=year, month=month)
                timings.append(time.perf_counter() - began)
            self.stdout.write(
                f"sla_report, {label}: {min(timings):.2f} s best, {statistics.median(timings):.2f} s median of 3 "
                f"({report['total'].resolved} resolved, {report['total'].share_met} % met)"
            )
        # The watch in a transaction rolled back afterwards: every run finds the same work, and nothing it
        # writes (claims, notifications) stays.
        now = self.now
        for label, backlog in (("an hour's crossings", False), ("every open incident unclaimed", True)):
            timings, result = [], {}
            for _ in range(2 if backlog else 3):
                with transaction.atomic():
                    if backlog:
                        Incident.objects.filter(organisation=organisation).exclude(
                            status__in=(IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
                        ).update(sla_warned_at=None, sla_escalated_at=None)
                    began = time.perf_counter()
                    result = sla_watch(now=now)
                    timings.append(time.perf_counter() - began)
                    transaction.set_rollback(True)
            self.stdout.write(
                f"sla_watch over {self.open_count} open, {label}: {min(timings):.3f} s best, "
                f"{statistics.median(timings):.3f} s median of {len(timings)}; warned {result['warned']}, "
                f"escalated {result['escalated']} (rolled back after each run)"
            )
        calendar = calendar_for(organisation)
        rng = random.Random(1)
        first = self.now - datetime.timedelta(days=2 * 365)
        starts = [first + datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(10_000)]
        target = datetime.timedelta(hours=42.5)
        calendar.add(starts[0], target)
        began = time.perf_counter()
        for start in starts:
            calendar.add(start, target)
        self.stdout.write(
            f"calendar.add(42.5 h): {(time.perf_counter() - began) / len(starts) * 1e6:.1f} µs per call "
            f"(mean of {len(starts)} random starts over two years)"
        )

    # --- seeding -----------------------------------------------------------------------------------

    @transaction.atomic
    def seed_incidents(self, count, open_count):
        organisation, business_units, units = benchmark.benchmark_tree(
            CODE, "Benchmark incidents", business_units=BUSINESS_UNITS, teams_per_unit=TEAMS_PER_UNIT
        )
        officer, _ = User.objects.get_or_create(username=OFFICER, defaults={"first_name": "Benchmark"})
        officer.set_password(PASSWORD)
        officer.save(update_fields=["password"])
        Membership.objects.get_or_create(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
        owners = []  # two incident coordinators per business unit, owning its incidents and its teams'
        for n, business_unit in enumerate(business_units):
            for k in range(2):
                owner, _ = User.objects.get_or_create(username=f"{OFFICER}-coordinator-{n}-{k}")
                Membership.objects.get_or_create(user=owner, unit=business_unit, role=Role.INCIDENT_COORDINATOR)
                owners.append(owner)
        per_business_unit = TEAMS_PER_UNIT + 1  # units are in order: a business unit, then its teams
        owners_of = {
            unit.pk: [owner.pk for owner in owners[2 * (i // per_business_unit) :][:2]] for i, unit in enumerate(units)
        }
        self.calendar = calendar_for(organisation)
        self.now = self.working_moment()
        self.report_year = self.now.year - 1
        self.open_count = open_count
        rows = self.incident_rows(organisation, units, owners_of, officer, count, open_count)
        if connection.vendor == "postgresql":
            self.copy(rows)
        else:
            batch = []
            for row in rows:
                batch.append(Incident(**row))
                if len(batch) >= BATCH:
                    Incident.objects.bulk_create(batch)
                    batch = []
            Incident.objects.bulk_create(batch)
        sample = (
            Incident.objects.filter(organisation=organisation, status=IncidentStatus.IN_PROGRESS)
            .values_list("pk", flat=True)
            .first()
        )
        self.sample_pk = sample or Incident.objects.filter(organisation=organisation).values_list("pk", flat=True)[0]
        return officer, organisation

    def working_moment(self):
        """The seed's "now": 11:00 on the last working day (not later than now). The open incidents are
        reported before it and the watch runs at it: at a weekend or at night nothing crosses 75 % or
        100 % in an hour, and the run measured would find nothing."""
        moment = timezone.localtime().replace(hour=11, minute=0, second=0, microsecond=0)
        while moment > timezone.now() or not self.calendar.is_working_day(moment.date()):
            moment = (moment - datetime.timedelta(days=1)).replace(hour=11)
        return moment

    def incident_rows(self, organisation, units, owners_of, officer, count, open_count):
        """The incidents as dicts of column values (attnames), oldest first; the open ones last."""
        rng, calendar, now = self.rng, self.calendar, self.now
        impacts, impact_weights = _weighted(IMPACTS)
        urgencies, urgency_weights = _weighted(URGENCIES)
        categories, category_weights = _weighted(CATEGORIES)
        channels, channel_weights = _weighted(CHANNELS)
        statuses, status_weights = _weighted(OPEN_STATUSES)
        targets = {priority: datetime.timedelta(hours=float(h)) for priority, h in DEFAULT_RESTORE_HOURS.items()}
        stored = {f.name: f for f in Incident._meta.concrete_fields}
        # The stored time to restore, once the model has it (``restore_time``; the brief's first name for it).
        service_time = stored.get("restore_time") or stored.get("restore_service_time")
        span = YEARS * 365 * 24 * 3600
        first = now - datetime.timedelta(seconds=span)
        share = float(SLA_WARNING_SHARE)
        draws = 1024  # random choices drawn in blocks: one call per block, not per row

        def block(values, weights):
            while True:
                yield from rng.choices(values, weights, k=draws)

        impact_of, urgency_of = block(impacts, impact_weights), block(urgencies, urgency_weights)
        category_of, channel_of = block(categories, category_weights), block(channels, channel_weights)
        unit_ids = [unit.pk for unit in units]

        for n in range(count):
            is_open = n >= count - open_count
            impact, urgency = next(impact_of), next(urgency_of)
            priority = DEFAULT_PRIORITY_MATRIX[impact][urgency]
            target = targets[priority]
            unit_id = rng.choice(unit_ids)
            if is_open:
                age = datetime.timedelta(seconds=rng.random() * OPEN_AGE_DAYS[priority] * 86400)
                reported_at = now - age
            else:
                # Evenly over the years, the rows in time order (ids grow with the report time, as they do).
                reported_at = first + datetime.timedelta(seconds=span * n // count)
            held = datetime.timedelta()
            if not is_open and rng.random() < 0.05:
                held = datetime.timedelta(minutes=rng.randrange(30, 8 * 60))
            due = calendar.add(reported_at, target + held)
            warn_at = calendar.add(reported_at, target * share + held)
            row = {
                "organisation_id": organisation.pk,
                "unit_id": unit_id,
                "title": f"Benchmark incident {n}",
                "description": "Synthetic incident for the benchmark.",
                "category": next(category_of),
                "reporter_id": officer.pk,
                "reporter_name": "",
                "owner_id": rng.choice(owners_of[unit_id]),
                "channel": next(channel_of),
                "reported_at": reported_at,
                "impact": impact,
                "urgency": urgency,
                "priority": priority,
                "status": IncidentStatus.NEW,
                "data_breach_suspected": rng.random() < 0.02,
                "restore_target_hours": DEFAULT_RESTORE_HOURS[priority],
                "restore_due": due,
                "sla_warn_at": warn_at,
                "hold_reason": "",
                "on_hold_since": None,
                "held_for": held,
                "resolution": "",
                "resolved_at": None,
                "closed_at": None,
                "sla_met": None,
                "sla_warned_at": None,
                "sla_escalated_at": None,
                "p1_since": None,
                "next_update_due": None,
                "missed_updates": 0,
                "problem_id": None,
                "created_at": reported_at,
                "updated_at": reported_at,
            }
            if service_time is not None:
                row[service_time.attname] = None
            if is_open:
                status = rng.choices(statuses, status_weights)[0]
                row["status"] = status
                if status == IncidentStatus.ON_HOLD:
                    row["hold_reason"] = "Waiting for the supplier."
                    row["on_hold_since"] = reported_at + (now - reported_at) / 2
                else:
                    # The watch ran every few minutes until WATCH_LAG ago: what crossed before is claimed.
                    if warn_at <= now - WATCH_LAG:
                        row["sla_warned_at"] = warn_at + datetime.timedelta(minutes=rng.randrange(5))
                    if due <= now - WATCH_LAG:
                        row["sla_escalated_at"] = due + datetime.timedelta(minutes=rng.randrange(5))
                if priority == 1:
                    row["p1_since"] = reported_at
                    row["next_update_due"] = now + datetime.timedelta(minutes=rng.randrange(60))
                row["updated_at"] = now
            else:
                # Mostly within the target: 88 % at 5-100 % of it, the rest up to three times over.
                factor = rng.uniform(0.05, 1.0) if rng.random() < 0.88 else rng.uniform(1.0, 3.0)
                spent = datetime.timedelta(seconds=int(target.total_seconds() * factor))
                resolved_at = calendar.add(reported_at, spent + held)
                if resolved_at >= now:  # the last weeks' long ones: resolved an hour ago
                    resolved_at = max(reported_at, now - datetime.timedelta(hours=1))
                    spent = max(calendar.between(reported_at, resolved_at) - held, datetime.timedelta())
                closed = resolved_at < now - datetime.timedelta(days=14)
                row.update(
                    status=IncidentStatus.CLOSED if closed else IncidentStatus.RESOLVED,
                    resolution="Restored.",
                    resolved_at=resolved_at,
                    closed_at=resolved_at + datetime.timedelta(days=5) if closed else None,
                    sla_met=resolved_at <= due,
                    sla_warned_at=warn_at if warn_at <= resolved_at else None,
                    sla_escalated_at=due if due <= resolved_at else None,
                    updated_at=resolved_at,
                )
                if service_time is not None:
                    if service_time.get_internal_type() == "DurationField":
                        row[service_time.attname] = spent
                    else:
                        row[service_time.attname] = Decimal(spent.total_seconds() / 3600).quantize(Decimal("0.01"))
            yield row

    def copy(self, rows):
        """COPY the rows into the table (PostgreSQL; psycopg2's copy_expert reads a file-like stream)."""
        fields = [f for f in Incident._meta.concrete_fields if f.attname != "id"]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]

        def text(value):
            if value is None:
                return "\\N"
            if value is True:
                return "t"
            if value is False:
                return "f"
            if isinstance(value, datetime.timedelta):
                return f"{value.total_seconds()} seconds"
            if isinstance(value, datetime.datetime):
                return value.isoformat()
            return str(value)  # no tabs, newlines or backslashes in the synthetic values

        def lines():
            for row in rows:
                missing = [name for name in names if name not in row]
                if missing:
                    raise RuntimeError(f"benchmark_incidents does not fill {missing}: a new column of Incident?")
                yield "\t".join(text(row[name]) for name in names) + "\n"

        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {Incident._meta.db_table} ({columns}) FROM STDIN", LineStream(lines()))

    def cleanup(self):
        # Raw deletes: the synthetic rows have no history; deleting a million one by one would take hours.
        units = OrganisationUnit.objects.filter(code__startswith=CODE)
        unit_ids = list(units.values_list("pk", flat=True))
        if not unit_ids and not User.objects.filter(username__startswith=OFFICER).exists():
            return
        with transaction.atomic():
            incident_ids = Incident.objects.filter(organisation_id__in=unit_ids).values("pk")
            for queryset in (
                Notification.objects.filter(recipient__username__startswith=OFFICER),
                IncidentUpdate.objects.filter(incident_id__in=incident_ids),
                Incident.affected_units.through.objects.filter(incident_id__in=incident_ids),
                Incident.objects.filter(organisation_id__in=unit_ids),
                ApiToken.objects.filter(user__username__startswith=OFFICER),
                Membership.objects.filter(user__username__startswith=OFFICER),
            ):
                queryset._raw_delete(queryset.db)
            for depth in (3, 2, 1, 0):  # children before parents
                queryset = OrganisationUnit.objects.filter(pk__in=unit_ids, depth=depth)
                queryset._raw_delete(queryset.db)
            User.objects.filter(username__startswith=OFFICER).delete()


class LineStream(io.TextIOBase):
    """A read-only text stream over an iterator of lines (for COPY FROM STDIN without the whole table
    in memory)."""

    def __init__(self, lines):
        self._lines = lines
        self._buffer = ""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            lines = "".join(itertools.islice(self._lines, 1000))
            if not lines:
                break
            self._buffer += lines
        if size < 0:
            chunk, self._buffer = self._buffer, ""
        else:
            chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk
