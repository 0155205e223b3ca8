from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality management")

    def ready(self):
        # Security-event logging hooks into Django's auth signals.
        from . import signals  # noqa: F401
        from .escalations import register_sweep
        from .services.actions import sweep_overdue_actions

        register_sweep("overdue_actions")(sweep_overdue_actions)
