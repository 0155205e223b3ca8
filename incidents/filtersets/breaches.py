"""FilterSet of the breach register, shared by the register page and the API (``data-breaches/``)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import BreachRisk, BreachStatus
from incidents.models import DataBreach, Incident
from qms.choices import UnitKind
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit
from risks.filtersets.register import BooleanFilter

NOT_ASSESSED = "not_assessed"


class DataBreachFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    # An incident's id: for the API and the incident page's link, not shown in the filter bar.
    technical_fields = ("incident",)
    status = MultipleChoiceFilter(choices=BreachStatus.choices, label=_("Status"))
    risk = django_filters.ChoiceFilter(
        choices=[*BreachRisk.choices, (NOT_ASSESSED, _("Not assessed yet"))], method="filter_risk", label=_("Risk")
    )
    overdue = BooleanFilter(method="filter_overdue", label=_("Authority deadline passed"))
    authority_pending = BooleanFilter(method="filter_authority_pending", label=_("Authority question open"))
    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION), label=_("Organisation")
    )
    incident = ScopedModelChoiceFilter(queryset=Incident.objects.all(), label=_("Incident"))

    class Meta:
        model = DataBreach
        fields = ["q", "status", "risk", "overdue", "authority_pending", "organisation", "incident"]

    def filter_risk(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(risk="" if value == NOT_ASSESSED else value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.now())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_authority_pending(self, queryset, name, value):
        if value is None:
            return queryset
        pending = queryset.authority_pending()
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))
