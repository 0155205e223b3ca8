from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Maturity audits")

    def ready(self):
        # Each part registers its hooks with the core here, in its own block.
        # model
        # audits
        # reports
        pass
