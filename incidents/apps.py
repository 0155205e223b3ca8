from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents and CAPA")

    def ready(self):
        # Each part registers its hooks with the core here, in its own block.
        # incidents
        # contacts
        # problems
        # changes
        # breaches
        pass
