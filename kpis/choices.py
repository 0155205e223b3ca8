"""Choice sets of the KPI app. Codes are stable (the API uses them); labels are translated."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.choices import ActionKind
from qms.periods import Frequency


class KpiCategory(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    ORGANISATIONAL = "organisational", _("Organisational")
    CUSTOMER = "customer", _("Customers and market")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")


class KpiStatus(models.TextChoices):
    """The colour of a measurement against its KPI's norms."""

    GREEN = "green", _("Green (good)")
    AMBER = "amber", _("Amber (good enough)")
    RED = "red", _("Red (not good enough)")


# Bootstrap colour per status, for badges and tiles (the label is always shown too: not colour alone).
STATUS_COLOURS = {KpiStatus.GREEN: "success", KpiStatus.AMBER: "warning", KpiStatus.RED: "danger"}


class FeedbackChannel(models.TextChoices):
    SURVEY = "survey", _("Survey")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    PORTAL = "portal", _("Customer portal")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class FeedbackCategory(models.TextChoices):
    """What the feedback is about: recurring flagged feedback is counted per unit and category."""

    SERVICE = "service", _("Service and support")
    PRODUCT = "product", _("Product quality")
    DELIVERY = "delivery", _("Delivery and lead time")
    INVOICING = "invoicing", _("Invoicing")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Other")


class FlagReason(models.TextChoices):
    LOW_SCORE = "low_score", _("Low CSAT score")
    NEGATIVE = "negative", _("Marked negative")


class EscalationStatus(models.TextChoices):
    # Proposed until a quality officer escalates it to a non-conformity (which the incidents app will
    # take over) or dismisses it, with a reason (``kpis.services.feedback_escalation_decide``).
    PROPOSED = "proposed", _("Proposed")
    ESCALATED = "escalated", _("Escalated to a non-conformity")
    DISMISSED = "dismissed", _("Dismissed")


# The decisions on a proposed escalation, in one table: from proposed to escalated or dismissed, and
# nothing after that (a new episode of the same problem is a new proposal).
ESCALATION_TRANSITIONS = {
    EscalationStatus.PROPOSED: {EscalationStatus.ESCALATED, EscalationStatus.DISMISSED},
    EscalationStatus.ESCALATED: set(),
    EscalationStatus.DISMISSED: set(),
}


class Expectation(models.TextChoices):
    CHANGE = "change", _("Change by an amount")
    BACK_TO_GREEN = "back_to_green", _("Back into green")


class Verdict(models.TextChoices):
    REACHED = "reached", _("Effect reached")
    PARTLY = "partly", _("Effect partly reached")
    NOT_REACHED = "not_reached", _("Effect not reached")
    # The evaluation window and its grace days are over and a window has no measurements: said out
    # loud instead of waiting for ever.
    NOT_MEASURABLE = "not_measurable", _("Cannot be measured")


VERDICT_COLOURS = {
    Verdict.REACHED: "success",
    Verdict.PARTLY: "warning",
    Verdict.NOT_REACHED: "danger",
    Verdict.NOT_MEASURABLE: "secondary",
}

# The kinds of action that may state an intended effect: improvement actions now; corrective and
# preventive actions (CAPA) are the same core Action and work the same way.
EFFECT_ACTION_KINDS = (ActionKind.IMPROVEMENT, ActionKind.CORRECTIVE, ActionKind.PREVENTIVE)


class SmartProperty(models.TextChoices):
    SPECIFIC = "specific", _("Specific: what exactly")
    MEASURABLE = "measurable", _("Measurable: a key result measured by a KPI")
    ACHIEVABLE = "achievable", _("Achievable: why it can be done")
    RELEVANT = "relevant", _("Relevant: why it matters")
    TIME_BOUND = "time_bound", _("Time-bound: a deadline")


# The default KPI set of SPEC 4 (from the source's quality manual): code, name, description, category,
# measure unit, direction, frequency, target, good threshold, acceptable threshold. Each target is the
# threshold for good: a value that reaches it is green, and no green value falls short of the target
# (a further aim belongs in an objective's key result, as the demo's "pNPS to 40").
DEFAULT_KPIS = [
    (
        "UPTIME",
        _("Infrastructure uptime"),
        _("Share of the month the production infrastructure was available. The SLA promises 99.9%."),
        KpiCategory.TECHNICAL,
        "%",
        Direction.HIGHER_IS_BETTER,
        Frequency.MONTHLY,
        Decimal("99.9"),
        Decimal("99.9"),
        Decimal("99.5"),
    ),
    (
        "DEFECTS",
        _("Defect density"),
        _("Bugs found per release: a low number is a measure of the quality of product development."),
        KpiCategory.TECHNICAL,
        _("bugs/release"),
        Direction.LOWER_IS_BETTER,
        Frequency.MONTHLY,
        Decimal("3"),
        Decimal("3"),
        Decimal("5"),
    ),
    (
        "ENPS",
        _("eNPS"),
        _("Employee Net Promoter Score (-100 to 100): engaged people deliver consistent, high-quality work."),
        KpiCategory.ORGANISATIONAL,
        "",
        Direction.HIGHER_IS_BETTER,
        Frequency.QUARTERLY,
        Decimal("20"),
        Decimal("20"),
        Decimal("0"),
    ),
    (
        "WORKLOAD",
        _("Workload and mental health"),
        _("Average answer to the pulse survey question on workload and wellbeing (1 bad to 5 good)."),
        KpiCategory.ORGANISATIONAL,
        "1-5",
        Direction.HIGHER_IS_BETTER,
        Frequency.QUARTERLY,
        Decimal("3.8"),
        Decimal("3.8"),
        Decimal("3.2"),
    ),
    (
        "PNPS",
        _("pNPS"),
        _("Product Net Promoter Score (-100 to 100): overall customer loyalty and perceived quality."),
        KpiCategory.CUSTOMER,
        "",
        Direction.HIGHER_IS_BETTER,
        Frequency.QUARTERLY,
        Decimal("30"),
        Decimal("30"),
        Decimal("10"),
    ),
    (
        "CSAT",
        _("CSAT"),
        _("Average customer satisfaction score of contacts and deliveries (1 to 5)."),
        KpiCategory.CUSTOMER,
        "1-5",
        Direction.HIGHER_IS_BETTER,
        Frequency.MONTHLY,
        Decimal("4.2"),
        Decimal("4.2"),
        Decimal("3.8"),
    ),
    (
        "CHURN",
        _("Churn"),
        _("Share of customers who left in the month: one of the clearest signs of satisfaction and quality."),
        KpiCategory.CUSTOMER,
        "%",
        Direction.LOWER_IS_BETTER,
        Frequency.MONTHLY,
        Decimal("1.5"),
        Decimal("1.5"),
        Decimal("3"),
    ),
]
