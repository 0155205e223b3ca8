from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.choices import OPEN_ACTION_STATUSES, ActionKind, ActionStatus
from qms.querysets import ScopedQuerySet


class ActionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Owners always see their own actions, even when assigned from a unit they are not a member of.
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user) | self.filter(owner=user)

    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def for_source(self, source):
        return self.filter(source_content_type=ContentType.objects.get_for_model(source), source_object_id=source.pk)


class Action(models.Model):
    """A piece of work with one owner and a due date, attached to any record (its source).

    Mitigation measures, investigation steps, corrective and preventive actions, audit follow-ups
    and improvement actions are all Actions, so everyone has one list of open work.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=30, choices=ActionKind.choices, default=ActionKind.GENERAL)
    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_actions"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    source_content_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT
    )
    source_object_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
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

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="action_owner_status"),
            models.Index(fields=["unit", "status"], name="action_unit_status"),
            models.Index(fields=["source_content_type", "source_object_id"], name="action_source"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values),
                name="action_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.DONE) | models.Q(completed_at__isnull=False),
                name="action_done_has_completed_at",
                violation_error_message=_("A finished action needs a completion time."),
            ),
            models.CheckConstraint(
                condition=models.Q(source_content_type__isnull=True, source_object_id__isnull=True)
                | models.Q(source_content_type__isnull=False, source_object_id__isnull=False),
                name="action_source_complete",
                violation_error_message=_("A source needs both a type and an id."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("qms:action_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def source_type(self) -> str | None:
        """The source's model as "app_label.model" (what the API shows), or None."""
        if not self.source_content_type_id:
            return None
        content_type = ContentType.objects.get_for_id(self.source_content_type_id)
        return f"{content_type.app_label}.{content_type.model}"
