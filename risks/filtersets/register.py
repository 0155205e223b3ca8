"""FilterSets of the risk register, shared by the register page, the heat map and the API."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import Action, OrganisationUnit, User
from risks.choices import ApprovalBody, Decision, RiskLevel, RiskStatus
from risks.models import Risk, RiskApproval, RiskCategory


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (``1``/``0``), or nothing; anything else is a field error (a 400 in the API),
    not silently "no filter" as django-filter's own."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # A plain choice, whose widget hands the text on as it came (the default one turns "maybe" into
        # "unknown" before the field could object).
        kwargs.setdefault("widget", forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]))
        super().__init__(*args, **kwargs)


class RiskFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "cause", "consequence")
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    organisation = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Organisation"))
    category = django_filters.CharFilter(method="filter_category", label=_("Category (code)"))
    level = MultipleChoiceFilter(choices=RiskLevel.choices, label=_("Level"))
    residual_level = MultipleChoiceFilter(choices=RiskLevel.choices, label=_("Residual level"))
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    status = MultipleChoiceFilter(choices=RiskStatus.choices, label=_("Status"))
    likelihood = django_filters.NumberFilter(label=_("Likelihood"))
    impact = django_filters.NumberFilter(label=_("Impact"))
    residual_likelihood = django_filters.NumberFilter(label=_("Residual likelihood"))
    residual_impact = django_filters.NumberFilter(label=_("Residual impact"))
    review_overdue = BooleanFilter(method="filter_review_overdue", label=_("Review overdue"))
    missing_plan = BooleanFilter(method="filter_missing_plan", label=_("Without a plan"))
    measures_overdue = BooleanFilter(method="filter_measures_overdue", label=_("Measures overdue"))
    awaiting = django_filters.ChoiceFilter(
        choices=ApprovalBody.choices, method="filter_awaiting", label=_("Awaiting approval of")
    )

    class Meta:
        model = Risk
        fields = ["q", "unit", "organisation", "category", "level", "residual_level", "owner", "status"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(category__code=value) if value else queryset

    def filter_review_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.review_overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_missing_plan(self, queryset, name, value):
        if value is None:
            return queryset
        missing = queryset.without_plan()
        return missing if value else queryset.exclude(pk__in=missing.values("pk"))

    def filter_measures_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.with_overdue_measures()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_awaiting(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=RiskApproval.objects.pending().filter(body=value).values("risk_id"))


class RiskMeasureFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    risk = ScopedModelChoiceFilter(queryset=Risk.objects.all(), method="filter_risk", label=_("Risk"))
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    status = MultipleChoiceFilter(choices=Action._meta.get_field("status").choices, label=_("Status"))
    overdue = BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Action
        fields = ["q", "risk", "owner", "status"]

    # A risk's id in the API: the schema cannot tell from a method-based filter on an action.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_risk(self, queryset, name, value):
        return queryset.filter(source_object_id=value.pk) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class RiskApprovalFilterSet(BaseFilterSet):
    search_fields = ("risk__title", "reason")
    risk = ScopedModelChoiceFilter(queryset=Risk.objects.all(), label=_("Risk"))
    body = django_filters.ChoiceFilter(choices=ApprovalBody.choices, label=_("Body"))
    decision = MultipleChoiceFilter(choices=Decision.choices, label=_("Decision"))
    pending = BooleanFilter(field_name="decision", lookup_expr="exact", method="filter_pending")

    class Meta:
        model = RiskApproval
        fields = ["q", "risk", "body", "decision", "pending"]

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(decision="") if value else queryset.exclude(decision="")


class RiskCategoryFilterSet(BaseFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = RiskCategory
        fields = ["q", "organisation", "is_active"]
