from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs and objectives")

    def ready(self):
        from kpis.services import privacy
        from kpis.services.effects import sweep_effects
        from kpis.services.kpis import kpi_defaults_for_new_organisation, sweep_missing_measurements
        from kpis.views.effects import action_effect_panel
        from qms.escalations import register_sweep
        from qms.services.organisation import register_organisation_defaults
        from qms.services.privacy import register_open_work, register_personal_data
        from qms.services.retention import register_retention_rule
        from qms.views.actions import ACTION_PANELS

        register_sweep("kpi_measurements_missing")(sweep_missing_measurements)
        register_sweep("kpi_effects_due")(sweep_effects)
        # A new organisation gets the default KPI set as it is created (no page creates it on sight).
        register_organisation_defaults(kpi_defaults_for_new_organisation)
        # An improvement action's page shows its intended effect, or offers to state it.
        if ("kpis/_action_effect.html", action_effect_panel) not in ACTION_PANELS:
            ACTION_PANELS.append(("kpis/_action_effect.html", action_effect_panel))
        # What a person's download holds from here, and the open work an erasure hands to a successor.
        register_personal_data("kpis")(privacy.personal_data)
        register_open_work(
            "kpis",
            label=_("%(count)s KPI(s) they own"),
            count=lambda *, user: privacy.open_kpis(user).count(),
            reassign=privacy.reassign_kpis,
        )
        register_open_work(
            "objectives",
            label=_("%(count)s objective(s) they own"),
            count=lambda *, user: privacy.open_objectives(user).count(),
            reassign=privacy.reassign_objectives,
        )
        register_open_work(
            "feedback",
            label=_("%(count)s open feedback item(s) assigned to them"),
            count=lambda *, user: privacy.open_feedback(user).count(),
            reassign=privacy.reassign_feedback,
        )
        register_retention_rule("closed_feedback_comments")(privacy.closed_feedback_comments_expire)

        # cockpit
        from kpis.selectors import cockpit
        from qms.choices import Role
        from qms.cockpit import register_organisation_column, register_tile

        # KPIs off norm for those who watch the whole organisation; flagged feedback for whom it is assigned to.
        register_tile(
            "kpis_off_norm",
            roles={Role.QUALITY_OFFICER, Role.BOARD_MEMBER},
            title=_("KPIs off norm"),
            order=35,
            compute=cockpit.kpis_off_norm_tile,
            icon="graph-down-arrow",
        )
        register_tile(
            "my_feedback",
            roles={Role.TEAM_LEAD, Role.QUALITY_OFFICER},
            title=_("Feedback assigned to me"),
            order=13,
            compute=cockpit.my_feedback_tile,
            icon="chat-left-text",
        )
        register_organisation_column(
            "kpis_off_norm", title=_("KPIs off norm"), order=30, compute=cockpit.kpis_off_norm_column
        )
