"""Pages of the audits part."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView


class IndexView(TemplateView):
    """Placeholder until the audit list lands (engineer C1 replaces it)."""

    template_name = "qms/module_pending.html"
    extra_context = {"module": _("Maturity audits")}
