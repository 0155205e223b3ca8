"""The KPI app's settings, with their defaults. Each can be set in ``qms/settings.py`` (from the
environment); read them through these functions so tests can override them with ``settings``."""

from django.conf import settings


def measurement_grace_days() -> int:
    """Days after the end of a period before its measurement counts as missing and is escalated."""
    return getattr(settings, "KPI_MEASUREMENT_GRACE_DAYS", 10)


def csat_flag_threshold() -> int:
    """A CSAT score at or below this is flagged for immediate follow-up."""
    return getattr(settings, "FEEDBACK_CSAT_THRESHOLD", 2)


def recurring_count() -> int:
    """How many flagged items of one unit and category within ``recurring_days()`` make a pattern."""
    return getattr(settings, "FEEDBACK_RECURRING_COUNT", 3)


def recurring_days() -> int:
    return getattr(settings, "FEEDBACK_RECURRING_DAYS", 30)


def feedback_follow_up_days() -> int:
    """When the follow-up of flagged feedback is due (working days of the organisation's service
    calendar after it came in, so not on a weekend or a public holiday)."""
    return getattr(settings, "FEEDBACK_FOLLOW_UP_DAYS", 2)


def effect_follow_up_days() -> int:
    """When the follow-up of an improvement action whose effect was not reached is due."""
    return getattr(settings, "EFFECT_FOLLOW_UP_DAYS", 14)
