"""API of the incidents part: ``incidents/`` and ``incident-updates/`` (SPEC 9).

Writes go through ``incidents.services.incidents``, the functions the pages call. ``priority``,
``restore_due`` and ``sla_met`` follow from the organisation's matrix and service calendar; the status
changes only through the steps ``POST incidents/{id}/start|hold|resume|resolve|close|reopen/``.
A timestamp without a time zone is read as Europe/Amsterdam time.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import filters, serializers
from rest_framework.decorators import action

from incidents.choices import Channel
from incidents.filtersets.incidents import IncidentFilterSet, IncidentUpdateFilterSet
from incidents.models import Incident, IncidentUpdate
from incidents.models.incidents import SlaState
from incidents.services import incidents as services
from qms.api.base import (
    DirectRepresentationMixin,
    NoBodySerializer,
    QmsModelSerializer,
    ReadCreateUpdateViewSet,
    ReadCreateViewSet,
)
from qms.api.fields import BriefRelatedField, CachedIdentityField
from qms.api.filters import FilterBackend
from qms.models import OrganisationUnit, User

NAIVE_TIME_HELP = _("A time without a time zone is read as Europe/Amsterdam time.")

# An owner out of the caller's sight reads the same as one that does not exist: it reveals nobody.
OWNER_ERRORS = {
    "does_not_exist": _("The owner must be an active member of the organisation of the incident."),
    "incorrect_type": _("Give the owner as the id of a person."),
}
UNIT_ERRORS = {
    "does_not_exist": _("Choose a unit you can see."),
    "incorrect_type": _("Give the unit as the id of a unit."),
}
BREACH_ANSWER = _("Answer whether this concerns information security or privacy.")

# Fields a change (PATCH/PUT) may not touch, and what to do instead.
FIXED_FIELDS = {
    "status": _("Change the status with a step: POST incidents/{id}/start|hold|resume|resolve|close|reopen/."),
    "resolved_at": _("Resolve the incident with POST incidents/{id}/resolve/ (resolution and resolved_at)."),
    "unit": _("An incident cannot move to another unit."),
    "reported_at": _("The report time cannot change once registered."),
    "data_breach_suspected": _("The answer cannot change once registered; open a data breach directly instead."),
    "channel": _("The channel cannot change once registered."),
}


class RequiredBooleanField(serializers.BooleanField):
    """A yes/no that must be given: missing or null is a field error (also in a form post, where DRF
    reads a missing checkbox as false)."""

    default_empty_html = serializers.empty


class IncidentSerializer(DirectRepresentationMixin, QmsModelSerializer):
    # Direct representation and a cached url: the page of 50 of 35 fields a row was 1.9x the risk page
    # in DRF's generic loop (benchmark_incidents).
    url = CachedIdentityField(view_name="api:incident-detail")
    unit = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        error_messages=UNIT_ERRORS,
        help_text=_("The reporting unit (fixed once registered)."),
    )
    organisation = BriefRelatedField(view_name="api:unit-detail", read_only=True)
    affected_units = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        many=True,
        required=False,
        help_text=_("The units the disruption affects (ids); their escalation contacts are told of a P1."),
    )
    owner = BriefRelatedField(
        view_name="api:user-detail",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        error_messages=OWNER_ERRORS,
        help_text=_("Who coordinates it; default: the organisation's incident coordinator."),
    )
    reporter = BriefRelatedField(view_name="api:user-detail", read_only=True)
    data_breach_suspected = RequiredBooleanField(
        error_messages={"required": BREACH_ANSWER, "null": BREACH_ANSWER},
        help_text=_(
            "Required, no default: does this concern information security or privacy? true opens the "
            "data-breach protocol."
        ),
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API, help_text=_("Default: api."))
    reported_at = serializers.DateTimeField(
        required=False,
        help_text=_("Default: now. An integration may send an earlier time, never a later one. %(naive)s")
        % {"naive": NAIVE_TIME_HELP},
    )
    resolved_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Set by the resolve step. %(naive)s") % {"naive": NAIVE_TIME_HELP}
    )
    data_breach = serializers.IntegerField(
        source="data_breach.id",
        read_only=True,
        allow_null=True,
        help_text=_("The id of the data-breach record opened for this incident, or null."),
    )
    problem = serializers.IntegerField(
        source="problem_id", read_only=True, allow_null=True, help_text=_("The id of the linked problem, or null.")
    )
    sla_state = serializers.ChoiceField(
        source="current_sla_state",
        choices=SlaState.choices,
        read_only=True,
        help_text=_("on_time, at_risk (75 % of the target used) or breached."),
    )
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("With a change: why (recorded in the history of the incident)."),
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "display",
            "title",
            "description",
            "category",
            "unit",
            "organisation",
            "affected_units",
            "owner",
            "reporter",
            "reporter_name",
            "channel",
            "impact",
            "urgency",
            "priority",
            "status",
            "reported_at",
            "restore_target_hours",
            "restore_due",
            "sla_state",
            "hold_reason",
            "held_for",
            "resolution",
            "resolved_at",
            "sla_met",
            "data_breach_suspected",
            "data_breach",
            "p1_since",
            "next_update_due",
            "missed_updates",
            "problem",
            "change_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "hold_reason",
            "resolution",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"status": {"help_text": FIXED_FIELDS["status"]}}

    def validate(self, attrs):
        if self.instance is None:
            return attrs
        errors = {}
        for name in ("unit", "reported_at", "data_breach_suspected", "channel"):
            if name in attrs and attrs[name] != getattr(self.instance, name):
                errors[name] = FIXED_FIELDS[name]
        # Read-only fields DRF would ignore: say how to change them instead of answering 200.
        for name in ("status", "resolved_at"):
            if name in self.initial_data:
                value = getattr(self.instance, name)
                current = self.fields[name].to_representation(value) if value is not None else None
                if self.initial_data.get(name) != current:
                    errors[name] = FIXED_FIELDS[name]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IncidentReasonSerializer(serializers.Serializer):
    # Optional here: the service says when a reason is needed, in its own words.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class IncidentResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("How the incident was resolved (required).")
    )
    resolved_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Default: now; not before the report, not in the future. %(naive)s") % {"naive": NAIVE_TIME_HELP},
    )


class IncidentViewSet(ReadCreateUpdateViewSet):
    """Incidents. ``priority`` follows from impact x urgency on the organisation's matrix, ``restore_due``
    from its restore target in service hours (holidays skipped; moved by time on hold), ``sla_met`` from
    the resolution. ``data_breach_suspected`` is required on every report. Status steps: ``start/``,
    ``hold/`` (reason), ``resume/``, ``resolve/`` (resolution, resolved_at), ``close/``, ``reopen/``
    (reason). Times without a time zone are read as Europe/Amsterdam."""

    queryset = Incident.objects.select_related("unit", "organisation", "owner", "reporter").prefetch_related(
        "affected_units"
    )
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    filter_backends = [FilterBackend, filters.OrderingFilter]
    ordering_fields = ["reported_at", "priority", "restore_due", "status", "title", "id"]
    ordering = ["-reported_at", "-id"]

    def get_queryset(self):
        # Selected with the page, not annotated: the count of the page stays a plain count.
        return super().get_queryset().select_related("data_breach")

    def create_object(self, data):
        data.pop("change_reason", None)
        return services.incident_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        reason = data.pop("change_reason", "")
        for name in FIXED_FIELDS:
            data.pop(name, None)
        return services.incident_update(actor=self.request.user, incident=instance, reason=reason, **data)

    @extend_schema(request=NoBodySerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Take a new incident in hand (new -> in progress)."""
        return self.act_on_object(services.incident_start, "incident", NoBodySerializer)

    @extend_schema(request=IncidentReasonSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Put it on hold, with the reason: the SLA clock stops until resumed."""
        return self.act_on_object(services.incident_hold, "incident", IncidentReasonSerializer)

    @extend_schema(request=NoBodySerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Take it off hold: the due time moves by the service time spent on hold."""
        return self.act_on_object(services.incident_resume, "incident", NoBodySerializer)

    @extend_schema(request=IncidentResolveSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record the restoration (resolution required); ``sla_met`` says whether it came in time."""
        return self.act_on_object(services.incident_resolve, "incident", IncidentResolveSerializer)

    @extend_schema(request=NoBodySerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a resolved incident; it cannot change any more."""
        return self.act_on_object(services.incident_close, "incident", NoBodySerializer)

    @extend_schema(request=IncidentReasonSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved incident, with the reason."""
        return self.act_on_object(services.incident_reopen, "incident", IncidentReasonSerializer)


class IncidentUpdateSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:incident-update-detail")
    incident = BriefRelatedField(
        view_name="api:incident-detail",
        queryset=Incident.objects.all(),
        help_text=_("The incident (open). On a P1 the update answers the hour due and goes to the contacts."),
    )
    posted_by = BriefRelatedField(view_name="api:user-detail", read_only=True)

    class Meta:
        model = IncidentUpdate
        fields = ["id", "url", "display", "incident", "text", "posted_at", "posted_by", "due_at", "late"]
        read_only_fields = ["posted_at", "due_at", "late"]


class IncidentUpdateViewSet(ReadCreateViewSet):
    """Updates on incidents (every hour 07:00-22:00 while P1): posted by those who handle the incident,
    never on a resolved or closed one. Filter by ``incident``."""

    queryset = IncidentUpdate.objects.select_related("incident", "posted_by")
    serializer_class = IncidentUpdateSerializer
    filterset_class = IncidentUpdateFilterSet
    filter_backends = [FilterBackend, filters.OrderingFilter]
    ordering_fields = ["posted_at", "id"]

    def create_object(self, data):
        return services.incident_post_update(actor=self.request.user, incident=data["incident"], text=data["text"])


routes = [
    ("incidents", IncidentViewSet, "incident"),
    ("incident-updates", IncidentUpdateViewSet, "incident-update"),
]
