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
        from qms.services.privacy import register_open_work, register_personal_data
        from qms.services.training import register_training_hook
        from risks.models import Risk
        from risks.services import privacy
        from risks.services.register import measure_changed, sweep_overdue_reviews
        from risks.services.scoring import areas_ensure_defaults, scores_follow_training, sweep_investigations
        from risks.views.register import navigation_context

        register_sweep("risk_reviews_overdue")(sweep_overdue_reviews)
        register_sweep("investigations_overdue")(sweep_investigations)
        # A measure is a core action: whichever path changes it, the plan's rules apply.
        register_action_hook(Risk, measure_changed)
        # Every new organisation starts with the default score areas (created with it, in unit_create).
        register_organisation_defaults(areas_ensure_defaults)
        # An open month's training area follows the training as it changes (closed months keep theirs).
        register_training_hook(scores_follow_training)
        # Board members and group management see in the main navigation how many risks wait for them.
        register_navigation_context(navigation_context)
        # What a person's download holds from here, and the open work an erasure hands to a successor.
        register_personal_data("risks")(privacy.personal_data)
        register_open_work(
            "risks",
            label=_("%(count)s open risk(s) they own"),
            count=lambda *, user: privacy.open_risks(user).count(),
            reassign=privacy.reassign_risks,
        )
        register_open_work(
            "investigations",
            label=_("%(count)s open investigation(s)"),
            count=lambda *, user: privacy.open_investigations(user).count(),
            reassign=privacy.reassign_investigations,
        )
        register_open_work(
            "score_areas",
            label=_("owner of %(count)s score area(s)"),
            count=lambda *, user: privacy.owned_areas(user).count(),
            reassign=privacy.reassign_areas,
        )

        # cockpit
        from qms.choices import Role
        from qms.cockpit import register_organisation_column, register_tile
        from risks.selectors import cockpit

        # The register and the score in the cockpits: the quality officer's flags, the risk owner's own
        # risks, the board's queue and medium-plus risks, the score; group management's columns.
        register_tile(
            "risk_score",
            roles={Role.QUALITY_OFFICER, Role.BOARD_MEMBER},
            title=_("Monthly risk score"),
            order=20,
            compute=cockpit.score_tile,
            icon="speedometer2",
        )
        register_tile(
            "risk_review_queue",
            roles=cockpit.QUEUE_ROLES,
            title=_("Review queue"),
            order=12,
            compute=cockpit.review_queue_tile,
            icon="inbox",
        )
        register_tile(
            "risks_medium_plus",
            roles={Role.BOARD_MEMBER},
            title=_("Risks at medium or higher"),
            order=25,
            compute=cockpit.medium_plus_tile,
            icon="shield-exclamation",
        )
        register_tile(
            "risk_register_attention",
            roles={Role.QUALITY_OFFICER},
            title=_("Risks needing attention"),
            order=30,
            compute=cockpit.register_attention_tile,
            icon="shield-exclamation",
        )
        register_tile(
            "my_risks",
            roles={Role.RISK_OWNER, Role.TEAM_LEAD},
            title=_("My risks"),
            order=11,
            compute=cockpit.my_risks_tile,
            icon="shield",
        )
        register_organisation_column("score", title=_("Score"), order=10, compute=cockpit.score_column)
        register_organisation_column(
            "very_high_risks", title=_("Very high risks"), order=20, compute=cockpit.very_high_column
        )
