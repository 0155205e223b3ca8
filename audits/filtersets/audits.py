"""FilterSets of the audits part, shared by the audit list page and the API: audits, the assessors'
scores, the calibrated scores and the findings."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from audits.choices import IN_PROGRESS_STATUSES, AuditStatus, FieldworkKind, FindingKind
from audits.filtersets.model import OrganisationFilter, PrincipleFilter
from audits.models import Audit, AuditCalibration, AuditScore, FieldworkItem, Finding
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User
from risks.filtersets.register import BooleanFilter


class YearFilter(django_filters.NumberFilter):
    """A whole year (2000-2100); anything else is a field error, not a decimal the column rounds."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class AuditFilterSet(BaseFilterSet):
    search_fields = ("unit__name", "unit__code", "scope_note")
    organisation = OrganisationFilter()
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    year = YearFilter(label=_("Year"))
    status = MultipleChoiceFilter(choices=AuditStatus.choices, label=_("Status"))
    in_progress = BooleanFilter(method="filter_in_progress", label=_("In progress"))
    assessor = ScopedModelChoiceFilter(queryset=User.objects.all(), field_name="assessors", label=_("Assessor"))
    mine = BooleanFilter(method="filter_mine", label=_("Audits I assess"))
    principle = PrincipleFilter(field_name="principles")

    class Meta:
        model = Audit
        fields = ["q", "organisation", "unit", "year", "status", "in_progress", "assessor", "mine", "principle"]

    # A unit's id in the API: the schema cannot tell from a method-based filter.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_in_progress(self, queryset, name, value):
        if value is None:
            return queryset
        condition = {"status__in": IN_PROGRESS_STATUSES}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None or not self.request.user.is_authenticated:
            return queryset
        mine = {"assessor_links__user": self.request.user}
        return queryset.filter(**mine) if value else queryset.exclude(**mine)


class AuditScoreFilterSet(BaseFilterSet):
    search_fields = ("rationale", "design_note", "existence_note", "operation_note")
    audit = ScopedModelChoiceFilter(queryset=Audit.objects.all(), label=_("Audit"))
    principle = PrincipleFilter()
    assessor = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Assessor"))

    class Meta:
        model = AuditScore
        fields = ["q", "audit", "principle", "assessor"]


class AuditCalibrationFilterSet(BaseFilterSet):
    search_fields = ("reason",)
    audit = ScopedModelChoiceFilter(queryset=Audit.objects.all(), label=_("Audit"))
    principle = PrincipleFilter()

    class Meta:
        model = AuditCalibration
        fields = ["q", "audit", "principle"]


class FindingFilterSet(BaseFilterSet):
    search_fields = ("title", "text", "theme__name")
    audit = ScopedModelChoiceFilter(queryset=Audit.objects.all(), label=_("Audit"))
    kind = MultipleChoiceFilter(choices=FindingKind.choices, label=_("Kind"))
    principle = PrincipleFilter()
    theme = django_filters.CharFilter(field_name="theme__name", lookup_expr="iexact", label=_("Theme"))
    organisation = OrganisationFilter(field_name="audit__organisation")
    year = YearFilter(field_name="audit__year", label=_("Year"))

    class Meta:
        model = Finding
        fields = ["q", "audit", "kind", "principle", "theme", "organisation", "year"]


class FieldworkItemFilterSet(BaseFilterSet):
    search_fields = ("subject", "notes", "interviewee_name")
    audit = ScopedModelChoiceFilter(queryset=Audit.objects.all(), label=_("Audit"))
    kind = MultipleChoiceFilter(choices=FieldworkKind.choices, label=_("Kind"))
    confirmed = BooleanFilter(method="filter_confirmed", label=_("Confirmed"))

    class Meta:
        model = FieldworkItem
        fields = ["q", "audit", "kind", "confirmed"]

    def filter_confirmed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(confirmed_at__isnull=not value)
