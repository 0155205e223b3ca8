"""django-tables2 table of the breach register."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.models import DataBreach
from qms.tables import BaseTable, StatusColumn


def short_datetime(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def authority_state(breach: DataBreach) -> str:
    """The authority question in words (also the export's cell)."""
    if breach.authority_notified_at:
        return str(_("Notified"))
    if breach.authority_not_notified_reason:
        return str(_("Not notified (reason recorded)"))
    if not breach.authority_required:
        return str(_("Not required (no risk)"))
    return str(_("Open"))


class DataBreachTable(BaseTable):
    """The register: every breach the reader may see, notified or not (GDPR art. 33(5))."""

    title = tables.Column(linkify=True, verbose_name=_("Title"))
    organisation = tables.Column(verbose_name=_("Organisation"), order_by=("organisation__name",))
    incident = tables.Column(verbose_name=_("Incident"), linkify=False, order_by=("incident_id",))
    discovered_at = tables.Column(verbose_name=_("Discovered at"))
    risk = tables.Column(verbose_name=_("Risk"), empty_values=())
    authority_deadline = tables.Column(verbose_name=_("Authority deadline"))
    time_left = tables.Column(
        accessor="authority_deadline", verbose_name=_("Time left"), orderable=False, empty_values=()
    )
    authority = tables.Column(accessor="pk", verbose_name=_("Authority"), orderable=False)
    authority_notified_at = tables.Column(verbose_name=_("Authority notified at"))
    subjects_notified_at = tables.Column(verbose_name=_("People notified at"), visible=False)
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"))
    status = StatusColumn(verbose_name=_("Status"))

    class Meta(BaseTable.Meta):
        model = DataBreach
        fields = []
        sequence = (
            "title",
            "organisation",
            "incident",
            "discovered_at",
            "risk",
            "authority_deadline",
            "time_left",
            "authority",
            "authority_notified_at",
            "subjects_notified_at",
            "owner",
            "status",
        )
        row_attrs = {"data-breach": lambda record: record.pk}

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def render_incident(self, value):
        return format_html('<a href="{}">#{}</a>', value.get_absolute_url(), value.pk)

    def value_incident(self, value):
        return value.pk if value else ""

    def render_discovered_at(self, value):
        return short_datetime(value)

    def value_discovered_at(self, value):
        return value.isoformat()

    def render_risk(self, value, record):
        if not record.risk:
            return format_html('<span class="text-body-secondary">{}</span>', _("not assessed"))
        css = {"high_risk": "text-bg-danger", "risk": "text-bg-warning"}.get(record.risk, "text-bg-light border")
        return format_html('<span class="badge {}">{}</span>', css, record.get_risk_display())

    def value_risk(self, value, record):
        return str(record.get_risk_display()) if record.risk else ""

    def render_authority_deadline(self, value):
        return short_datetime(value)

    def value_authority_deadline(self, value):
        return value.isoformat()

    def render_time_left(self, value, record):
        if not record.authority_pending:
            return "—"
        hours = record.hours_left(self.now)
        if hours < 0:
            label = _("overdue by %(hours)s h") % {"hours": int(-hours)}
            return format_html('<span class="badge text-bg-danger">{}</span>', label)
        css = "text-bg-warning" if hours < 12 else "text-bg-light border"
        return format_html('<span class="badge {}">{}</span>', css, _("%(hours)s h") % {"hours": int(hours)})

    def value_time_left(self, value, record):
        return round(record.hours_left(self.now), 1) if record.authority_pending else ""

    def render_authority(self, value, record):
        return authority_state(record)

    def value_authority(self, value, record):
        return authority_state(record)

    def render_authority_notified_at(self, value):
        return short_datetime(value)

    def value_authority_notified_at(self, value):
        return value.isoformat() if value else ""

    def render_subjects_notified_at(self, value):
        return short_datetime(value)

    def value_subjects_notified_at(self, value):
        return value.isoformat() if value else ""
