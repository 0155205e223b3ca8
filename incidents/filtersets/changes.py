"""FilterSets of the changes part, shared by the change list, the roadmap and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.choices import ChangeKind, ChangeStatus
from incidents.models import Change
from qms.choices import UnitKind
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User
from qms.periods import FIRST_YEAR, LAST_YEAR
from risks.filtersets.register import BooleanFilter


class ChangeFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION), label=_("Organisation")
    )
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    status = MultipleChoiceFilter(choices=ChangeStatus.choices, label=_("Status"))
    kind = MultipleChoiceFilter(choices=ChangeKind.choices, label=_("Kind"))
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    in_window = BooleanFilter(field_name="in_maintenance_window", label=_("In the maintenance window"))
    dpia_pending = BooleanFilter(method="filter_dpia_pending", label=_("DPIA pending"))

    class Meta:
        model = Change
        fields = ["q", "organisation", "unit", "status", "kind", "owner", "in_window", "dpia_pending"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_dpia_pending(self, queryset, name, value):
        if value is None:
            return queryset
        pending = Q(dpia_required=True, dpia_recorded_at__isnull=True)
        return queryset.filter(pending) if value else queryset.exclude(pending)


class YearFilter(django_filters.Filter):
    """A whole year in the product's range; anything else is a field error."""

    field_class = forms.IntegerField


class RoadmapFilterSet(BaseFilterSet):
    """The roadmap's filters: the year is not a filter of rows but which year's months are shown (this
    year by default); changes not planned yet are shown whatever the year."""

    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION), label=_("Organisation")
    )
    year = YearFilter(
        method="filter_year",
        label=_("Year"),
        help_text=_("Whose months are shown (default: this year)."),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )
    kind = MultipleChoiceFilter(choices=ChangeKind.choices, label=_("Kind"))
    status = MultipleChoiceFilter(choices=ChangeStatus.choices, label=_("Status"))

    class Meta:
        model = Change
        fields = ["organisation", "year", "kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["q"]

    def filter_year(self, queryset, name, value):
        return queryset
