"""django-tables2 tables of the problems part."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from incidents.models import Problem, ProblemProposal
from qms.tables import BaseTable, StatusColumn


class ProblemTable(BaseTable):
    """The problem list. Needs ``incidents.selectors.problems.problems_for`` (the incident count)."""

    id = tables.Column(verbose_name="#", linkify=True)
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    category = tables.Column(verbose_name=_("Category"))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"))
    status = StatusColumn(verbose_name=_("Status"))
    incident_count = tables.Column(verbose_name=_("Incidents"))
    faq_published = tables.BooleanColumn(verbose_name=_("In the FAQ"))
    created_at = tables.Column(verbose_name=_("Registered"))

    class Meta(BaseTable.Meta):
        model = Problem
        fields = []
        sequence = (
            "id",
            "title",
            "unit",
            "category",
            "owner",
            "status",
            "incident_count",
            "faq_published",
            "created_at",
        )

    def render_created_at(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value_created_at(self, value):
        return value.isoformat()


class ProblemProposalTable(BaseTable):
    """The proposed problems, with accept / dismiss for the coordinators (``can_decide`` on the table)."""

    created_at = tables.Column(verbose_name=_("Proposed"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    category = tables.Column(verbose_name=_("Category"))
    incident_count = tables.Column(verbose_name=_("Incidents"))
    status = StatusColumn(verbose_name=_("Status"))
    outcome = tables.TemplateColumn(
        template_name="incidents/problems/_proposal_outcome_cell.html",
        verbose_name=_("Decision"),
        orderable=False,
        accessor="reason",
    )
    decide = tables.TemplateColumn(
        template_name="incidents/problems/_proposal_decide_cell.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = ProblemProposal
        fields = []
        sequence = ("created_at", "unit", "category", "incident_count", "status", "outcome", "decide")

    def render_created_at(self, value):
        return date_format(value, "SHORT_DATETIME_FORMAT")

    def value_created_at(self, value):
        return value.isoformat()

    def value_outcome(self, value, record):
        return record.reason or (str(record.problem) if record.problem_id else "")
