"""Problems: what groups recurring or unresolved incidents (root cause, workaround / known error, FAQ),
and the problems proposed when incidents of one unit and category cluster. Rules in
``incidents.services.problems``."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incidents.choices import OPEN_PROBLEM_STATUSES, IncidentCategory, ProblemStatus, ProposalStatus
from incidents.models.incidents import TEXT_MAX_LENGTH
from qms.querysets import ScopedQuerySet


class Problem(models.Model):
    """A problem groups incidents (``incidents``: each incident links to at most one problem)."""

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    category = models.CharField(
        _("category"), max_length=20, choices=IncidentCategory.choices, default=IncidentCategory.OTHER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_problems",
    )
    status = models.CharField(_("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    root_cause = models.TextField(_("root cause"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    workaround = models.TextField(
        _("workaround"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("With a workaround the problem is a known error."),
    )
    faq_published = models.BooleanField(
        _("answer published in the FAQ"),
        default=False,
        help_text=_("The problem holder puts the answer in the FAQ on the website (seed 003, the base process)."),
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True, editable=False)
    status_note = models.TextField(
        _("reason of the last step"),
        blank=True,
        editable=False,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Why the problem was reopened, or the note given with its last step."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "status"], name="problem_unit_status")]

    def __str__(self):
        return f"#{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("incidents:problem_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PROBLEM_STATUSES


class ProblemProposal(models.Model):
    """A problem proposed to the incident coordinator because ``threshold`` incidents of one unit and
    category were reported within the policy's window (``incidents.services.problems.problems_propose_for``
    defines the cluster and "once per cluster"). Accepted, it becomes ``problem``; dismissed, it keeps
    the reason, and its incidents are not proposed again."""

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="problem_proposals"
    )
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    incidents = models.ManyToManyField("incidents.Incident", verbose_name=_("incidents"), related_name="proposals")
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)], help_text=_("Why it was dismissed.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed problem")
        verbose_name_plural = _("proposed problems")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "category", "status"], name="problem_proposal_cluster")]

    def __str__(self):
        return _("Proposed problem: %(category)s in %(unit)s") % {
            "category": self.get_category_display(),
            "unit": self.unit,
        }

    def get_absolute_url(self):
        return reverse("incidents:proposal_list") + f"?status={self.status}"
