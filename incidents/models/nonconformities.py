"""Non-conformities and CAPA: the non-conformity with its source, correction and (when it is a formal
CAPA) analysis, action plan (core actions of kind corrective / preventive whose source is the
non-conformity), effectiveness checks and recurrence proposals. Rules in
``incidents.services.nonconformities``. ``CapaQuarter`` keeps the CAPA overview's figures per quarter."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incidents.choices import (
    OPEN_NC_STATUSES,
    AnalysisMethod,
    NcKind,
    NcSource,
    NcStatus,
    ProposalStatus,
    Severity,
    Verdict,
)
from incidents.models.incidents import TEXT_MAX_LENGTH
from qms.querysets import ScopedQuerySet


class CauseCategoryQuerySet(ScopedQuerySet):
    unit_field = "organisation"

    def active(self):
        return self.filter(is_active=True)


class CauseCategory(models.Model):
    """A cause category of an organisation's catalogue (new organisations get the defaults)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="cause_categories",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = CauseCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("cause category")
        verbose_name_plural = _("cause categories")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="cause_category_code_unique",
                violation_error_message=_("This organisation already has a cause category with this code."),
            ),
        ]

    def __str__(self):
        return self.name


class NonConformityQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_NC_STATUSES)


class NonConformity(models.Model):
    """A non-conformity (afwijking). Observations and minor ones close after the correction; a major one
    (or one the quality officer promotes) is a formal CAPA (``capa``) through analysis, action plan,
    implementation and effectiveness check. ``round`` counts the action plans: a check that finds the
    actions not effective starts a new round."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="nonconformities"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    kind = models.CharField(_("kind"), max_length=20, choices=NcKind.choices, default=NcKind.DEVIATION)
    source = models.CharField(_("source"), max_length=20, choices=NcSource.choices, default=NcSource.INTERNAL)
    source_content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    source_object_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.MINOR)
    status = models.CharField(_("status"), max_length=30, choices=NcStatus.choices, default=NcStatus.REGISTERED)
    capa = models.BooleanField(_("formal CAPA"), default=False, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_nonconformities",
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_nonconformities",
    )
    correction = models.TextField(
        _("immediate correction"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("What was done at once to contain it."),
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True, editable=False)
    root_cause = models.TextField(_("root cause"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    analysis_method = models.CharField(_("analysis method"), max_length=20, choices=AnalysisMethod.choices, blank=True)
    cause_category = models.ForeignKey(
        CauseCategory,
        verbose_name=_("cause category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformities",
    )
    round = models.PositiveSmallIntegerField(_("action plan round"), default=1, editable=False)
    # The actions of the current round are those created since it started (null: the first round, all
    # of them); core actions have no field of their own for it.
    round_started_at = models.DateTimeField(_("round started at"), null=True, blank=True, editable=False)
    stage_since = models.DateTimeField(_("in this stage since"), editable=False)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("promoted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    actions = GenericRelation(
        "qms.Action", content_type_field="source_content_type", object_id_field="source_object_id"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = NonConformityQuerySet.as_manager()

    class Meta:
        verbose_name = _("non-conformity")
        verbose_name_plural = _("non-conformities")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="nc_org_status"),
            # The CAPA overview's counts, mean time to close and the ids its subqueries select, read from
            # the index alone (benchmark_capa: at 100,000 each was a scan of the whole table).
            models.Index(
                fields=["organisation", "status"],
                include=["id", "unit", "capa", "created_at", "closed_at"],
                name="nc_org_status_cover",
            ),
            models.Index(fields=["unit", "cause_category", "created_at"], name="nc_unit_cause"),
            models.Index(fields=["source_content_type", "source_object_id"], name="nc_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=NcStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="nc_cancel_has_reason",
                violation_error_message=_("Say why the non-conformity is cancelled."),
            ),
        ]

    def __str__(self):
        return f"NC-{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("incidents:nc_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NC_STATUSES


class EffectivenessCheckQuerySet(ScopedQuerySet):
    unit_field = "nonconformity__unit"

    def pending(self):
        return self.filter(verdict="")


class EffectivenessCheck(models.Model):
    """The check, at a set date by a verifier who is not the owner, of whether a CAPA's actions worked;
    optionally measured on a KPI through the KPIs' effect measurement (``effect``), whose verdict is
    proposed to the verifier."""

    nonconformity = models.ForeignKey(
        NonConformity, verbose_name=_("non-conformity"), on_delete=models.CASCADE, related_name="checks"
    )
    round = models.PositiveSmallIntegerField(_("action plan round"), editable=False)
    due_date = models.DateField(_("check on"))
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        related_name="effectiveness_checks",
    )
    kpi = models.ForeignKey(
        "kpis.Kpi",
        verbose_name=_("measured on KPI"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="effectiveness_checks",
    )
    effect = models.OneToOneField(
        "kpis.IntendedEffect",
        verbose_name=_("effect measurement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="effectiveness_check",
        editable=False,
    )
    proposed_verdict = models.CharField(
        _("verdict proposed from the KPI"), max_length=20, choices=Verdict.choices, blank=True, editable=False
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = EffectivenessCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")
        ordering = ["nonconformity", "round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nonconformity", "round"],
                name="effectiveness_check_once_a_round",
                violation_error_message=_("This round of the action plan already has its check."),
            ),
        ]

    def __str__(self):
        return _("Effectiveness check of %(nc)s (round %(round)s)") % {"nc": self.nonconformity, "round": self.round}


class CapaProposal(models.Model):
    """A CAPA proposed on the latest of N non-conformities of one cause category in one unit within D
    days (the daily sweep), once per cluster."""

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="capa_proposals"
    )
    cause_category = models.ForeignKey(
        CauseCategory, verbose_name=_("cause category"), on_delete=models.CASCADE, related_name="+"
    )
    nonconformity = models.ForeignKey(
        NonConformity,
        verbose_name=_("latest non-conformity"),
        on_delete=models.CASCADE,
        related_name="capa_proposals",
    )
    nonconformities = models.ManyToManyField(NonConformity, verbose_name=_("non-conformities"), related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
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
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed CAPA")
        verbose_name_plural = _("proposed CAPAs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Proposed CAPA: %(category)s in %(unit)s") % {"category": self.cause_category, "unit": self.unit}


class CapaQuarterQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class CapaQuarter(models.Model):
    """The CAPA overview's figures of one organisation in one quarter (Europe/Amsterdam), kept as they
    happen so the overview reads a row a quarter instead of the whole history (benchmark_capa): the
    effectiveness checks recorded in the quarter and those found effective (by ``checked_at``), the
    non-conformities closed in it and the sum of their times from registration to closing (by
    ``closed_at``; the mean days to close is the sum over the quarters divided by the count).

    Written only by the services that change them (``check_record``, the ``close`` step), with ``F()``
    increments in the same transaction; nothing undoes a recorded verdict or a close (a closed
    non-conformity takes no further step). No history: these are derived figures, not a record anyone
    writes; the checks and non-conformities they count have their own, and ``recount_capa_figures``
    rebuilds them from those rows."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
    )
    quarter = models.DateField(editable=False)  # its first day
    checks_recorded = models.PositiveIntegerField(default=0, editable=False)
    checks_effective = models.PositiveIntegerField(default=0, editable=False)
    closed_count = models.PositiveIntegerField(default=0, editable=False)
    time_to_close_total = models.DurationField(default=datetime.timedelta, editable=False)

    objects = CapaQuarterQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "quarter"], name="capa_quarter_unique"),
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.quarter.year}-Q{(self.quarter.month - 1) // 3 + 1}"
