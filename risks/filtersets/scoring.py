"""FilterSets of the monthly risk score (scores, areas, investigations), shared by the pages and the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.filtersets import BaseFilterSet, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User
from qms.periods import parse_month
from risks.choices import InvestigationStatus, MonthStatus
from risks.models import Investigation, MonthlyScore, ScoreArea


class MonthFilter(django_filters.CharFilter):
    """A month as ``YYYY-MM``; a malformed one is a field error, not an empty list."""

    def filter(self, qs, value):
        if not value:
            return qs
        try:
            month = parse_month(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return qs.filter(**{self.field_name: month})


class MonthlyScoreFilterSet(BaseFilterSet):
    organisation = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Organisation"))
    month = MonthFilter(field_name="month", label=_("Month (YYYY-MM)"))
    month_from = MonthFilter(field_name="month__gte", label=_("From month (YYYY-MM)"))
    status = django_filters.ChoiceFilter(choices=MonthStatus.choices, label=_("Status"))

    class Meta:
        model = MonthlyScore
        fields = ["organisation", "month", "month_from", "status"]


class ScoreAreaFilterSet(BaseFilterSet):
    search_fields = ("code", "name")
    organisation = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Organisation"))

    class Meta:
        model = ScoreArea
        fields = ["q", "organisation", "code", "is_active"]


class InvestigationFilterSet(BaseFilterSet):
    search_fields = ("area__name", "cause")
    organisation = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Organisation"))
    area = django_filters.CharFilter(field_name="area__code", label=_("Area (code)"))
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    status = django_filters.ChoiceFilter(choices=InvestigationStatus.choices, label=_("Status"))
    month = MonthFilter(field_name="month", label=_("Month (YYYY-MM)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Investigation
        fields = ["q", "organisation", "area", "owner", "status", "month"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status=InvestigationStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
