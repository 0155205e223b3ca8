from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.querysets import ScopedQuerySet
from qms.scoping import scope_for


class CourseQuerySet(ScopedQuerySet):
    unit_field = "organisation"

    def visible_to(self, user):
        # Besides the courses of the units in sight: the courses of every training one may see (one's
        # own, those of the people one manages or leads), so a team member sees what they must follow.
        scope = scope_for(user)
        if scope.sees_everything:
            return self
        if not user.is_authenticated:
            return self.none()
        trainings = TrainingAssignment.objects.visible_to(user).values("course_id")
        return self.filter(Q(organisation__in=scope.visible_unit_pks()) | Q(pk__in=trainings))


class Course(models.Model):
    """A training course an organisation offers; a mandatory one must be followed yearly by the people
    it is assigned to (SPEC 1). Completion feeds the training area of the monthly risk score."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="courses"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_mandatory = models.BooleanField(_("mandatory"), default=True)

    history = HistoricalRecords()
    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["organisation_id", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"],
                name="course_unique_title",
                violation_error_message=_("This organisation has a course with this title already."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("qms:course_detail", args=[self.pk])


class TrainingAssignmentQuerySet(ScopedQuerySet):
    unit_field = "course__organisation"

    def visible_to(self, user):
        """The trainings of the organisations in sight, and also: one's own, those of the people one
        manages, and those of the members of the units in sight (for the courses of the organisation
        that unit belongs to), so a team lead follows their team's mandatory trainings."""
        from qms.models.units import Membership

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        if not user.is_authenticated:
            return self.none()
        units = scope.visible_unit_pks()
        member_in_sight = Membership.objects.filter(
            user=OuterRef("user"), unit__in=units, unit__path__startswith=OuterRef("course__organisation__path")
        )
        return self.filter(
            Q(course__organisation__in=units) | Q(user=user) | Q(user__manager=user) | Q(Exists(member_in_sight))
        )

    def open(self):
        return self.filter(completed_on__isnull=True)


class TrainingAssignment(models.Model):
    """Who must follow which course in which year, and when they completed it."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="trainings"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = TrainingAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["-year", "course_id", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user", "year"],
                name="trainingassignment_once_a_year",
                violation_error_message=_("This person has this course for this year already."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__year=models.F("year")),
                name="trainingassignment_completed_in_year",
                violation_error_message=_("Completion must fall in the year of the assignment."),
            ),
        ]

    def __str__(self):
        return f"{self.course} - {self.user} ({self.year})"

    def get_absolute_url(self):
        return reverse("qms:training_assignment_detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None
