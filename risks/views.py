"""Pages of the risk register."""

from django.views.generic import RedirectView

from qms.views.generic import ObjectDetailView
from risks.models import Risk


class IndexView(RedirectView):
    pattern_name = "risks:risk_list"


class RiskDetailView(ObjectDetailView):
    queryset = Risk.objects.select_related("unit", "owner", "category", "organisation")
    template_name = "generic/object_detail.html"
