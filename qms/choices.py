"""Choice sets of the core app. Codes are stable (the API uses them); labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    GROUP = "group", _("Group")
    ORGANISATION = "organisation", _("Organisation")
    BUSINESS_UNIT = "business_unit", _("Business unit")
    TEAM = "team", _("Team")


# Which kinds may sit directly below which: group -> organisation -> business unit -> team,
# with depth allowed to vary (a team straight under an organisation, business units in business units).
ALLOWED_PARENT_KINDS = {
    UnitKind.GROUP: {None, UnitKind.GROUP},
    UnitKind.ORGANISATION: {None, UnitKind.GROUP},
    UnitKind.BUSINESS_UNIT: {UnitKind.ORGANISATION, UnitKind.BUSINESS_UNIT},
    UnitKind.TEAM: {UnitKind.ORGANISATION, UnitKind.BUSINESS_UNIT, UnitKind.TEAM},
}


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    QUALITY_OFFICER = "quality_officer", _("Quality officer")
    RISK_OWNER = "risk_owner", _("Risk owner")
    TEAM_LEAD = "team_lead", _("Team lead")
    BOARD_MEMBER = "board_member", _("Board member")
    GROUP_MANAGEMENT = "group_management", _("Group management")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Viewer")
    INCIDENT_COORDINATOR = "incident_coordinator", _("Incident coordinator")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data-protection officer")


# Roles tied to one kind of unit: the board sits on an organisation, group management on a group.
ROLE_UNIT_KINDS = {
    Role.BOARD_MEMBER: {UnitKind.ORGANISATION},
    Role.GROUP_MANAGEMENT: {UnitKind.GROUP},
}

# Roles that may register and change work (actions, records) in their units; viewers and auditors read.
CONTRIBUTOR_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.QUALITY_OFFICER,
        Role.RISK_OWNER,
        Role.TEAM_LEAD,
        Role.BOARD_MEMBER,
        Role.GROUP_MANAGEMENT,
        Role.INCIDENT_COORDINATOR,
        Role.DATA_PROTECTION_OFFICER,
    }
)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionKind(models.TextChoices):
    GENERAL = "general", _("General")
    MITIGATION = "mitigation", _("Mitigation measure")
    INVESTIGATION = "investigation", _("Investigation step")
    CORRECTIVE = "corrective", _("Corrective action")
    PREVENTIVE = "preventive", _("Preventive action")
    IMPROVEMENT = "improvement", _("Improvement action")
    AUDIT_FOLLOW_UP = "audit_follow_up", _("Audit follow-up")
    FOLLOW_UP = "follow_up", _("Follow-up")
    REVIEW_DECISION = "review_decision", _("Management review action")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    LOCKED_OUT = "locked_out", _("Locked out")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    EXPORT = "export", _("Export")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    # Privacy (SPEC 8): a person downloading their own data, an administrator erasing a person.
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Personal data downloaded")
    PERSON_ERASED = "person_erased", _("Person erased")
    # Two-factor login (ASVS V2): enrolment, each second step, recovery codes and the organisation's policy.
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor login set up")
    TWO_FACTOR_PASSED = "two_factor_passed", _("Two-factor code accepted")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Two-factor code refused")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
    TWO_FACTOR_POLICY_CHANGED = "two_factor_policy", _("Two-factor policy changed")
