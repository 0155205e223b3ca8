"""Pages of the incidents part: the incident list, detail, quick entry, SLA report."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView


class IndexView(TemplateView):
    template_name = "qms/module_pending.html"
    extra_context = {"module": _("Incidents and CAPA")}
