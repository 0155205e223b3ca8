"""The management review of one organisation for one year: its sections (one per input of ISO 9001
9.3.2, each with the quality officer's commentary), the meeting's attendees and decisions (each decision
with core actions, the review as their source through the decision), and, once finalised, the frozen
pack (``pack``: the figures of every section as they were at ``pack_as_of``; later changes to the data do
not change it). Rules in ``reviews.services.reviews``; the pack is assembled by
``reviews.selectors.pack.assemble_pack``."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.querysets import ScopedQuerySet
from reviews.choices import ReviewInput, ReviewStatus

TEXT_MAX_LENGTH = 20_000


class ManagementReviewQuerySet(ScopedQuerySet):
    """Seen by whoever sees the organisation (its board, quality officers, group management...)."""

    unit_field = "organisation"


class ManagementReview(models.Model):
    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="management_reviews",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PREPARATION, editable=False
    )
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    conclusion = models.TextField(
        _("conclusion"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("The review's conclusion on the suitability, adequacy and effectiveness of the QMS."),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True, editable=False)
    # The frozen pack (JSON of every section's figures and charts), written once on finalise.
    pack = models.JSONField(_("frozen pack"), null=True, blank=True, editable=False)
    pack_as_of = models.DateTimeField(_("pack as of"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "pack"])
    objects = ManagementReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                name="review_organisation_year_unique",
                violation_error_message=_("This organisation already has a management review for this year."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values),
                name="review_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.FINALISED) | Q(pack__isnull=False, finalised_at__isnull=False),
                name="review_finalised_has_pack",
                violation_error_message=_("A finalised review keeps its frozen pack."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.year}" if self.organisation_id else str(self.year)

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.pk])

    @property
    def is_finalised(self) -> bool:
        return self.status == ReviewStatus.FINALISED


class ReviewPartQuerySet(ScopedQuerySet):
    unit_field = "review__organisation"


class ReviewSection(models.Model):
    """One input of the review, with the quality officer's commentary."""

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.CASCADE, related_name="sections"
    )
    input = models.CharField(_("input"), max_length=30, choices=ReviewInput.choices)
    commentary = models.TextField(_("commentary"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("review section")
        verbose_name_plural = _("review sections")
        ordering = ["review_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "input"],
                name="review_section_once",
                violation_error_message=_("This review already has this section."),
            ),
        ]

    def __str__(self):
        return self.get_input_display()


class ReviewAttendee(models.Model):
    """Someone at the review meeting: a person in the system, or a name (a guest)."""

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.CASCADE, related_name="attendees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For a guest without an account."))
    function = models.CharField(_("function"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["review_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="review_attendee_named",
                violation_error_message=_("Choose a person or give a name."),
            ),
            models.UniqueConstraint(
                fields=["review", "user"],
                condition=Q(user__isnull=False),
                name="review_attendee_once",
                violation_error_message=_("This person is already an attendee."),
            ),
        ]

    def __str__(self):
        return self.name or (self.user.get_full_name() or self.user.username if self.user_id else "")


class ReviewDecision(models.Model):
    """A decision of the meeting on one input; its actions are core actions with the decision as source."""

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.CASCADE, related_name="decisions"
    )
    input = models.CharField(_("input"), max_length=30, choices=ReviewInput.choices)
    text = models.TextField(_("decision"), validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    actions = GenericRelation(
        "qms.Action", content_type_field="source_content_type", object_id_field="source_object_id"
    )
    history = HistoricalRecords()
    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["review_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="review_decision_has_text",
                violation_error_message=_("Write the decision."),
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.review_id]) + f"#decision-{self.pk}"
