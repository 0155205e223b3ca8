"""Pages of the reports part: the maturity report of an organisation and year, and the report of one
audit as a page and as a PDF.

Charts on the pages are drawn by Chart.js (static/js/audits-reports.js) from data the page carries in
``json_script`` blocks, with the same figures in tables; the PDF runs no JavaScript, so its radar chart
is an SVG drawn here (``radar_chart``)."""

import math

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from audits.choices import LEVEL_MAX, LEVEL_MIN, FindingKind
from audits.models import Audit, Finding, ManagementResponse, MaturityLevel
from audits.selectors.reports import (
    audit_scores_table,
    common_threads,
    evaluation_average,
    good_examples,
    maturity_by_principle,
    maturity_over_years,
    unit_over_years,
)
from qms.pdf import render_pdf
from qms.views.generic import ObjectMixin, organisation_from_query

# The year-on-year part shows the chosen year and the years before it, at most this many.
YEARS_SHOWN = 10
# Level 1 (ad hoc) to 5 (optimising), red to green; the chart legends name them.
LEVEL_COLOURS = {1: "#dc3545", 2: "#fd7e14", 3: "#ffc107", 4: "#20c997", 5: "#198754"}
SERIES_COLOURS = ["#0d6efd", "#d63384", "#fd7e14", "#198754", "#6f42c1", "#20c997", "#6c757d", "#dc3545", "#0dcaf0"]
CALIBRATED_COLOUR = "#212529"


def _year(value: str | None) -> int | None:
    if not value or not value.isdigit() or len(value) != 4:
        return None
    year = int(value)
    return year if 2000 <= year <= 2100 else None


def level_names(organisation) -> dict[int, str]:
    """The organisation's names of its levels, in the reader's language (one query)."""
    names = {level: str(level) for level in range(LEVEL_MIN, LEVEL_MAX + 1)}
    for level in MaturityLevel.objects.filter(organisation=organisation):
        names[level.level] = level.localized("name")
    return names


class ReportNavMixin:
    nav = "maturity_report"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audit_nav"] = {"active": self.nav}
        return context


# --- the maturity report of an organisation and year ------------------------------------------


class MaturityReportView(ReportNavMixin, TemplateView):
    """Per organisation (``?organisation=``, among those the reader sees as a whole) and year (``?year=``,
    default the last year with calibrated scores): the mean calibrated maturity per principle over the
    audited units with its level (half up), min, max and units, the distribution of levels, the common
    threads, the good examples, year-on-year per principle and per unit (``?principle=`` picks the
    principle of the unit table; default the mean of a unit's principles), the auditees' mean mark.
    A constant number of queries, however many units and years (``benchmark_audits``)."""

    template_name = "audits/reports/maturity.html"

    def get(self, request, *args, **kwargs):
        self.organisations, self.organisation = organisation_from_query(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("Maturity report"), organisations=self.organisations, organisation=self.organisation)
        if self.organisation is None:
            return context
        organisation = self.organisation
        asked = self.request.GET.get("year")
        year = _year(asked)
        trend = maturity_over_years(organisation=organisation)
        if year is None:
            year = trend.years[-1] if trend.years else timezone.localdate().year
        years = [shown for shown in trend.years if shown <= year][-YEARS_SHOWN:]
        names = level_names(organisation)
        rows = maturity_by_principle(organisation=organisation, year=year)
        units = unit_over_years(organisation=organisation, years=years)
        context.update(
            year=year,
            year_problem=_("Give the year as YYYY; the last year with calibrated scores is shown.")
            if asked and _year(asked) is None
            else "",
            year_choices=sorted(set(trend.years) | {year}, reverse=True),
            levels=[{"level": level, "name": name, "colour": LEVEL_COLOURS[level]} for level, name in names.items()],
            rows=[
                {
                    "row": row,
                    "level_name": names.get(row.level, row.level),
                    "counts": [row.distribution.get(level, 0) for level in names],
                }
                for row in rows
            ],
            threads=common_threads(organisation=organisation, year=year),
            examples=good_examples(organisation=organisation, year=year),
            evaluation=evaluation_average(audits=Audit.objects.filter(organisation=organisation, year=year)),
            **self.trend_context(trend, years, names),
            **self.units_context(units, trend),
        )
        context["charts"] = self.charts(context, rows, names)
        return context

    def trend_context(self, trend, years, names):
        index = [trend.years.index(year) for year in years]
        principles = []
        for entry in trend.principles:
            points = [entry.points[i] for i in index]
            if any(points):
                principles.append({"principle": entry.principle, "points": points})
        return {"trend_years": years, "trend": principles}

    def units_context(self, units, trend):
        principles = [entry.principle for entry in trend.principles]
        chosen = None
        asked = self.request.GET.get("principle")
        if asked and asked.isdigit() and len(asked) <= 18:
            chosen = next((principle for principle in principles if principle.pk == int(asked)), None)
        rows = []
        for unit in units.units:
            cells = []
            for cell in unit.years:
                if cell is None:
                    cells.append(None)
                elif chosen is None:
                    cells.append(cell.average)
                else:
                    cells.append(cell.scores.get(chosen.pk))
            rows.append({"unit_id": unit.unit_id, "name": unit.unit_name, "cells": cells})
        return {"unit_years": units.years, "unit_rows": rows, "unit_principles": principles, "unit_principle": chosen}

    def charts(self, context, rows, names):
        labels = [str(row.principle) for row in rows]
        averages = {
            "kind": "bar",
            "labels": labels,
            "datasets": [
                {"label": str(_("Average")), "data": [float(row.average) for row in rows], "colour": "#0d6efd"}
            ],
            "max": LEVEL_MAX,
        }
        distribution = {
            "kind": "stacked",
            "labels": labels,
            "datasets": [
                {
                    "label": f"{level} {name}",
                    "data": [row.distribution.get(level, 0) for row in rows],
                    "colour": LEVEL_COLOURS[level],
                }
                for level, name in names.items()
            ],
        }
        trend = {
            "kind": "line",
            "labels": [str(year) for year in context["trend_years"]],
            "datasets": [
                {
                    "label": str(entry["principle"]),
                    "data": [float(point.average) if point else None for point in entry["points"]],
                    "colour": SERIES_COLOURS[n % len(SERIES_COLOURS)],
                }
                for n, entry in enumerate(context["trend"])
            ],
            "max": LEVEL_MAX,
        }
        return {"averages": averages, "distribution": distribution, "trend": trend}


# --- the report of one audit ------------------------------------------------------------------


def radar_chart(table, *, width: int = 520, radius: int = 115) -> dict:
    """The geometry of an SVG radar chart of an audit's scores (``audit_scores_table``): one axis per
    principle from 0 to 5, rings at every level, the calibrated scores and each assessor's as polygons,
    and a legend below. For the PDF, which runs no JavaScript (the page draws the same with Chart.js).
    The sides leave room for the principles' names; numbers are formatted here (a template would
    localise them: a decimal comma in Dutch)."""
    count = len(table.rows)
    centre_x, centre_y = width / 2, radius + 24

    def angle(index):
        return -math.pi / 2 + 2 * math.pi * index / count

    def point(index, value):
        distance = radius * value / LEVEL_MAX
        return centre_x + distance * math.cos(angle(index)), centre_y + distance * math.sin(angle(index))

    def polygon(values):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, value or 0) for i, value in enumerate(values)))

    axes = []
    for index, row in enumerate(table.rows):
        end_x, end_y = point(index, LEVEL_MAX)
        label_x, label_y = point(index, LEVEL_MAX + 0.5)
        cosine, sine = math.cos(angle(index)), math.sin(angle(index))
        axes.append(
            {
                "x": f"{end_x:.1f}",
                "y": f"{end_y:.1f}",
                "label": str(row.principle),
                "label_x": f"{label_x:.1f}",
                # Below the axis' end for the lower half, above it for the upper half.
                "label_y": f"{label_y + 3 + 4 * sine:.1f}",
                "anchor": "middle" if abs(cosine) < 0.3 else ("start" if cosine > 0 else "end"),
            }
        )
    rings = [polygon([level] * count) for level in range(LEVEL_MIN, LEVEL_MAX + 1)] if count else []
    series = []
    for n, assessor in enumerate(table.assessors):
        values = [row.scores[n].score if row.scores[n] else None for row in table.rows]
        if any(values):
            series.append(
                {"label": str(assessor), "points": polygon(values), "colour": SERIES_COLOURS[n % len(SERIES_COLOURS)]}
            )
    calibrated = [row.calibrated for row in table.rows]
    if any(calibrated):
        series.append(
            {"label": str(_("Calibrated")), "points": polygon(calibrated), "colour": CALIBRATED_COLOUR, "bold": True}
        )
    lowest = max([float(axis["label_y"]) for axis in axes] + [centre_y])
    legend_top = lowest + 22
    for n, entry in enumerate(series):
        entry["legend_y"] = f"{legend_top + 13 * n:.0f}"
        entry["legend_text_y"] = f"{legend_top + 13 * n + 3:.0f}"
    return {
        "width": width,
        "height": f"{legend_top + 13 * len(series):.0f}",
        "legend_x": f"{centre_x - 60:.0f}",
        "legend_line_end": f"{centre_x - 44:.0f}",
        "legend_text_x": f"{centre_x - 40:.0f}",
        "centre_x": f"{centre_x:.1f}",
        "centre_y": f"{centre_y:.1f}",
        "axes": axes,
        "rings": rings,
        "series": series,
    }


class AuditReportView(ReportNavMixin, ObjectMixin, TemplateView):
    """The report of one audit: the scores per principle, calibrated and per assessor (before
    calibration only the reader's own), as a table and a radar chart; the findings, recommendations and
    good examples; the management response; the auditees' mean mark. Out of sight is a 404."""

    template_name = "audits/reports/audit_report.html"
    queryset = Audit.objects.select_related("unit", "organisation", "lead_assessor")
    nav = "audits"

    def report_context(self) -> dict:
        audit = self.get_object()
        user = self.request.user
        table = audit_scores_table(audit=audit, user=user)
        findings = list(Finding.objects.filter(audit=audit).select_related("principle", "theme"))
        by_kind = [
            {"kind": kind, "label": label, "findings": [finding for finding in findings if finding.kind == kind]}
            for kind, label in FindingKind.choices
        ]
        return {
            "title": _("Audit report"),
            "object": audit,
            "audit": audit,
            "table": table,
            "findings_by_kind": by_kind,
            "response": ManagementResponse.objects.filter(audit=audit).select_related("given_by").first(),
            "evaluation": evaluation_average(audits=Audit.objects.filter(pk=audit.pk)),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.report_context())
        table = context["table"]
        datasets = [
            {
                "label": str(assessor),
                "data": [row.scores[n].score if row.scores[n] else None for row in table.rows],
                "colour": SERIES_COLOURS[n % len(SERIES_COLOURS)],
                "dashed": True,
            }
            for n, assessor in enumerate(table.assessors)
        ]
        if any(row.calibrated for row in table.rows):
            datasets.append(
                {
                    "label": str(_("Calibrated")),
                    "data": [row.calibrated for row in table.rows],
                    "colour": CALIBRATED_COLOUR,
                    "dashed": False,
                }
            )
        context["radar"] = {
            "kind": "radar",
            "labels": [str(row.principle) for row in table.rows],
            "datasets": datasets,
            "max": LEVEL_MAX,
        }
        return context


class AuditReportPdfView(AuditReportView):
    """The audit report as a PDF (A4, page numbers, the radar chart as SVG, the vendored font)."""

    template_name = "audits/reports/audit_report_pdf.html"

    def get(self, request, *args, **kwargs):
        context = self.report_context()
        context["radar_svg"] = radar_chart(context["table"])
        context["generated_at"] = timezone.localtime()
        pdf = render_pdf(self.template_name, context, request)
        audit = context["audit"]
        response = HttpResponse(pdf, content_type="application/pdf")
        name = slugify(f"audit-{audit.unit.name}-{audit.year}") or "audit"
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
