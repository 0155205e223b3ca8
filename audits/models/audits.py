"""An audit of one business unit in one year: its assessors (from other units), the fieldwork log,
the assessors' independent scores, the calibrated score per principle, the management response and the
auditees' evaluation. Rules in ``audits.services.audits``.

Visibility (``visible_to``) is the unit's scope plus the audits a person is an assessor of: cross-wise
assessment means assessors come from other units, and they see those audits and nothing else of the
unit. Before calibration a score is seen by its own assessor only (independent judgement)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audits.choices import (
    BLIND_STATUSES,
    LEVEL_MAX,
    LEVEL_MIN,
    AuditStatus,
    FieldworkKind,
    Recognition,
)
from qms.querysets import ScopedQuerySet

TEXT_MAX_LENGTH = 20_000


def _assessor_of(user):
    return AuditAssessor.objects.filter(user=user).values("audit_id")


class AuditQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(unit__in=scope.visible_unit_pks()) | Q(pk__in=_assessor_of(user)))

    def in_progress(self):
        from audits.choices import IN_PROGRESS_STATUSES

        return self.filter(status__in=IN_PROGRESS_STATUSES)


class AuditPartQuerySet(ScopedQuerySet):
    """The parts of an audit are seen by whoever sees the audit."""

    unit_field = "audit__unit"

    def visible_to(self, user):
        from qms.scoping import scope_for

        if scope_for(user).sees_everything:
            return self
        return self.filter(audit__in=Audit.objects.visible_to(user).values("pk"))


class Audit(models.Model):
    """The maturity audit of one business unit in one year, on that year's principles."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("audited unit"), on_delete=models.PROTECT, related_name="audits"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    cycle = models.ForeignKey(
        "audits.AuditCycle",
        verbose_name=_("cycle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audits",
        editable=False,
    )
    principles = models.ManyToManyField("audits.Principle", verbose_name=_("principles"), related_name="audits")
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessors"),
        through="audits.AuditAssessor",
        related_name="assessed_audits",
    )
    lead_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead assessor"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=30, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    scope_note = models.TextField(
        _("scope"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Which departments, districts or processes the audit visits."),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("in this status since"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    actions = GenericRelation(
        "qms.Action", content_type_field="source_content_type", object_id_field="source_object_id"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-year", "unit__name", "id"]
        indexes = [
            models.Index(fields=["organisation", "year"], name="audit_org_year"),
            models.Index(fields=["status"], name="audit_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="audit_unit_year_unique",
                violation_error_message=_("This unit already has an audit in this year."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=AuditStatus.values),
                name="audit_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="audit_planned_order",
                violation_error_message=_("The planned end lies before the planned start."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}" if self.unit_id else str(self.year)

    def get_absolute_url(self):
        return reverse("audits:audit_detail", args=[self.pk])

    @property
    def is_blind(self) -> bool:
        """Before calibration every assessor sees only their own scores."""
        return self.status in BLIND_STATUSES


class AuditAssessor(models.Model):
    """An assessor of an audit (the lead assessor is one of them)."""

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="assessor_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    objects = AuditPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessor")
        verbose_name_plural = _("assessors")
        ordering = ["audit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "user"],
                name="audit_assessor_once",
                violation_error_message=_("This person is already an assessor of this audit."),
            ),
        ]

    def __str__(self):
        return str(self.user)


class FieldworkItem(models.Model):
    """One line of the fieldwork log: a document studied or an interview held (with whom, when, and
    whether the interviewee confirmed the record of it)."""

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="fieldwork")
    kind = models.CharField(_("kind"), max_length=20, choices=FieldworkKind.choices)
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=200, help_text=_("The document, or the interview's topic."))
    interviewee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_interviews",
        help_text=_("A person in the system, who then confirms the record of the interview."),
    )
    interviewee_name = models.CharField(
        _("interviewee (name)"),
        max_length=200,
        blank=True,
        help_text=_("Who was interviewed, when they are not a user of the system."),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AuditPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("fieldwork item")
        verbose_name_plural = _("fieldwork log")
        ordering = ["audit_id", "date", "id"]

    def __str__(self):
        return f"{self.date} {self.subject}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == FieldworkKind.INTERVIEW and not self.interviewee_id and not self.interviewee_name:
            raise ValidationError({"interviewee": _("Say who was interviewed.")})


class AuditScoreQuerySet(ScopedQuerySet):
    unit_field = "audit__unit"

    def visible_to(self, user):
        """Whoever sees the audit sees its scores once it is in calibration; before that only the
        assessor sees their own (also superusers: independence is not an access right)."""
        if not user.is_authenticated:
            return self.none()
        visible_audits = Audit.objects.visible_to(user).values("pk")
        return self.filter(audit__in=visible_audits).filter(~Q(audit__status__in=BLIND_STATUSES) | Q(assessor=user))


class AuditScore(models.Model):
    """One assessor's score of one principle in one audit: 1-5 with a rationale, looking at design
    (opzet), existence (bestaan) and operation (werking)."""

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="scores")
    principle = models.ForeignKey(
        "audits.Principle", verbose_name=_("principle"), on_delete=models.PROTECT, related_name="scores"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="audit_scores",
        editable=False,
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    rationale = models.TextField(_("rationale"), validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    design_note = models.TextField(
        _("design (opzet)"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Is there a system on paper?"),
    )
    existence_note = models.TextField(
        _("existence (bestaan)"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Is it applied in practice?"),
    )
    operation_note = models.TextField(
        _("operation (werking)"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Does it make errors and waste visible and lead to improvement?"),
    )
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AuditScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit score")
        verbose_name_plural = _("audit scores")
        ordering = ["audit_id", "principle__position", "assessor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "principle", "assessor"],
                name="audit_score_once",
                violation_error_message=_("You already scored this principle in this audit."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=LEVEL_MIN, score__lte=LEVEL_MAX),
                name="audit_score_range",
                violation_error_message=_("A score is 1 to 5."),
            ),
            models.CheckConstraint(
                condition=~Q(rationale=""),
                name="audit_score_has_rationale",
                violation_error_message=_("Give the rationale for the score."),
            ),
        ]

    def __str__(self):
        return f"{self.principle}: {self.score}"


class AuditCalibration(models.Model):
    """The calibrated score of one principle in one audit, set by the team in calibration. ``median``
    keeps the assessors' median it was set against; a score that differs from it needs a reason."""

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="calibrations")
    principle = models.ForeignKey(
        "audits.Principle", verbose_name=_("principle"), on_delete=models.PROTECT, related_name="calibrations"
    )
    score = models.PositiveSmallIntegerField(
        _("calibrated score"), validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    median = models.DecimalField(_("median of the assessors"), max_digits=3, decimal_places=1, editable=False)
    reason = models.TextField(
        _("reason"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Required when the calibrated score differs from the assessors' median."),
    )
    calibrated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("calibrated by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    calibrated_at = models.DateTimeField(_("calibrated at"), editable=False)

    history = HistoricalRecords()
    objects = AuditPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("calibrated score")
        verbose_name_plural = _("calibrated scores")
        ordering = ["audit_id", "principle__position"]
        indexes = [
            # The maturity report groups the calibrated scores of an organisation per year and principle.
            models.Index(fields=["principle", "audit"], include=["score"], name="calibration_principle"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "principle"],
                name="audit_calibration_once",
                violation_error_message=_("This principle already has a calibrated score in this audit."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=LEVEL_MIN, score__lte=LEVEL_MAX),
                name="audit_calibration_range",
                violation_error_message=_("A score is 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.principle}: {self.score}"

    def clean(self):
        from decimal import Decimal

        from django.core.exceptions import ValidationError

        differs = self.median is not None and self.score is not None and Decimal(self.score) != self.median
        if differs and not (self.reason or "").strip():
            raise ValidationError(
                {
                    "reason": _("The calibrated score differs from the assessors' median (%(median)s): say why.")
                    % {"median": self.median}
                }
            )


class ManagementResponse(models.Model):
    """The audited unit's management response to the (draft) report: recognised or not, with comments."""

    audit = models.OneToOneField(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="management_response"
    )
    recognition = models.CharField(_("recognised"), max_length=20, choices=Recognition.choices)
    comments = models.TextField(_("comments"), validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    given_at = models.DateTimeField(_("given at"), editable=False)

    history = HistoricalRecords()
    objects = AuditPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("management response")
        verbose_name_plural = _("management responses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(comments=""),
                name="management_response_has_comments",
                violation_error_message=_("Write the management's comments."),
            ),
        ]

    def __str__(self):
        return self.get_recognition_display()


class AuditEvaluation(models.Model):
    """An auditee's mark (1-10) for how the audit was done, with a comment."""

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    mark = models.PositiveSmallIntegerField(_("mark"), validators=[MinValueValidator(1), MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AuditPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit evaluation")
        verbose_name_plural = _("audit evaluations")
        ordering = ["audit_id", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "evaluator"],
                name="audit_evaluation_once",
                violation_error_message=_("You already evaluated this audit."),
            ),
            models.CheckConstraint(
                condition=Q(mark__gte=1, mark__lte=10),
                name="audit_evaluation_mark_range",
                violation_error_message=_("A mark is 1 to 10."),
            ),
        ]

    def __str__(self):
        return str(self.mark)
