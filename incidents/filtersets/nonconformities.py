"""FilterSets of the non-conformities part, shared by the list pages and the API."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.choices import NcKind, NcSource, NcStatus, Severity, Verdict
from incidents.models import CauseCategory, EffectivenessCheck, NonConformity
from incidents.selectors.nonconformities import overdue_filter
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User
from risks.filtersets.register import BooleanFilter


class NonConformityFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "correction", "root_cause")
    status = MultipleChoiceFilter(choices=NcStatus.choices, label=_("Stage"))
    kind = MultipleChoiceFilter(choices=NcKind.choices, label=_("Kind"))
    severity = MultipleChoiceFilter(choices=Severity.choices, label=_("Severity"))
    source = MultipleChoiceFilter(choices=NcSource.choices, label=_("Source"))
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    cause_category = ScopedModelChoiceFilter(queryset=CauseCategory.objects.all(), label=_("Cause category"))
    capa = BooleanFilter(label=_("Formal CAPA"))
    overdue = BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = NonConformity
        fields = ["q", "status", "kind", "severity", "source", "unit", "owner", "cause_category", "capa", "overdue"]

    # A unit's id in the API: the schema cannot tell from a method-based filter.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset, name, value):
        """An open action of the current round past its due date, or the round's check past its date."""
        if value is None:
            return queryset
        condition = overdue_filter(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class EffectivenessCheckFilterSet(BaseFilterSet):
    search_fields = ("evidence", "nonconformity__title")
    nonconformity = ScopedModelChoiceFilter(queryset=NonConformity.objects.all(), label=_("Non-conformity"))
    verifier = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Verifier"))
    verdict = MultipleChoiceFilter(choices=Verdict.choices, label=_("Verdict"))
    pending = BooleanFilter(method="filter_pending", label=_("Pending"))

    class Meta:
        model = EffectivenessCheck
        fields = ["q", "nonconformity", "verifier", "verdict", "pending"]

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(verdict="") if value else queryset.exclude(verdict="")
