from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class EscalationLog(models.Model):
    """One escalation of one record for one reason on one day.

    The unique constraint is what makes the daily sweep idempotent: a second run on the same day,
    or two concurrent runs, cannot claim the same row twice, so nobody is notified twice.
    """

    target_content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_content_type", "target_object_id")
    reason = models.CharField(_("reason"), max_length=50)
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_content_type", "target_object_id", "reason", "day"],
                name="escalation_once_per_day",
            )
        ]

    def __str__(self):
        return f"{self.reason} {self.target_content_type_id}:{self.target_object_id} {self.day}"
