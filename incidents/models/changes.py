"""Changes and new wishes: request, four-part impact assessment with the DPIA gate, risk assessment on
the risk matrix, stakeholder decisions, planning in the maintenance window, test and release. Rules in
``incidents.services.changes``."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incidents.choices import ChangeKind, ChangeStatus, ImpactRating, TestResult
from incidents.models.incidents import TEXT_MAX_LENGTH
from qms.querysets import ScopedQuerySet
from risks.choices import RiskLevel


class ChangeQuerySet(ScopedQuerySet):
    def dpia_pending(self):
        """Changes whose DPIA is required and whose outcome is not recorded yet."""
        return self.filter(dpia_required=True, dpia_recorded_at__isnull=True)


class Change(models.Model):
    """A request for a change to an existing service, or a new wish (SPEC 5.4). Its status moves only
    through ``incidents.services.changes`` (``CHANGE_TRANSITIONS``)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.CHANGE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("service or unit"), on_delete=models.PROTECT, related_name="changes"
    )
    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The organisation of the unit: whose roadmap, matrix and maintenance window apply."),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_changes",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_changes",
        help_text=_("The product owner."),
    )
    status = models.CharField(_("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.SUBMITTED)
    # The impact assessment (SPEC 5.4): four areas rated none / low / high with a note.
    privacy_impact = models.CharField(_("privacy impact"), max_length=10, choices=ImpactRating.choices, blank=True)
    privacy_note = models.TextField(_("privacy note"), blank=True, validators=[MaxLengthValidator(2000)])
    security_impact = models.CharField(_("security impact"), max_length=10, choices=ImpactRating.choices, blank=True)
    security_note = models.TextField(_("security note"), blank=True, validators=[MaxLengthValidator(2000)])
    governance_impact = models.CharField(
        _("governance impact"), max_length=10, choices=ImpactRating.choices, blank=True
    )
    governance_note = models.TextField(_("governance note"), blank=True, validators=[MaxLengthValidator(2000)])
    architecture_impact = models.CharField(
        _("architecture impact"), max_length=10, choices=ImpactRating.choices, blank=True
    )
    architecture_note = models.TextField(_("architecture note"), blank=True, validators=[MaxLengthValidator(2000)])
    dpia_required = models.BooleanField(_("DPIA required"), default=False)
    dpia_outcome = models.TextField(_("DPIA outcome"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    dpia_recorded_at = models.DateTimeField(_("DPIA recorded at"), null=True, blank=True, editable=False)
    dpia_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("DPIA recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    fits_requirements = models.BooleanField(_("fits the current requirements"), null=True, blank=True)
    risk_likelihood = models.PositiveSmallIntegerField(
        _("risk likelihood"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    risk_impact = models.PositiveSmallIntegerField(
        _("risk impact"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    risk_level = models.CharField(_("risk level"), max_length=20, choices=RiskLevel.choices, blank=True, editable=False)
    risk = models.ForeignKey(
        "risks.Risk",
        verbose_name=_("register risk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, validators=[MaxLengthValidator(2000)])
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    in_maintenance_window = models.BooleanField(_("in the maintenance window"), null=True, editable=False)
    outside_window_reason = models.TextField(
        _("reason outside the maintenance window"), blank=True, validators=[MaxLengthValidator(2000)]
    )
    contacts_warned_at = models.DateTimeField(
        _("contacts warned at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the escalation contacts were told of a moment outside the maintenance window."),
    )
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tested_at = models.DateTimeField(_("tested at"), null=True, blank=True)
    test_result = models.CharField(_("test result"), max_length=10, choices=TestResult.choices, blank=True)
    test_notes = models.TextField(_("test notes"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True, validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "planned_start"], name="change_org_planned_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="change_planned_end_after_start",
                violation_error_message=_("The planned end must be after the planned start."),
            ),
            models.CheckConstraint(
                condition=~Q(privacy_impact="high") | Q(dpia_required=True),
                name="change_high_privacy_needs_dpia",
                violation_error_message=_("A high privacy impact requires a DPIA."),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("incidents:change_detail", args=[self.pk])

    @property
    def is_dpia_pending(self) -> bool:
        return self.dpia_required and self.dpia_recorded_at is None


class ChangeDecisionQuerySet(ScopedQuerySet):
    unit_field = "change__unit"


class ChangeDecision(models.Model):
    """A stakeholder's decision on a change, with the reason."""

    change = models.ForeignKey(Change, verbose_name=_("change"), on_delete=models.CASCADE, related_name="decisions")
    stakeholder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("stakeholder"), on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("approved"))
    reason = models.TextField(_("reason"), validators=[MaxLengthValidator(2000)])
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ChangeDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("change decision")
        verbose_name_plural = _("change decisions")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "stakeholder"],
                name="change_decision_one_per_stakeholder",
                violation_error_message=_("Each stakeholder records one decision on a change."),
            )
        ]

    def __str__(self):
        return f"{self.change}: {self.stakeholder}"
