"""Incidents (verstoringen), their hourly updates while P1, each organisation's incident policy
(priority matrix, restore targets, problem clustering, maintenance window) and the escalation contacts
of units. Rules across rows (priority, due times, the SLA clock, P1 updates) live in
``incidents.services.incidents``."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incidents.choices import (
    DEFAULT_MAINTENANCE_END,
    DEFAULT_MAINTENANCE_START,
    DEFAULT_MAINTENANCE_WEEKDAY,
    DEFAULT_PRIORITY_MATRIX,
    DEFAULT_PROBLEM_THRESHOLD,
    DEFAULT_PROBLEM_WINDOW_DAYS,
    DEFAULT_RESTORE_HOURS,
    OPEN_INCIDENT_STATUSES,
    Channel,
    ContactGroup,
    Impact,
    IncidentCategory,
    IncidentStatus,
    Priority,
    Urgency,
)
from qms.querysets import ScopedQuerySet

TEXT_MAX_LENGTH = 10000


def default_priority_matrix():
    return {
        str(impact): {str(urgency): p for urgency, p in row.items()} for impact, row in DEFAULT_PRIORITY_MATRIX.items()
    }


def default_restore_hours():
    return {str(priority): str(hours) for priority, hours in DEFAULT_RESTORE_HOURS.items()}


class IncidentPolicyQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class IncidentPolicy(models.Model):
    """An organisation's incident policy. Organisations without a row use the defaults of the source
    (``incidents.selectors.incidents.policy_for``)."""

    organisation = models.OneToOneField(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="incident_policy"
    )
    priority_matrix = models.JSONField(
        _("priority matrix"), default=default_priority_matrix, help_text=_("Per impact, the priority of each urgency.")
    )
    restore_hours = models.JSONField(
        _("restore-time targets"),
        default=default_restore_hours,
        help_text=_("Per priority, the restore-time target in service hours."),
    )
    problem_threshold = models.PositiveSmallIntegerField(
        _("incidents that propose a problem"), default=DEFAULT_PROBLEM_THRESHOLD, validators=[MinValueValidator(2)]
    )
    problem_window_days = models.PositiveSmallIntegerField(
        _("within days"), default=DEFAULT_PROBLEM_WINDOW_DAYS, validators=[MinValueValidator(1)]
    )
    maintenance_weekday = models.PositiveSmallIntegerField(
        _("maintenance window weekday"), default=DEFAULT_MAINTENANCE_WEEKDAY, help_text=_("Monday is 0.")
    )
    maintenance_start = models.TimeField(_("maintenance window start"), default=DEFAULT_MAINTENANCE_START)
    maintenance_end = models.TimeField(_("maintenance window end"), default=DEFAULT_MAINTENANCE_END)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = IncidentPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident policy")
        verbose_name_plural = _("incident policies")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(condition=Q(maintenance_weekday__lte=6), name="incident_policy_weekday_valid"),
        ]

    def __str__(self):
        return _("Incident policy of %(organisation)s") % {"organisation": self.organisation}

    def priority(self, impact: str, urgency: str) -> int:
        return int(self.priority_matrix[impact][urgency])

    def restore_target(self, priority: int) -> Decimal:
        return Decimal(str(self.restore_hours[str(priority)]))

    def clean(self):
        errors = {}
        matrix = self.priority_matrix
        if (
            not isinstance(matrix, dict)
            or set(matrix) != set(Impact.values)
            or any(
                not isinstance(row, dict)
                or set(row) != set(Urgency.values)
                or any(value not in Priority.values for value in row.values())
                for row in matrix.values()
            )
        ):
            errors["priority_matrix"] = _("Give a priority (1-3) for every impact and urgency.")
        hours = self.restore_hours
        try:
            valid = (
                isinstance(hours, dict)
                and set(hours) == {str(p) for p in Priority.values}
                and all(Decimal(str(value)) > 0 for value in hours.values())
            )
        except ArithmeticError:
            valid = False
        if not valid:
            errors["restore_hours"] = _("Give a positive number of service hours for every priority.")
        if self.maintenance_start and self.maintenance_end and self.maintenance_end <= self.maintenance_start:
            errors["maintenance_end"] = _("The maintenance window must end after it starts.")
        if errors:
            raise ValidationError(errors)


class SlaState(models.TextChoices):
    """Where an incident stands against its restore due time (lists, filters, the SLA bar)."""

    ON_TIME = "on_time", _("On time")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


# The SLA clock runs while an incident is new or in progress; on hold stops it, resolved ends it.
RUNNING_INCIDENT_STATUSES = (IncidentStatus.NEW, IncidentStatus.IN_PROGRESS)


def _clock(now):
    # On hold the clock stands still at the start of the hold: the due time moves on resume.
    return Coalesce(F("on_hold_since"), Value(now))


class IncidentQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_INCIDENT_STATUSES)

    def _with_clock(self, now):
        return self.alias(sla_clock=_clock(now))

    def sla_breached(self, now):
        """Open past the due time (on hold: past it when the hold began), or resolved too late."""
        return self._with_clock(now).filter(
            Q(status__in=OPEN_INCIDENT_STATUSES, restore_due__lt=F("sla_clock")) | Q(sla_met=False)
        )

    def sla_at_risk(self, now):
        """Open, 75 % of the target used (``sla_warn_at`` passed), not yet due."""
        return self._with_clock(now).filter(
            status__in=OPEN_INCIDENT_STATUSES, sla_warn_at__lte=F("sla_clock"), restore_due__gte=F("sla_clock")
        )


class Incident(models.Model):
    """A disruption reported by a unit. Its priority comes from the organisation's matrix, its restore
    due time from the service calendar; on hold stops the clock (``held_for`` is the service time spent
    on hold so far, ``on_hold_since`` the start of the current hold)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The organisation of the reporting unit (kept for the reports)."),
    )
    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("reporting unit"), on_delete=models.PROTECT, related_name="incidents"
    )
    affected_units = models.ManyToManyField(
        "qms.OrganisationUnit", verbose_name=_("affected units"), related_name="affecting_incidents", blank=True
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    category = models.CharField(
        _("category"), max_length=20, choices=IncidentCategory.choices, default=IncidentCategory.OTHER
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_incidents",
    )
    reporter_name = models.CharField(
        _("reported by"), max_length=200, blank=True, help_text=_("Who reported it, when not a user of the system.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_incidents",
        help_text=_("Who coordinates it; by default the organisation's incident coordinator."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    impact = models.CharField(_("impact"), max_length=20, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.NEW)
    data_breach_suspected = models.BooleanField(
        _("concerns information security or privacy"),
        help_text=_("Does this report concern information security or privacy? Yes opens the data-breach protocol."),
    )
    restore_target_hours = models.DecimalField(
        _("restore-time target (service hours)"), max_digits=6, decimal_places=2, editable=False
    )
    restore_due = models.DateTimeField(_("restore due"), editable=False, db_index=True)
    # 75 % of the target (plus the time on hold) in service time: stored beside restore_due whenever that
    # is computed, so the SLA watch finds what to warn about in one query instead of a calendar per row.
    sla_warn_at = models.DateTimeField(_("SLA warning due"), null=True, editable=False)
    hold_reason = models.CharField(_("reason on hold"), max_length=500, blank=True)
    on_hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True, editable=False)
    held_for = models.DurationField(
        _("service time on hold"), default=timedelta, editable=False, help_text=_("Service time spent on hold so far.")
    )
    resolution = models.TextField(_("resolution"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    sla_met = models.BooleanField(_("SLA met"), null=True, editable=False)
    restore_time = models.DurationField(
        _("time to restore (service time)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Service time from the report to the resolution, less the time on hold."),
    )
    sla_warned_at = models.DateTimeField(_("SLA warning sent at"), null=True, editable=False)
    sla_escalated_at = models.DateTimeField(_("SLA escalated at"), null=True, editable=False)
    # P1: when it became P1, the next hourly update due, how many hours passed without one.
    p1_since = models.DateTimeField(_("P1 since"), null=True, blank=True, editable=False)
    next_update_due = models.DateTimeField(_("next update due"), null=True, blank=True, editable=False, db_index=True)
    missed_updates = models.PositiveSmallIntegerField(_("missed updates in a row"), default=0, editable=False)
    problem = models.ForeignKey(
        "incidents.Problem",
        verbose_name=_("problem"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[affected_units])
    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation", "status", "priority", "-reported_at"], name="incident_org_status_prio"
            ),
            models.Index(fields=["unit", "category", "reported_at"], name="incident_unit_category"),
            models.Index(fields=["status", "restore_due"], name="incident_status_due"),
            # A list filtered by status and priority, counted within the reader's units (the scope is a
            # list of unit ids, not the organisation): an index-only count.
            models.Index(fields=["status", "priority", "unit"], name="incident_status_prio_unit"),
            # The SLA report reads a period's resolutions of one organisation.
            models.Index(fields=["organisation", "resolved_at"], name="incident_org_resolved"),
            # The SLA watch's two halves (warn at 75 %, escalate at 100 %): only rows still to act on.
            models.Index(
                fields=["sla_warn_at"],
                condition=Q(sla_warned_at__isnull=True, status__in=RUNNING_INCIDENT_STATUSES),
                name="incident_sla_warn_pending",
            ),
            models.Index(
                fields=["restore_due"],
                condition=Q(sla_escalated_at__isnull=True, status__in=RUNNING_INCIDENT_STATUSES),
                name="incident_sla_escalate_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("reported_at")),
                name="incident_resolved_after_report",
                violation_error_message=_("An incident cannot be resolved before it was reported."),
            ),
            models.CheckConstraint(
                condition=~Q(status=IncidentStatus.ON_HOLD) | ~Q(hold_reason=""),
                name="incident_hold_has_reason",
                violation_error_message=_("Say why the incident is on hold."),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self):
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INCIDENT_STATUSES

    def sla_state_at(self, now) -> str:
        """On time, at risk (75 % of the target used) or breached: the rule of the queryset's
        ``sla_at_risk`` / ``sla_breached`` filters, read from the row (a test keeps the two equal). On
        hold, the clock stands at the start of the hold. Computed per row rather than annotated, so a
        list's count query stays a plain count."""
        if self.sla_met is False:
            return SlaState.BREACHED
        if self.is_open:
            clock = self.on_hold_since or now
            if self.restore_due < clock:
                return SlaState.BREACHED
            if self.sla_warn_at is not None and self.sla_warn_at <= clock:
                return SlaState.AT_RISK
        return SlaState.ON_TIME

    @property
    def current_sla_state(self) -> str:
        return self.sla_state_at(timezone.now())

    def clean(self):
        errors = {}
        if self.resolved_at and self.reported_at and self.resolved_at < self.reported_at:
            errors["resolved_at"] = _("An incident cannot be resolved before it was reported.")
        if self.status == IncidentStatus.ON_HOLD and not self.hold_reason.strip():
            errors["hold_reason"] = _("Say why the incident is on hold.")
        if errors:
            raise ValidationError(errors)


class IncidentUpdateQuerySet(ScopedQuerySet):
    unit_field = "incident__unit"


class IncidentUpdate(models.Model):
    """An update posted on an incident (every hour 07:00-22:00 while it is P1), sent to the affected
    units' escalation contacts and kept on the incident's timeline."""

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("text"), validators=[MaxLengthValidator(TEXT_MAX_LENGTH)])
    posted_at = models.DateTimeField(_("posted at"), editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    due_at = models.DateTimeField(
        _("due at"), null=True, blank=True, editable=False, help_text=_("The hourly update this one answers (P1).")
    )
    late = models.BooleanField(_("late"), default=False, editable=False)

    history = HistoricalRecords()
    objects = IncidentUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        ordering = ["-posted_at", "-pk"]

    def __str__(self):
        return _("Update on %(incident)s at %(time)s") % {"incident": self.incident, "time": self.posted_at}


class EscalationContact(models.Model):
    """Who a unit wants told when an incident escalates: a person or a group mailbox in one of the
    source's four groups."""

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="escalation_contacts"
    )
    group = models.CharField(_("group"), max_length=20, choices=ContactGroup.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="escalation_contacts",
    )
    mailbox = models.EmailField(_("group mailbox"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For a group mailbox."))

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")
        ordering = ["unit__name", "group", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(mailbox="")) | (Q(user__isnull=True) & ~Q(mailbox="")),
                name="escalation_contact_person_or_mailbox",
                violation_error_message=_("Give a person or a group mailbox, not both."),
            ),
            models.UniqueConstraint(
                fields=["unit", "group", "user"],
                condition=Q(user__isnull=False),
                name="escalation_contact_person_once",
                violation_error_message=_("This person is already a contact of this group."),
            ),
            models.UniqueConstraint(
                fields=["unit", "group", "mailbox"],
                condition=~Q(mailbox=""),
                name="escalation_contact_mailbox_once",
                violation_error_message=_("This mailbox is already a contact of this group."),
            ),
        ]

    def __str__(self):
        who = self.user.get_full_name() or self.user.username if self.user_id else (self.name or self.mailbox)
        return f"{who} ({self.get_group_display()})"

    def clean(self):
        if bool(self.user_id) == bool(self.mailbox):
            raise ValidationError(_("Give a person or a group mailbox, not both."))


class ContactConfirmation(models.Model):
    """The yearly request to a unit to confirm its escalation contacts: a core action for the unit's
    formal contact, escalated when not done within 30 days."""

    unit = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="contact_confirmations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    action = models.OneToOneField(
        "qms.Action", verbose_name=_("task"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact confirmation")
        verbose_name_plural = _("contact confirmations")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="contact_confirmation_once_a_year",
                violation_error_message=_("This unit was already asked to confirm its contacts this year."),
            ),
        ]

    def __str__(self):
        return _("Contacts of %(unit)s, %(year)s") % {"unit": self.unit, "year": self.year}

    def get_absolute_url(self):
        # The task's source link: the unit's contacts page, where they are confirmed.
        return reverse("incidents:contacts") + f"?unit={self.unit_id}"
