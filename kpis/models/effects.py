"""The intended effect of an improvement action on a KPI, and the verdict measured afterwards."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis.choices import VERDICT_COLOURS, Direction, Expectation, Verdict
from kpis.models.kpis import NUMBER
from qms.periods import Period
from qms.querysets import ScopedQuerySet

# Why an effect cannot be measured, by which window has no measurements (``unmeasurable_case``):
# shown on the page and sent to the owner, each in the reader's language.
UNMEASURABLE_REASONS = {
    "baseline": _("%(kpi)s has no measurements in the baseline window (%(baseline)s)."),
    "evaluation": _("%(kpi)s has no measurements in the evaluation window (%(evaluation)s)."),
    "both": _(
        "%(kpi)s has no measurements in the baseline window (%(baseline)s) nor in the evaluation window "
        "(%(evaluation)s)."
    ),
}


class IntendedEffectQuerySet(ScopedQuerySet):
    unit_field = "action__unit"

    def pending(self):
        return self.filter(verdict="")


class IntendedEffect(models.Model):
    """What an improvement action should do to a KPI: change it by ``expected_change`` (in the KPI's
    good direction), or bring it back into green.

    The effect is measured from the KPI's measurements: the mean over the baseline window (before the
    action started) against the mean over the evaluation window (from when it is due or done; the
    services hold the windows to the action). Once the evaluation window has passed, the daily sweep
    records the verdict, or that the effect cannot be measured when a window has no measurements;
    the action's owner confirms it or explains it, once.
    """

    action = models.OneToOneField(
        "qms.Action", verbose_name=_("action"), on_delete=models.CASCADE, related_name="intended_effect"
    )
    kpi = models.ForeignKey(
        "kpis.Kpi", verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="intended_effects"
    )
    expectation = models.CharField(
        _("expected effect"), max_length=20, choices=Expectation.choices, default=Expectation.CHANGE
    )
    expected_change = models.DecimalField(
        _("expected change"),
        **NUMBER,
        null=True,
        blank=True,
        help_text=_("For a change by an amount: e.g. 0.5 for CSAT +0.5, or -1 for churn 1 point lower."),
    )
    baseline_from = models.CharField(_("baseline from"), max_length=7)
    baseline_to = models.CharField(_("baseline to"), max_length=7)
    evaluation_from = models.CharField(_("evaluation from"), max_length=7)
    evaluation_to = models.CharField(_("evaluation to"), max_length=7)
    evaluate_after = models.DateField(
        _("evaluated after"), editable=False, help_text=_("The end of the evaluation window.")
    )
    baseline_value = models.DecimalField(_("baseline (mean)"), **NUMBER, null=True, blank=True, editable=False)
    evaluation_value = models.DecimalField(
        _("after the action (mean)"), **NUMBER, null=True, blank=True, editable=False
    )
    measured_change = models.DecimalField(_("measured change"), **NUMBER, null=True, blank=True, editable=False)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True, editable=False)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True, editable=False)
    explanation = models.TextField(_("owner's confirmation or explanation"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    follow_up = models.ForeignKey(
        "qms.Action",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
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

    history = HistoricalRecords()
    objects = IntendedEffectQuerySet.as_manager()

    class Meta:
        verbose_name = _("intended effect")
        verbose_name_plural = _("intended effects")
        ordering = ["-evaluate_after", "-id"]
        indexes = [models.Index(fields=["verdict", "evaluate_after"], name="effect_due")]

    def __str__(self):
        return _("Effect of %(action)s on %(kpi)s") % {"action": self.action, "kpi": self.kpi.code}

    def get_absolute_url(self):
        return reverse("kpis:effect_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kpi_id:
            windows = {}
            for name in ("baseline_from", "baseline_to", "evaluation_from", "evaluation_to"):
                try:
                    windows[name] = self.kpi.period(getattr(self, name))
                    setattr(self, name, str(windows[name]))
                except ValidationError as error:
                    errors[name] = error.message_dict["period"]
            if len(windows) == 4:
                if windows["baseline_to"] < windows["baseline_from"]:
                    errors["baseline_to"] = _("The baseline window ends before it starts.")
                elif windows["evaluation_to"] < windows["evaluation_from"]:
                    errors["evaluation_to"] = _("The evaluation window ends before it starts.")
                elif windows["evaluation_from"] <= windows["baseline_to"]:
                    errors["evaluation_from"] = _("The evaluation window starts after the baseline window.")
                else:
                    self.evaluate_after = windows["evaluation_to"].end
            if self.expectation == Expectation.CHANGE:
                higher = self.kpi.direction == Direction.HIGHER_IS_BETTER
                if self.expected_change is None or self.expected_change == 0:
                    errors["expected_change"] = _("Say by how much the KPI should change.")
                elif higher and self.expected_change < 0:
                    errors["expected_change"] = _("Higher is better for this KPI: expect a positive change.")
                elif not higher and self.expected_change > 0:
                    errors["expected_change"] = _("Lower is better for this KPI: expect a negative change.")
        if self.expectation == Expectation.BACK_TO_GREEN and self.expected_change is not None:
            errors["expected_change"] = _("Back into green needs no amount; leave the change empty.")
        if errors:
            raise ValidationError(errors)

    def windows(self) -> tuple[Period, Period, Period, Period]:
        return tuple(
            self.kpi.period(value)
            for value in (self.baseline_from, self.baseline_to, self.evaluation_from, self.evaluation_to)
        )

    @property
    def colour(self) -> str:
        return VERDICT_COLOURS.get(self.verdict, "secondary")

    @property
    def unmeasurable_case(self) -> str:
        """Which window had no measurements when the effect could not be measured ("" otherwise): the
        mean of a window that had some is kept."""
        if self.verdict != Verdict.NOT_MEASURABLE:
            return ""
        if self.baseline_value is None and self.evaluation_value is None:
            return "both"
        return "baseline" if self.baseline_value is None else "evaluation"

    def reason_params(self) -> dict:
        return {
            "kpi": self.kpi.display_name,
            "baseline": f"{self.baseline_from} – {self.baseline_to}",
            "evaluation": f"{self.evaluation_from} – {self.evaluation_to}",
        }

    @property
    def unmeasurable_reason(self) -> str:
        case = self.unmeasurable_case
        return UNMEASURABLE_REASONS[case] % self.reason_params() if case else ""
