"""FilterSets of the library part: the good examples across all audits one sees."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from audits.choices import FindingKind
from audits.models import Finding, Principle, Theme
from qms.filtersets import BaseFilterSet, ScopedModelChoiceFilter
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for


def _organisations(request):
    if request is None:
        return OrganisationUnit.objects.none()
    return organisations_for(request.user, Purpose.BELONG).order_by("name")


def _principles(request):
    # Principles and themes belong to an organisation, not a unit: those of the organisations one
    # belongs to (a team's people and the assessors from other units read them).
    if request is None:
        return Principle.objects.none()
    return Principle.objects.filter(organisation__in=_organisations(request)).order_by(
        "organisation__name", "position", "id"
    )


def _themes(request):
    if request is None:
        return Theme.objects.none()
    return Theme.objects.filter(organisation__in=_organisations(request))


class GoodExampleFilterSet(BaseFilterSet):
    """The library's filters; the queryset is already ``Finding.objects.visible_to(user)`` of kind good
    example. ``q`` searches title and text."""

    search_fields = ("title", "text")
    organisation = django_filters.ModelChoiceFilter(
        queryset=_organisations, field_name="audit__organisation", label=_("Organisation")
    )
    principle = django_filters.ModelChoiceFilter(queryset=_principles, label=_("Principle"))
    theme = django_filters.ModelChoiceFilter(queryset=_themes, label=_("Theme"))
    year = django_filters.NumberFilter(field_name="audit__year", label=_("Year"), min_value=2000, max_value=2100)
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )

    class Meta:
        model = Finding
        fields = ["q", "organisation", "principle", "theme", "year", "unit"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(audit__unit__path__startswith=value.path) if value else queryset


def good_examples(queryset):
    """Only the good examples of a findings queryset."""
    return queryset.filter(kind=FindingKind.GOOD_EXAMPLE)
