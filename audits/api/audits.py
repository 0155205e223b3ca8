"""API of the audits part (SPEC 9): ``audits/`` with its workflow steps and the maturity figures,
``audit-scores/``, ``audit-calibrations/`` and ``audit-findings/``.

Writes go through ``audits.services.audits`` and ``audits.services.findings``, the functions the pages
call. The status of an audit moves only through the steps ``POST audits/{id}/<step>/`` (one per step of
``AUDIT_STEPS``), each answering 400 with the reason when its gate is not met. Reads start from the
scoped querysets: an assessor sees the audits they assess, even of a unit outside their own, and
nothing else of that unit; before calibration an assessor sees only their own scores.

``GET audits/maturity/?organisation=<id>&year=<yyyy>``: one entry per principle assessed that year,
``average`` the exact mean of the units' calibrated scores as a decimal string with four decimals,
``level`` that mean rounded half up to a whole level (from the exact mean, not the string).
"""

from decimal import ROUND_HALF_UP

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from audits.choices import LEVEL_MAX, LEVEL_MIN, AuditStatus, FieldworkKind, FindingKind, Recognition
from audits.filtersets.audits import (
    AuditCalibrationFilterSet,
    AuditFilterSet,
    AuditScoreFilterSet,
    FieldworkItemFilterSet,
    FindingFilterSet,
)
from audits.filtersets.model import principles_for
from audits.models import Audit, AuditCalibration, AuditScore, FieldworkItem, Finding, ManagementResponse, Principle
from audits.selectors.reports import maturity_by_principle
from audits.services import audits as services
from audits.services import findings as finding_services
from qms.api.base import (
    NoBodySerializer,
    QmsModelSerializer,
    QmsViewSetMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
)
from qms.api.fields import BriefRelatedField
from qms.api.schema import AutoSchema
from qms.models import Membership, OrganisationUnit, User
from qms.scoping import Purpose, organisations_for
from qms.services.probes import probe_log

MAX_ID = 2**63 - 1
STEP_NAMES = ", ".join(f"{step}/" for step in services.AUDIT_STEPS)
NEXT_STEP = {source: step for step, (source, _target) in services.AUDIT_STEPS.items()}

UNIT_ERRORS = {
    "does_not_exist": _("Choose a unit you can see."),
    "incorrect_type": _("Give the unit as the id of a unit."),
}
PERSON_ERRORS = {
    "does_not_exist": _("Give a person of the organisation of the audit."),
    "incorrect_type": _("Give a person as their id."),
}
PRINCIPLE_ERRORS = {
    "does_not_exist": _("Choose a principle of the organisation of the audit."),
    "incorrect_type": _("Give the principle as its id."),
}
AUDIT_ERRORS = {
    "does_not_exist": _("Choose an audit you can see."),
    "incorrect_type": _("Give the audit as its id."),
}


def user_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:user-detail", **kwargs)
    return BriefRelatedField(
        view_name="api:user-detail", queryset=User.objects.all(), error_messages=PERSON_ERRORS, **kwargs
    )


def audit_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:audit-detail", **kwargs)
    return BriefRelatedField(
        view_name="api:audit-detail", queryset=Audit.objects.all(), error_messages=AUDIT_ERRORS, **kwargs
    )


class PrincipleField(BriefRelatedField):
    """A principle of an organisation the caller belongs to (an assessor's too: they do not see the
    organisation as a unit, but score its principles)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Principle.objects.all())
            kwargs.setdefault("error_messages", PRINCIPLE_ERRORS)
        super().__init__(view_name="api:principle-detail", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Principle.objects.none()
        return principles_for(request.user)


def fixed_fields_check(serializer, attrs, messages: dict):
    """A change may not touch the fields fixed once the record exists (sending them back as read is fine)."""
    instance = serializer.instance
    if instance is None:
        return
    errors = {
        name: message for name, message in messages.items() if name in attrs and attrs[name] != getattr(instance, name)
    }
    if errors:
        raise serializers.ValidationError(errors)


# --- audits ----------------------------------------------------------------------------------------

AUDIT_FIXED = {
    "unit": _("An audit cannot move to another unit; plan a new one."),
    "year": _("An audit cannot move to another year; plan a new one."),
}


class AuditResponseBriefSerializer(serializers.ModelSerializer):
    recognition = serializers.ChoiceField(choices=Recognition.choices, read_only=True)
    given_by = user_field(read_only=True)

    class Meta:
        model = ManagementResponse
        fields = ["recognition", "comments", "given_by", "given_at"]
        read_only_fields = fields


class AuditSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:audit-detail")
    organisation = BriefRelatedField(view_name="api:unit-detail", read_only=True)
    unit = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        error_messages=UNIT_ERRORS,
        help_text=_("The audited business unit or team (fixed once planned)."),
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("The year (fixed once planned)."))
    principles = PrincipleField(
        many=True,
        required=False,
        help_text=_(
            "The principles assessed (ids, active principles of the organisation); default: the year's "
            "principles of the organisation's cycle."
        ),
    )
    assessors = user_field(
        many=True,
        help_text=_(
            "The assessors (user ids): at least two, each an auditor in the organisation, none a member of "
            "the audited unit or a unit above or below it."
        ),
    )
    lead_assessor = user_field(help_text=_("The lead assessor: one of the assessors."))
    status = serializers.ChoiceField(
        choices=AuditStatus.choices,
        required=False,
        help_text=_("Moves only through the steps: POST audits/{id}/ %(steps)s") % {"steps": STEP_NAMES},
    )
    next_step = serializers.SerializerMethodField(
        help_text=_("The step that moves the audit on from its status (null when it is in follow-up).")
    )
    allowed_steps = serializers.SerializerMethodField(
        help_text=_("The steps you may take now (POST audits/{id}/<step>/; the step still checks its gate).")
    )
    cycle = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The id of the organisation's cycle the audit belongs to.")
    )
    management_response = AuditResponseBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The management's response (POST audits/{id}/respond/), or null."),
    )
    created_by = user_field(read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "unit",
            "year",
            "cycle",
            "principles",
            "assessors",
            "lead_assessor",
            "status",
            "next_step",
            "allowed_steps",
            "status_changed_at",
            "scope_note",
            "planned_start",
            "planned_end",
            "management_response",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status_changed_at", "created_at", "updated_at"]

    # A plain string (one of allowed_steps' values): one enum for both would need a settings entry.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_next_step(self, obj) -> str | None:
        return NEXT_STEP.get(obj.status)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(services.AUDIT_STEPS))))
    def get_allowed_steps(self, obj) -> list[str]:
        request = self.context.get("request")
        return services.allowed_steps(request.user, obj) if request is not None else []

    def validate(self, attrs):
        fixed_fields_check(self, attrs, AUDIT_FIXED)
        current = self.instance.status if self.instance is not None else AuditStatus.PLANNED
        if attrs.get("status", current) != current:
            raise serializers.ValidationError(
                {
                    "status": _("The status moves only through the steps: POST audits/{id}/ %(steps)s")
                    % {"steps": STEP_NAMES}
                }
            )
        attrs.pop("status", None)
        start = attrs.get("planned_start", getattr(self.instance, "planned_start", None))
        end = attrs.get("planned_end", getattr(self.instance, "planned_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"planned_end": _("The planned end lies before the planned start.")})
        return attrs


class AuditRespondSerializer(serializers.Serializer):
    recognition = serializers.ChoiceField(
        choices=Recognition.choices, help_text=_("Whether the management recognises the findings.")
    )
    comments = serializers.CharField(max_length=20_000, help_text=_("The management's comments (required)."))


class AuditEvaluateSerializer(serializers.Serializer):
    mark = serializers.IntegerField(min_value=1, max_value=10, help_text=_("A mark from 1 to 10."))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class MaturityQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class MaturityEntrySerializer(serializers.Serializer):
    principle = PrincipleField(read_only=True)
    average = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        rounding=ROUND_HALF_UP,
        coerce_to_string=True,
        read_only=True,
        help_text=_("The exact mean of the units' calibrated scores (a decimal string, four decimals)."),
    )
    level = serializers.IntegerField(read_only=True, help_text=_("The mean rounded half up to a whole level."))
    min = serializers.IntegerField(read_only=True, help_text=_("The lowest calibrated score of a unit."))
    max = serializers.IntegerField(read_only=True, help_text=_("The highest calibrated score of a unit."))
    units = serializers.IntegerField(read_only=True, help_text=_("The number of units with a calibrated score."))
    distribution = serializers.SerializerMethodField(
        help_text=_('How many units have each level: {"1": n, ..., "5": n}.')
    )

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_distribution(self, entry) -> dict:
        counts = getattr(entry, "distribution", None) or {}
        return {str(level): counts.get(level, 0) for level in range(LEVEL_MIN, LEVEL_MAX + 1)}


class AuditSchema(AutoSchema):
    """The maturity figures answer 404 for an organisation out of sight, though their path names none."""

    def answers(self, code: str) -> bool:
        if code == "404" and getattr(self.view, "action", None) == "maturity":
            return True
        return super().answers(code)


MATURITY_PARAMETERS = [
    OpenApiParameter(
        "organisation", OpenApiTypes.INT, required=True, description=_("The organisation's id (one you can see).")
    ),
    OpenApiParameter("year", OpenApiTypes.INT, required=True, description=_("The year, e.g. 2026.")),
]


class AuditViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    viewsets.GenericViewSet,
):
    """Maturity audits (SPEC 6): one business unit in one year, on that year's principles, by at least
    two assessors from other units (none from the unit's line) led by a lead assessor. Planned by the
    organisation's quality officers and administrators; principles, assessors and the lead change while
    planned or in fieldwork, the scope and the planned dates always. The status moves through the steps
    (the lead assessor or the planners): ``start-fieldwork/``, ``start-scoring/``, ``start-calibration/``
    (400 until every assessor scored every principle), ``complete-calibration/`` (400 until every principle
    has a calibrated score), ``request-response/``, ``finalise/`` (400 without the management response),
    ``start-follow-up/``. ``maturity/`` answers the figures per principle of an organisation's year."""

    queryset = Audit.objects.select_related(
        "organisation", "unit", "lead_assessor", "created_by", "management_response__given_by"
    ).prefetch_related("principles", "assessors")
    serializer_class = AuditSerializer
    filterset_class = AuditFilterSet
    ordering_fields = ["year", "status", "planned_start", "created_at", "id"]
    schema = AuditSchema()

    @property
    def query_parameters(self):
        # Read by the maturity figures only (the list takes the FilterSet's).
        return MATURITY_PARAMETERS if getattr(self, "action", None) == "maturity" else []

    def create_object(self, data):
        return services.audit_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        for name in AUDIT_FIXED:
            data.pop(name, None)
        for name in ("principles", "assessors"):
            if name in data:
                data[name] = list(data[name])
        return services.audit_update(actor=self.request.user, audit=instance, **data)

    def step(self, step: str):
        audit = self.get_object()
        serializer = NoBodySerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        services.audit_step(actor=self.request.user, audit=audit, step=step)
        return self.fresh(audit)

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"], url_path="start-fieldwork", url_name="start-fieldwork")
    def start_fieldwork(self, request, pk=None):
        """Planned -> fieldwork: document study and interviews."""
        return self.step("start-fieldwork")

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"], url_path="start-scoring", url_name="start-scoring")
    def start_scoring(self, request, pk=None):
        """Fieldwork -> scoring: each assessor scores each principle on their own."""
        return self.step("start-scoring")

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"], url_path="start-calibration", url_name="start-calibration")
    def start_calibration(self, request, pk=None):
        """Scoring -> calibration: a 400 naming who has not scored what until every assessor scored every
        principle. From here the assessors see each other's scores."""
        return self.step("start-calibration")

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"], url_path="complete-calibration", url_name="complete-calibration")
    def complete_calibration(self, request, pk=None):
        """Calibration -> draft report: a 400 until every principle has a calibrated score."""
        return self.step("complete-calibration")

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"], url_path="request-response", url_name="request-response")
    def request_response(self, request, pk=None):
        """Draft report -> management response: the unit's management is asked for its response."""
        return self.step("request-response")

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """Management response -> final: a 400 without the management's response."""
        return self.step("finalise")

    @extend_schema(request=NoBodySerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"], url_path="start-follow-up", url_name="start-follow-up")
    def start_follow_up(self, request, pk=None):
        """Final -> follow-up: the follow-up actions are under way."""
        return self.step("start-follow-up")

    @extend_schema(request=AuditRespondSerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The unit's management (a team lead of the unit or above it, or a board member) gives or changes
        its response to the draft report, until the audit is final; anyone else is a 400 on
        ``recognition``."""
        return self.act_on_object(services.management_response_give, "audit", AuditRespondSerializer)

    @extend_schema(request=AuditEvaluateSerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """An auditee (a member of the audited unit or a unit below it, not an assessor) rates the audit
        1-10 with a comment, once, from the draft report on."""
        return self.act_on_object(services.evaluation_give, "audit", AuditEvaluateSerializer)

    @extend_schema(responses={200: MaturityEntrySerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="maturity", url_name="maturity")
    def maturity(self, request):
        """The maturity of an organisation in a year, one entry per principle assessed: the exact mean of
        the units' calibrated scores (of the audits that completed calibration: draft report onwards), that
        mean rounded half up to a whole level, min, max, the number of units and how many have each level.
        Both parameters are required; an organisation out of your sight is a 404."""
        query = MaturityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        pk = query.validated_data["organisation"]
        organisation = organisations_for(request.user, Purpose.SEE).filter(pk=pk).first()
        if organisation is None:
            probe_log(request=request, model=OrganisationUnit, lookup={"pk": pk})
            raise NotFound
        entries = maturity_by_principle(organisation=organisation, year=query.validated_data["year"])
        context = self.get_serializer_context()
        return Response(MaturityEntrySerializer(entries, many=True, context=context).data)


# --- scores ----------------------------------------------------------------------------------------

SCORE_FIXED = {
    "audit": _("A score cannot move to another audit."),
    "principle": _("A score cannot move to another principle; score that principle instead."),
}


class AuditScoreSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:audit-score-detail")
    audit = audit_field(help_text=_("The audit (fixed once scored)."))
    principle = PrincipleField(help_text=_("A principle of the audit (fixed once scored)."))
    assessor = user_field(read_only=True, help_text=_("The assessor: always the caller."))
    score = serializers.IntegerField(
        min_value=LEVEL_MIN, max_value=LEVEL_MAX, help_text=_("1 ad hoc ... 5 optimising.")
    )

    class Meta:
        model = AuditScore
        fields = [
            "id",
            "url",
            "display",
            "audit",
            "principle",
            "assessor",
            "score",
            "rationale",
            "design_note",
            "existence_note",
            "operation_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"rationale": {"help_text": _("Why this score (required).")}}

    def validate(self, attrs):
        fixed_fields_check(self, attrs, SCORE_FIXED)
        if self.instance is None:
            request = self.context["request"]
            if AuditScore.objects.filter(
                audit=attrs["audit"], principle=attrs["principle"], assessor=request.user
            ).exists():
                raise serializers.ValidationError(
                    {"principle": _("You already scored this principle in this audit; change that score instead.")}
                )
        return attrs


class AuditScoreViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The assessors' independent scores: each assessor scores each principle of an audit 1-5 with a
    rationale and notes on design (opzet), existence (bestaan) and operation (werking), while the audit
    is in fieldwork or scoring, as themselves. Until the audit is in calibration an assessor lists only
    their own scores (nobody else sees them, superusers included); from calibration on, whoever sees the
    audit sees them all. A score is changed (PATCH) or withdrawn (DELETE) by its own assessor before
    calibration."""

    queryset = AuditScore.objects.select_related("audit__unit", "principle", "assessor")
    serializer_class = AuditScoreSerializer
    filterset_class = AuditScoreFilterSet
    ordering_fields = ["score", "created_at", "updated_at", "id"]

    def create_object(self, data):
        return services.score_save(actor=self.request.user, **data)

    def update_object(self, instance, data):
        if instance.assessor_id != self.request.user.pk:
            raise PermissionDenied(_("Only the assessor changes their score."))
        values = {
            name: data.get(name, getattr(instance, name))
            for name in ("score", "rationale", "design_note", "existence_note", "operation_note")
        }
        return services.score_save(
            actor=self.request.user, audit=instance.audit, principle=instance.principle, **values
        )

    def perform_destroy(self, instance):
        services.score_delete(actor=self.request.user, score=instance)


# --- calibration -----------------------------------------------------------------------------------

CALIBRATION_FIXED = {
    "audit": _("A calibrated score cannot move to another audit."),
    "principle": _("A calibrated score cannot move to another principle."),
}


class AuditCalibrationSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:audit-calibration-detail")
    audit = audit_field(help_text=_("The audit (fixed once calibrated)."))
    principle = PrincipleField(help_text=_("A principle of the audit (fixed once calibrated)."))
    score = serializers.IntegerField(min_value=LEVEL_MIN, max_value=LEVEL_MAX, help_text=_("The calibrated score."))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20_000,
        help_text=_("Required when the score differs from the median of the assessors' scores."),
    )
    median = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        read_only=True,
        help_text=_("The median of the assessors' scores the calibrated score was set against."),
    )
    calibrated_by = user_field(read_only=True)

    class Meta:
        model = AuditCalibration
        fields = [
            "id",
            "url",
            "display",
            "audit",
            "principle",
            "score",
            "reason",
            "median",
            "calibrated_by",
            "calibrated_at",
        ]
        read_only_fields = ["calibrated_at"]
        # A second calibrated score of a principle is a field error on ``principle`` (``validate``).
        validators = []

    def validate(self, attrs):
        fixed_fields_check(self, attrs, CALIBRATION_FIXED)
        if (
            self.instance is None
            and AuditCalibration.objects.filter(audit=attrs["audit"], principle=attrs["principle"]).exists()
        ):
            raise serializers.ValidationError(
                {"principle": _("This principle already has a calibrated score in this audit; change it.")}
            )
        return attrs


class AuditCalibrationViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    viewsets.GenericViewSet,
):
    """The calibrated score of each principle of an audit, set (and changed) by the lead assessor while
    the audit is in calibration. A score that differs from the median of the assessors' scores needs a
    ``reason`` (a 400 on ``reason`` otherwise); the history keeps who, when and why."""

    queryset = AuditCalibration.objects.select_related("audit__unit", "principle", "calibrated_by")
    serializer_class = AuditCalibrationSerializer
    filterset_class = AuditCalibrationFilterSet
    ordering_fields = ["score", "calibrated_at", "id"]

    def create_object(self, data):
        return services.calibration_save(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.calibration_save(
            actor=self.request.user,
            audit=instance.audit,
            principle=instance.principle,
            score=data.get("score", instance.score),
            reason=data.get("reason", instance.reason),
        )


# --- fieldwork -------------------------------------------------------------------------------------


class IntervieweeField(BriefRelatedField):
    """A person the caller sees, or of a unit they assess (an assessor from another unit interviews the
    audited unit's people, whom they do not see otherwise)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", User.objects.all())
        kwargs.setdefault("error_messages", PERSON_ERRORS)
        super().__init__(view_name="api:user-detail", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return User.objects.none()
        user = request.user
        condition = Q(pk__in=User.objects.visible_to(user).values("pk"))
        paths = set(Audit.objects.filter(assessor_links__user=user).values_list("unit__path", flat=True))
        if paths:
            line = Q()
            for path in paths:
                line |= Q(unit__path__startswith=path)
            condition |= Q(pk__in=Membership.objects.filter(line).values("user_id"))
        return User.objects.filter(condition)


class FieldworkItemSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:audit-fieldwork-detail")
    audit = audit_field(help_text=_("The audit."))
    kind = serializers.ChoiceField(choices=FieldworkKind.choices)
    interviewee = IntervieweeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For an interview: the person interviewed (id), who then confirms the record."),
    )
    recorded_by = user_field(read_only=True)
    confirmed_by = user_field(read_only=True)

    class Meta:
        model = FieldworkItem
        fields = [
            "id",
            "url",
            "display",
            "audit",
            "kind",
            "date",
            "subject",
            "interviewee",
            "interviewee_name",
            "notes",
            "confirmed_at",
            "confirmed_by",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["confirmed_at", "created_at"]


class FieldworkItemViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    viewsets.GenericViewSet,
):
    """The fieldwork log of the audits you see: documents studied and interviews held (date, subject,
    who was interviewed), recorded by the assessors from planning until the calibration starts. An
    interviewee who is a user confirms the record with ``POST audit-fieldwork/{id}/confirm/``."""

    queryset = FieldworkItem.objects.select_related("audit__unit", "interviewee", "recorded_by", "confirmed_by")
    serializer_class = FieldworkItemSerializer
    filterset_class = FieldworkItemFilterSet
    ordering_fields = ["date", "created_at", "id"]

    def create_object(self, data):
        return services.fieldwork_add(actor=self.request.user, **data)

    @extend_schema(request=NoBodySerializer, responses={200: FieldworkItemSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The interviewee confirms the record of their interview (only they; once)."""
        return self.act_on_object(services.fieldwork_confirm, "item", NoBodySerializer)


# --- findings --------------------------------------------------------------------------------------

FINDING_FIXED = {"audit": _("A finding cannot move to another audit.")}


@extend_schema_field(OpenApiTypes.STR)
class ThemeNameField(serializers.CharField):
    """A theme, read and written as its name (a name used for the first time joins the organisation's list)."""

    def to_representation(self, value):
        return value.name


class FindingSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:audit-finding-detail")
    audit = audit_field(help_text=_("The audit (fixed once recorded)."))
    kind = serializers.ChoiceField(choices=FindingKind.choices)
    principle = PrincipleField(help_text=_("A principle of the audit."))
    theme = ThemeNameField(
        max_length=100,
        help_text=_("The theme, by name (a new name joins the organisation's list of themes)."),
    )
    created_by = user_field(read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "url",
            "display",
            "audit",
            "kind",
            "principle",
            "theme",
            "title",
            "text",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        fixed_fields_check(self, attrs, FINDING_FIXED)
        return attrs


class FindingViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Findings (areas of attention), recommendations and good examples of the audits you see, each with
    a principle of the audit and a theme (by name). Recorded by the assessors or the organisation's
    quality officers from fieldwork until the audit is final. ``?kind=good_example&q=`` searches the good
    examples."""

    queryset = Finding.objects.select_related("audit__unit", "principle", "theme", "created_by")
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    ordering_fields = ["kind", "title", "created_at", "id"]

    def create_object(self, data):
        return finding_services.finding_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        data.pop("audit", None)
        return finding_services.finding_update(actor=self.request.user, finding=instance, **data)

    def perform_destroy(self, instance):
        finding_services.finding_delete(actor=self.request.user, finding=instance)


routes = [
    ("audits", AuditViewSet, "audit"),
    ("audit-scores", AuditScoreViewSet, "audit-score"),
    ("audit-calibrations", AuditCalibrationViewSet, "audit-calibration"),
    ("audit-findings", FindingViewSet, "audit-finding"),
    ("audit-fieldwork", FieldworkItemViewSet, "audit-fieldwork"),
]
