"""FilterSets of the model part (principles), shared by the pages and the API; and who reads an
organisation's principles.

An organisation's maturity model is shared with all its people, as its risk matrix and KPI set are
(``Purpose.BELONG``): a team reads the principles it is audited on, and an assessor (who holds the
auditor role somewhere in the organisation, not in the audited unit) reads the principles they score,
though neither sees the organisation as a unit. Changes stay with the organisation's quality officers
and administrators (``audits.services.model.can_manage_model``)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from audits.models import Principle
from qms.choices import UnitKind
from qms.filtersets import BaseFilterSet
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for, scope_for
from risks.filtersets.register import BooleanFilter


def principles_for(user, queryset=None):
    """The principles ``user`` may read (of ``queryset``, default all): those of the organisations they
    belong to."""
    queryset = Principle.objects.all() if queryset is None else queryset
    if scope_for(user).sees_everything:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(organisation__in=organisations_for(user, Purpose.BELONG).values("pk"))


@extend_schema_field(OpenApiTypes.INT)
class OrganisationFilter(django_filters.ModelChoiceFilter):
    """One of the organisations the person belongs to (an assessor's too: they audit inside it)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION))
        kwargs.setdefault("label", _("Organisation"))
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        if request is None:
            return OrganisationUnit.objects.none()
        return organisations_for(request.user, Purpose.BELONG)


@extend_schema_field(OpenApiTypes.INT)
class PrincipleFilter(django_filters.ModelChoiceFilter):
    """A principle of an organisation the person belongs to."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Principle.objects.all())
        kwargs.setdefault("label", _("Principle"))
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        if request is None:
            return Principle.objects.none()
        return principles_for(request.user)


class PrincipleFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "name_en", "definition", "definition_en")
    organisation = OrganisationFilter()
    is_active = BooleanFilter(label=_("Active"))

    class Meta:
        model = Principle
        fields = ["q", "organisation", "is_active"]
