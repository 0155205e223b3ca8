"""django-tables2 tables of the reviews app."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qms.tables import BaseTable
from reviews.models import ManagementReview


class ReviewTable(BaseTable):
    """The review list (rows come with the organisation joined: the same queries for 1 row as for 50)."""

    organisation = tables.Column(
        verbose_name=_("Organisation"),
        linkify=lambda record: record.get_absolute_url(),
        order_by=("organisation__name",),
    )
    year = tables.Column(verbose_name=_("Year"))
    status = tables.Column(verbose_name=_("Status"))
    meeting_date = tables.DateColumn(verbose_name=_("Meeting date"), short=True)
    finalised_at = tables.DateColumn(verbose_name=_("Finalised"), short=True)

    class Meta(BaseTable.Meta):
        model = ManagementReview
        fields = []
        sequence = ("organisation", "year", "status", "meeting_date", "finalised_at")
        order_by = ("-year", "organisation")

    def render_status(self, value, record):
        return format_html('<span class="badge text-bg-light border" data-status="{}">{}</span>', record.status, value)

    def value_status(self, value):
        return str(value)

    def value_organisation(self, value):
        return str(value)
