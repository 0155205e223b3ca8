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

        # cockpit
        from . import selectors
        from .choices import Role
        from .cockpit import EVERYONE, organisations_side_by_side, register_tile

        # The core's tiles: everyone's own work and messages; the overdue work of others for the quality
        # officers; the organisations side by side for group management (the apps add its columns).
        register_tile(
            "my_actions",
            roles=EVERYONE,
            title=_("My open actions"),
            order=10,
            compute=selectors.my_actions_tile,
            icon="check2-square",
        )
        register_tile(
            "organisations",
            roles={Role.GROUP_MANAGEMENT},
            title=_("The organisations side by side"),
            order=15,
            compute=organisations_side_by_side,
            icon="buildings",
        )
        register_tile(
            "overdue_actions_of_others",
            roles={Role.QUALITY_OFFICER, Role.ADMINISTRATOR},
            title=_("Overdue actions of others"),
            order=80,
            compute=selectors.overdue_actions_of_others_tile,
            icon="alarm",
        )
        register_tile(
            "my_trainings",
            roles=EVERYONE,
            title=_("Mandatory trainings to do"),
            order=900,
            compute=selectors.my_trainings_tile,
            icon="mortarboard",
        )
        register_tile(
            "notifications",
            roles=EVERYONE,
            title=_("Notifications"),
            order=910,
            compute=selectors.notifications_tile,
            icon="bell",
        )
