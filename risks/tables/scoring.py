"""django-tables2 tables of the monthly risk score pages."""

import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qms.periods import month_label
from qms.tables import BaseTable, StatusColumn
from risks.models import Investigation
from risks.tables.register import short_date


class InvestigationTable(BaseTable):
    """Investigations of score drops. Needs ``step_count`` annotated (the plan column), so the list
    costs the same number of queries for 1 row or 50."""

    area = tables.Column(linkify=lambda record: record.get_absolute_url(), verbose_name=_("Area"))
    organisation = tables.Column(verbose_name=_("Organisation"), order_by=("organisation__name",))
    month = tables.Column(verbose_name=_("Month"))
    previous_score = tables.Column(verbose_name=_("Score before"))
    score = tables.Column(verbose_name=_("Score after"))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"))
    status = StatusColumn(verbose_name=_("Status"))
    due_date = tables.Column(verbose_name=_("Due date"))
    steps = tables.Column(accessor="step_count", order_by=("step_count",), verbose_name=_("Plan"))

    class Meta(BaseTable.Meta):
        model = Investigation
        fields = []
        sequence = ("area", "organisation", "month", "previous_score", "score", "owner", "status", "due_date", "steps")
        order_by = ("-month", "area")
        row_attrs = {"data-investigation": lambda record: record.pk}

    def render_month(self, value):
        return month_label(value)

    def value_month(self, value):
        return month_label(value)

    def render_previous_score(self, value):
        return floatformat(value, 1)

    def value_previous_score(self, value):
        return value

    def render_score(self, value, record):
        if not record.is_drop:  # no drop any more, after a correction
            return floatformat(value, 1)
        return format_html(
            '<span class="text-danger text-nowrap"><i class="bi bi-arrow-down-right" aria-hidden="true"></i> {}</span>',
            floatformat(value, 1),
        )

    def value_score(self, value):
        return value

    def render_due_date(self, value, record):
        if record.is_overdue:
            return format_html('<span class="text-danger fw-semibold">{} {}</span>', short_date(value), _("overdue"))
        return short_date(value)

    def value_due_date(self, value):
        return value.isoformat()

    def render_steps(self, value):
        if not value:
            return format_html('<span class="badge text-bg-warning">{}</span>', _("no steps"))
        return value

    def value_steps(self, value):
        return value
