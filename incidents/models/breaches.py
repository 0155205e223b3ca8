"""Data breaches (datalekken): the breach register, the GDPR 72-hour clock and the notifications.
Rules in ``incidents.services.breaches``; only the owner, data-protection officers, quality officers
and administrators of the organisation see breach records (``DataBreachQuerySet.visible_to``)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incidents.choices import AUTHORITY_DEADLINE_HOURS, BreachRisk, BreachStatus
from incidents.models.incidents import TEXT_MAX_LENGTH
from qms.choices import Role
from qms.querysets import ScopedQuerySet

# The roles that see every breach record of their organisation (held on it or on a unit above it);
# of them, data-protection officers and quality officers also handle breaches.
BREACH_READER_ROLES = (Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
BREACH_HANDLER_ROLES = (Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER)

# ``reminders_sent`` holds one bit per reminder, each sent once per breach.
REMINDER_24H = 1
REMINDER_48H = 2
REMINDER_60H = 4
REMINDER_OVERDUE = 8


def authority_deadline_for(discovered_at: datetime.datetime) -> datetime.datetime:
    """Discovery + 72 clock hours (GDPR art. 33(1)): real elapsed hours, so a change of the clocks in
    between does not move it. Added in UTC: an aware Amsterdam time plus a timedelta would add wall-clock
    hours (an hour too many or too few across a change of the clocks)."""
    return discovered_at.astimezone(datetime.UTC) + datetime.timedelta(hours=AUTHORITY_DEADLINE_HOURS)


def authority_pending_q() -> Q:
    """Open breaches whose authority question is still unanswered, and not assessed as no risk."""
    return (
        Q(authority_notified_at__isnull=True, authority_not_notified_reason="")
        & ~Q(risk=BreachRisk.NONE)
        & ~Q(status=BreachStatus.CLOSED)
    )


class DataBreachQuerySet(ScopedQuerySet):
    unit_field = "organisation"

    def visible_to(self, user):
        """Breach records are for few eyes: their owner, and the data-protection officers, quality
        officers and administrators of their organisation (a role held on it or on a unit above it);
        superusers see all. Everyone else, also people who see the incident, the board, and staff of the
        organisation's units, sees none. Starts from the organisation's scope (so the owner too must
        still see the organisation) and adds no query: the roles come from the request's ``Scope``,
        the units where they are held go in as a subquery."""
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        scoped = super().visible_to(user)
        if not user.is_authenticated:
            return scoped.none()
        allowed = Q(owner=user)
        if any(grant.role in BREACH_READER_ROLES for grant in scope.grants):
            allowed |= Q(organisation__in=scope.units_with_role(*BREACH_READER_ROLES).values("pk"))
        return scoped.filter(allowed)

    def authority_pending(self):
        return self.filter(authority_pending_q())

    def overdue(self, now: datetime.datetime):
        """Past the 72-hour deadline with the authority question still open."""
        return self.authority_pending().filter(authority_deadline__lt=now)


class DataBreach(models.Model):
    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="data_breaches"
    )
    incident = models.OneToOneField(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_breach",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    discovered_at = models.DateTimeField(_("discovered at"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_data_breaches",
        help_text=_("The data-protection officer, else a quality officer."),
    )
    status = models.CharField(_("status"), max_length=20, choices=BreachStatus.choices, default=BreachStatus.ASSESSMENT)
    personal_data = models.BooleanField(_("personal data involved"), null=True, blank=True)
    data_categories = models.CharField(_("categories of personal data"), max_length=500, blank=True)
    people_affected = models.PositiveIntegerField(_("approximate number of people"), null=True, blank=True)
    risk = models.CharField(
        _("risk to the people concerned"), max_length=20, choices=BreachRisk.choices, blank=True, default=""
    )
    assessment = models.TextField(_("assessment"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True, editable=False)
    containment = models.TextField(
        _("containment measures"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    authority_deadline = models.DateTimeField(_("authority deadline"), editable=False, db_index=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority reference"), max_length=100, blank=True)
    authority_not_notified_reason = models.TextField(_("reason the authority was not notified"), blank=True)
    subjects_notified_at = models.DateTimeField(_("people concerned notified at"), null=True, blank=True)
    subjects_not_notified_reason = models.TextField(_("reason the people concerned were not notified"), blank=True)
    reminders_sent = models.PositiveSmallIntegerField(
        _("reminders sent"),
        default=0,
        editable=False,
        validators=[MinValueValidator(0), MaxValueValidator(15)],
        help_text=_("One bit per reminder sent: 24 hours, 48 hours, 60 hours, overdue."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = DataBreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("data breach")
        verbose_name_plural = _("data breaches")
        ordering = ["-discovered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authority_notified_at__isnull=True) | Q(authority_notified_at__gte=F("discovered_at")),
                name="breach_authority_after_discovery",
                violation_error_message=_("The authority cannot have been notified before the breach was discovered."),
            ),
            models.CheckConstraint(
                condition=Q(subjects_notified_at__isnull=True) | Q(subjects_notified_at__gte=F("discovered_at")),
                name="breach_subjects_after_discovery",
                violation_error_message=_(
                    "The people concerned cannot have been notified before the breach was discovered."
                ),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("incidents:breach_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.discovered_at:
            if self.authority_notified_at and self.authority_notified_at < self.discovered_at:
                errors["authority_notified_at"] = _(
                    "The authority cannot have been notified before the breach was discovered."
                )
            if self.subjects_notified_at and self.subjects_notified_at < self.discovered_at:
                errors["subjects_notified_at"] = _(
                    "The people concerned cannot have been notified before the breach was discovered."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status != BreachStatus.CLOSED

    @property
    def authority_required(self) -> bool:
        """Unless assessed as no risk, the authority is notified (GDPR art. 33(1))."""
        return self.risk != BreachRisk.NONE

    @property
    def authority_answered(self) -> bool:
        return bool(self.authority_notified_at or self.authority_not_notified_reason) or not self.authority_required

    @property
    def subjects_required(self) -> bool:
        """A high risk to the people concerned: they are told (GDPR art. 34(1))."""
        return self.risk == BreachRisk.HIGH_RISK

    @property
    def subjects_answered(self) -> bool:
        return bool(self.subjects_notified_at or self.subjects_not_notified_reason)

    @property
    def authority_pending(self) -> bool:
        return (
            self.is_open
            and not (self.authority_notified_at or self.authority_not_notified_reason)
            and (self.authority_required)
        )

    def hours_left(self, now: datetime.datetime) -> float:
        """Clock hours to the authority deadline (negative once past), whatever the time zones."""
        return (self.authority_deadline.astimezone(datetime.UTC) - now.astimezone(datetime.UTC)).total_seconds() / 3600

    def is_overdue(self, now: datetime.datetime) -> bool:
        return self.authority_pending and self.hours_left(now) < 0
