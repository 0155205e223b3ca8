"""FilterSets of the incidents part, shared by the incident list page and the API."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.choices import IncidentCategory, IncidentStatus, Priority
from incidents.models import Incident, IncidentUpdate
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User
from risks.filtersets.register import BooleanFilter

SLA_FILTER_CHOICES = (("at_risk", _("At risk (75 % used)")), ("breached", _("Breached")))


class IncidentFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    status = MultipleChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    priority = MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Reporting unit (and below)")
    )
    affected_unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_affected_unit", label=_("Affected unit")
    )
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    category = MultipleChoiceFilter(choices=IncidentCategory.choices, label=_("Category"))
    sla = django_filters.ChoiceFilter(choices=SLA_FILTER_CHOICES, method="filter_sla", label=_("SLA"))
    data_breach_suspected = BooleanFilter(label=_("Security or privacy"))
    mine = BooleanFilter(method="filter_mine", label=_("Only mine"))
    reported_after = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__gte", label=_("Reported from")
    )
    reported_before = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__lte", label=_("Reported until")
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "status",
            "priority",
            "unit",
            "affected_unit",
            "owner",
            "category",
            "sla",
            "data_breach_suspected",
            "mine",
            "reported_after",
            "reported_before",
        ]

    # A unit's id in the API: the schema cannot tell from a method-based filter.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def filter_affected_unit(self, queryset, name, value):
        return queryset.filter(affected_units=value) if value else queryset

    def filter_sla(self, queryset, name, value):
        if value == "at_risk":
            return queryset.sla_at_risk(timezone.now())
        if value == "breached":
            return queryset.sla_breached(timezone.now())
        return queryset

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        return queryset.filter(owner=self.request.user) if value else queryset.exclude(owner=self.request.user)


class IncidentUpdateFilterSet(BaseFilterSet):
    search_fields = ("text",)
    incident = ScopedModelChoiceFilter(queryset=Incident.objects.all(), label=_("Incident"))
    late = BooleanFilter(label=_("Late"))

    class Meta:
        model = IncidentUpdate
        fields = ["q", "incident", "late"]
