from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self):
        from qms.escalations import register_sweep
        from qms.services.actions import register_action_hook
        from risks.models import Risk
        from risks.services import measure_changed, sweep_investigations, sweep_overdue_reviews

        register_sweep("risk_reviews_overdue")(sweep_overdue_reviews)
        register_sweep("investigations_overdue")(sweep_investigations)
        # A measure is a core action: whichever path changes it, the plan's rules apply.
        register_action_hook(Risk, measure_changed)
