"""django-tables2 tables of the KPI app."""

import django_tables2 as tables
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kpis.choices import STATUS_COLOURS, VERDICT_COLOURS, KpiStatus
from kpis.models import Feedback, IntendedEffect, Kpi, KpiMeasurement
from kpis.templatetags.kpi_tags import kpi_number
from qms.tables import BaseTable


def badge(colour: str, label) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label)


class NumberColumn(tables.Column):
    """A decimal without trailing zeros, in the reader's locale (rounded to ``places`` decimals when
    given); exported as plain text, exactly."""

    def __init__(self, *args, places: int | None = None, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def render(self, value):
        return kpi_number(value, self.places)

    def value(self, value):
        return "" if value is None else format(value.normalize(), "f")


class KpiTable(BaseTable):
    code = tables.Column(linkify=True, verbose_name=_("Code"))
    name = tables.Column(accessor="display_name", order_by="name", verbose_name=_("Name"))
    category = tables.Column(verbose_name=_("Category"))
    org_unit = tables.Column(verbose_name=_("Unit"))
    owner = tables.Column(verbose_name=_("Owner"))
    latest_period = tables.Column(verbose_name=_("Latest period"))
    latest_value = NumberColumn(verbose_name=_("Latest value"))
    latest_status = tables.Column(verbose_name=_("Status"))

    class Meta(BaseTable.Meta):
        model = Kpi
        fields = ["code", "name", "category", "org_unit", "owner", "latest_period", "latest_value", "latest_status"]

    def render_latest_status(self, value):
        return badge(STATUS_COLOURS.get(value, "secondary"), KpiStatus(value).label)

    def value_latest_status(self, value):
        return KpiStatus(value).label if value else ""


class KpiMeasurementTable(BaseTable):
    period = tables.Column(verbose_name=_("Period"), order_by="period_start")
    value = NumberColumn(verbose_name=_("Value"))
    status = tables.Column(verbose_name=_("Status"))
    note = tables.Column(verbose_name=_("Note"))
    entered_by = tables.Column(verbose_name=_("Entered by"))
    actions = tables.TemplateColumn(
        template_name="kpis/_measurement_actions.html", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta(BaseTable.Meta):
        model = KpiMeasurement
        fields = ["period", "value", "status", "note", "entered_by"]
        order_by = ["-period"]

    def render_status(self, value, record):
        return badge(record.colour, value)

    def value_status(self, value, record):
        return str(value)  # the label, not the badge's HTML, in exports


class FeedbackTable(BaseTable):
    received_at = tables.DateTimeColumn(
        linkify=True, verbose_name=_("Received"), format="SHORT_DATETIME_FORMAT", attrs={"td": {"class": "text-nowrap"}}
    )
    unit = tables.Column(verbose_name=_("Unit"))
    channel = tables.Column(verbose_name=_("Channel"))
    category = tables.Column(verbose_name=_("Category"))
    score = tables.Column(verbose_name=_("CSAT"))
    comment = tables.Column(verbose_name=_("Comment"))
    flagged = tables.Column(verbose_name=_("Flagged"))
    assigned_to = tables.Column(verbose_name=_("Assigned to"))
    follow_up = tables.Column(verbose_name=_("Follow-up"))

    class Meta(BaseTable.Meta):
        model = Feedback
        fields = ["received_at", "unit", "channel", "category", "score", "comment", "flagged", "assigned_to"]
        fields += ["follow_up"]

    def render_comment(self, value):
        return value if len(value) <= 80 else f"{value[:79]}…"

    # The follow-up's title repeats what the row says already: the status and due date, linked to
    # the action (its title as the link's tooltip), keep the column narrow. The export has the title.
    def render_follow_up(self, value):
        return format_html(
            '<a href="{}" title="{}">{}</a><div class="small text-body-secondary text-nowrap">{}</div>',
            value.get_absolute_url(),
            value.title,
            value.get_status_display(),
            formats.date_format(value.due_date, "SHORT_DATE_FORMAT"),
        )

    def value_follow_up(self, value):
        return value.title if value else ""

    def render_flagged(self, value, record):
        if not value:
            return "—"
        # The reason may wrap ("Marked negative" is long in Dutch): the table fits its column.
        return format_html('<span class="badge text-bg-danger text-wrap">{}</span>', record.get_flag_reason_display())

    def value_flagged(self, value, record):
        return record.get_flag_reason_display() if value else ""

    def value_comment(self, value):
        return value


class IntendedEffectTable(BaseTable):
    action = tables.Column(linkify=True, verbose_name=_("Action"))
    unit = tables.Column(accessor="action__unit", verbose_name=_("Unit"))
    kpi = tables.Column(linkify=True, verbose_name=_("KPI"))
    expectation = tables.Column(verbose_name=_("Intended effect"), orderable=False, empty_values=())
    windows = tables.Column(verbose_name=_("Before → after"), orderable=False, empty_values=())
    measured_change = NumberColumn(verbose_name=_("Measured change"), places=2)
    verdict = tables.Column(verbose_name=_("Verdict"), empty_values=())
    details = tables.Column(
        linkify=lambda record: record.get_absolute_url(),
        verbose_name="",
        empty_values=(),
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = IntendedEffect
        fields = ["action", "unit", "kpi", "expectation", "windows", "measured_change", "verdict"]
        order_by = ["-evaluate_after"]

    def render_expectation(self, record):
        if record.expectation == "change":
            return f"{'+' if record.expected_change > 0 else ''}{kpi_number(record.expected_change)}"
        return record.get_expectation_display()

    def value_expectation(self, record):
        return self.render_expectation(record)

    def render_windows(self, record):
        return f"{record.baseline_from}–{record.baseline_to} → {record.evaluation_from}–{record.evaluation_to}"

    # ``value`` is the verdict's label for a field with choices: the code is ``record.verdict``.
    def render_verdict(self, record):
        if not record.verdict:
            return format_html('<span class="badge text-bg-light border">{}</span>', _("Not measured yet"))
        return badge(VERDICT_COLOURS[record.verdict], record.get_verdict_display())

    def value_verdict(self, record):
        return record.get_verdict_display() if record.verdict else ""

    def render_details(self, record):
        return _("Details")
