from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality management")

    def ready(self):
        # Security-event logging hooks into Django's auth signals; the sweep registers itself.
        from . import escalations, signals  # noqa: F401
