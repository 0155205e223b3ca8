"""The monthly weighted risk score (SPEC 3): score areas with weights, a score per area per month,
the weighted total, and the investigations opened when an area's score drops.

Months are stored as the first day of the month; the API speaks ``YYYY-MM``.
"""

import functools
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.periods import month_label
from qms.querysets import ScopedQuerySet
from risks.choices import DEFAULT_SCORE_AREAS, InvestigationStatus, MonthStatus, ProgrammeLevel, ScoreSource

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
# How the training area's score is computed (``risks.services.scoring.training_scores``): shown to
# people in their own language, whatever the area's stored description says.
TRAINING_FORMULA = _(
    "Of the people who must follow a mandatory course this year, the share who completed it in the twelve "
    "months up to the end of the month, times 100."
)


def is_drop(score, previous_score) -> bool:
    """Whether an area's ``score`` dropped from the month before's (what opens an investigation): the
    one rule the monthly job, a correction, the investigation list and the follow-up read."""
    return previous_score is not None and score is not None and score < previous_score


DEFAULT_AREA_NAMES = {code: name for code, name, _weight, _source in DEFAULT_SCORE_AREAS}


def _in_every_language(text) -> set[str]:
    """A translatable text as it reads in each language (and untranslated), to recognise a default
    stored in whichever language was active when it was saved."""
    texts = set()
    for code in [None, *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(code):
            texts.add(str(text))
    return texts


@functools.cache
def _default_area_names() -> dict[str, set[str]]:
    return {code: _in_every_language(name) for code, name in DEFAULT_AREA_NAMES.items()}


@functools.cache
def _training_formulas() -> set[str]:
    return _in_every_language(TRAINING_FORMULA)


class OrganisationScopedQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class InvestigationQuerySet(OrganisationScopedQuerySet):
    def visible_to(self, user):
        # An area's owner may work in a team below the organisation (so not see its scores) and must
        # still investigate and close the drop assigned to them: owners always see their own.
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user) | self.filter(owner=user)


class ScoreArea(models.Model):
    """An area of an organisation's monthly risk score, with its weight (percent) and owner. The
    weights of an organisation's active areas add up to 100 (``risks.services.scoring.areas_set``)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="score_areas"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_areas",
        help_text=_("Investigates when the area's score drops."),
    )
    description = models.TextField(_("how the score is obtained"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=ScoreSource.choices, default=ScoreSource.MANUAL)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("score area")
        verbose_name_plural = _("score areas")
        ordering = ["organisation_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="scorearea_unique_code",
                violation_error_message=_("This organisation already has an area with this code."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100),
                name="scorearea_weight_percent",
                violation_error_message=_("A weight is between 0 and 100 percent."),
            ),
        ]

    def __str__(self):
        return str(self.display_name)

    def get_absolute_url(self):
        return reverse("risks:score_areas", args=[self.organisation_id])

    @property
    def display_name(self):
        """The name in the reader's language for a default area the organisation did not rename (the
        defaults are stored in the language of whoever created them); else the name as given. Lazy
        for a default, so a notification reads in its recipient's language."""
        if self.name in _default_area_names().get(self.code, ()):
            return DEFAULT_AREA_NAMES[self.code]
        return self.name

    @property
    def description_display(self):
        """How the score is obtained: the training formula in the reader's language while the
        description is the default one, else the description as written."""
        if self.source == ScoreSource.TRAINING and (not self.description or self.description in _training_formulas()):
            return TRAINING_FORMULA
        return self.description


class MonthlyScore(models.Model):
    """One organisation's scores for one month: the area scores, the weighted total (empty while an
    area is missing), the VASP and VISP levels, and whether the month is closed."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="monthly_scores"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False)
    vasp_level = models.CharField(
        _("VASP level"),
        max_length=20,
        choices=ProgrammeLevel.choices,
        blank=True,
        help_text=_("Application security programme."),
    )
    visp_level = models.CharField(
        _("VISP level"),
        max_length=20,
        choices=ProgrammeLevel.choices,
        blank=True,
        help_text=_("Infrastructure security programme."),
    )
    status = models.CharField(_("status"), max_length=20, choices=MonthStatus.choices, default=MonthStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly risk score")
        verbose_name_plural = _("monthly risk scores")
        ordering = ["organisation_id", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"],
                name="monthlyscore_one_per_month",
                violation_error_message=_("This organisation has scores for this month already."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="monthlyscore_month_first_day",
                violation_error_message=_("A month is stored as its first day."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=MonthStatus.values),
                name="monthlyscore_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="monthlyscore_month_status")]

    def __str__(self):
        return f"{self.organisation} {month_label(self.month)}"

    def get_absolute_url(self):
        return reverse("risks:score_month", args=[self.organisation_id, month_label(self.month)])

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def is_closed(self) -> bool:
        return self.status == MonthStatus.CLOSED


class AreaScoreQuerySet(ScopedQuerySet):
    unit_field = "monthly__organisation"


class AreaScore(models.Model):
    """One area's score (0-100, one decimal) in one month, with the area's weight as it was then, so
    the month's total stays true when weights change later."""

    monthly = models.ForeignKey(
        MonthlyScore, verbose_name=_("month"), on_delete=models.CASCADE, related_name="area_scores"
    )
    area = models.ForeignKey(ScoreArea, verbose_name=_("area"), on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, validators=PERCENT)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2, validators=PERCENT)

    history = HistoricalRecords()
    objects = AreaScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("area score")
        verbose_name_plural = _("area scores")
        ordering = ["monthly_id", "area__position", "area_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["monthly", "area"],
                name="areascore_one_per_area",
                violation_error_message=_("This area has a score for this month already."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="areascore_score_percent",
                violation_error_message=_("A score is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return f"{self.area}: {self.score}"

    @property
    def contribution(self) -> Decimal:
        # Rounded like the total (half up), so 21.25 shows as 21.3 in both.
        return (self.score * self.weight / 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


class Investigation(models.Model):
    """Opened by the monthly job when an area's score is lower than the month before: its owner finds
    the cause and writes a plan of specific steps (actions) to undo the drop. A correction of the
    scores updates its figures, or withdraws it (with the reason) when the drop is gone."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="investigations"
    )
    area = models.ForeignKey(ScoreArea, verbose_name=_("area"), on_delete=models.PROTECT, related_name="investigations")
    month = models.DateField(_("month"), help_text=_("The month in which the score dropped."))
    previous_score = models.DecimalField(_("previous score"), max_digits=4, decimal_places=1)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="investigations"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InvestigationStatus.choices, default=InvestigationStatus.OPEN
    )
    due_date = models.DateField(_("due date"))
    cause = models.TextField(_("cause"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for the withdrawal"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    steps = GenericRelation("qms.Action", content_type_field="source_content_type", object_id_field="source_object_id")
    history = HistoricalRecords()
    objects = InvestigationQuerySet.as_manager()

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        ordering = ["-month", "organisation_id", "area_id"]
        constraints = [
            # What makes the monthly job idempotent: one investigation per area per month, however often
            # and however concurrently it runs.
            models.UniqueConstraint(
                fields=["area", "month"],
                name="investigation_one_per_area_month",
                violation_error_message=_("This drop is being investigated already."),
            ),
            # Only while open: a closed or withdrawn one keeps the figures of a later correction.
            models.CheckConstraint(
                condition=~Q(status=InvestigationStatus.OPEN) | Q(score__lt=models.F("previous_score")),
                name="investigation_is_a_drop",
                violation_error_message=_("An open investigation is about a lower score than the month before."),
            ),
            models.CheckConstraint(
                condition=~Q(status=InvestigationStatus.WITHDRAWN) | ~Q(withdrawn_reason=""),
                name="investigation_withdrawn_has_reason",
                violation_error_message=_("Say why the investigation is withdrawn."),
            ),
            models.CheckConstraint(
                condition=~Q(status=InvestigationStatus.CLOSED) | ~Q(cause=""),
                name="investigation_closed_has_cause",
                violation_error_message=_("Record the cause before closing."),
            ),
        ]

    def __str__(self):
        return _("%(area)s dropped in %(month)s") % {"area": self.area, "month": month_label(self.month)}

    def get_absolute_url(self):
        return reverse("risks:investigation_detail", args=[self.pk])

    @property
    def is_drop(self) -> bool:
        """Still a drop (a correction may have removed it)."""
        return is_drop(self.score, self.previous_score)

    @property
    def is_overdue(self) -> bool:
        return self.status == InvestigationStatus.OPEN and self.due_date < timezone.localdate()
