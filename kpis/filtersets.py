"""FilterSets of the KPI app, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kpis.choices import (
    Direction,
    EscalationStatus,
    Expectation,
    FeedbackCategory,
    FeedbackChannel,
    Frequency,
    KpiCategory,
    KpiStatus,
    Verdict,
)
from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from qms.choices import OPEN_ACTION_STATUSES, UnitKind
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User


class UnitTreeFilterMixin:
    """``unit``: the unit and everything below it, through ``unit_path`` (the path to its unit)."""

    unit_path = "unit"

    # A unit's id in the API: the schema cannot tell from a method-based filter.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(**{f"{self.unit_path}__path__startswith": value.path}) if value else queryset


def unit_filter():
    return ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )


class KpiFilterSet(UnitTreeFilterMixin, BaseFilterSet):
    """Works on ``Kpi.objects.with_latest()``: ``status`` is the latest measurement's."""

    unit_path = "org_unit"
    search_fields = ("code", "name", "description")
    unit = unit_filter()
    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION), label=_("Organisation")
    )
    category = MultipleChoiceFilter(choices=KpiCategory.choices, label=_("Category"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("Direction"))
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label=_("Frequency"))
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    status = MultipleChoiceFilter(choices=KpiStatus.choices, field_name="latest_status", label=_("Latest status"))
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact", label=_("Code"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Kpi
        fields = ["q", "unit", "organisation", "category", "status", "direction", "frequency", "owner", "is_active"]


class KpiMeasurementFilterSet(UnitTreeFilterMixin, BaseFilterSet):
    unit_path = "kpi__org_unit"
    search_fields = ("note", "kpi__code", "kpi__name")
    kpi = ScopedModelChoiceFilter(queryset=Kpi.objects.all(), label=_("KPI"))
    code = django_filters.CharFilter(field_name="kpi__code", lookup_expr="iexact", label=_("KPI code"))
    unit = unit_filter()
    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION),
        field_name="kpi__organisation",
        label=_("Organisation"),
    )
    category = MultipleChoiceFilter(choices=KpiCategory.choices, field_name="kpi__category", label=_("Category"))
    period = django_filters.CharFilter(label=_("Period"))
    status = MultipleChoiceFilter(choices=KpiStatus.choices, label=_("Status"))
    since = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label=_("Periods from"))
    until = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=_("Periods up to"))

    class Meta:
        model = KpiMeasurement
        fields = ["q", "kpi", "code", "unit", "organisation", "category", "period", "status", "since", "until"]


class FeedbackFilterSet(UnitTreeFilterMixin, BaseFilterSet):
    search_fields = ("comment", "customer_reference")
    unit = unit_filter()
    channel = MultipleChoiceFilter(choices=FeedbackChannel.choices, label=_("Channel"))
    category = MultipleChoiceFilter(choices=FeedbackCategory.choices, label=_("Category"))
    flagged = django_filters.BooleanFilter(label=_("Flagged"))
    negative = django_filters.BooleanFilter(label=_("Negative"))
    score = django_filters.NumberFilter(label=_("CSAT score"))
    assigned_to = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Assigned to"))
    escalation = ScopedModelChoiceFilter(queryset=FeedbackEscalation.objects.all(), label=_("Escalation"))
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("Received on or after")
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("Received on or before")
    )
    # The cockpit's "feedback assigned to me" links here: the items whose follow-up is still to do.
    follow_up_open = django_filters.BooleanFilter(method="filter_follow_up_open", label=_("Follow-up open"))

    class Meta:
        model = Feedback
        fields = ["q", "unit", "channel", "category", "flagged", "negative", "score", "assigned_to"]

    def filter_follow_up_open(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Q(follow_up__status__in=OPEN_ACTION_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class FeedbackEscalationFilterSet(UnitTreeFilterMixin, BaseFilterSet):
    unit = unit_filter()
    status = MultipleChoiceFilter(choices=EscalationStatus.choices, label=_("Status"))

    class Meta:
        model = FeedbackEscalation
        fields = ["unit", "status"]


class ObjectiveFilterSet(UnitTreeFilterMixin, BaseFilterSet):
    search_fields = ("title", "specific", "period")
    unit = unit_filter()
    period = django_filters.CharFilter(lookup_expr="iexact", label=_("Period"))
    parent = ScopedModelChoiceFilter(queryset=Objective.objects.all(), label=_("Serves objective"))
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    kpi = ScopedModelChoiceFilter(queryset=Kpi.objects.all(), method="filter_kpi", label=_("KPI"))

    class Meta:
        model = Objective
        fields = ["q", "unit", "period", "parent", "owner", "kpi"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_kpi(self, queryset, name, value):
        return queryset.filter(pk__in=KeyResult.objects.filter(kpi=value).values("objective_id")) if value else queryset


class KeyResultFilterSet(BaseFilterSet):
    objective = ScopedModelChoiceFilter(queryset=Objective.objects.all(), label=_("Objective"))
    kpi = ScopedModelChoiceFilter(queryset=Kpi.objects.all(), label=_("KPI"))

    class Meta:
        model = KeyResult
        fields = ["objective", "kpi"]


class IntendedEffectFilterSet(UnitTreeFilterMixin, BaseFilterSet):
    unit_path = "action__unit"
    search_fields = ("action__title", "kpi__name", "explanation")
    unit = unit_filter()
    kpi = ScopedModelChoiceFilter(queryset=Kpi.objects.all(), label=_("KPI"))
    expectation = django_filters.ChoiceFilter(choices=Expectation.choices, label=_("Expected effect"))
    verdict = MultipleChoiceFilter(choices=Verdict.choices, label=_("Verdict"))
    measured = django_filters.BooleanFilter(method="filter_measured", label=_("Measured"))

    class Meta:
        model = IntendedEffect
        fields = ["q", "unit", "kpi", "expectation", "verdict", "measured"]

    def filter_measured(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(verdict="") if value else queryset.filter(verdict="")
