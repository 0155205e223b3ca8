"""KPIs with norms, and their measurements per period."""

import functools
import operator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis.choices import DEFAULT_KPIS, STATUS_COLOURS, Direction, KpiCategory, KpiStatus
from qms.periods import Frequency, Period, parse_period
from qms.querysets import ScopedQuerySet

NUMBER = {"max_digits": 14, "decimal_places": 4}
# A note explains a value in a few sentences; a TextField's max_length alone is not checked by full_clean.
NOTE_MAX_LENGTH = 2000


class KpiQuerySet(ScopedQuerySet):
    unit_field = "org_unit"

    def active(self):
        return self.filter(is_active=True)

    def with_latest(self):
        """Annotate the latest measurement's period, value and status (subqueries: no N+1)."""
        latest = KpiMeasurement.objects.filter(kpi=OuterRef("pk")).order_by("-period_start")
        return self.annotate(
            latest_period=Subquery(latest.values("period")[:1]),
            latest_value=Subquery(latest.values("value")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )


# The translatable texts of the default KPI set, by code: a default KPI shows them in the reader's
# language for as long as its organisation has not renamed it (as risks.RiskCategory does).
DEFAULT_TEXTS = {row[0]: {"name": row[1], "description": row[2], "measure_unit": row[4]} for row in DEFAULT_KPIS}


@functools.cache
def default_spellings(code: str, field: str) -> frozenset[str]:
    """The default text of ``field`` of default KPI ``code`` in every language of the site: a KPI
    whose stored text is one of them was not renamed, whoever's language it was created in."""
    text = DEFAULT_TEXTS[code][field]
    if not isinstance(text, Promise):
        return frozenset({str(text)})
    spellings = set()
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            spellings.add(str(text))
    return frozenset(spellings)


def norms_in_order() -> Q:
    """Higher is better: target >= good >= good enough; lower is better: the other way round."""
    return Q(
        direction=Direction.HIGHER_IS_BETTER,
        target__gte=models.F("good_threshold"),
        good_threshold__gte=models.F("acceptable_threshold"),
    ) | Q(
        direction=Direction.LOWER_IS_BETTER,
        target__lte=models.F("good_threshold"),
        good_threshold__lte=models.F("acceptable_threshold"),
    )


class Kpi(models.Model):
    """A key performance indicator of a unit, with its norms.

    Every measurement is green when it reaches ``good_threshold``, amber when it reaches
    ``acceptable_threshold`` (good enough), red otherwise, in the KPI's direction. ``code`` is unique
    within the organisation, so imports and integrations can name a KPI by it.
    """

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="organisation_kpis",
        editable=False,
        help_text=_("The organisation of the unit; codes are unique within it."),
    )
    org_unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="kpis"
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short and unique within the organisation, e.g. CSAT or UPTIME.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("definition"), blank=True, help_text=_("What is measured, and how."))
    category = models.CharField(_("category"), max_length=20, choices=KpiCategory.choices)
    measure_unit = models.CharField(_("measure unit"), max_length=30, blank=True, help_text=_("For example %."))
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_kpis"
    )
    target = models.DecimalField(
        _("target"),
        **NUMBER,
        help_text=_(
            "The value aimed for: at or above the threshold for good when higher is better; for a "
            "lower-is-better KPI, at or below it."
        ),
    )
    good_threshold = models.DecimalField(
        _("threshold for good"),
        **NUMBER,
        help_text=_(
            "From this value on, a measurement is green: at or above it when higher is better; for a "
            "lower-is-better KPI, green means at or below this value."
        ),
    )
    acceptable_threshold = models.DecimalField(
        _("threshold for good enough"),
        **NUMBER,
        help_text=_(
            "From this value on, a measurement is at least amber: at or above it when higher is better; for a "
            "lower-is-better KPI, at or below this value. Past it, a measurement is red."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
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
    objects = KpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["organisation_id", "category", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="kpi_unique_code",
                violation_error_message=_("This organisation already has a KPI with this code."),
            ),
            models.CheckConstraint(
                condition=norms_in_order(),
                name="kpi_norms_in_order",
                violation_error_message=_("The target and thresholds are in the wrong order for the direction."),
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="kpi_frequency_valid",
                violation_error_message=_("Unknown frequency."),
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.display_name}"

    def get_absolute_url(self):
        return reverse("kpis:kpi_detail", args=[self.pk])

    def _display(self, field: str) -> str:
        stored = getattr(self, field)
        if self.code in DEFAULT_TEXTS and stored.strip() in default_spellings(self.code, field):
            return str(DEFAULT_TEXTS[self.code][field])
        return stored

    @property
    def display_name(self) -> str:
        """The name to show: a default KPI's name in the reader's language unless it was renamed."""
        return self._display("name")

    @property
    def display_description(self) -> str:
        return self._display("description")

    @property
    def display_measure_unit(self) -> str:
        return self._display("measure_unit")

    def name_for_reader(self):
        """``display_name`` translated when it is read: for a notification, in each recipient's language."""
        return lazy(lambda: self.display_name, str)()

    def clean(self):
        self.code = (self.code or "").strip().upper()
        values = (self.target, self.good_threshold, self.acceptable_threshold)
        if self.direction not in Direction.values or any(value is None for value in values):
            return
        higher = self.direction == Direction.HIGHER_IS_BETTER
        at_least_as_good = operator.ge if higher else operator.le
        errors = {}
        if not at_least_as_good(self.good_threshold, self.acceptable_threshold):
            errors["acceptable_threshold"] = (
                _("When higher is better, the threshold for good enough cannot be above the threshold for good.")
                if higher
                else _("When lower is better, the threshold for good enough cannot be below the threshold for good.")
            )
        if not at_least_as_good(self.target, self.good_threshold):
            errors["target"] = (
                _("When higher is better, the target cannot be below the threshold for good.")
                if higher
                else _("When lower is better, the target cannot be above the threshold for good.")
            )
        if errors:
            raise ValidationError(errors)

    def status_for(self, value: Decimal) -> str:
        """Green from the good threshold on, amber from the good-enough threshold on, red otherwise;
        a value exactly on a threshold belongs to the better band."""
        reaches = operator.ge if self.direction == Direction.HIGHER_IS_BETTER else operator.le
        if reaches(value, self.good_threshold):
            return KpiStatus.GREEN
        if reaches(value, self.acceptable_threshold):
            return KpiStatus.AMBER
        return KpiStatus.RED

    def is_better(self, value: Decimal, than: Decimal) -> bool:
        return value > than if self.direction == Direction.HIGHER_IS_BETTER else value < than

    def period(self, value) -> Period:
        return parse_period(value, self.frequency)


class KpiMeasurementQuerySet(ScopedQuerySet):
    unit_field = "kpi__org_unit"


class KpiMeasurement(models.Model):
    """The value of a KPI for one period (``YYYY-MM`` or ``YYYY-Qn``, by the KPI's frequency), and its
    status from the KPI's norms. One per KPI and period; a correction changes it with a reason, which
    the history keeps."""

    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="measurements")
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM, or YYYY-Qn for quarterly KPIs."))
    period_start = models.DateField(_("start of the period"), editable=False)
    value = models.DecimalField(_("value"), **NUMBER)
    status = models.CharField(_("status"), max_length=10, choices=KpiStatus.choices, editable=False)
    note = models.TextField(
        _("note"), blank=True, max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = KpiMeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["kpi_id", "period_start"]
        indexes = [models.Index(fields=["kpi", "period_start"], name="kpimeasurement_kpi_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period"],
                name="kpimeasurement_one_per_period",
                violation_error_message=_("This KPI has a measurement for this period already: correct it instead."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=KpiStatus.values),
                name="kpimeasurement_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.period}: {self.value.normalize():f}"

    def get_absolute_url(self):
        return reverse("kpis:kpi_detail", args=[self.kpi_id])

    def clean(self):
        if self.kpi_id and self.period:
            period = parse_period(self.period, self.kpi.frequency)
            self.period, self.period_start = str(period), period.start

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")
