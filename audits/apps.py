from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Maturity audits")

    def ready(self):
        # Each part registers its hooks with the core here, in its own block.
        # model
        from audits.services import model as model_services
        from qms.services.organisation import register_organisation_defaults

        # A new organisation starts with the five levels, the nine principles and a first cycle
        # (organisations made before the audits app get them from ensure_audit_defaults).
        register_organisation_defaults(model_services.model_defaults_for_new_organisation)
        # audits
        # reports
        # navigation
        from audits.views.model import navigation_context
        from qms.context_processors import register_navigation_context

        # The sub-navigation's links for who manages an organisation's model and cycle.
        register_navigation_context(navigation_context)
        # cockpit
        from audits.selectors import cockpit
        from qms.choices import Role
        from qms.cockpit import register_organisation_column, register_tile

        # Audits in the cockpits: the quality officer's audits under way, the auditor's audits to score,
        # group management's maturity column.
        register_tile(
            "audits_in_progress",
            roles={Role.QUALITY_OFFICER},
            title=_("Audits in progress"),
            order=50,
            compute=cockpit.audits_in_progress_tile,
            icon="clipboard-check",
        )
        register_tile(
            "audits_to_score",
            roles={Role.AUDITOR},
            title=_("Audits to score"),
            order=17,
            compute=cockpit.audits_to_score_tile,
            icon="clipboard-check",
        )
        register_organisation_column("maturity", title=_("Maturity"), order=40, compute=cockpit.maturity_column)
