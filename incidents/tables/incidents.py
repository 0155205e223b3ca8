"""django-tables2 tables of the incidents part: the incident list (and its export)."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from incidents.models.incidents import SlaState
from qms.tables import BaseTable, StatusColumn

# Bootstrap colours of the priority and SLA badges (the same on the list, the detail and the preview).
PRIORITY_COLOURS = {1: "danger", 2: "warning", 3: "secondary"}
SLA_COLOURS = {SlaState.ON_TIME: "success", SlaState.AT_RISK: "warning", SlaState.BREACHED: "danger"}


def priority_badge(priority: int | None):
    if not priority:
        return "—"
    return format_html(
        '<span class="badge text-bg-{} priority-badge" data-priority="{}">P{}</span>',
        PRIORITY_COLOURS.get(priority, "secondary"),
        priority,
        priority,
    )


def sla_badge(state: str | None):
    if not state:
        return "—"
    return format_html(
        '<span class="badge text-bg-{}" data-sla="{}">{}</span>',
        SLA_COLOURS.get(state, "secondary"),
        state,
        SlaState(state).label,
    )


def short_datetime(value):
    return date_format(localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


class IncidentTable(BaseTable):
    """The incident list. Needs the unit and owner selected with it."""

    number = tables.Column(accessor="pk", verbose_name=_("Number"), linkify=True)
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    priority = tables.Column(verbose_name=_("Priority"))
    status = StatusColumn(verbose_name=_("Status"))
    reported_at = tables.Column(verbose_name=_("Reported"), attrs={"td": {"class": "text-nowrap"}})
    restore_due = tables.Column(verbose_name=_("Restore due"), attrs={"td": {"class": "text-nowrap"}})
    sla_state = tables.Column(accessor="current_sla_state", verbose_name=_("SLA"), order_by=("restore_due",))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"))
    category = tables.Column(verbose_name=_("Category"), visible=False)
    impact = tables.Column(verbose_name=_("Impact"), visible=False)
    urgency = tables.Column(verbose_name=_("Urgency"), visible=False)
    data_breach_suspected = tables.BooleanColumn(verbose_name=_("Security or privacy"), visible=False)
    resolved_at = tables.Column(verbose_name=_("Resolved at"), visible=False)

    class Meta(BaseTable.Meta):
        model = Incident
        fields = []
        sequence = (
            "number",
            "title",
            "unit",
            "priority",
            "status",
            "reported_at",
            "restore_due",
            "sla_state",
            "owner",
            "category",
            "impact",
            "urgency",
            "data_breach_suspected",
            "resolved_at",
        )
        row_attrs = {"data-incident": lambda record: record.pk}

    def render_number(self, value):
        return f"#{value}"

    def render_priority(self, record):
        return priority_badge(record.priority)

    def value_priority(self, record):
        return f"P{record.priority}"

    def render_reported_at(self, value):
        return short_datetime(value)

    def value_reported_at(self, value):
        return localtime(value).isoformat(timespec="minutes")

    def render_restore_due(self, value, record):
        if record.status in ("resolved", "closed"):
            return format_html('<span class="text-body-secondary">{}</span>', short_datetime(value))
        return short_datetime(value)

    def value_restore_due(self, value):
        return localtime(value).isoformat(timespec="minutes")

    def render_resolved_at(self, value):
        return short_datetime(value)

    def value_resolved_at(self, value):
        return localtime(value).isoformat(timespec="minutes") if value else ""

    def render_sla_state(self, value):
        return sla_badge(value)

    def value_sla_state(self, value):
        return str(SlaState(value).label) if value else ""

    def value_data_breach_suspected(self, value):
        return str(_("yes") if value else _("no"))
