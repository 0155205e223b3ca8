"""django-tables2 tables of the changes part: the change list and the roadmap's export."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.models import Change
from qms.tables import BaseTable, StatusColumn
from risks.tables.register import LevelColumn


def short_datetime(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


class ChangeTable(BaseTable):
    id = tables.Column(verbose_name="#", linkify=True)
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Kind"))
    organisation = tables.Column(verbose_name=_("Organisation"), visible=False)
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"))
    status = StatusColumn(verbose_name=_("Status"))
    risk_level = LevelColumn(verbose_name=_("Risk level"))
    dpia = tables.Column(
        verbose_name=_("DPIA"), accessor="dpia_required", order_by=("dpia_required", "dpia_recorded_at")
    )
    planned_start = tables.Column(verbose_name=_("Planned"))
    planned_end = tables.Column(verbose_name=_("Planned end"), visible=False)
    in_maintenance_window = tables.Column(verbose_name=_("Window"))

    class Meta(BaseTable.Meta):
        model = Change
        fields = []
        sequence = (
            "id",
            "title",
            "kind",
            "organisation",
            "unit",
            "owner",
            "status",
            "risk_level",
            "dpia",
            "planned_start",
            "planned_end",
            "in_maintenance_window",
        )
        row_attrs = {"data-change": lambda record: record.pk}

    def render_dpia(self, value, record):
        if not value:
            return "—"
        if record.dpia_recorded_at:
            return format_html('<span class="badge text-bg-success">{}</span>', _("recorded"))
        return format_html('<span class="badge text-bg-warning">{}</span>', _("pending"))

    def value_dpia(self, value, record):
        if not value:
            return ""
        return str(_("recorded") if record.dpia_recorded_at else _("pending"))

    def render_planned_start(self, value):
        return short_datetime(value)

    def value_planned_start(self, value):
        return timezone.localtime(value).isoformat(timespec="minutes") if value else ""

    def render_planned_end(self, value):
        return short_datetime(value)

    def value_planned_end(self, value):
        return timezone.localtime(value).isoformat(timespec="minutes") if value else ""

    def render_in_maintenance_window(self, value, record):
        if value:
            return format_html('<span class="badge text-bg-success">{}</span>', _("in window"))
        return format_html(
            '<span class="badge text-bg-danger" title="{}">{}</span>', record.outside_window_reason, _("outside")
        )

    def value_in_maintenance_window(self, value):
        return "" if value is None else str(_("yes") if value else _("no"))
