"""Pages of this app."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView


class IndexView(TemplateView):
    """The start page of the module. Its pages arrive with the module's own issue; until then it
    says so plainly instead of being a dead link."""

    template_name = "qms/module_pending.html"
    extra_context = {"module": _("Incidents and CAPA")}
