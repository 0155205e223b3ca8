"""The FilterSet of the management reviews, shared by the list page and the API (``management-reviews/``):
the organisation (one whose reviews the person sees), the year and the status."""

from django.utils.translation import gettext_lazy as _
from django_filters import ModelChoiceFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from audits.filtersets.audits import YearFilter
from qms.choices import UnitKind
from qms.filtersets import BaseFilterSet, MultipleChoiceFilter
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for
from reviews.choices import ReviewStatus
from reviews.models import ManagementReview


@extend_schema_field(OpenApiTypes.INT)
class OrganisationFilter(ModelChoiceFilter):
    """One of the organisations the person sees (whose reviews they read)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION))
        kwargs.setdefault("label", _("Organisation"))
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        if request is None:
            return OrganisationUnit.objects.none()
        return organisations_for(request.user, Purpose.SEE).order_by("name")


class ReviewFilterSet(BaseFilterSet):
    search_fields = ("organisation__name", "conclusion")
    organisation = OrganisationFilter()
    year = YearFilter(label=_("Year"))
    status = MultipleChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))

    class Meta:
        model = ManagementReview
        fields = ["q", "organisation", "year", "status"]
