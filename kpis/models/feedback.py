"""Customer feedback (CSAT responses, complaints) and the escalations proposed when it recurs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis.choices import EscalationStatus, FeedbackCategory, FeedbackChannel, FlagReason
from qms.querysets import ScopedQuerySet

# A customer's comment can be a long e-mail; a TextField's max_length alone is not checked by full_clean.
COMMENT_MAX_LENGTH = 5000


class FeedbackQuerySet(ScopedQuerySet):
    def flagged(self):
        return self.filter(flagged=True)


class FeedbackEscalation(models.Model):
    """A proposal to escalate recurring flagged feedback (same unit, same category, within a few days)
    into a formal non-conformity. The non-conformity part takes proposals over once it exists; until
    then the proposal is recorded here and the quality officer is told, who escalates or dismisses it
    (who, when and why are kept). One proposal covers one episode: its items lie within the window."""

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="feedback_escalations"
    )
    category = models.CharField(_("category"), max_length=20, choices=FeedbackCategory.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.PROPOSED
    )
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(
        _("reason for the decision"), blank=True, help_text=_("Required to dismiss a proposal.")
    )
    # What the escalation became (a non-conformity): a generic link, the KPIs do not know that app.
    follow_up_content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    follow_up_object_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    follow_up = GenericForeignKey("follow_up_content_type", "follow_up_object_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback escalation")
        verbose_name_plural = _("feedback escalations")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("Recurring feedback on %(category)s in %(unit)s") % {
            "category": self.get_category_display().lower(),
            "unit": self.unit,
        }

    def get_absolute_url(self):
        return reverse("kpis:feedback_escalation_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == EscalationStatus.PROPOSED


class Feedback(models.Model):
    """One piece of customer feedback: a CSAT score (1-5) and/or a comment. Low scores and negative
    feedback are flagged when it comes in and assigned to the unit's team lead as a follow-up action.

    Personal data is kept out on purpose: ``customer_reference`` points to the customer in another
    system instead of naming them.
    """

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="feedback"
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=FeedbackChannel.choices, default=FeedbackChannel.SURVEY
    )
    category = models.CharField(
        _("category"), max_length=20, choices=FeedbackCategory.choices, default=FeedbackCategory.SERVICE
    )
    score = models.PositiveSmallIntegerField(
        _("CSAT score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (very dissatisfied) to 5 (very satisfied)."),
    )
    negative = models.BooleanField(_("negative"), default=False, help_text=_("The feedback is a complaint."))
    comment = models.TextField(
        _("comment"), blank=True, max_length=COMMENT_MAX_LENGTH, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    customer_reference = models.CharField(
        _("customer reference"),
        max_length=100,
        blank=True,
        help_text=_("A ticket or customer number in another system; no names or contact details."),
    )
    flagged = models.BooleanField(_("flagged"), default=False, editable=False)
    flag_reason = models.CharField(
        _("why flagged"), max_length=20, choices=FlagReason.choices, blank=True, editable=False
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_feedback",
        editable=False,
    )
    follow_up = models.ForeignKey(
        "qms.Action",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    escalation = models.ForeignKey(
        FeedbackEscalation,
        verbose_name=_("escalation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["unit", "category", "flagged", "received_at"], name="feedback_recurring")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="feedback_score_1_to_5",
                violation_error_message=_("A CSAT score is from 1 to 5."),
            ),
        ]

    def __str__(self):
        label = _("Feedback of %(date)s") % {"date": timezone.localtime(self.received_at).date().isoformat()}
        return f"{label} ({self.score})" if self.score else str(label)

    def get_absolute_url(self):
        return reverse("kpis:feedback_detail", args=[self.pk])

    def clean(self):
        if self.score is None and not (self.comment or "").strip():
            raise ValidationError({"score": _("Give a CSAT score or a comment.")})
