from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs and objectives")

    def ready(self):
        from kpis.selectors import action_effect_panel
        from kpis.services import sweep_effects, sweep_missing_measurements
        from qms.escalations import register_sweep
        from qms.views.actions import ACTION_PANELS

        register_sweep("kpi_measurements_missing")(sweep_missing_measurements)
        register_sweep("kpi_effects_due")(sweep_effects)
        # An improvement action's page shows its intended effect, or offers to state it.
        if ("kpis/_action_effect.html", action_effect_panel) not in ACTION_PANELS:
            ACTION_PANELS.append(("kpis/_action_effect.html", action_effect_panel))
