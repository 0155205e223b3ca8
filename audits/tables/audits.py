"""django-tables2 tables of the audits part."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audits.models import Audit
from qms.tables import BaseTable, StatusColumn


def people(record) -> list[str]:
    """The assessors of a row (prefetched by the list: no query per row), the lead first."""
    assessors = sorted(record.assessors.all(), key=lambda user: (user.pk != record.lead_assessor_id, str(user)))
    return [str(user) for user in assessors]


class AuditTable(BaseTable):
    """The audit list (rows come with unit and lead joined, the assessors prefetched and
    ``principle_count`` annotated)."""

    unit = tables.Column(
        verbose_name=_("Unit"), linkify=lambda record: record.get_absolute_url(), order_by=("unit__name",)
    )
    year = tables.Column(verbose_name=_("Year"))
    status = StatusColumn(verbose_name=_("Status"))
    lead_assessor = tables.Column(
        verbose_name=_("Lead assessor"), order_by=("lead_assessor__last_name", "lead_assessor__first_name")
    )
    assessors = tables.Column(verbose_name=_("Assessors"), empty_values=(), orderable=False)
    principle_count = tables.Column(verbose_name=_("Principles"), attrs={"td": {"class": "text-end"}})
    planned_start = tables.DateColumn(verbose_name=_("Planned start"), short=True)

    class Meta(BaseTable.Meta):
        model = Audit
        fields = []
        sequence = ("unit", "year", "status", "lead_assessor", "assessors", "principle_count", "planned_start")
        order_by = ("-year", "unit")

    def render_status(self, value, record):
        return format_html('<span class="badge text-bg-light border" data-status="{}">{}</span>', record.status, value)

    def value_status(self, value):
        return str(value)

    def render_assessors(self, record):
        return ", ".join(people(record))

    def value_assessors(self, record):
        return ", ".join(people(record))

    def value_unit(self, value):
        return str(value)
