"""Findings (areas of attention), recommendations and good examples of an audit, each linked to a
principle and tagged with a theme of the organisation's list; themes that recur in two or more units
in a year are the "common threads" (rode draden) of the maturity report. Rules in
``audits.services.findings``."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audits.choices import FindingKind
from audits.models.audits import TEXT_MAX_LENGTH, AuditPartQuerySet
from audits.models.model import OrganisationScopedQuerySet


class Theme(models.Model):
    """A theme of an organisation's findings ("effect measurement", "cooperation in the chain"...)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="audit_themes"
    )
    name = models.CharField(_("name"), max_length=100)

    history = HistoricalRecords()
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="audit_theme_unique",
                violation_error_message=_("This organisation already has this theme."),
            ),
        ]

    def __str__(self):
        return self.name


class Finding(models.Model):
    """An area of attention, a recommendation or a good example of an audit."""

    audit = models.ForeignKey(
        "audits.Audit", verbose_name=_("audit"), on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    principle = models.ForeignKey(
        "audits.Principle", verbose_name=_("principle"), on_delete=models.PROTECT, related_name="findings"
    )
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="findings")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    actions = GenericRelation(
        "qms.Action", content_type_field="source_content_type", object_id_field="source_object_id"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AuditPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["audit_id", "kind", "principle__position", "id"]
        indexes = [
            models.Index(fields=["kind", "theme"], name="finding_kind_theme"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:audit_detail", args=[self.audit_id]) + f"#finding-{self.pk}"
