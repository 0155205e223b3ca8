"""django-tables2 tables of the library part."""

import django_tables2 as tables
from django.urls import NoReverseMatch
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from audits.models import Finding
from qms.tables import BaseTable


class GoodExampleTable(BaseTable):
    """The good examples (rows come with the audit's unit and organisation, principle and theme joined)."""

    title = tables.Column(verbose_name=_("Good example"))
    text = tables.Column(verbose_name=_("Text"), orderable=False)
    organisation = tables.Column(
        accessor="audit__organisation", verbose_name=_("Organisation"), order_by=("audit__organisation__name",)
    )
    unit = tables.Column(accessor="audit__unit", verbose_name=_("Unit"), order_by=("audit__unit__name",))
    year = tables.Column(accessor="audit__year", verbose_name=_("Year"))
    principle = tables.Column(verbose_name=_("Principle"), order_by=("principle__position", "principle__name"))
    theme = tables.Column(verbose_name=_("Theme"), order_by=("theme__name",))

    class Meta(BaseTable.Meta):
        model = Finding
        fields = []
        sequence = ("title", "text", "organisation", "unit", "year", "principle", "theme")
        order_by = ("-year",)
        attrs = {**BaseTable.Meta.attrs, "data-testid": "good-examples"}

    def render_title(self, value, record):
        try:
            url = record.get_absolute_url()
        except NoReverseMatch:  # the audit pages are not there (yet)
            return value
        return format_html('<a href="{}" data-good-example="{}">{}</a>', url, record.pk, value)

    def value_title(self, value):
        return value

    def render_text(self, value):
        return Truncator(value).chars(200)

    def value_text(self, value):
        return value

    def render_principle(self, value, record):
        return record.principle.localized("name")

    def value_principle(self, value, record):
        return record.principle.localized("name")
