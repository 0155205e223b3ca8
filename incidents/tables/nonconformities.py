"""django-tables2 tables of the non-conformities part."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.models import NonConformity
from qms.tables import BaseTable, StatusColumn

SEVERITY_BADGES = {"major": "danger", "minor": "warning", "observation": "secondary"}


class NonConformityTable(BaseTable):
    """The non-conformity list (the rows come with unit, owner and cause category joined)."""

    id = tables.Column(verbose_name="#", linkify=True)
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    kind = tables.Column(verbose_name=_("Kind"))
    source = tables.Column(verbose_name=_("Source"))
    severity = tables.Column(verbose_name=_("Severity"))
    status = StatusColumn(verbose_name=_("Stage"))
    capa = tables.BooleanColumn(verbose_name=_("CAPA"))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"))
    cause_category = tables.Column(verbose_name=_("Cause category"), order_by=("cause_category__name",))
    created_at = tables.Column(verbose_name=_("Registered"))

    class Meta(BaseTable.Meta):
        model = NonConformity
        fields = []
        sequence = (
            "id",
            "title",
            "unit",
            "kind",
            "source",
            "severity",
            "status",
            "capa",
            "owner",
            "cause_category",
            "created_at",
        )

    def render_severity(self, value, record):
        colour = SEVERITY_BADGES.get(record.severity, "secondary")
        return format_html(
            '<span class="badge text-bg-{}" data-severity="{}">{}</span>', colour, record.severity, value
        )

    def value_severity(self, value):
        return str(value)

    def render_created_at(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value_created_at(self, value):
        return value.isoformat()
