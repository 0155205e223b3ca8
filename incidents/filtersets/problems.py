"""FilterSets of the problems part, shared by the problem list page and the API."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.choices import IncidentCategory, ProblemStatus, ProposalStatus
from incidents.models import Incident, Problem, ProblemProposal
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User
from risks.filtersets.register import BooleanFilter


class ProblemFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "root_cause", "workaround")
    status = MultipleChoiceFilter(choices=ProblemStatus.choices, label=_("Status"))
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    category = MultipleChoiceFilter(choices=IncidentCategory.choices, label=_("Category"))
    faq_published = BooleanFilter(label=_("In the FAQ"))
    incident = ScopedModelChoiceFilter(
        queryset=Incident.objects.all(), method="filter_incident", label=_("Links incident")
    )

    class Meta:
        model = Problem
        fields = ["q", "status", "unit", "owner", "category", "faq_published", "incident"]

    # A unit's id in the API: the schema cannot tell from a method-based filter.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def filter_incident(self, queryset, name, value):
        return queryset.filter(incidents=value) if value else queryset


class ProblemProposalFilterSet(BaseFilterSet):
    status = MultipleChoiceFilter(choices=ProposalStatus.choices, label=_("Status"))
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    category = MultipleChoiceFilter(choices=IncidentCategory.choices, label=_("Category"))

    class Meta:
        model = ProblemProposal
        fields = ["status", "unit", "category"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset
