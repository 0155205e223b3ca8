"""The risk register: per-organisation matrix and categories, risks, their approvals and reviews.

Mitigation measures are core Actions whose source is the risk (``Risk.measures``), so they show up
in everyone's "my actions". Rules across rows (levels from the matrix, the approval workflow) live in
``risks.services.register``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.choices import OPEN_ACTION_STATUSES
from qms.querysets import ScopedQuerySet
from risks.choices import (
    DECISIONS_NEEDING_REASON,
    DEFAULT_CATEGORIES,
    LEVEL_RANK,
    OPEN_RISK_STATUSES,
    ApprovalBody,
    Decision,
    RiskLevel,
    RiskStatus,
)


class RiskMatrixQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class RiskMatrix(models.Model):
    """An organisation's likelihood x impact matrix: a label and description per step, and the level
    of every cell. Organisations without one use the default 5x5 (``risks.selectors.register.matrix_for``)."""

    organisation = models.OneToOneField(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="risk_matrix"
    )
    likelihood_steps = models.JSONField(
        _("likelihood steps"), help_text=_("One {label, description} per step, lowest first.")
    )
    impact_steps = models.JSONField(_("impact steps"), help_text=_("One {label, description} per step, lowest first."))
    bands = models.JSONField(
        _("level bands"), help_text=_("Per likelihood (lowest first), the level of each impact (lowest first).")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RiskMatrixQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")
        ordering = ["organisation__name"]

    def __str__(self):
        return _("Risk matrix of %(organisation)s") % {"organisation": self.organisation}

    def get_absolute_url(self):
        return reverse("risks:matrix", args=[self.organisation_id])

    @property
    def size(self) -> tuple[int, int]:
        return len(self.likelihood_steps), len(self.impact_steps)

    def level(self, likelihood: int | None, impact: int | None) -> str | None:
        if not likelihood or not impact:
            return None
        return self.bands[likelihood - 1][impact - 1]

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        for field in ("likelihood_steps", "impact_steps"):
            steps = getattr(self, field)
            if not isinstance(steps, list) or not 2 <= len(steps) <= 10:
                errors[field] = _("Give between 2 and 10 steps.")
            elif any(not isinstance(step, dict) or not str(step.get("label", "")).strip() for step in steps):
                errors[field] = _("Every step needs a label.")
        if not errors:
            rows, columns = self.size
            if (
                not isinstance(self.bands, list)
                or len(self.bands) != rows
                or any(not isinstance(row, list) or len(row) != columns for row in self.bands)
            ):
                errors["bands"] = _("Give a level for each of the %(rows)s x %(columns)s cells.") % {
                    "rows": rows,
                    "columns": columns,
                }
            elif any(level not in RiskLevel.values for row in self.bands for level in row):
                errors["bands"] = _("Every cell must be low, medium, high or very high.")
        if errors:
            raise ValidationError(errors)


class RiskCategoryQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        """The categories an organisation uses: the defaults it has not hidden, and its own active ones."""
        return self.filter(
            (Q(organisation__isnull=True) & ~Q(hidden_in=organisation)) | Q(organisation=organisation), is_active=True
        )

    def visible_to(self, user):
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(organisation__isnull=True) | Q(organisation__in=scope.visible_unit_pks()))


class RiskCategory(models.Model):
    """A kind of risk. The defaults of SPEC 2 belong to no organisation (everyone has them, with a
    translated name); an organisation adds its own."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_categories",
        help_text=_("Empty for the categories every organisation has."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A default category belongs to every organisation, so one that an organisation does not use is
    # hidden for it rather than deactivated for all.
    hidden_in = models.ManyToManyField(
        "qms.OrganisationUnit",
        verbose_name=_("hidden in"),
        blank=True,
        related_name="hidden_risk_categories",
        help_text=_("Organisations that do not use this default category."),
    )

    history = HistoricalRecords()
    objects = RiskCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk category")
        verbose_name_plural = _("risk categories")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="riskcategory_unique_code",
                violation_error_message=_("This organisation already has a category with this code."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organisation__isnull=True),
                name="riskcategory_unique_default_code",
                violation_error_message=_("A default category with this code exists."),
            ),
        ]

    def __str__(self):
        if self.organisation_id is None and self.code in DEFAULT_CATEGORIES:
            return str(DEFAULT_CATEGORIES[self.code])
        return self.name or self.code


class RiskQuerySet(ScopedQuerySet):
    _count_plans = False

    def _clone(self):
        clone = super()._clone()
        clone._count_plans = self._count_plans
        return clone

    def _fetch_all(self):
        counted = self._result_cache is not None
        super()._fetch_all()
        if self._count_plans and not counted and self._result_cache and isinstance(self._result_cache[0], Risk):
            attach_plan_counts(self._result_cache)

    def counting_plans(self):
        """The rows fetched get ``measure_count``, ``open_measure_count`` and ``overdue_measure_count`` as
        ``with_plan_counts`` gives them, but counted afterwards by one grouped query over the fetched ids,
        like a prefetch. For pages whose order and filters do not use the counts (the API): the page query
        stays small, which PostgreSQL plans and Django compiles in a fraction of the time."""
        clone = self._chain()
        clone._count_plans = True
        return clone

    def open(self):
        return self.filter(status__in=OPEN_RISK_STATUSES)

    def with_plan_counts(self, today=None):
        """Annotate the number of measures, open measures and overdue measures (one query, no N+1).

        Correlated subqueries rather than a join and GROUP BY: the database counts the measures of the
        rows on the page only, and a list's COUNT(*) leaves them out (a page of 50 out of 100,000 risks
        in a few ms instead of aggregating every measure)."""
        from django.contrib.contenttypes.models import ContentType

        from qms.models import Action

        today = today or timezone.localdate()
        measures = (
            Action.objects.filter(
                source_content_type=ContentType.objects.get_for_model(Risk), source_object_id=models.OuterRef("pk")
            )
            .order_by()
            .values("source_object_id")
        )

        def count(condition: Q):
            counted = measures.filter(condition).annotate(n=models.Count("pk")).values("n")
            return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)

        open_measures = Q(status__in=OPEN_ACTION_STATUSES)
        return self.annotate(
            # A cancelled measure is not part of the plan (see ``without_plan``).
            measure_count=count(Q(status__in=[*OPEN_ACTION_STATUSES, "done"])),
            open_measure_count=count(open_measures),
            overdue_measure_count=count(open_measures & Q(due_date__lt=today)),
        )

    # EXISTS rather than "id (NOT) IN (...)": PostgreSQL plans NOT IN over a subquery as a scan of every
    # measure per query (it has to allow for NULLs), EXISTS as an index-backed anti-join.
    def without_plan(self):
        from qms.models import Action

        measures = Action.objects.filter(_measure_of_risk(), source_object_id=models.OuterRef("pk"))
        return self.filter(~models.Exists(measures))

    def with_overdue_measures(self, today=None):
        from qms.models import Action

        overdue = Action.objects.filter(_measure_of_risk(), source_object_id=models.OuterRef("pk")).overdue(today)
        return self.filter(models.Exists(overdue))

    def review_overdue(self, today=None):
        return self.open().filter(next_review__lt=today or timezone.localdate())

    def at_least(self, level: str):
        return self.filter(level__in=[code for code, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[level]])


def attach_plan_counts(risks, today=None) -> None:
    """Set the plan counts of ``with_plan_counts`` on fetched risks, with one grouped query."""
    from django.contrib.contenttypes.models import ContentType

    from qms.models import Action

    today = today or timezone.localdate()
    open_measures = Q(status__in=OPEN_ACTION_STATUSES)
    rows = (
        Action.objects.filter(
            source_content_type=ContentType.objects.get_for_model(Risk),
            source_object_id__in=[risk.pk for risk in risks],
        )
        .order_by()
        .values("source_object_id")
        .annotate(
            measures=models.Count("pk", filter=Q(status__in=[*OPEN_ACTION_STATUSES, "done"])),
            open=models.Count("pk", filter=open_measures),
            overdue=models.Count("pk", filter=open_measures & Q(due_date__lt=today)),
        )
    )
    counts = {row["source_object_id"]: row for row in rows}
    for risk in risks:
        row = counts.get(risk.pk, {})
        risk.measure_count = row.get("measures", 0)
        risk.open_measure_count = row.get("open", 0)
        risk.overdue_measure_count = row.get("overdue", 0)


def _measure_of_risk() -> Q:
    from django.contrib.contenttypes.models import ContentType

    # Counted measures are those not cancelled: a cancelled measure is not part of the plan.
    return Q(source_content_type=ContentType.objects.get_for_model(Risk)) & ~Q(status="cancelled")


class Risk(models.Model):
    """A risk in the register, with its owner, assessment, mitigation plan (``measures``) and the
    approvals it needs. ``level`` and ``residual_level`` are derived from the organisation's matrix."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        RiskCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="risks"
    )
    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="risks"
    )
    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="organisation_risks",
        editable=False,
        help_text=_("The organisation of the unit; its board approves the risk."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_risks"
    )
    cause = models.TextField(_("cause"), blank=True)
    consequence = models.TextField(_("consequence"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=[MinValueValidator(1)])
    impact = models.PositiveSmallIntegerField(_("impact"), validators=[MinValueValidator(1)])
    level = models.CharField(_("level"), max_length=20, choices=RiskLevel.choices, editable=False)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The likelihood once the measures have taken effect."),
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The impact once the measures have taken effect."),
    )
    residual_level = models.CharField(
        _("residual level"), max_length=20, choices=RiskLevel.choices, blank=True, editable=False
    )
    status = models.CharField(_("status"), max_length=30, choices=RiskStatus.choices, default=RiskStatus.DRAFT)
    approved_level = models.CharField(
        _("approved level"),
        max_length=20,
        choices=RiskLevel.choices,
        blank=True,
        editable=False,
        help_text=_("The level at the last approval: a higher level asks for approval again."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True, editable=False)
    next_review = models.DateField(_("next review"), help_text=_("At least once a year."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    measures = GenericRelation(
        "qms.Action", content_type_field="source_content_type", object_id_field="source_object_id"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="risk_unit_status"),
            models.Index(fields=["organisation", "level"], name="risk_organisation_level"),
            models.Index(fields=["status", "next_review"], name="risk_status_review"),
            models.Index(fields=["owner"], name="risk_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RiskStatus.values),
                name="risk_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, impact__gte=1),
                name="risk_assessment_positive",
                violation_error_message=_("Likelihood and impact start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(residual_likelihood__isnull=True, residual_impact__isnull=True)
                | Q(residual_likelihood__isnull=False, residual_impact__isnull=False),
                name="risk_residual_complete",
                violation_error_message=_("Give both the residual likelihood and the residual impact, or neither."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risks:risk_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if (self.residual_likelihood is None) != (self.residual_impact is None):
            field = "residual_impact" if self.residual_impact is None else "residual_likelihood"
            raise ValidationError({field: _("Give both the residual likelihood and the residual impact, or neither.")})

    @property
    def required_approvals(self) -> list[str]:
        from risks.choices import required_bodies

        return required_bodies(self.level)

    @property
    def is_review_overdue(self) -> bool:
        return self.status != RiskStatus.CLOSED and self.next_review < timezone.localdate()


class RiskApprovalQuerySet(ScopedQuerySet):
    unit_field = "risk__unit"

    def pending(self):
        return self.filter(decision="")


class RiskApproval(models.Model):
    """One body's approval of a risk and its plan for one submission round: pending while
    ``decision`` is empty, then approved, rejected or sent back with the decider's reason."""

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="approvals")
    body = models.CharField(_("body"), max_length=20, choices=ApprovalBody.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1, help_text=_("The submission this belongs to."))
    level = models.CharField(
        _("level when submitted"), max_length=20, choices=RiskLevel.choices, help_text=_("The level when submitted.")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submission_note = models.TextField(_("submission note"), blank=True)
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_decisions",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()
    objects = RiskApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk approval")
        verbose_name_plural = _("risk approvals")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "body"],
                condition=Q(decision=""),
                name="riskapproval_one_pending_per_body",
                violation_error_message=_("This risk is already waiting for this body."),
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values),
                name="riskapproval_decision_valid",
                violation_error_message=_("Unknown decision."),
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="riskapproval_decided_has_who_and_when",
                violation_error_message=_("A decision records who decided and when."),
            ),
            models.CheckConstraint(
                condition=~Q(decision__in=DECISIONS_NEEDING_REASON) | ~Q(reason=""),
                name="riskapproval_reason_when_needed",
                violation_error_message=_("Give a reason."),
            ),
        ]
        indexes = [models.Index(fields=["body", "decision"], name="riskapproval_body_decision")]

    def __str__(self):
        return _("%(body)s on %(risk)s") % {"body": self.get_body_display(), "risk": self.risk}

    def get_absolute_url(self):
        return reverse("risks:risk_detail", args=[self.risk_id])

    @property
    def is_pending(self) -> bool:
        return self.decision == ""


class RiskReviewQuerySet(ScopedQuerySet):
    unit_field = "risk__unit"


class RiskReview(models.Model):
    """A periodic (at least annual) reassessment of a risk: what was found and when it is next due."""

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    level = models.CharField(_("level"), max_length=20, choices=RiskLevel.choices)
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_level = models.CharField(_("residual level"), max_length=20, choices=RiskLevel.choices, blank=True)
    note = models.TextField(_("findings"), blank=True)
    next_review = models.DateField(_("next review"))

    history = HistoricalRecords()
    objects = RiskReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return _("Review of %(risk)s on %(date)s") % {"risk": self.risk, "date": self.reviewed_on}
