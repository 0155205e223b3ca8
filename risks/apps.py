from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self):
        from qms.escalations import register_sweep
        from risks.services import sweep_investigations, sweep_overdue_reviews

        register_sweep("risk_reviews_overdue")(sweep_overdue_reviews)
        register_sweep("investigations_overdue")(sweep_investigations)
