"""The management review's pack: one section per input of ISO 9001 9.3.2 (``ReviewInput``, in its
order), assembled from the system's own data for the review's year (``assemble_pack``), as plain JSON
(numbers, strings, lists, dicts) so that finalising can freeze it into the review as it is.

The format (the contract with the page, the PDF and the freeze)::

    {"organisation": name, "organisation_id": id, "year": 2025, "as_of": ISO timestamp,
     "period": ["2025-01-01", "2025-12-31"], "sections": [SECTION, ...]}
    SECTION = {"input": code, "figures": [FIGURE], "tables": [TABLE], "chart": CHART | None,
               "empty": msgid shown when there is no data, or None}
    FIGURE = {"label": msgid, "value": number | str | None, "unit": "%" | "h" | "",
              "tone": "good" | "warn" | "bad" | None}
    TABLE = {"title": msgid, "columns": [msgid], "rows": [{"cells": [value], "url": path | None}], "total": int}
    CHART = {"kind": "bar" | "line" | "stacked", "title": msgid, "labels": [str],
             "series": [{"name": msgid or str, "values": [number | None]}], "unit": "%" | ""}

Labels, titles and columns are English msgids (``gettext_noop``: in the catalogue, translated when
rendered); a code (a status, a level) is put in a cell as its choice label's msgid. Every section reads
the organisation's data for the year in a fixed number of queries whatever its size: aggregates, and
rows capped at ``ROWS`` with the full count in the table's ``total`` (``tests/reviews/test_pack.py``
pins the count; ``benchmark_reviews`` times it at 100,000 risks, 1,000,000 incidents and 100,000
non-conformities).

``pack_for(review)`` is the pack to show: the frozen one of a finalised review, else assembled now."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_noop

from audits.selectors.reports import common_threads, maturity_by_principle
from incidents.choices import OPEN_NC_STATUSES, NcStatus, Priority
from incidents.choices import Verdict as CheckVerdict
from incidents.models import EffectivenessCheck, Incident, NonConformity
from incidents.selectors.nonconformities import capa_overview
from incidents.selectors.reports import period_bounds, sla_report
from kpis.choices import FeedbackCategory, FeedbackChannel, KpiCategory, KpiStatus, Verdict
from kpis.models import Feedback, IntendedEffect, Kpi, KpiMeasurement, Objective
from kpis.selectors.objectives import objective_tree
from qms.choices import OPEN_ACTION_STATUSES, ActionStatus
from qms.models import Action
from reviews.choices import ReviewInput
from risks.choices import InvestigationStatus, RiskLevel, RiskStatus
from risks.models import AreaScore, Investigation, MonthlyScore, Risk, RiskApproval

ROWS = 20  # rows shown per table; ``total`` says how many there are
SUPPLIER_AREA = "supplier"  # the code of the supplier area of the monthly risk score (SPEC 3)
LEVELS = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH)
EFFECT_VERDICTS = (Verdict.REACHED, Verdict.PARTLY, Verdict.NOT_REACHED, Verdict.NOT_MEASURABLE)
# The share of incidents restored within the target from which the figure is good (or at least not bad).
SLA_GOOD, SLA_WARN = 90, 75


def assemble_pack(organisation, year: int, review=None) -> dict:
    """The pack of ``organisation`` for ``year`` (see the module's docstring), as of now. ``review``
    (optional) is the review it is for: the first section lists the actions of the reviews before it
    (its organisation's reviews of earlier years)."""
    if review is not None:
        organisation, year = review.organisation, review.year
    period = Period(year)
    # Choice labels and default names are lazy texts: evaluated without a language they are their
    # English msgids, which the page and the PDF translate when they render them.
    with translation.override(None):
        sections = [builder(organisation, period) for builder in SECTIONS.values()]
        pack = {
            "organisation": str(organisation.name),
            "organisation_id": organisation.pk,
            "year": year,
            "as_of": timezone.now().isoformat(),
            "period": [period.first.isoformat(), period.last.isoformat()],
            "sections": sections,
        }
        return plain(pack)


def pack_for(review) -> dict:
    """The frozen pack of a finalised review; else the pack as the data stands now."""
    if review.is_finalised and review.pack:
        return review.pack
    return assemble_pack(review.organisation, review.year, review=review)


# --- the parts of the format -----------------------------------------------------------------------


class Period:
    """The review's year: its first and last day, and its bounds in Amsterdam time."""

    def __init__(self, year: int):
        self.year = year
        self.first, self.last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        self.start, self.end = period_bounds(year, None)  # [start, end)
        self.months = [datetime.date(year, month, 1) for month in range(1, 13)]
        self.today = timezone.localdate()

    def moments(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    def days(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})


def section(code, *, figures=(), tables=(), chart=None, empty=None) -> dict:
    return {"input": str(code), "figures": list(figures), "tables": list(tables), "chart": chart, "empty": empty}


def figure(label, value, unit="", tone=None) -> dict:
    return {"label": label, "value": value, "unit": unit, "tone": tone}


def table(title, columns, rows, total=None) -> dict:
    """``rows``: (cells, url) pairs, at most ``ROWS`` of them shown."""
    rows = list(rows)
    return {
        "title": title,
        "columns": list(columns),
        "rows": [{"cells": list(cells), "url": url} for cells, url in rows[:ROWS]],
        "total": len(rows) if total is None else total,
    }


def chart(kind, title, labels, series, unit="") -> dict:
    return {
        "kind": kind,
        "title": title,
        "labels": [str(label) for label in labels],
        "series": [{"name": name, "values": list(values)} for name, values in series],
        "unit": unit,
    }


def plain(value):
    """``value`` with only JSON's types: Decimal as a float, dates as ISO strings, lazy texts as str."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, Promise):
        return str(value)
    return value


def label_of(choices, code) -> str | None:
    """The msgid of a code's label (the caller runs without a language, so ``str`` gives the msgid)."""
    if code in (None, ""):
        return None
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def share(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rounded(value, places=1) -> float | None:
    return round(float(value), places) if value is not None else None


def within(organisation) -> Q:
    """The organisation's units (itself and every unit below it), for records kept per unit."""
    return Q(path__startswith=organisation.path)


# --- the sections, in ReviewInput order ------------------------------------------------------------


def _previous_actions(organisation, period: Period) -> dict:
    """The actions decided in the organisation's earlier reviews (core actions whose source is a
    decision of a review of an earlier year). Two queries (and the cached content type)."""
    from reviews.models import ReviewDecision

    decisions = ReviewDecision.objects.filter(review__organisation=organisation, review__year__lt=period.year)
    actions = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(ReviewDecision),
        source_object_id__in=decisions.values("pk"),
    ).order_by()
    overdue = Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=period.today)
    by_status = {
        row["status"]: row
        for row in actions.values("status").annotate(n=Count("pk"), overdue=Count("pk", filter=overdue))
    }
    total = sum(row["n"] for row in by_status.values())
    if not total:
        return section(ReviewInput.PREVIOUS_ACTIONS, empty=gettext_noop("No actions were decided in earlier reviews."))
    counts = {status: by_status.get(status, {}).get("n", 0) for status in ActionStatus.values}
    late = sum(row["overdue"] for row in by_status.values())
    still_open = sum(counts[status] for status in OPEN_ACTION_STATUSES)
    year_of_review = decisions.filter(pk=OuterRef("source_object_id")).values("review__year")[:1]
    rows = (
        actions.annotate(review_year=Subquery(year_of_review))
        .select_related("owner")
        .order_by("-review_year", "due_date", "pk")[:ROWS]
    )
    return section(
        ReviewInput.PREVIOUS_ACTIONS,
        figures=[
            figure(gettext_noop("Actions from earlier reviews"), total),
            figure(gettext_noop("Done"), counts[ActionStatus.DONE], tone="good" if counts[ActionStatus.DONE] else None),
            figure(gettext_noop("Still open"), still_open, tone="warn" if still_open else None),
            figure(gettext_noop("Overdue"), late, tone="bad" if late else "good"),
            figure(gettext_noop("Share done"), share(counts[ActionStatus.DONE], total), "%"),
        ],
        tables=[
            table(
                gettext_noop("Actions from earlier reviews"),
                [
                    gettext_noop("Action"),
                    gettext_noop("Owner"),
                    gettext_noop("Due date"),
                    gettext_noop("Status"),
                    gettext_noop("Review"),
                ],
                [
                    (
                        [
                            action.title,
                            person(action.owner),
                            action.due_date,
                            label_of(ActionStatus, action.status),
                            action.review_year,
                        ],
                        action.get_absolute_url(),
                    )
                    for action in rows
                ],
                total=total,
            )
        ],
        chart=chart(
            "bar",
            gettext_noop("Actions from earlier reviews by status"),
            [label_of(ActionStatus, status) for status in ActionStatus.values],
            [(gettext_noop("Actions"), [counts[status] for status in ActionStatus.values])],
        ),
    )


def _kpis_of_year(organisation, period: Period):
    """The organisation's active KPIs, each with its latest measurement of the year (period, value,
    status; subqueries, no N+1)."""
    latest = KpiMeasurement.objects.filter(
        kpi=OuterRef("pk"), period_start__gte=period.first, period_start__lte=period.last
    ).order_by("-period_start")
    return Kpi.objects.filter(organisation=organisation, is_active=True).annotate(
        year_period=Subquery(latest.values("period")[:1]),
        year_value=Subquery(latest.values("value")[:1]),
        year_status=Subquery(latest.values("status")[:1]),
    )


def _kpi_row(kpi) -> tuple:
    return (
        [
            f"{kpi.code} · {kpi.display_name}",
            kpi.year_period,
            rounded(kpi.year_value, 2),
            str(kpi.display_measure_unit),
            label_of(KpiStatus, kpi.year_status),
        ],
        kpi.get_absolute_url(),
    )


KPI_COLUMNS = [
    gettext_noop("KPI"),
    gettext_noop("Period"),
    gettext_noop("Value"),
    gettext_noop("Unit"),
    gettext_noop("Status"),
]


def _customer(organisation, period: Period) -> dict:
    """The customer KPIs (CSAT, NPS, churn: category customers) with their latest value and status of
    the year, and the year's feedback: received, flagged, mean CSAT score, by category (chart) and by
    channel (table). Four queries."""
    kpis = list(_kpis_of_year(organisation, period).filter(category=KpiCategory.CUSTOMER).order_by("code")[:ROWS])
    feedback = Feedback.objects.filter(period.moments("received_at"), unit__path__startswith=organisation.path)
    totals = feedback.aggregate(n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)), score=Avg("score"))
    by_category = {
        row["category"]: row
        for row in feedback.order_by()
        .values("category")
        .annotate(n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
    }
    by_channel = {
        row["channel"]: row
        for row in feedback.order_by()
        .values("channel")
        .annotate(n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
    }
    if not kpis and not totals["n"]:
        return section(ReviewInput.CUSTOMER, empty=gettext_noop("No customer KPIs and no feedback in this year."))
    red = sum(1 for kpi in kpis if kpi.year_status == KpiStatus.RED)
    flagged_share = share(totals["flagged"], totals["n"])
    return section(
        ReviewInput.CUSTOMER,
        figures=[
            figure(gettext_noop("Feedback received"), totals["n"]),
            figure(gettext_noop("Flagged feedback"), totals["flagged"], tone="warn" if totals["flagged"] else None),
            figure(gettext_noop("Share flagged"), flagged_share, "%"),
            figure(gettext_noop("Mean CSAT score (1-5)"), rounded(totals["score"], 2)),
            figure(gettext_noop("Customer KPIs in red"), red, tone="bad" if red else "good"),
        ],
        tables=[
            table(
                gettext_noop("Customer KPIs: the year's latest measurement"),
                KPI_COLUMNS,
                [_kpi_row(kpi) for kpi in kpis],
            ),
            table(
                gettext_noop("Feedback by channel"),
                [gettext_noop("Channel"), gettext_noop("Received"), gettext_noop("Flagged")],
                [
                    ([label_of(FeedbackChannel, code), row["n"], row["flagged"]], None)
                    for code, row in sorted(by_channel.items(), key=lambda item: -item[1]["n"])
                ],
            ),
        ],
        chart=chart(
            "bar",
            gettext_noop("Feedback by category"),
            [label_of(FeedbackCategory, code) for code in FeedbackCategory.values],
            [
                (gettext_noop("Received"), [by_category.get(code, {}).get("n", 0) for code in FeedbackCategory.values]),
                (
                    gettext_noop("Flagged"),
                    [by_category.get(code, {}).get("flagged", 0) for code in FeedbackCategory.values],
                ),
            ],
        )
        if totals["n"]
        else None,
    )


def _objectives(organisation, period: Period) -> dict:
    """The year's objectives of the organisation's units (period "2025", "2025-H1"...) as the goal tree,
    with each one's progress from its key results (``objective_tree``: four queries)."""
    objectives = Objective.objects.filter(unit__path__startswith=organisation.path, period__startswith=str(period.year))
    nodes = objective_tree(objectives.order_by("unit__path", "title", "pk"))
    if not nodes:
        return section(ReviewInput.OBJECTIVES, empty=gettext_noop("No objectives for this year."))
    roots = [node for node in nodes if node.depth == 0]
    measured = [node.progress for node in roots if node.progress is not None]
    mean = sum(measured) / len(measured) if measured else None
    reached = sum(1 for node in nodes if node.progress is not None and node.progress >= 100)
    return section(
        ReviewInput.OBJECTIVES,
        figures=[
            figure(gettext_noop("Objectives"), len(nodes)),
            figure(gettext_noop("Top-level objectives"), len(roots)),
            figure(gettext_noop("Mean progress of the top-level objectives"), rounded(mean), "%"),
            figure(gettext_noop("Objectives reached"), reached, tone="good" if reached else None),
        ],
        tables=[
            table(
                gettext_noop("Objectives and their progress"),
                [
                    gettext_noop("Objective"),
                    gettext_noop("Unit"),
                    gettext_noop("Owner"),
                    gettext_noop("Key results"),
                    gettext_noop("Progress (%)"),
                    gettext_noop("Deadline"),
                ],
                [
                    (
                        [
                            ("— " * node.depth) + node.objective.title,
                            node.objective.unit.name,
                            person(node.objective.owner),
                            len(node.key_results),
                            rounded(node.progress),
                            node.objective.deadline,
                        ],
                        node.objective.get_absolute_url(),
                    )
                    for node in nodes
                ],
            )
        ],
        chart=chart(
            "bar",
            gettext_noop("Progress of the top-level objectives"),
            [node.objective.title for node in roots[:ROWS]],
            [(gettext_noop("Progress"), [rounded(node.progress) for node in roots[:ROWS]])],
            "%",
        ),
    )


def _process_performance(organisation, period: Period) -> dict:
    """The KPIs' status (of each KPI's latest measurement of the year: green, amber, red, not measured;
    one grouped query and the KPIs off norm) and the incident SLA figures of the year per priority
    (``sla_report``: a fixed number of queries, two passes over the year's resolved incidents)."""
    kpis = _kpis_of_year(organisation, period)
    statuses = {row["year_status"]: row["n"] for row in kpis.order_by().values("year_status").annotate(n=Count("pk"))}
    off_norm = list(
        kpis.filter(year_status__in=[KpiStatus.RED, KpiStatus.AMBER]).order_by("-year_status", "code")[:ROWS]
    )
    off_total = statuses.get(KpiStatus.RED, 0) + statuses.get(KpiStatus.AMBER, 0)
    # The pack shows the year's figures, not the report's twelve-month trend (a third pass over them).
    report = sla_report(incidents=Incident.objects.all(), organisation=organisation, year=period.year, with_trend=False)
    total = report["total"]
    if not sum(statuses.values()) and not total.reported and not total.resolved:
        return section(ReviewInput.PROCESS_PERFORMANCE, empty=gettext_noop("No KPIs and no incidents in this year."))
    met = total.share_met
    red = statuses.get(KpiStatus.RED, 0)
    return section(
        ReviewInput.PROCESS_PERFORMANCE,
        figures=[
            figure(gettext_noop("KPIs green"), statuses.get(KpiStatus.GREEN, 0), tone="good"),
            figure(
                gettext_noop("KPIs amber"),
                statuses.get(KpiStatus.AMBER, 0),
                tone="warn" if statuses.get(KpiStatus.AMBER) else None,
            ),
            figure(gettext_noop("KPIs red"), red, tone="bad" if red else None),
            figure(gettext_noop("KPIs not measured in the year"), statuses.get(None, 0)),
            figure(gettext_noop("Incidents reported"), total.reported),
            figure(gettext_noop("Incidents resolved"), total.resolved),
            figure(
                gettext_noop("Resolved within the restore target"),
                met,
                "%",
                None if met is None else "good" if met >= SLA_GOOD else "warn" if met >= SLA_WARN else "bad",
            ),
            figure(gettext_noop("Mean time to restore"), total.mean_hours, "h"),
            figure(gettext_noop("90th percentile time to restore"), total.p90_hours, "h"),
        ],
        tables=[
            table(
                gettext_noop("Incident SLA per priority"),
                [
                    gettext_noop("Priority"),
                    gettext_noop("Reported"),
                    gettext_noop("Resolved"),
                    gettext_noop("Within target (%)"),
                    gettext_noop("Breached"),
                    gettext_noop("Mean time to restore (h)"),
                    gettext_noop("90th percentile (h)"),
                    gettext_noop("Target (h)"),
                ],
                [
                    (
                        [
                            label_of(Priority, row.priority),
                            row.reported,
                            row.resolved,
                            row.share_met,
                            row.breached,
                            row.mean_hours,
                            row.p90_hours,
                            row.target_hours,
                        ],
                        None,
                    )
                    for row in report["rows"]
                ],
            ),
            table(gettext_noop("KPIs off norm"), KPI_COLUMNS, [_kpi_row(kpi) for kpi in off_norm], total=off_total),
        ],
        chart=chart(
            "bar",
            gettext_noop("Incidents resolved within the restore target, per priority"),
            [label_of(Priority, row.priority) for row in report["rows"]],
            [(gettext_noop("Within target"), [row.share_met for row in report["rows"]])],
            "%",
        ),
    )


def _nonconformities(organisation, period: Period) -> dict:
    """Open non-conformities by stage, overdue actions and the effectiveness rate (``capa_overview``:
    four queries, on the figures kept per quarter), and those registered, closed and cancelled in the
    year (one aggregate)."""
    ncs = NonConformity.objects.filter(organisation=organisation)
    overview = capa_overview(ncs, organisation, today=period.today)
    year = ncs.order_by().aggregate(
        opened=Count("pk", filter=period.moments("created_at")),
        closed=Count("pk", filter=period.moments("closed_at") & Q(status=NcStatus.CLOSED)),
        capa=Count("pk", filter=period.moments("created_at") & Q(capa=True)),
    )
    quarters = [row for row in overview["effectiveness"] if row["quarter"].startswith(f"{period.year}-")]
    recorded = sum(row["recorded"] for row in quarters)
    effective = sum(row["effective"] for row in quarters)
    if not (overview["open_total"] or year["opened"] or year["closed"] or recorded):
        return section(ReviewInput.NONCONFORMITIES, empty=gettext_noop("No non-conformities in this year."))
    rate = share(effective, recorded)
    return section(
        ReviewInput.NONCONFORMITIES,
        figures=[
            figure(gettext_noop("Registered in the year"), year["opened"]),
            figure(gettext_noop("Promoted to a formal CAPA"), year["capa"]),
            figure(gettext_noop("Closed in the year"), year["closed"]),
            figure(gettext_noop("Open now"), overview["open_total"], tone="warn" if overview["open_total"] else None),
            figure(
                gettext_noop("Overdue actions"),
                overview["overdue_actions"],
                tone="bad" if overview["overdue_actions"] else "good",
            ),
            figure(
                gettext_noop("Effectiveness rate"),
                rate,
                "%",
                None if rate is None else "good" if rate >= 80 else "warn" if rate >= 60 else "bad",
            ),
            figure(gettext_noop("Mean days to close"), overview["mean_days_to_close"]),
        ],
        tables=[
            table(
                gettext_noop("Effectiveness checks per quarter"),
                [
                    gettext_noop("Quarter"),
                    gettext_noop("Checks recorded"),
                    gettext_noop("Effective"),
                    gettext_noop("Effectiveness rate (%)"),
                ],
                [([row["quarter"], row["recorded"], row["effective"], row["rate"]], None) for row in quarters],
            )
        ],
        chart=chart(
            "bar",
            gettext_noop("Open non-conformities by stage"),
            [label_of(NcStatus, status) for status in OPEN_NC_STATUSES],
            [(gettext_noop("Open"), [count for _status, _label, count in overview["open_by_stage"]])],
        ),
    )


def _mean(values) -> float | None:
    values = [value for value in values if value is not None]
    return round(float(sum(values)) / len(values), 1) if values else None


def _monitoring(organisation, period: Period) -> dict:
    """The monthly risk score of each month of the year against the year before (one query), its trend,
    and the investigations of the score's drops: opened and closed in the year (one aggregate) and the
    year's (one query)."""
    totals = {
        monthly.month: monthly.total
        for monthly in MonthlyScore.objects.filter(
            organisation=organisation, month__gte=datetime.date(period.year - 1, 1, 1), month__lte=period.last
        ).only("month", "total")
    }
    this_year = [totals.get(month) for month in period.months]
    last_year = [totals.get(month.replace(year=period.year - 1)) for month in period.months]
    investigations = Investigation.objects.filter(organisation=organisation)
    counts = investigations.order_by().aggregate(
        opened=Count("pk", filter=period.days("month")),
        closed=Count("pk", filter=period.moments("closed_at") & Q(status=InvestigationStatus.CLOSED)),
        open=Count("pk", filter=Q(status=InvestigationStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=InvestigationStatus.OPEN, due_date__lt=period.today)),
    )
    if not any(value is not None for value in this_year) and not counts["opened"] and not counts["open"]:
        return section(ReviewInput.MONITORING, empty=gettext_noop("No monthly risk scores in this year."))
    mean, before = _mean(this_year), _mean(last_year)
    change = round(mean - before, 1) if mean is not None and before is not None else None
    latest = next((value for value in reversed(this_year) if value is not None), None)
    rows = (
        investigations.filter(period.days("month")).select_related("area", "owner").order_by("month", "area__position")
    )
    return section(
        ReviewInput.MONITORING,
        figures=[
            figure(gettext_noop("Mean monthly risk score"), mean),
            figure(gettext_noop("Mean monthly risk score, the year before"), before),
            figure(
                gettext_noop("Change from the year before"),
                change,
                tone=None if change is None else "good" if change > 0 else "bad" if change < 0 else None,
            ),
            figure(gettext_noop("Latest monthly score of the year"), rounded(latest)),
            figure(gettext_noop("Investigations opened"), counts["opened"]),
            figure(gettext_noop("Investigations closed"), counts["closed"]),
            figure(gettext_noop("Investigations open now"), counts["open"], tone="warn" if counts["open"] else None),
            figure(
                gettext_noop("Investigations overdue"), counts["overdue"], tone="bad" if counts["overdue"] else None
            ),
        ],
        tables=[
            table(
                gettext_noop("Investigations of score drops in the year"),
                [
                    gettext_noop("Area"),
                    gettext_noop("Month"),
                    gettext_noop("Previous score"),
                    gettext_noop("Score"),
                    gettext_noop("Owner"),
                    gettext_noop("Status"),
                ],
                [
                    (
                        [
                            str(item.area.display_name),
                            item.month.strftime("%Y-%m"),
                            item.previous_score,
                            item.score,
                            person(item.owner),
                            label_of(InvestigationStatus, item.status),
                        ],
                        item.get_absolute_url(),
                    )
                    for item in rows[:ROWS]
                ],
                total=counts["opened"],
            )
        ],
        chart=chart(
            "line",
            gettext_noop("Monthly risk score"),
            [month.strftime("%Y-%m") for month in period.months],
            [(str(period.year), this_year), (str(period.year - 1), last_year)],
        ),
    )


def _audits(organisation, period: Period) -> dict:
    """Maturity per principle of the year's audits (``maturity_by_principle``: three queries) and the
    common threads (``common_threads``: one)."""
    maturity = maturity_by_principle(organisation=organisation, year=period.year)
    threads = common_threads(organisation=organisation, year=period.year)
    if not maturity and not threads:
        return section(ReviewInput.AUDITS, empty=gettext_noop("No audits reported in this year."))
    averages = [entry.average for entry in maturity]
    return section(
        ReviewInput.AUDITS,
        figures=[
            figure(gettext_noop("Principles assessed"), len(maturity)),
            figure(gettext_noop("Units audited"), max((entry.units for entry in maturity), default=0)),
            figure(
                gettext_noop("Mean maturity (1-5)"), rounded(sum(averages) / len(averages), 2) if averages else None
            ),
            figure(gettext_noop("Common threads"), len(threads), tone="warn" if threads else None),
        ],
        tables=[
            table(
                gettext_noop("Maturity per principle"),
                [
                    gettext_noop("Principle"),
                    gettext_noop("Mean"),
                    gettext_noop("Level"),
                    gettext_noop("Lowest"),
                    gettext_noop("Highest"),
                    gettext_noop("Units"),
                ],
                [
                    (
                        [
                            str(entry.principle),
                            rounded(entry.average, 2),
                            entry.level,
                            entry.min,
                            entry.max,
                            entry.units,
                        ],
                        None,
                    )
                    for entry in maturity
                ],
            ),
            table(
                gettext_noop("Common threads"),
                [gettext_noop("Theme"), gettext_noop("Units"), gettext_noop("Findings and recommendations")],
                [
                    (
                        [str(thread.theme.name), ", ".join(unit.name for unit in thread.units), len(thread.findings)],
                        None,
                    )
                    for thread in threads
                ],
            ),
        ],
        chart=chart(
            "bar",
            gettext_noop("Maturity per principle"),
            [str(entry.principle) for entry in maturity],
            [(gettext_noop("Mean maturity"), [rounded(entry.average, 2) for entry in maturity])],
        )
        if maturity
        else None,
    )


def _suppliers(organisation, period: Period) -> dict:
    """The supplier area of the monthly risk score: its score in each month of the year and the year
    before (one query), the year's average."""
    scores = list(
        AreaScore.objects.filter(
            area__organisation=organisation,
            area__code=SUPPLIER_AREA,
            monthly__month__gte=datetime.date(period.year - 1, 1, 1),
            monthly__month__lte=period.last,
        ).select_related("area", "monthly")
    )
    by_month = {score.monthly.month: score.score for score in scores}
    this_year = [by_month.get(month) for month in period.months]
    last_year = [by_month.get(month.replace(year=period.year - 1)) for month in period.months]
    if not any(value is not None for value in this_year):
        return section(ReviewInput.SUPPLIERS, empty=gettext_noop("No supplier scores in this year."))
    mean, before = _mean(this_year), _mean(last_year)
    change = round(mean - before, 1) if mean is not None and before is not None else None
    name = str(scores[0].area.display_name)
    return section(
        ReviewInput.SUPPLIERS,
        figures=[
            figure(gettext_noop("Mean supplier score"), mean),
            figure(gettext_noop("Mean supplier score, the year before"), before),
            figure(
                gettext_noop("Change from the year before"),
                change,
                tone=None if change is None else "good" if change > 0 else "bad" if change < 0 else None,
            ),
            figure(gettext_noop("Lowest month"), rounded(min(value for value in this_year if value is not None))),
            figure(gettext_noop("Months scored"), sum(1 for value in this_year if value is not None)),
        ],
        chart=chart(
            "line",
            gettext_noop("Supplier score per month"),
            [month.strftime("%Y-%m") for month in period.months],
            [(f"{name} {period.year}", this_year), (f"{name} {period.year - 1}", last_year)],
        ),
    )


def _risks(organisation, period: Period) -> dict:
    """Open risks by level (with overdue reviews: one aggregate), the very high ones (one query) and the
    approvals outstanding (one count). The register as it stands at assembly."""
    risks = Risk.objects.filter(organisation=organisation).open()
    by_level = {
        row["level"]: row
        for row in risks.order_by()
        .values("level")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(next_review__lt=period.today)))
    }
    total = sum(row["n"] for row in by_level.values())
    pending = RiskApproval.objects.filter(risk__organisation=organisation).pending().count()
    if not total and not pending:
        return section(ReviewInput.RISKS, empty=gettext_noop("No open risks."))
    overdue = sum(row["overdue"] for row in by_level.values())
    counts = {level: by_level.get(level, {}).get("n", 0) for level in LEVELS}
    very_high = risks.filter(level=RiskLevel.VERY_HIGH).select_related("unit", "owner").order_by("next_review", "pk")
    return section(
        ReviewInput.RISKS,
        figures=[
            figure(gettext_noop("Open risks"), total),
            figure(
                gettext_noop("Very high"),
                counts[RiskLevel.VERY_HIGH],
                tone="bad" if counts[RiskLevel.VERY_HIGH] else "good",
            ),
            figure(gettext_noop("High"), counts[RiskLevel.HIGH], tone="warn" if counts[RiskLevel.HIGH] else None),
            figure(gettext_noop("Approvals outstanding"), pending, tone="warn" if pending else None),
            figure(gettext_noop("Reviews overdue"), overdue, tone="bad" if overdue else "good"),
        ],
        tables=[
            table(
                gettext_noop("Very high risks"),
                [
                    gettext_noop("Risk"),
                    gettext_noop("Unit"),
                    gettext_noop("Owner"),
                    gettext_noop("Status"),
                    gettext_noop("Next review"),
                ],
                [
                    (
                        [
                            risk.title,
                            risk.unit.name,
                            person(risk.owner),
                            label_of(RiskStatus, risk.status),
                            risk.next_review,
                        ],
                        risk.get_absolute_url(),
                    )
                    for risk in very_high[:ROWS]
                ],
                total=counts[RiskLevel.VERY_HIGH],
            )
        ],
        chart=chart(
            "bar",
            gettext_noop("Open risks by level"),
            [label_of(RiskLevel, level) for level in LEVELS],
            [(gettext_noop("Open risks"), [counts[level] for level in LEVELS])],
        ),
    )


def _improvement(organisation, period: Period) -> dict:
    """The verdicts on the intended effects of improvement actions (and CAPA actions) due to be judged
    in the year (one aggregate), and the CAPA effectiveness checks recorded in the year (one grouped
    query)."""
    effects = IntendedEffect.objects.filter(
        action__unit__path__startswith=organisation.path,
        evaluate_after__gte=period.first,
        evaluate_after__lte=period.last,
    ).order_by()
    verdicts = effects.aggregate(
        **{code: Count("pk", filter=Q(verdict=code)) for code in EFFECT_VERDICTS},
        pending=Count("pk", filter=Q(verdict="")),
    )
    checks = {
        row["verdict"]: row["n"]
        for row in EffectivenessCheck.objects.filter(
            period.moments("checked_at"), nonconformity__organisation=organisation
        )
        .exclude(verdict="")
        .order_by()
        .values("verdict")
        .annotate(n=Count("pk"))
    }
    judged = sum(verdicts[code] for code in EFFECT_VERDICTS)
    if not judged and not verdicts["pending"] and not checks:
        return section(
            ReviewInput.IMPROVEMENT, empty=gettext_noop("No effects of improvement actions were judged in this year.")
        )
    reached = verdicts[Verdict.REACHED]
    checked = sum(checks.values())
    return section(
        ReviewInput.IMPROVEMENT,
        figures=[
            figure(gettext_noop("Effects reached"), reached, tone="good" if reached else None),
            figure(gettext_noop("Effects partly reached"), verdicts[Verdict.PARTLY]),
            figure(
                gettext_noop("Effects not reached"),
                verdicts[Verdict.NOT_REACHED],
                tone="bad" if verdicts[Verdict.NOT_REACHED] else None,
            ),
            figure(gettext_noop("Effects that cannot be measured"), verdicts[Verdict.NOT_MEASURABLE]),
            figure(gettext_noop("Effects still to be judged"), verdicts["pending"]),
            figure(gettext_noop("Share of effects reached"), share(reached, judged), "%"),
            figure(gettext_noop("CAPA checks: effective"), share(checks.get(CheckVerdict.EFFECTIVE, 0), checked), "%"),
        ],
        tables=[
            table(
                gettext_noop("Effectiveness checks of corrective actions"),
                [gettext_noop("Verdict"), gettext_noop("Checks")],
                [([label_of(CheckVerdict, code), checks.get(code, 0)], None) for code in CheckVerdict.values],
                total=len(CheckVerdict.values),
            )
        ],
        chart=chart(
            "bar",
            gettext_noop("Effects of improvement actions"),
            [label_of(Verdict, code) for code in EFFECT_VERDICTS],
            [(gettext_noop("Effects"), [verdicts[code] for code in EFFECT_VERDICTS])],
        ),
    )


SECTIONS = {
    ReviewInput.PREVIOUS_ACTIONS: _previous_actions,
    ReviewInput.CUSTOMER: _customer,
    ReviewInput.OBJECTIVES: _objectives,
    ReviewInput.PROCESS_PERFORMANCE: _process_performance,
    ReviewInput.NONCONFORMITIES: _nonconformities,
    ReviewInput.MONITORING: _monitoring,
    ReviewInput.AUDITS: _audits,
    ReviewInput.SUPPLIERS: _suppliers,
    ReviewInput.RISKS: _risks,
    ReviewInput.IMPROVEMENT: _improvement,
}
