"""SMART objectives in a goal tree (organisation down to team), with key results measured by KPIs."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis.choices import Direction, SmartProperty
from kpis.models.kpis import NUMBER
from qms.querysets import ScopedQuerySet

HUNDRED = Decimal(100)


class ObjectiveQuerySet(ScopedQuerySet):
    pass


class Objective(models.Model):
    """An objective of a unit for a period, under the objective of the unit above it that it serves.

    The five SMART properties are recorded explicitly: specific (what), measurable (its key results,
    each a KPI with a target), achievable and relevant (the rationale), time-bound (the deadline).
    What is missing is shown (``smart_missing``) instead of accepting a vague goal silently.
    """

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="objectives"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("serves objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The objective of this unit or a unit above it that this objective contributes to."),
    )
    title = models.CharField(_("title"), max_length=200)
    period = models.CharField(_("period"), max_length=20, help_text=_("For example 2026, or 2026-H1."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_objectives",
    )
    specific = models.TextField(_("specific: what exactly"), blank=True)
    achievable = models.TextField(_("achievable: why it can be done"), blank=True)
    relevant = models.TextField(_("relevant: why it matters"), blank=True)
    deadline = models.DateField(_("time-bound: deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["unit__path", "period", "title", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kpis:objective_detail", args=[self.pk])

    def clean(self):
        if not self.parent_id or not self.unit_id:
            return
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An objective cannot serve itself.")})
        if not self.unit.is_within(self.parent.unit):
            raise ValidationError({"parent": _("The objective served must belong to this unit or to a unit above it.")})
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An objective cannot serve one of its own sub-objectives.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def smart_missing(self, key_results=None) -> list[SmartProperty]:
        """The SMART properties this objective does not state (``key_results`` when loaded already)."""
        key_results = list(self.key_results.all()) if key_results is None else key_results
        missing = []
        if not self.specific.strip():
            missing.append(SmartProperty.SPECIFIC)
        if not key_results:
            missing.append(SmartProperty.MEASURABLE)
        if not self.achievable.strip():
            missing.append(SmartProperty.ACHIEVABLE)
        if not self.relevant.strip():
            missing.append(SmartProperty.RELEVANT)
        if self.deadline is None:
            missing.append(SmartProperty.TIME_BOUND)
        return missing


class KeyResultQuerySet(ScopedQuerySet):
    unit_field = "objective__unit"


class KeyResult(models.Model):
    """A measurable result of an objective: a KPI moving from ``baseline`` to ``target`` by ``deadline``.

    Progress is how far the KPI's latest value has moved from the baseline towards the target, from 0
    to 100%; an objective's progress is the weighted mean of its key results.
    """

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="key_results"
    )
    kpi = models.ForeignKey("kpis.Kpi", verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="key_results")
    baseline = models.DecimalField(_("baseline"), **NUMBER, help_text=_("The KPI's value at the start."))
    target = models.DecimalField(_("target value"), **NUMBER)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        help_text=_("How much this key result counts in the objective's progress."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, help_text=_("Empty: the objective's."))

    history = HistoricalRecords()
    objects = KeyResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        ordering = ["objective_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="keyresult_weight_positive",
                violation_error_message=_("A weight is more than 0."),
            ),
        ]

    def __str__(self):
        return _("%(kpi)s from %(baseline)s to %(target)s") % {
            "kpi": self.kpi.display_name,
            "baseline": f"{self.baseline.normalize():f}",
            "target": f"{self.target.normalize():f}",
        }

    def get_absolute_url(self):
        return reverse("kpis:objective_detail", args=[self.objective_id])

    def clean(self):
        if self.baseline is None or self.target is None:
            return
        if self.target == self.baseline:
            raise ValidationError({"target": _("The target must differ from the baseline.")})
        if self.kpi_id:
            higher = self.kpi.direction == Direction.HIGHER_IS_BETTER
            if higher and self.target < self.baseline:
                raise ValidationError({"target": _("Higher is better for this KPI: aim above the baseline.")})
            if not higher and self.target > self.baseline:
                raise ValidationError({"target": _("Lower is better for this KPI: aim below the baseline.")})

    @property
    def effective_deadline(self):
        return self.deadline or self.objective.deadline

    def progress(self, current: Decimal | None) -> Decimal | None:
        """How far ``current`` has moved from the baseline towards the target, clamped to 0-100%."""
        if current is None:
            return None
        share = (Decimal(current) - self.baseline) / (self.target - self.baseline) * HUNDRED
        return min(max(share, Decimal(0)), HUNDRED).quantize(Decimal("0.1"))
