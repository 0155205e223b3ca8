from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One run of the retention job (SPEC 8): when it ran and, per rule, how many records it deleted or
    anonymised (``{"security_events": 12, ...}``; a rule whose period is 0 keeps everything and is absent)."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.total})"
