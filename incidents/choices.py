"""Choice sets of the incidents app (stable codes, the API uses them; labels are translated), and the
defaults of an organisation's incident policy (from the source, seed 003 section 5)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Impact(models.TextChoices):
    ONE_PERSON = "one_person", _("One person")
    LIMITED_GROUP = "limited_group", _("A limited number of persons")
    UNIT = "unit", _("One institution / unit")
    MULTIPLE_UNITS = "multiple_units", _("Several institutions / units")


class Urgency(models.TextChoices):
    STOPS = "stops", _("The process stops")
    FALTERS = "falters", _("The process falters")
    CONTINUES = "continues", _("The process continues")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 (major disruption)")
    P2 = 2, _("P2")
    P3 = 3, _("P3")


# impact -> urgency -> priority: the source's table (SPEC 5.2). An organisation may change it.
DEFAULT_PRIORITY_MATRIX = {
    Impact.ONE_PERSON: {Urgency.STOPS: 3, Urgency.FALTERS: 3, Urgency.CONTINUES: 3},
    Impact.LIMITED_GROUP: {Urgency.STOPS: 2, Urgency.FALTERS: 2, Urgency.CONTINUES: 3},
    Impact.UNIT: {Urgency.STOPS: 1, Urgency.FALTERS: 1, Urgency.CONTINUES: 3},
    Impact.MULTIPLE_UNITS: {Urgency.STOPS: 1, Urgency.FALTERS: 1, Urgency.CONTINUES: 3},
}

# Restore-time targets per priority in service hours: P1 4 h, P2 16 h, P3 one working week (5 x 8.5 h).
DEFAULT_RESTORE_HOURS = {1: Decimal("4"), 2: Decimal("16"), 3: Decimal("42.5")}

# The SLA watch warns the owner at this share of the target and escalates at 100 %.
SLA_WARNING_SHARE = Decimal("0.75")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_INCIDENT_STATUSES = (IncidentStatus.NEW, IncidentStatus.IN_PROGRESS, IncidentStatus.ON_HOLD)


class Channel(models.TextChoices):
    MAIL = "mail", _("E-mail")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    API = "api", _("API")


class IncidentCategory(models.TextChoices):
    """What the incident is about; incidents of one unit and category cluster into a proposed problem."""

    APPLICATION = "application", _("Application")
    ACCESS = "access", _("Access and accounts")
    DATA_EXCHANGE = "data_exchange", _("Data exchange")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    OTHER = "other", _("Other")


class ContactGroup(models.TextChoices):
    """The four groups of escalation contacts of the source (seed 003 section 6)."""

    BOARD = "board", _("Board members")
    FORMAL = "formal", _("Formal contact")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional administrators")
    DATA_PROTECTION = "data_protection", _("Data-protection officer")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KNOWN_ERROR = "known_error", _("Known error")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_PROBLEM_STATUSES = (ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


# A proposed problem when this many incidents of one unit and category arrive within this many days.
DEFAULT_PROBLEM_THRESHOLD = 3
DEFAULT_PROBLEM_WINDOW_DAYS = 30


class ChangeKind(models.TextChoices):
    CHANGE = "change", _("Change to an existing service")
    WISH = "wish", _("New wish")


class ChangeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Impact assessed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PLANNED = "planned", _("Planned")
    TESTED = "tested", _("Tested")
    RELEASED = "released", _("Released")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ImpactRating(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    HIGH = "high", _("High")


class TestResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


# The weekly maintenance window (source: every Thursday 16:00-17:00); configurable per organisation.
DEFAULT_MAINTENANCE_WEEKDAY = 3  # Monday is 0
DEFAULT_MAINTENANCE_START = "16:00"
DEFAULT_MAINTENANCE_END = "17:00"


class BreachRisk(models.TextChoices):
    NONE = "none", _("No risk")
    RISK = "risk", _("Risk")
    HIGH_RISK = "high_risk", _("High risk")


class BreachStatus(models.TextChoices):
    ASSESSMENT = "assessment", _("Under assessment")
    ASSESSED = "assessed", _("Assessed")
    CLOSED = "closed", _("Closed")


# The GDPR clock: the authority within 72 clock hours of discovery; reminders at these hours.
AUTHORITY_DEADLINE_HOURS = 72
BREACH_REMINDER_HOURS = (24, 48, 60)


# --- non-conformities and CAPA (SPEC 5.6) ---


class NcKind(models.TextChoices):
    DEVIATION = "deviation", _("Deviation")
    ERROR = "error", _("Error")
    SUGGESTION = "suggestion", _("Suggestion")


class NcSource(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    AUDIT = "audit", _("Audit finding")
    FEEDBACK = "feedback", _("Customer feedback")
    INTERNAL = "internal", _("Internal report")
    COMPLAINT = "complaint", _("Complaint")
    MANAGEMENT_REVIEW = "management_review", _("Management review")


class Severity(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")


class NcStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ANALYSIS = "analysis", _("Analysis")
    ACTION_PLAN = "action_plan", _("Action plan")
    IMPLEMENTATION = "implementation", _("Implementation")
    EFFECTIVENESS_CHECK = "effectiveness_check", _("Effectiveness check")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_NC_STATUSES = (
    NcStatus.REGISTERED,
    NcStatus.ANALYSIS,
    NcStatus.ACTION_PLAN,
    NcStatus.IMPLEMENTATION,
    NcStatus.EFFECTIVENESS_CHECK,
)


class AnalysisMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", _("5 whys")
    FISHBONE = "fishbone", _("Fishbone (Ishikawa)")
    OTHER = "other", _("Other")


class Verdict(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTLY_EFFECTIVE = "partly_effective", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


# The cause categories a new organisation starts with (configurable by its quality officers).
DEFAULT_CAUSE_CATEGORIES = [
    ("process", _("Process or procedure")),
    ("people", _("People: knowledge, skills, workload")),
    ("system", _("System or tooling")),
    ("supplier", _("Supplier")),
    ("information", _("Information or communication")),
    ("environment", _("Environment or other")),
]

# Recurrence: this many non-conformities of one cause category in one unit within this many days
# propose a CAPA on the latest one.
DEFAULT_RECURRENCE_THRESHOLD = 3
DEFAULT_RECURRENCE_WINDOW_DAYS = 90
