"""API of the problems part: ``problems/`` (SPEC 9), with the status steps ``known-error/``, ``resolve/``,
``close/`` and ``reopen/``, and ``link-incidents/`` / ``unlink-incident/``.

Writes go through ``incidents.services.problems``, the functions the pages call.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from incidents.choices import ProblemStatus
from incidents.filtersets.problems import ProblemFilterSet
from incidents.models import Incident, Problem
from incidents.selectors.problems import problems_for
from incidents.services import problems as services
from qms.api.base import QmsModelSerializer, ReadCreateUpdateViewSet
from qms.api.fields import BriefRelatedField
from qms.models import OrganisationUnit, User

OWNER_ERRORS = {
    "does_not_exist": _("The owner must be an active member of the organisation of the problem."),
    "incorrect_type": _("Give the owner as the id of a person."),
}
INCIDENT_ERRORS = {
    "does_not_exist": _("Incident %(pk_value)s does not exist or is out of your sight."),
    "incorrect_type": _("Give incidents as a list of incident ids."),
}


class ProblemSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:problem-detail")
    unit = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        help_text=_("The unit the problem belongs to (fixed once registered)."),
    )
    owner = BriefRelatedField(
        view_name="api:user-detail",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        error_messages=OWNER_ERRORS,
    )
    incidents = BriefRelatedField(
        view_name="api:incident-detail",
        queryset=Incident.objects.all(),
        many=True,
        required=False,
        help_text=_(
            "The linked incidents (ids; of the problem's organisation and not linked to another open problem). "
            "On a change, the list given replaces the linked incidents; or use link-incidents/ and unlink-incident/."
        ),
    )
    status = serializers.ChoiceField(
        choices=ProblemStatus.choices,
        read_only=True,
        help_text=_("open, known_error, resolved, closed: moved by the steps known-error/, resolve/, close/, reopen/."),
    )
    incident_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "url",
            "display",
            "title",
            "description",
            "unit",
            "category",
            "owner",
            "incidents",
            "incident_count",
            "root_cause",
            "workaround",
            "faq_published",
            "status",
            "status_changed_at",
            "status_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status_changed_at", "status_note", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        # Each incident field of the list is written as an id; each message names the id it refuses.
        fields["incidents"].child_relation.error_messages.update(INCIDENT_ERRORS)
        return fields

    def validate(self, attrs):
        if self.instance is not None and "unit" in attrs and attrs["unit"] != self.instance.unit:
            raise serializers.ValidationError({"unit": _("A problem cannot move to another unit.")})
        return attrs


class ProblemStepSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text=_("Required to reopen.")
    )


class ProblemKnownErrorSerializer(ProblemStepSerializer):
    workaround = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=_("Needed unless the problem has one."),
    )


class ProblemResolveSerializer(ProblemStepSerializer):
    root_cause = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=_("Needed unless the problem has one."),
    )


class ProblemLinkSerializer(serializers.Serializer):
    incidents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=1000,
        help_text=_("The ids of the incidents to link."),
    )


class ProblemUnlinkSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("The id of the incident."))


class ProblemViewSet(ReadCreateUpdateViewSet):
    """Problems group incidents that recur or stay unresolved (SPEC 5.3): root cause, workaround (a known
    error), whether the answer is in the FAQ. Status steps: ``known-error/`` (needs a workaround; it may
    come in the body), ``resolve/`` (needs a root cause, likewise), ``close/`` (from resolved) and
    ``reopen/`` (from resolved or closed, with a reason). Incidents linked must be of the problem's
    organisation and not linked to another open problem."""

    queryset = Problem.objects.select_related("unit", "owner")
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    ordering_fields = ["title", "status", "created_at", "updated_at", "id"]

    def get_queryset(self):
        # The linked incidents the caller sees (an incident of another unit of the organisation may be
        # out of their sight), by one query per page.
        incidents = Incident.objects.visible_to(self.request.user).order_by("-reported_at", "-pk")
        return problems_for(self.request.user).prefetch_related(Prefetch("incidents", queryset=incidents))

    def create_object(self, data):
        data["incidents"] = list(data.get("incidents") or [])
        # What a problem learns later (root cause, workaround, FAQ) may come with it: written right after
        # registering, in the same transaction, under the same rules as a change.
        later = {name: data.pop(name) for name in ("root_cause", "workaround", "faq_published") if name in data}
        later = {name: value for name, value in later.items() if value not in (None, "", False)}
        with transaction.atomic():
            problem = services.problem_create(actor=self.request.user, **data)
            if later:
                problem = services.problem_update(actor=self.request.user, problem=problem, **later)
        return problem

    def update_object(self, instance, data):
        data.pop("unit", None)
        incidents = data.pop("incidents", None)
        with transaction.atomic():
            problem = services.problem_update(actor=self.request.user, problem=instance, **data)
            if incidents is not None:
                problem = services.problem_set_incidents(actor=self.request.user, problem=problem, incidents=incidents)
        return problem

    def step(self, step, serializer_class):
        def service(*, actor, problem, **data):
            return services.problem_step(actor=actor, problem=problem, step=step, **data)

        return self.act_on_object(service, "problem", serializer_class)

    @extend_schema(request=ProblemKnownErrorSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"], url_path="known-error")
    def known_error(self, request, pk=None):
        """Mark the open problem as a known error: it needs a workaround (give it here or have one)."""
        return self.step(services.Step.KNOWN_ERROR, ProblemKnownErrorSerializer)

    @extend_schema(request=ProblemResolveSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve the problem (open or known error): it needs a root cause (give it here or have one)."""
        return self.step(services.Step.RESOLVE, ProblemResolveSerializer)

    @extend_schema(request=ProblemStepSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a resolved problem."""
        return self.step(services.Step.CLOSE, ProblemStepSerializer)

    @extend_schema(request=ProblemStepSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved or closed problem, with the reason."""
        return self.step(services.Step.REOPEN, ProblemStepSerializer)

    @extend_schema(request=ProblemLinkSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"], url_path="link-incidents")
    def link_incidents(self, request, pk=None):
        """Link incidents (ids) to the problem."""
        return self.act_on_object(services.problem_link_incidents, "problem", ProblemLinkSerializer)

    @extend_schema(request=ProblemUnlinkSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"], url_path="unlink-incident")
    def unlink_incident(self, request, pk=None):
        """Take one incident out of the problem."""
        return self.act_on_object(services.problem_unlink_incident, "problem", ProblemUnlinkSerializer)


routes = [("problems", ProblemViewSet, "problem")]
