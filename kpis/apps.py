from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs and objectives")

    def ready(self):
        from kpis.services import sweep_effects, sweep_missing_measurements
        from qms.escalations import register_sweep

        register_sweep("kpi_measurements_missing")(sweep_missing_measurements)
        register_sweep("kpi_effects_due")(sweep_effects)
