"""FilterSets of the contacts part (the API's escalation-contacts list)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from incidents.choices import ContactGroup
from incidents.models import EscalationContact
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter, ScopedModelChoiceFilter
from qms.models import OrganisationUnit, User


class EscalationContactFilterSet(BaseFilterSet):
    search_fields = ("name", "mailbox", "user__username", "user__first_name", "user__last_name")
    unit = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Unit"))
    group = MultipleChoiceFilter(choices=ContactGroup.choices, label=_("Group"))
    user = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Person"))
    mailbox = django_filters.CharFilter(lookup_expr="iexact", label=_("Group mailbox"))

    class Meta:
        model = EscalationContact
        fields = ["q", "unit", "group", "user", "mailbox"]
