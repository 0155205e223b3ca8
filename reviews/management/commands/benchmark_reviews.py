"""Benchmark of the management review pack at the scale of issue 14: one organisation with 100,000
risks, 1,000,000 incidents and 100,000 non-conformities against a small one (1/1000 of each), seeded
in the same run and measured in the same process and database.

    python manage.py benchmark_reviews --yes [--risks 100000] [--incidents 1000000]
        [--nonconformities 100000] [--scale-down 1000] [--warmups 1] [--requests 3] [--keep]

Each organisation has 10 business units of 4 teams. The large volumes are written without history:
incidents by ``benchmark_incidents``' rows (service calendar, stored times to restore), non-conformities
with their actions and checks by ``benchmark_capa``'s (its kept quarterly figures recounted), risks
(with the pending approvals of those awaiting one) by ``COPY`` on PostgreSQL (``executemany`` in
batches elsewhere). What the review reads besides does not grow with those volumes and is the same for
both: 12 KPIs with two years of monthly measurements, customer feedback (1 per 100 incidents), 10
objectives with key results, the six score areas with two years of monthly scores and a few
investigations, 10 audits over 4 principles with findings, last year's review with 30 decided actions,
40 improvement actions with their intended effect.

Then, in-process, the pack of the last full year (``assemble_pack``): the whole pack and each section,
timed (best and median of ``--requests`` after ``--warmups``) with its query count (counted at the
cursor); and the management review PDF (``reviews.pdf.review_pdf``: the pack assembled again and
rendered by WeasyPrint), and its rendering alone of a pack already assembled. It prints the figures and
the ratios large / small; it asserts nothing. The data is removed afterwards unless --keep.
"""

import datetime
import math
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audits.choices import AuditStatus, FindingKind
from audits.models import Audit, AuditCalibration, Finding, Principle, Theme
from incidents.choices import DEFAULT_CAUSE_CATEGORIES
from incidents.management.commands import benchmark_capa, benchmark_incidents
from incidents.models import (
    CapaProposal,
    CapaQuarter,
    CauseCategory,
    EffectivenessCheck,
    Incident,
    IncidentUpdate,
    NonConformity,
)
from incidents.services.nonconformities import capa_figures_recount
from kpis.choices import DEFAULT_KPIS, FeedbackCategory, FeedbackChannel, KpiCategory, Verdict
from kpis.models import Feedback, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from qms import benchmark
from qms.calendar import calendar_for
from qms.choices import ActionKind, ActionStatus, Role
from qms.models import Action, Membership, Notification, OrganisationUnit, User
from qms.periods import Frequency
from reviews.choices import ReviewInput
from reviews.models import ManagementReview, ReviewDecision
from reviews.selectors.pack import SECTIONS, Period, assemble_pack
from risks.choices import DEFAULT_SCORE_AREAS, ApprovalBody, RiskLevel, RiskStatus, required_bodies
from risks.models import AreaScore, Investigation, MonthlyScore, Risk, RiskApproval, RiskCategory, ScoreArea
from risks.selectors.register import default_band

CODE = "BENCH-REV"
OFFICER = "benchmark-review-officer"
BUSINESS_UNITS = 10
TEAMS_PER_UNIT = 4
RISK_STATUSES = [
    (RiskStatus.DRAFT, 15),
    (RiskStatus.AWAITING_APPROVAL, 10),
    (RiskStatus.APPROVED, 45),
    (RiskStatus.ACCEPTED, 20),
    (RiskStatus.CLOSED, 10),
]
OPEN_SHARE = 0.02  # of the incidents: open now (benchmark_incidents' --open at a million is 20,000)
TARGET_SECONDS = "a few seconds"  # issue 14: the pack and the PDF at this size on the development machine


class Command(BaseCommand):
    help = "Seed an organisation at issue 14's scale and a small one; time the review pack and its PDF."

    def add_arguments(self, parser):
        parser.add_argument("--risks", type=int, default=100_000)
        parser.add_argument("--incidents", type=int, default=1_000_000)
        parser.add_argument("--nonconformities", type=int, default=100_000)
        parser.add_argument(
            "--scale-down", type=int, default=1000, help="The small organisation has 1/N of each (at least 1)."
        )
        parser.add_argument("--warmups", type=int, default=1, help="Untimed runs before the timed ones.")
        parser.add_argument("--requests", type=int, default=3, help="Timed runs of each measurement.")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data afterwards.")
        parser.add_argument("--yes", action="store_true", help="Write to the configured database (DEBUG is off).")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        if options["requests"] < 1 or options["scale_down"] < 1:
            raise CommandError("--requests and --scale-down must be at least 1.")
        self.rng = random.Random(42)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.year = self.today.year - 1  # the last full year: the review a board holds early in the year
        self.cleanup()
        sizes = {name: options[name] for name in ("risks", "incidents", "nonconformities")}
        small = {name: max(1, count // options["scale_down"]) for name, count in sizes.items()}
        sides = []
        try:
            for label, counts in (("small", small), ("large", sizes)):
                started = time.perf_counter()
                side = self.seed(label, counts)
                sides.append(side)
                self.stdout.write(
                    f"seeded {label}: {counts['risks']:,} risks, {counts['incidents']:,} incidents, "
                    f"{counts['nonconformities']:,} non-conformities in {time.perf_counter() - started:.1f} s"
                )
            started = time.perf_counter()
            benchmark.settle_database()
            self.stdout.write(
                f"database: {connection.vendor}; DEBUG={settings.DEBUG}; "
                f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s"
            )
            if connection.vendor != "postgresql":
                self.stdout.write(self.style.WARNING("Not PostgreSQL: the figures are not the ones to record."))
            self.stdout.write(
                f"the pack of {self.year}; {options['warmups']} warm-up(s) + {options['requests']} timed run(s) "
                "each, in-process"
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
        organisation = side["organisation"]
        period = Period(self.year)
        parts = {"assemble_pack": lambda: assemble_pack(organisation, self.year)}
        for code, builder in SECTIONS.items():
            parts[f"  {code}"] = lambda builder=builder: builder(organisation, period)
        pdf = self.pdf_parts(side)
        if pdf:
            parts.update(pdf)
        result = {"label": side["label"], "figures": {}, "pdf": bool(pdf)}
        for name, run in parts.items():
            for _ in range(options["warmups"]):
                run()
            queries = []

            def counted(execute, sql, *args, queries=queries):
                queries.append(sql)
                return execute(sql, *args)

            # Counted at the cursor (connection.queries is off without DEBUG).
            with connection.execute_wrapper(counted):
                value = run()
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
                "size": len(value) if isinstance(value, bytes) else None,
            }
        return result

    def pdf_parts(self, side) -> dict:
        """The PDF of the review (engineer R1's ``reviews.pdf``), when it is there."""
        try:
            from qms.pdf import render_pdf
            from reviews.pdf import TEMPLATE, review_pdf, review_pdf_context
        except ImportError as error:
            self.stdout.write(self.style.WARNING(f"no review PDF to time ({error}): the pack only"))
            return {}
        review = side["review"]
        pack = assemble_pack(side["organisation"], self.year)
        try:
            render_pdf(TEMPLATE, review_pdf_context(review, pack))
        except Exception as error:  # noqa: BLE001 (another part's code: measure the pack all the same)
            self.stdout.write(self.style.WARNING(f"the review PDF failed ({error!r}): the pack only"))
            return {}
        return {
            "review_pdf (pack + render)": lambda: review_pdf(review),
            "  render only": lambda: render_pdf(TEMPLATE, review_pdf_context(review, pack)),
        }

    def report(self, results):
        self.stdout.write(f"{'measurement':<44} {'median ms':>10} {'best ms':>9} {'p95 ms':>9} {'queries':>8}")
        for result in results:
            self.stdout.write(f"{result['label']}:")
            for name, figures in result["figures"].items():
                size = f"  {figures['size']:,} bytes" if figures["size"] else ""
                self.stdout.write(
                    f"{name:<44} {figures['median']:>10.1f} {figures['best']:>9.1f} {figures['p95']:>9.1f} "
                    f"{figures['queries']:>8}{size}"
                )
        small, large = results
        for name, figures in large["figures"].items():
            other = small["figures"][name]
            ratio = figures["median"] / other["median"] if other["median"] else float("nan")
            equal = "equal" if figures["queries"] == other["queries"] else "NOT EQUAL"
            self.stdout.write(
                f"  ratio large / small, {name.strip()}: {ratio:.2f}x; queries {figures['queries']} / "
                f"{other['queries']} ({equal})"
            )
        pack = large["figures"]["assemble_pack"]["median"] / 1000
        self.stdout.write(f"the pack at the large size: {pack:.2f} s median (target: {TARGET_SECONDS})")
        if large["pdf"]:
            pdf = large["figures"]["review_pdf (pack + render)"]["median"] / 1000
            self.stdout.write(f"the PDF at the large size: {pdf:.2f} s median (target: {TARGET_SECONDS})")

    # --- seeding -----------------------------------------------------------------------------------

    @transaction.atomic
    def seed(self, label, counts) -> dict:
        code = f"{CODE}-{label.upper()}"
        organisation, business_units, units = benchmark.benchmark_tree(
            code, f"Benchmark review {label}", business_units=BUSINESS_UNITS, teams_per_unit=TEAMS_PER_UNIT
        )
        officer, _ = User.objects.get_or_create(username=f"{OFFICER}-{label}", defaults={"first_name": "Benchmark"})
        Membership.objects.get_or_create(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
        owners = []  # two per business unit, owning its records and its teams'
        for n, business_unit in enumerate(business_units):
            for k in range(2):
                owner, _ = User.objects.get_or_create(username=f"{OFFICER}-{label}-owner-{n}-{k}")
                Membership.objects.get_or_create(user=owner, unit=business_unit, role=Role.TEAM_LEAD)
                owners.append(owner)
        per_business_unit = TEAMS_PER_UNIT + 1  # units are in order: a business unit, then its teams
        owners_of = {
            unit.pk: [owner.pk for owner in owners[2 * (i // per_business_unit) :][:2]] for i, unit in enumerate(units)
        }
        side = {"label": label, "organisation": organisation, "officer": officer}
        self.seed_incidents(organisation, units, owners_of, officer, counts["incidents"])
        self.seed_nonconformities(organisation, units, owners_of, officer, counts["nonconformities"])
        self.seed_risks(organisation, business_units, owners, officer, counts["risks"])
        self.seed_kpis(organisation, business_units, owners, max(1, counts["incidents"] // 100))
        self.seed_scores(organisation, owners)
        self.seed_audits(organisation, business_units)
        side["review"] = self.seed_reviews(organisation, business_units, owners, officer)
        return side

    def seed_incidents(self, organisation, units, owners_of, officer, count):
        """``benchmark_incidents``' rows: over three years up to its "now", 2 % open."""
        incidents = benchmark_incidents.Command()
        incidents.rng = self.rng
        incidents.calendar = calendar_for(organisation)
        incidents.now = incidents.working_moment()
        open_count = int(count * OPEN_SHARE)
        rows = incidents.incident_rows(organisation, units, owners_of, officer, count, open_count)
        if connection.vendor == "postgresql":
            incidents.copy(rows)
        else:
            batch = []
            for row in rows:
                batch.append(Incident(**row))
                if len(batch) >= benchmark_incidents.BATCH:
                    Incident.objects.bulk_create(batch)
                    batch = []
            Incident.objects.bulk_create(batch)

    def seed_nonconformities(self, organisation, units, owners_of, officer, count):
        """``benchmark_capa``'s rows (two years; CAPAs with their actions and checks), its kept figures
        recounted."""
        capa = benchmark_capa.Command()
        capa.rng, capa.now = self.rng, self.now
        categories = CauseCategory.objects.bulk_create(
            CauseCategory(organisation=organisation, code=code, name=str(name))
            for code, name in DEFAULT_CAUSE_CATEGORIES
        )
        plans = list(capa.nc_rows(organisation, units, owners_of, officer, [c.pk for c in categories], count))
        capa.insert(NonConformity, (row for row, _plan in plans))
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
        capa.insert(Action, actions)
        capa.insert(EffectivenessCheck, checks)
        capa_figures_recount(organisation_ids=[organisation.pk])

    def seed_risks(self, organisation, business_units, owners, officer, count):
        """Risks of random likelihood and impact (the default matrix's level), most approved or accepted,
        10 % closed; those awaiting approval with their pending approval by the first body."""
        rng, now, today = self.rng, self.now, self.today
        categories = list(RiskCategory.objects.filter(organisation__isnull=True, is_active=True)) or [
            RiskCategory.objects.create(code="operational", name="Operational")
        ]
        statuses, weights = zip(*RISK_STATUSES, strict=True)
        capa = benchmark_capa.Command()

        def rows():
            for n in range(count):
                likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
                residual = (max(1, likelihood - 1), max(1, impact - 1))
                level, status = default_band(likelihood, impact), rng.choices(statuses, weights)[0]
                if status == RiskStatus.AWAITING_APPROVAL and level == RiskLevel.LOW:
                    status = RiskStatus.ACCEPTED
                business_unit = business_units[n % len(business_units)]
                yield {
                    "title": f"Benchmark risk {n}",
                    "description": "Synthetic risk for the review benchmark.",
                    "category_id": rng.choice(categories).pk,
                    "unit_id": business_unit.pk,
                    "organisation_id": organisation.pk,
                    "owner_id": rng.choice(owners).pk,
                    "cause": "A cause",
                    "consequence": "A consequence",
                    "likelihood": likelihood,
                    "impact": impact,
                    "level": level,
                    "residual_likelihood": residual[0],
                    "residual_impact": residual[1],
                    "residual_level": default_band(*residual),
                    "status": status,
                    "approved_level": level if status == RiskStatus.APPROVED else "",
                    "last_reviewed": None,
                    "next_review": today + datetime.timedelta(days=rng.randint(-60, 365)),
                    "created_by_id": officer.pk,
                    "created_at": now,
                    "updated_at": now,
                }

        capa.insert(Risk, fill_defaults(Risk, rows()))
        awaiting = Risk.objects.filter(organisation=organisation, status=RiskStatus.AWAITING_APPROVAL)
        approvals = (
            {
                "risk_id": pk,
                "body": (required_bodies(level) or [ApprovalBody.BOARD])[0],
                "round": 1,
                "level": level,
                "submitted_by_id": officer.pk,
                "submitted_at": now,
            }
            # Read before the COPY starts: a server-side cursor cannot run on the connection during one.
            for pk, level in list(awaiting.values_list("pk", "level"))
        )
        capa.insert(RiskApproval, fill_defaults(RiskApproval, approvals))

    def seed_kpis(self, organisation, business_units, owners, feedback_count):
        """The default KPI set (and five more) with two years of monthly measurements, the year's
        feedback, ten objectives with key results and forty improvement actions with their effect."""
        rng, now = self.rng, self.now
        kpis = []
        for index in range(12):
            if index < len(DEFAULT_KPIS):
                code, name, _text, category, unit, direction, _frequency, target, good, acceptable = DEFAULT_KPIS[index]
            else:
                code, name, category, unit = f"EXTRA{index}", f"Extra KPI {index}", KpiCategory.TECHNICAL, "%"
                direction, target, good, acceptable = "higher_is_better", Decimal(90), Decimal(90), Decimal(80)
            kpis.append(
                Kpi(
                    organisation=organisation,
                    org_unit=organisation,
                    code=code,
                    name=str(name),
                    category=category,
                    measure_unit=str(unit),
                    direction=direction,
                    frequency=Frequency.MONTHLY,
                    owner=owners[index % len(owners)],
                    target=target,
                    good_threshold=good,
                    acceptable_threshold=acceptable,
                )
            )
        kpis = Kpi.objects.bulk_create(kpis)
        months = [datetime.date(self.year - 1 + index // 12, index % 12 + 1, 1) for index in range(24)]
        measurements = []
        for kpi in kpis:
            for month in months:
                value = (kpi.acceptable_threshold + kpi.good_threshold) / 2 + Decimal(rng.randint(-3, 3))
                measurements.append(
                    KpiMeasurement(
                        kpi=kpi,
                        period=month.strftime("%Y-%m"),
                        period_start=month,
                        value=value,
                        status=kpi.status_for(value),
                    )
                )
        KpiMeasurement.objects.bulk_create(measurements)
        start = datetime.datetime(self.year, 1, 1, tzinfo=datetime.UTC)
        feedback = []
        for n in range(feedback_count):
            score = rng.choices([1, 2, 3, 4, 5], [5, 8, 17, 40, 30])[0]
            feedback.append(
                Feedback(
                    unit=rng.choice(business_units),
                    channel=rng.choice(FeedbackChannel.values),
                    category=rng.choice(FeedbackCategory.values),
                    score=score,
                    flagged=score <= 2,
                    received_at=start + datetime.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                    comment=f"Feedback {n}",
                )
            )
        Feedback.objects.bulk_create(feedback, batch_size=5000)
        objectives = Objective.objects.bulk_create(
            Objective(unit=business_units[n], title=f"Objective {n}", period=str(self.year), owner=owners[n])
            for n in range(10)
        )
        KeyResult.objects.bulk_create(
            KeyResult(objective=objective, kpi=kpis[n], baseline=kpis[n].acceptable_threshold, target=kpis[n].target)
            for n, objective in enumerate(objectives)
        )
        actions = Action.objects.bulk_create(
            Action(
                title=f"Improvement {n}",
                kind=ActionKind.IMPROVEMENT,
                unit=business_units[n % len(business_units)],
                owner=owners[n % len(owners)],
                due_date=datetime.date(self.year, 3, 1),
                status=ActionStatus.DONE,
                completed_at=now,
            )
            for n in range(40)
        )
        verdicts = [Verdict.REACHED, Verdict.REACHED, Verdict.PARTLY, Verdict.NOT_REACHED, Verdict.NOT_MEASURABLE]
        IntendedEffect.objects.bulk_create(
            IntendedEffect(
                action=action,
                kpi=kpis[n % len(kpis)],
                expected_change=Decimal(1),
                baseline_from=f"{self.year - 1}-09",
                baseline_to=f"{self.year - 1}-12",
                evaluation_from=f"{self.year}-03",
                evaluation_to=f"{self.year}-06",
                evaluate_after=datetime.date(self.year, 7, 10),
                verdict=verdicts[n % len(verdicts)],
            )
            for n, action in enumerate(actions)
        )

    def seed_scores(self, organisation, owners):
        """The six default areas with two years of monthly scores; a drop investigated now and then."""
        rng = self.rng
        areas = ScoreArea.objects.bulk_create(
            ScoreArea(organisation=organisation, code=code, name=str(name), weight=Decimal(weight), position=n)
            for n, (code, name, weight, _source) in enumerate(DEFAULT_SCORE_AREAS)
        )
        months = [datetime.date(self.year - 1 + index // 12, index % 12 + 1, 1) for index in range(24)]
        monthlies = MonthlyScore.objects.bulk_create(
            MonthlyScore(organisation=organisation, month=month, total=Decimal(rng.randint(600, 850)) / 10)
            for month in months
        )
        scores, investigations, previous = [], [], {}
        for monthly in monthlies:
            for area in areas:
                score = Decimal(rng.randint(500, 950)) / 10
                scores.append(AreaScore(monthly=monthly, area=area, score=score, weight=area.weight))
                before = previous.get(area.pk)
                if before is not None and score < before - 10:
                    investigations.append(
                        Investigation(
                            organisation=organisation,
                            area=area,
                            month=monthly.month,
                            previous_score=before,
                            score=score,
                            owner=owners[0],
                            due_date=monthly.month + datetime.timedelta(days=45),
                            status="open" if monthly.month.year > self.year else "closed",
                            cause="" if monthly.month.year > self.year else "Found",
                            closed_at=None if monthly.month.year > self.year else self.now,
                        )
                    )
                previous[area.pk] = score
        AreaScore.objects.bulk_create(scores)
        Investigation.objects.bulk_create(investigations)

    def seed_audits(self, organisation, business_units):
        """An audit of each business unit in the year, final, on four principles, with a finding and a
        recommendation on random themes."""
        rng, now = self.rng, self.now
        principles = Principle.objects.bulk_create(
            Principle(organisation=organisation, code=f"principle-{n}", name=f"Principle {n}", position=n)
            for n in range(4)
        )
        themes = Theme.objects.bulk_create(Theme(organisation=organisation, name=f"Theme {n}") for n in range(12))
        lead, _ = User.objects.get_or_create(username=f"{OFFICER}-{organisation.pk}-lead")
        audits = Audit.objects.bulk_create(
            Audit(
                organisation=organisation,
                unit=unit,
                year=self.year,
                lead_assessor=lead,
                status=AuditStatus.FINAL,
                status_changed_at=now,
            )
            for unit in business_units
        )
        Audit.principles.through.objects.bulk_create(
            Audit.principles.through(audit_id=audit.pk, principle_id=principle.pk)
            for audit in audits
            for principle in principles
        )
        AuditCalibration.objects.bulk_create(
            AuditCalibration(
                audit=audit,
                principle=principle,
                score=(score := rng.randint(1, 5)),
                median=Decimal(score),
                calibrated_by=lead,
                calibrated_at=now,
            )
            for audit in audits
            for principle in principles
        )
        Finding.objects.bulk_create(
            Finding(audit=audit, kind=kind, principle=rng.choice(principles), theme=rng.choice(themes), title="F")
            for audit in audits
            for kind in (FindingKind.FINDING, FindingKind.RECOMMENDATION)
        )

    def seed_reviews(self, organisation, business_units, owners, officer):
        """Last year's review with decisions and 30 actions (a third done, some overdue), and the year's
        (the one whose PDF is timed)."""
        earlier, review = ManagementReview.objects.bulk_create(
            [
                ManagementReview(
                    organisation=organisation, year=self.year - 1, meeting_date=datetime.date(self.year, 2, 1)
                ),
                ManagementReview(organisation=organisation, year=self.year, meeting_date=self.today),
            ]
        )
        decisions = ReviewDecision.objects.bulk_create(
            ReviewDecision(review=earlier, input=code, text=f"Decision on {code}", recorded_by=officer)
            for code in ReviewInput.values
        )
        content_type = ContentType.objects.get_for_model(ReviewDecision)
        Action.objects.bulk_create(
            Action(
                title=f"Review action {n}",
                kind=ActionKind.REVIEW_DECISION,
                unit=business_units[n % len(business_units)],
                owner=owners[n % len(owners)],
                due_date=datetime.date(self.year, 1 + n % 12, 15),
                status=ActionStatus.DONE if n % 3 == 0 else ActionStatus.OPEN,
                completed_at=self.now if n % 3 == 0 else None,
                source_content_type=content_type,
                source_object_id=decisions[n % len(decisions)].pk,
            )
            for n in range(30)
        )
        return ManagementReview.objects.select_related("organisation").get(pk=review.pk)

    def cleanup(self):
        # Raw deletes: the synthetic rows have no history; deleting a million one by one would take hours.
        unit_ids = list(OrganisationUnit.objects.filter(code__startswith=CODE).values_list("pk", flat=True))
        if not unit_ids and not User.objects.filter(username__startswith=OFFICER).exists():
            return
        with transaction.atomic():
            incident_ids = Incident.objects.filter(organisation_id__in=unit_ids).values("pk")
            nc_ids = NonConformity.objects.filter(organisation_id__in=unit_ids).values("pk")
            risk_ids = Risk.objects.filter(organisation_id__in=unit_ids).values("pk")
            audit_ids = Audit.objects.filter(organisation_id__in=unit_ids).values("pk")
            review_ids = ManagementReview.objects.filter(organisation_id__in=unit_ids).values("pk")
            kpi_ids = Kpi.objects.filter(organisation_id__in=unit_ids).values("pk")
            for queryset in (
                Notification.objects.filter(recipient__username__startswith=OFFICER),
                IncidentUpdate.objects.filter(incident_id__in=incident_ids),
                Incident.affected_units.through.objects.filter(incident_id__in=incident_ids),
                Incident.objects.filter(organisation_id__in=unit_ids),
                IntendedEffect.objects.filter(kpi_id__in=kpi_ids),
                EffectivenessCheck.objects.filter(nonconformity_id__in=nc_ids),
                CapaProposal.nonconformities.through.objects.filter(nonconformity_id__in=nc_ids),
                CapaProposal.objects.filter(unit_id__in=unit_ids),
                Action.objects.filter(unit_id__in=unit_ids),
                NonConformity.objects.filter(organisation_id__in=unit_ids),
                CapaQuarter.objects.filter(organisation_id__in=unit_ids),
                CauseCategory.objects.filter(organisation_id__in=unit_ids),
                RiskApproval.objects.filter(risk_id__in=risk_ids),
                Risk.objects.filter(organisation_id__in=unit_ids),
                Feedback.objects.filter(unit_id__in=unit_ids),
                KeyResult.objects.filter(kpi_id__in=kpi_ids),
                Objective.objects.filter(unit_id__in=unit_ids),
                KpiMeasurement.objects.filter(kpi_id__in=kpi_ids),
                Kpi.objects.filter(organisation_id__in=unit_ids),
                AreaScore.objects.filter(monthly__organisation_id__in=unit_ids),
                Investigation.objects.filter(organisation_id__in=unit_ids),
                MonthlyScore.objects.filter(organisation_id__in=unit_ids),
                ScoreArea.objects.filter(organisation_id__in=unit_ids),
                Finding.objects.filter(audit_id__in=audit_ids),
                AuditCalibration.objects.filter(audit_id__in=audit_ids),
                Audit.principles.through.objects.filter(audit_id__in=audit_ids),
                Audit.objects.filter(organisation_id__in=unit_ids),
                Theme.objects.filter(organisation_id__in=unit_ids),
                Principle.objects.filter(organisation_id__in=unit_ids),
                ReviewDecision.objects.filter(review_id__in=review_ids),
                ManagementReview.objects.filter(organisation_id__in=unit_ids),
                Membership.objects.filter(user__username__startswith=OFFICER),
            ):
                queryset._raw_delete(queryset.db)
            for depth in (3, 2, 1, 0):  # children before parents
                queryset = OrganisationUnit.objects.filter(pk__in=unit_ids, depth=depth)
                queryset._raw_delete(queryset.db)
            User.objects.filter(username__startswith=OFFICER).delete()


def fill_defaults(model, rows):
    """Each row with every concrete column: the model's default, NULL or "" where the row has none (what
    a save would store; ``benchmark_capa.Command.insert`` wants them all)."""
    now = timezone.now()
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.attname == "id":
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif field.blank:
            defaults[field.attname] = ""
    for row in rows:
        yield {**defaults, **row}
