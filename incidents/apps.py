from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents and CAPA")

    def ready(self):
        # Each part registers its hooks with the core here, in its own block.
        # incidents
        from incidents.services import incidents as incident_services
        from incidents.views.incidents import navigation_context
        from qms.context_processors import register_navigation_context
        from qms.services.privacy import register_open_work

        # The sub-navigation's links for who registers incidents and who reads the breach register.
        register_navigation_context(navigation_context)

        # An erasure hands the person's open incidents to a successor.
        register_open_work(
            "incidents",
            label=_("%(count)s open incident(s) they own"),
            count=lambda *, user: incident_services.open_incidents(user).count(),
            reassign=incident_services.reassign_incidents,
        )
        # contacts
        from incidents.models import ContactConfirmation
        from incidents.services.contacts import confirmation_action_changed, sweep_contact_confirmations
        from qms.escalations import register_sweep
        from qms.services.actions import register_action_hook

        # Once a year each unit with contacts is asked to confirm them (a task for its formal contact; the
        # overdue-actions sweep escalates it after 30 days); the task done from "my actions" confirms them.
        register_sweep("escalation_contacts_confirmation")(sweep_contact_confirmations)
        register_action_hook(ContactConfirmation, confirmation_action_changed)
        # problems
        # changes
        from incidents.services import changes as change_services

        # An erasure hands the person's open changes to a successor (the new product owner).
        register_open_work(
            "changes",
            label=_("%(count)s open change(s) they own"),
            count=lambda *, user: change_services.open_changes(user).count(),
            reassign=change_services.reassign_changes,
        )
        # breaches
        from incidents.services import breaches as breach_services
        from qms.services.privacy import register_open_work

        # An erasure hands the person's open breaches to a successor (a data-protection or quality officer).
        register_open_work(
            "data_breaches",
            label=_("%(count)s open data breach(es) they own"),
            count=lambda *, user: breach_services.open_breaches(user).count(),
            reassign=breach_services.reassign_breaches,
        )
        # nonconformities
        from incidents.services import nonconformities as nc_services
        from kpis.services.feedback import register_escalation_handler
        from qms.services.organisation import register_organisation_defaults

        # A new organisation starts with the default cause categories (its quality officers change them).
        register_organisation_defaults(nc_services.cause_categories_for_new_organisation)
        # A quality officer's "escalate" of recurring feedback registers the non-conformity, linked both ways.
        register_escalation_handler(nc_services.nc_from_feedback_escalation)
        # Daily: recurring non-conformities propose a CAPA; overdue checks and stuck CAPAs escalate; the
        # checks measured on a KPI get the verdict the effect proposes (after kpi_effects_due has run).
        register_sweep("capa_recurrence")(nc_services.sweep_capa_recurrence)
        register_sweep("effectiveness_checks_overdue")(nc_services.sweep_overdue_checks)
        register_sweep("capa_stuck")(nc_services.sweep_stuck_capas)
        register_sweep("capa_effect_proposals")(nc_services.sweep_effect_proposals)
        # An erasure hands the person's open non-conformities to a successor.
        register_open_work(
            "nonconformities",
            label=_("%(count)s open non-conformity(ies) they own"),
            count=lambda *, user: nc_services.open_nonconformities(user).count(),
            reassign=nc_services.reassign_nonconformities,
        )

        # cockpit
        from incidents.selectors import cockpit
        from qms.choices import Role
        from qms.cockpit import register_tile

        # Open incidents and CAPAs for the quality officer, P1s and the count of open breaches for the
        # board, the breaches with their deadline for who reads them, the coordinator's own incidents.
        register_tile(
            "incidents_open",
            roles={Role.QUALITY_OFFICER},
            title=_("Open incidents"),
            order=40,
            compute=cockpit.incidents_tile,
            icon="life-preserver",
        )
        register_tile(
            "my_incidents",
            roles={Role.INCIDENT_COORDINATOR},
            title=_("My open incidents"),
            order=14,
            compute=cockpit.my_incidents_tile,
            icon="life-preserver",
        )
        register_tile(
            "p1_open",
            roles={Role.BOARD_MEMBER},
            title=_("Open P1 incidents"),
            order=41,
            compute=cockpit.p1_tile,
            icon="exclamation-octagon",
        )
        register_tile(
            "breaches_deadline",
            roles={Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER},
            title=_("Data breaches and their deadline"),
            order=16,
            compute=cockpit.breaches_tile,
            icon="incognito",
        )
        register_tile(
            "breaches_open_count",
            roles={Role.BOARD_MEMBER},
            title=_("Open data breaches"),
            order=42,
            compute=cockpit.board_breaches_tile,
            icon="incognito",
        )
        register_tile(
            "capa",
            roles={Role.QUALITY_OFFICER},
            title=_("CAPAs by stage"),
            order=45,
            compute=cockpit.capa_tile,
            icon="arrow-repeat",
        )
