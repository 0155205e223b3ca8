"""Data breaches (datalekken): the breach register, the GDPR 72-hour clock and the notifications.
Rules in ``incidents.services.breaches``; only the owner, data-protection officers, quality officers
and administrators of the organisation see breach records (``DataBreachQuerySet.visible_to``)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incidents.choices import BreachRisk, BreachStatus
from incidents.models.incidents import TEXT_MAX_LENGTH
from qms.querysets import ScopedQuerySet


class DataBreachQuerySet(ScopedQuerySet):
    unit_field = "organisation"


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
        _("reminders sent"), default=0, editable=False, validators=[MinValueValidator(0)]
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

    def __str__(self):
        return f"#{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("incidents:breach_detail", args=[self.pk])
