"""API of the non-conformities part: ``nonconformities/`` and ``effectiveness-checks/`` (SPEC 9).

Writes go through ``incidents.services.nonconformities``, the functions the pages call. The status moves
only through the steps ``POST nonconformities/{id}/<step>/`` (correct, promote, analyse, record-analysis,
plan, implement, verify, close, cancel) and ``add-action/`` plans an action of the round; a PUT or PATCH
that changes ``status`` is a 400 that names them. ``root_cause`` (and ``analysis_method``) sent in a PATCH
run the ``record-analysis`` step, with its rules. An effectiveness check is planned by the ``verify`` step
(there is no POST on ``effectiveness-checks/``: a check belongs to a round that is ready for it) and
recorded by ``POST effectiveness-checks/{id}/record/``.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action

from incidents.choices import AnalysisMethod, NcKind, NcSource, NcStatus, Severity, Verdict
from incidents.filtersets.nonconformities import EffectivenessCheckFilterSet, NonConformityFilterSet
from incidents.models import CauseCategory, EffectivenessCheck, NonConformity
from incidents.selectors.nonconformities import visible_sources
from incidents.services import nonconformities as services
from kpis.choices import Expectation
from kpis.models import Kpi
from qms.api.base import QmsModelSerializer, ReadCreateUpdateViewSet, ReadOnlyViewSet
from qms.api.fields import BriefRelatedField
from qms.choices import ActionKind
from qms.models import Action, OrganisationUnit, User

TZ_HELP = _("A time without a time zone is read as Europe/Amsterdam time.")
PERSON_ERRORS = {
    "does_not_exist": _("Give an active member of the organisation of the non-conformity."),
    "incorrect_type": _("Give a person as their id."),
}
CATEGORY_ERRORS = {
    "does_not_exist": _("Choose a cause category of the organisation of the non-conformity."),
    "incorrect_type": _("Give the cause category as its id."),
}
STEP_NAMES = ", ".join(f"{step}/" for step in services.NC_STEPS)
STEP_FIELD_MAX = 2000
MAX_ID = 2**63 - 1
# The kinds of a CAPA's actions (named in the schema's ENUM_NAME_OVERRIDES).
NC_ACTION_KINDS = [(kind.value, kind.label) for kind in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE)]


def user_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:user-detail", **kwargs)
    return BriefRelatedField(
        view_name="api:user-detail", queryset=User.objects.all(), error_messages=PERSON_ERRORS, **kwargs
    )


@extend_schema_field(OpenApiTypes.INT)
class ScopedCategoryField(serializers.PrimaryKeyRelatedField):
    """A cause category the caller sees (of their organisations), written and read as its id."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = CauseCategory.objects.active()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class NcActionBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:action-detail")
    display = serializers.CharField(source="title", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)

    class Meta:
        model = Action
        fields = ["id", "url", "display", "kind", "status", "owner", "due_date", "completed_at"]
        read_only_fields = fields


class NcSourceRecordSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("The record's kind as app.model, e.g. incidents.incident."))
    id = serializers.IntegerField()


class NonConformitySerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:nonconformity-detail")
    unit = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        help_text=_("The unit the non-conformity belongs to (fixed once registered)."),
    )
    kind = serializers.ChoiceField(choices=NcKind.choices, required=False, default=NcKind.DEVIATION)
    source = serializers.ChoiceField(
        choices=NcSource.choices,
        required=False,
        default=NcSource.INTERNAL,
        help_text=_("Where it came from (fixed once registered); link the record with source_type and source_id."),
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        default=Severity.MINOR,
        help_text=_("major makes it a formal CAPA."),
    )
    status = serializers.ChoiceField(
        choices=NcStatus.choices,
        required=False,
        help_text=_("Moves only through the steps: %(steps)s") % {"steps": STEP_NAMES},
    )
    owner = user_field(required=False, allow_null=True, help_text=_("Defaults to the unit's team lead."))
    reporter = user_field(read_only=True)
    cause_category = ScopedCategoryField(
        required=False, allow_null=True, error_messages=CATEGORY_ERRORS, help_text=_("A cause category's id.")
    )
    analysis_method = serializers.ChoiceField(
        choices=AnalysisMethod.choices,
        required=False,
        allow_blank=True,
        help_text=_("Recorded by the record-analysis step (a change here runs it)."),
    )
    root_cause = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=STEP_FIELD_MAX * 5,
        help_text=_("Recorded by the record-analysis step (a change here runs it, in analysis or action plan)."),
    )
    source_type = serializers.CharField(
        write_only=True,
        required=False,
        max_length=100,
        help_text=_("With source_id, on registering: the source record as app.model (e.g. incidents.incident)."),
    )
    source_id = serializers.IntegerField(
        write_only=True, required=False, min_value=1, max_value=MAX_ID, help_text=_("The source record's id.")
    )
    source_record = serializers.SerializerMethodField(
        help_text=_("The record it came from, {type, id}, when the caller may see it; else null.")
    )
    actions = NcActionBriefSerializer(many=True, read_only=True, help_text=_("The actions of every round."))

    class Meta:
        model = NonConformity
        fields = [
            "id",
            "url",
            "display",
            "title",
            "description",
            "unit",
            "kind",
            "source",
            "source_type",
            "source_id",
            "source_record",
            "severity",
            "status",
            "capa",
            "owner",
            "reporter",
            "correction",
            "corrected_at",
            "root_cause",
            "analysis_method",
            "cause_category",
            "round",
            "stage_since",
            "promoted_at",
            "closed_at",
            "cancel_reason",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "capa",
            "corrected_at",
            "round",
            "stage_since",
            "promoted_at",
            "closed_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "corrected_at": {"help_text": TZ_HELP},
            "stage_since": {"help_text": TZ_HELP},
            "closed_at": {"help_text": TZ_HELP},
        }

    @extend_schema_field(NcSourceRecordSerializer(allow_null=True))
    def get_source_record(self, obj):
        if obj.source_content_type_id is None:
            return None
        visible = self.context.get("visible_sources")
        if visible is None:
            request = self.context.get("request")
            visible = visible_sources([obj], request.user) if request is not None else set()
        key = (obj.source_content_type_id, obj.source_object_id)
        if key not in visible:
            return None
        content_type = ContentType.objects.get_for_id(obj.source_content_type_id)
        return {"type": f"{content_type.app_label}.{content_type.model}", "id": obj.source_object_id}

    def validate(self, attrs):
        instance = self.instance
        errors = {}
        wanted = attrs.get("status")
        if wanted is not None and wanted != (instance.status if instance is not None else NcStatus.REGISTERED):
            errors["status"] = _("The status moves only through the steps: POST nonconformities/{id}/ %(steps)s") % {
                "steps": STEP_NAMES
            }
        if instance is not None:
            for name in ("unit", "source"):
                if name in attrs and attrs[name] != getattr(instance, name):
                    errors[name] = _("The %(field)s is fixed once the non-conformity is registered.") % {"field": name}
            if "source_type" in attrs or "source_id" in attrs:
                errors["source_type"] = _("The source record is linked on registering only.")
        else:
            if ("source_type" in attrs) != ("source_id" in attrs):
                errors["source_id"] = _("Give source_type and source_id together.")
            if attrs.get("root_cause") or attrs.get("analysis_method"):
                errors["root_cause"] = _("The root cause is recorded in the analysis (record-analysis/).")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _source_record(source_type: str, source_id: int, user):
    """The record named by ``app.model`` and id; the service checks that the caller sees it."""
    app_label, _dot, model = (source_type or "").lower().partition(".")
    error = serializers.ValidationError({"source": [_("The source record does not exist or is out of your sight.")]})
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        raise error from None
    model_class = content_type.model_class()
    if model_class is None or not hasattr(model_class.objects, "visible_to"):
        raise error
    record = model_class.objects.visible_to(user).filter(pk=source_id).first()
    if record is None:
        raise error
    return record


class NcReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=STEP_FIELD_MAX,
        help_text=_("Why (kept in the history)."),
    )


class NcCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=STEP_FIELD_MAX, help_text=_("Why it is cancelled (required)."))


class NcCorrectSerializer(NcReasonSerializer):
    correction = serializers.CharField(max_length=STEP_FIELD_MAX * 5, help_text=_("What was done at once."))
    cause_category = ScopedCategoryField(required=False, allow_null=True, default=None, error_messages=CATEGORY_ERRORS)


class NcAnalysisSerializer(NcReasonSerializer):
    root_cause = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    analysis_method = serializers.ChoiceField(
        choices=AnalysisMethod.choices, required=False, allow_blank=True, allow_null=True, default=None
    )
    cause_category = ScopedCategoryField(required=False, allow_null=True, default=None, error_messages=CATEGORY_ERRORS)


class NcVerifySerializer(NcReasonSerializer):
    due_date = serializers.DateField(help_text=_("When the effect is checked (not before the actions were done)."))
    verifier = user_field(help_text=_("Who checks it: not the owner."))
    kpi = BriefRelatedField(
        view_name="api:kpi-detail",
        queryset=Kpi.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Optionally: measure the effect on this KPI (the round's first corrective action states it)."),
    )
    expectation = serializers.ChoiceField(
        choices=Expectation.choices, required=False, allow_blank=True, default="", help_text=_("With a KPI.")
    )
    expected_change = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None, help_text=_("With a KPI.")
    )


class NcAddActionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NC_ACTION_KINDS)
    title = serializers.CharField(max_length=200)
    owner = user_field()
    due_date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=STEP_FIELD_MAX * 5)


class NonConformityViewSet(ReadCreateUpdateViewSet):
    """Non-conformities and CAPA (SPEC 5.6). Register with ``title``, ``unit`` (anyone with a role in it),
    ``kind``, ``source`` and ``severity`` (major: a formal CAPA), optionally the source record
    (``source_type`` as app.model and ``source_id``, within your sight and of the unit's organisation).
    An observation or minor one: ``correct/`` then ``close/``. A CAPA (major, or ``promote/`` by a quality
    officer): ``analyse/``, ``record-analysis/`` (root cause, method, cause category), ``plan/``,
    ``add-action/`` (corrective and preventive, at least one each), ``implement/``, ``verify/`` (plans the
    effectiveness check: a date and a verifier who is not the owner; optionally a KPI), the check recorded
    at ``effectiveness-checks/{id}/record/``, and ``close/``: a 400 with the reason while an action is open
    or the check did not find the actions effective. ``cancel/`` with a reason."""

    queryset = NonConformity.objects.select_related("unit", "owner", "reporter", "cause_category").prefetch_related(
        Prefetch("actions", queryset=Action.objects.order_by("created_at", "pk"))
    )
    serializer_class = NonConformitySerializer
    filterset_class = NonConformityFilterSet
    ordering_fields = ["created_at", "updated_at", "status", "severity", "title", "stage_since", "id"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # Which source records the caller sees: one query per kind of source on the page.
            self._visible_sources = visible_sources(page, self.request.user)
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "_visible_sources"):
            context["visible_sources"] = self._visible_sources
        return context

    def create_object(self, data):
        data.pop("status", None)
        # Empty analysis fields say nothing (a filled one is refused in validate: it is a step of its own).
        for name in ("root_cause", "analysis_method"):
            data.pop(name, None)
        source_type, source_id = data.pop("source_type", None), data.pop("source_id", None)
        if source_type is not None:
            data["source_record"] = _source_record(source_type, source_id, self.request.user)
        return services.nc_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        for name in ("unit", "source", "status"):
            data.pop(name, None)
        analysis = {name: data.pop(name) for name in ("root_cause", "analysis_method") if name in data}
        with transaction.atomic():
            nc = instance
            if data:
                nc = services.nc_update(actor=self.request.user, nc=nc, **data)
            if any(getattr(nc, name) != value for name, value in analysis.items()):
                nc = services.nc_step(actor=self.request.user, nc=nc, step=services.Step.RECORD_ANALYSIS, **analysis)
        return nc

    def step(self, step, serializer_class):
        nc = self.get_object()
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.nc_step(actor=self.request.user, nc=nc, step=step, **serializer.validated_data)
        return self.fresh(nc)

    @extend_schema(request=NcCorrectSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Record the immediate correction (in any open stage)."""
        return self.step(services.Step.CORRECT, NcCorrectSerializer)

    @extend_schema(request=NcReasonSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        """A quality officer makes a registered observation or minor one a formal CAPA."""
        return self.step(services.Step.PROMOTE, NcReasonSerializer)

    @extend_schema(request=NcReasonSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def analyse(self, request, pk=None):
        """Start the CAPA's analysis."""
        return self.step(services.Step.ANALYSE, NcReasonSerializer)

    @extend_schema(request=NcAnalysisSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"], url_path="record-analysis", url_name="record-analysis")
    def record_analysis(self, request, pk=None):
        """Record the root cause, the method and the cause category (in analysis or action plan)."""
        return self.step(services.Step.RECORD_ANALYSIS, NcAnalysisSerializer)

    @extend_schema(request=NcReasonSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        """To the action plan: needs the root cause, the method and the cause category."""
        return self.step(services.Step.PLAN, NcReasonSerializer)

    @extend_schema(request=NcReasonSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        """To implementation: needs a corrective and a preventive action of the round."""
        return self.step(services.Step.IMPLEMENT, NcReasonSerializer)

    @extend_schema(request=NcVerifySerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """To the effectiveness check, once every action of the round is done: plans the check."""
        return self.step(services.Step.VERIFY, NcVerifySerializer)

    @extend_schema(request=NcReasonSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close: a non-CAPA after its correction; a CAPA when every action is done and its check found
        the actions effective. Otherwise a 400 with the reason."""
        return self.step(services.Step.CLOSE, NcReasonSerializer)

    @extend_schema(request=NcCancelSerializer, responses={200: NonConformitySerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open non-conformity, with the reason."""
        return self.step(services.Step.CANCEL, NcCancelSerializer)

    @extend_schema(request=NcAddActionSerializer, responses={201: NonConformitySerializer})
    @action(detail=True, methods=["post"], url_path="add-action", url_name="add-action")
    def add_action(self, request, pk=None):
        """Plan a corrective or preventive action of the round (in analysis or action plan): a core action
        in its owner's "my actions"."""
        nc = self.get_object()
        serializer = NcAddActionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.nc_add_action(actor=request.user, nc=nc, **serializer.validated_data)
        return self.fresh(nc, status.HTTP_201_CREATED)


class EffectivenessCheckSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:effectiveness-check-detail")
    nonconformity = BriefRelatedField(view_name="api:nonconformity-detail", read_only=True)
    verifier = user_field(read_only=True)
    kpi = BriefRelatedField(view_name="api:kpi-detail", read_only=True)
    effect = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("The KPI effect measurement's id."))
    verdict = serializers.ChoiceField(choices=Verdict.choices, read_only=True, allow_blank=True)
    proposed_verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        read_only=True,
        allow_blank=True,
        help_text=_("The verdict the KPI's measured effect proposes, for the verifier to confirm."),
    )

    class Meta:
        model = EffectivenessCheck
        fields = [
            "id",
            "url",
            "display",
            "nonconformity",
            "round",
            "due_date",
            "verifier",
            "kpi",
            "effect",
            "proposed_verdict",
            "verdict",
            "evidence",
            "checked_at",
            "created_at",
        ]
        read_only_fields = ["round", "due_date", "evidence", "checked_at", "created_at"]
        extra_kwargs = {"checked_at": {"help_text": TZ_HELP}}


class CheckRecordSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    evidence = serializers.CharField(max_length=STEP_FIELD_MAX * 5, help_text=_("What the verdict rests on."))
    checked_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("When it was checked (default now; not before the actions were done). ") + TZ_HELP,
    )


class EffectivenessCheckViewSet(ReadOnlyViewSet):
    """Effectiveness checks of CAPAs (SPEC 5.6). A check is planned by ``POST nonconformities/{id}/verify/``
    (there is no POST here) and recorded by the verifier or a quality officer, never the owner, with
    ``record/``: effective lets the CAPA close; partly or not effective sends it back to the action plan
    with a new round."""

    queryset = EffectivenessCheck.objects.select_related("nonconformity", "verifier", "kpi")
    serializer_class = EffectivenessCheckSerializer
    filterset_class = EffectivenessCheckFilterSet
    ordering_fields = ["due_date", "checked_at", "created_at", "id"]

    @extend_schema(request=CheckRecordSerializer, responses={200: EffectivenessCheckSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the verdict with the evidence."""
        return self.act_on_object(services.check_record, "check", CheckRecordSerializer)


routes = [
    ("nonconformities", NonConformityViewSet, "nonconformity"),
    ("effectiveness-checks", EffectivenessCheckViewSet, "effectiveness-check"),
]
