from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self):
        from qms.context_processors import register_navigation_context
        from qms.escalations import register_sweep
        from qms.services.actions import register_action_hook
        from qms.services.organisation import register_organisation_defaults
        from risks.models import Risk
        from risks.services.register import measure_changed, sweep_overdue_reviews
        from risks.services.scoring import areas_ensure_defaults, sweep_investigations
        from risks.views.register import navigation_context

        register_sweep("risk_reviews_overdue")(sweep_overdue_reviews)
        register_sweep("investigations_overdue")(sweep_investigations)
        # A measure is a core action: whichever path changes it, the plan's rules apply.
        register_action_hook(Risk, measure_changed)
        # Every new organisation starts with the default score areas (created with it, in unit_create).
        register_organisation_defaults(areas_ensure_defaults)
        # Board members and group management see in the main navigation how many risks wait for them.
        register_navigation_context(navigation_context)
