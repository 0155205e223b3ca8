from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs and objectives")

    def ready(self):
        from kpis.services.effects import sweep_effects
        from kpis.services.kpis import kpi_defaults_for_new_organisation, sweep_missing_measurements
        from kpis.views.effects import action_effect_panel
        from qms.escalations import register_sweep
        from qms.services.organisation import register_organisation_defaults
        from qms.views.actions import ACTION_PANELS

        register_sweep("kpi_measurements_missing")(sweep_missing_measurements)
        register_sweep("kpi_effects_due")(sweep_effects)
        # A new organisation gets the default KPI set as it is created (no page creates it on sight).
        register_organisation_defaults(kpi_defaults_for_new_organisation)
        # An improvement action's page shows its intended effect, or offers to state it.
        if ("kpis/_action_effect.html", action_effect_panel) not in ACTION_PANELS:
            ACTION_PANELS.append(("kpis/_action_effect.html", action_effect_panel))
