"""django-tables2 tables of the risk register."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qms.tables import BaseTable, StatusColumn
from risks.choices import RiskLevel
from risks.models import Risk


def level_badge(code: str, label=None):
    """A level as a coloured badge (the colours of the matrix bands)."""
    if not code:
        return "—"
    return format_html('<span class="badge level-badge level-{}">{}</span>', code, label or RiskLevel(code).label)


class LevelColumn(tables.Column):
    """A risk level as a coloured badge; exported as its label."""

    def render(self, value, record, bound_column):
        return level_badge(getattr(record, bound_column.name), value)

    def value(self, value, record, bound_column):
        return str(value)


def shown_from(breakpoint: str) -> dict:
    """Cell attributes that hide a column on screens narrower than ``breakpoint`` (Bootstrap's xl, xxl): the
    register fits its card beside the filters without scrolling sideways; exports keep every column."""
    css = f"d-none d-{breakpoint}-table-cell"
    return {"th": {"class": css}, "td": {"class": css}}


class RiskTable(BaseTable):
    """The register. Needs ``Risk.objects.with_plan_counts()`` for the plan column."""

    title = tables.Column(linkify=True, verbose_name=_("Title"))
    organisation = tables.Column(verbose_name=_("Organisation"), visible=False)
    category = tables.Column(verbose_name=_("Category"), order_by=("category__code",), attrs=shown_from("xxl"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",), attrs=shown_from("xxl"))
    owner = tables.Column(
        verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"), attrs=shown_from("xl")
    )
    likelihood = tables.Column(verbose_name=_("Likelihood"), visible=False)
    impact = tables.Column(verbose_name=_("Impact"), visible=False)
    level = LevelColumn(verbose_name=_("Level"))
    residual_likelihood = tables.Column(verbose_name=_("Residual likelihood"), visible=False)
    residual_impact = tables.Column(verbose_name=_("Residual impact"), visible=False)
    residual_level = LevelColumn(verbose_name=_("Residual level"))
    status = StatusColumn(verbose_name=_("Status"))
    next_review = tables.Column(verbose_name=_("Next review"))
    plan = tables.Column(accessor="measure_count", order_by=("measure_count",), verbose_name=_("Plan"))
    overdue_measures = tables.Column(
        accessor="overdue_measure_count", verbose_name=_("Overdue measures"), visible=False
    )

    class Meta(BaseTable.Meta):
        model = Risk
        fields = []
        sequence = (
            "title",
            "organisation",
            "category",
            "unit",
            "owner",
            "likelihood",
            "impact",
            "level",
            "residual_likelihood",
            "residual_impact",
            "residual_level",
            "status",
            "next_review",
            "plan",
            "overdue_measures",
        )
        attrs = {"class": "table table-hover table-sm align-middle mb-0 risk-table"}
        row_attrs = {"data-risk": lambda record: record.pk}

    def render_next_review(self, value, record):
        if record.is_review_overdue:
            return format_html(
                '<span class="text-danger fw-semibold" title="{}">{}</span>',
                _("Review overdue"),
                short_date(value),
            )
        return short_date(value)

    def value_next_review(self, value):
        return value.isoformat()

    def render_plan(self, value, record):
        if not value:
            return format_html('<span class="badge text-bg-danger text-nowrap">{}</span>', _("no plan"))
        html = format_html(
            '<span class="text-nowrap" title="{}"><i class="bi bi-list-check" aria-hidden="true"></i> {}</span>',
            ngettext("%(count)s measure", "%(count)s measures", value) % {"count": value},
            value,
        )
        if record.overdue_measure_count:
            html = format_html(
                '{} <span class="badge text-bg-warning text-nowrap">{}</span>',
                html,
                ngettext("%(count)s overdue", "%(count)s overdue", record.overdue_measure_count)
                % {"count": record.overdue_measure_count},
            )
        return html

    def value_plan(self, value):
        return value


class BoardRiskTable(RiskTable):
    """The board overview: the register's columns with the organisation shown."""

    organisation = tables.Column(verbose_name=_("Organisation"), order_by=("organisation__name",))


def short_date(value):
    return date_format(value, "SHORT_DATE_FORMAT")
