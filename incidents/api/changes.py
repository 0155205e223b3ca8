"""API of the changes part: ``changes/`` (SPEC 9) and its steps.

Writes go through ``incidents.services.changes``, the functions the pages call. The status moves only
through the steps ``POST changes/{id}/assess|decide|conclude|plan|record-test|record-dpia|release|
close|withdraw/``. The assessment and planning fields SPEC 9 lists as writable may also be sent with a
PUT or PATCH: a change of them runs the same step (``assess`` with the values as they would be, or
``plan``), with the same rules and errors.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from incidents.choices import ImpactRating, TestResult
from incidents.filtersets.changes import ChangeFilterSet
from incidents.models import Change, ChangeDecision
from incidents.services import changes as services
from qms.api.base import QmsModelSerializer, ReadCreateUpdateViewSet
from qms.api.fields import BriefRelatedField
from qms.models import OrganisationUnit, User
from qms.periods import FIRST_YEAR, LAST_YEAR
from risks.models import Risk

TZ_HELP = _("A time without a time zone is read as Europe/Amsterdam time.")
PERSON_ERRORS = {
    "does_not_exist": _("Give an active member of the organisation of the change."),
    "incorrect_type": _("Give a person as their id."),
}
RISK_ERRORS = {
    "does_not_exist": _("Choose an open risk of the register of the change's organisation."),
    "incorrect_type": _("Give the register risk as its id."),
}
ASSESSMENT_FIELDS = (
    "privacy_impact",
    "privacy_note",
    "security_impact",
    "security_note",
    "governance_impact",
    "governance_note",
    "architecture_impact",
    "architecture_note",
    "dpia_required",
    "fits_requirements",
    "risk_likelihood",
    "risk_impact",
    "risk",
)
PLAN_FIELDS = ("planned_start", "planned_end", "outside_window_reason")


def unit_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:unit-detail", **kwargs)
    return BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all(), **kwargs)


def user_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:user-detail", **kwargs)
    return BriefRelatedField(
        view_name="api:user-detail", queryset=User.objects.all(), error_messages=PERSON_ERRORS, **kwargs
    )


def risk_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:risk-detail", **kwargs)
    return BriefRelatedField(
        view_name="api:risk-detail", queryset=Risk.objects.all(), error_messages=RISK_ERRORS, **kwargs
    )


class MomentField(serializers.DateTimeField):
    """A moment in the product's years (2000-2100); one without a time zone is Amsterdam time."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", TZ_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        message = _("Give a moment between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        try:
            moment = super().to_internal_value(value)
        except OverflowError:  # year 1 in a time zone west of UTC, or 9999 east of it
            raise serializers.ValidationError(message) from None
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise serializers.ValidationError(message)
        return moment


class ChangeDecisionSerializer(serializers.ModelSerializer):
    stakeholder = user_field(read_only=True)

    class Meta:
        model = ChangeDecision
        fields = ["id", "stakeholder", "approved", "reason", "decided_at"]
        read_only_fields = fields


class ChangeSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:change-detail")
    unit = unit_field(help_text=_("The service or unit the request is about (fixed once submitted)."))
    organisation = unit_field(read_only=True)
    requester = user_field(read_only=True)
    owner = user_field(
        required=False,
        allow_null=True,
        help_text=_("The product owner; by default the organisation's incident coordinator."),
    )
    privacy_impact = serializers.ChoiceField(choices=ImpactRating.choices, required=False, allow_blank=True)
    security_impact = serializers.ChoiceField(choices=ImpactRating.choices, required=False, allow_blank=True)
    governance_impact = serializers.ChoiceField(choices=ImpactRating.choices, required=False, allow_blank=True)
    architecture_impact = serializers.ChoiceField(choices=ImpactRating.choices, required=False, allow_blank=True)
    dpia_required = serializers.BooleanField(
        required=False, help_text=_("Always true when the privacy impact is high.")
    )
    fits_requirements = serializers.BooleanField(required=False, allow_null=True)
    risk_likelihood = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10)
    risk_impact = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10)
    risk = risk_field(
        required=False,
        allow_null=True,
        help_text=_("The register risk of a change at high or above (created when none is given)."),
    )
    dpia_pending = serializers.BooleanField(source="is_dpia_pending", read_only=True)
    dpia_recorded_by = user_field(read_only=True)
    decided_by = user_field(read_only=True)
    tested_by = user_field(read_only=True)
    decisions = ChangeDecisionSerializer(many=True, read_only=True)
    planned_start = MomentField(required=False, allow_null=True)
    planned_end = MomentField(required=False, allow_null=True)
    outside_window_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Required outside the maintenance window.")
    )

    class Meta:
        model = Change
        fields = [
            "id",
            "url",
            "display",
            "kind",
            "title",
            "description",
            "unit",
            "organisation",
            "requester",
            "owner",
            "status",
            "privacy_impact",
            "privacy_note",
            "security_impact",
            "security_note",
            "governance_impact",
            "governance_note",
            "architecture_impact",
            "architecture_note",
            "dpia_required",
            "dpia_pending",
            "dpia_outcome",
            "dpia_recorded_at",
            "dpia_recorded_by",
            "fits_requirements",
            "risk_likelihood",
            "risk_impact",
            "risk_level",
            "risk",
            "assessed_at",
            "decisions",
            "decision_reason",
            "decided_at",
            "decided_by",
            "planned_start",
            "planned_end",
            "in_maintenance_window",
            "outside_window_reason",
            "contacts_warned_at",
            "tested_by",
            "tested_at",
            "test_result",
            "test_notes",
            "released_at",
            "withdraw_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "dpia_outcome",
            "dpia_recorded_at",
            "risk_level",
            "assessed_at",
            "decision_reason",
            "decided_at",
            "in_maintenance_window",
            "contacts_warned_at",
            "tested_at",
            "test_result",
            "test_notes",
            "released_at",
            "withdraw_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "kind": {"required": True},
            "privacy_note": {"required": False},
            "security_note": {"required": False},
            "governance_note": {"required": False},
            "architecture_note": {"required": False},
        }

    def validate(self, attrs):
        if self.instance is not None and "unit" in attrs and attrs["unit"] != self.instance.unit:
            raise serializers.ValidationError({"unit": _("A change cannot move to another unit.")})
        return attrs


# --- steps -------------------------------------------------------------------------------------


class ChangeAssessSerializer(serializers.Serializer):
    privacy_impact = serializers.ChoiceField(choices=ImpactRating.choices)
    privacy_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    security_impact = serializers.ChoiceField(choices=ImpactRating.choices)
    security_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    governance_impact = serializers.ChoiceField(choices=ImpactRating.choices)
    governance_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    architecture_impact = serializers.ChoiceField(choices=ImpactRating.choices)
    architecture_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    dpia_required = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Leave out to follow the privacy impact (required when it is high; false is refused then)."),
    )
    fits_requirements = serializers.BooleanField(help_text=_("Whether it fits the current requirements."))
    risk_likelihood = serializers.IntegerField(min_value=1, max_value=10, help_text=_("On the organisation's matrix."))
    risk_impact = serializers.IntegerField(min_value=1, max_value=10, help_text=_("On the organisation's matrix."))
    risk = risk_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("At high or above: the open register risk to link; leave out to create one."),
    )


class ChangeDecideSerializer(serializers.Serializer):
    approved = serializers.BooleanField(help_text=_("true to approve, false to reject."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ChangePlanSerializer(serializers.Serializer):
    planned_start = MomentField()
    planned_end = MomentField()
    outside_window_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("Required when the moment is outside the maintenance window; the contacts are warned."),
    )


class ChangeTestSerializer(serializers.Serializer):
    tested_at = MomentField()
    result = serializers.ChoiceField(choices=TestResult.choices)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000, help_text=_("Required when it failed.")
    )
    tested_by = user_field(required=False, allow_null=True, default=None, help_text=_("Default: you."))


class ChangeDpiaSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class ChangeReleaseSerializer(serializers.Serializer):
    released_at = MomentField(required=False, allow_null=True, default=None)


class ChangeCloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ChangeReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


DECISIONS = ChangeDecision.objects.select_related("stakeholder").order_by("decided_at", "pk")


class ChangeViewSet(ReadCreateUpdateViewSet):
    """Changes and new wishes (SPEC 5.4). Submit with ``kind``, ``title``, ``unit`` (anyone contributing
    in the unit); the owner defaults to the organisation's incident coordinator. Then ``assess/`` (the
    four impacts, DPIA, requirements, risk on the matrix: high or above links or creates a register
    risk), ``decide/`` (each stakeholder, with a reason), ``conclude/`` (the owner or a coordinator:
    approved or rejected, after at least one stakeholder decided), ``plan/`` (in the maintenance
    window, or outside it with a reason, which warns the contacts), ``record-test/``, ``record-dpia/``
    (a data-protection officer), ``release/`` (refused untested or with a DPIA pending), ``close/`` and
    ``withdraw/``. Times without a time zone are Europe/Amsterdam."""

    queryset = Change.objects.select_related("unit", "organisation", "owner", "requester", "risk").prefetch_related(
        "decided_by", "tested_by", "dpia_recorded_by", Prefetch("decisions", queryset=DECISIONS)
    )
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    ordering_fields = ["planned_start", "created_at", "status", "title", "id"]

    @staticmethod
    def _split(data: dict) -> tuple[dict, dict, dict]:
        assessment = {name: data.pop(name) for name in ASSESSMENT_FIELDS if name in data}
        plan = {name: data.pop(name) for name in PLAN_FIELDS if name in data}
        return data, assessment, plan

    def _apply_steps(self, change: Change, assessment: dict, plan: dict) -> Change:
        """Run the assessment or planning the body changed, with the values as they would be."""
        user = self.request.user
        if any(getattr(change, name) != value for name, value in assessment.items()):
            values = {name: getattr(change, name) for name in ASSESSMENT_FIELDS}
            values.update(assessment)
            for name in ("privacy_note", "security_note", "governance_note", "architecture_note"):
                values[name] = values[name] or ""
            if "dpia_required" not in assessment and change.assessed_at is None:
                values["dpia_required"] = None  # follows the privacy impact
            change = services.change_assess(actor=user, change=change, **values)
        if any(getattr(change, name) != value for name, value in plan.items()):
            values = {name: getattr(change, name) for name in PLAN_FIELDS}
            values.update(plan)
            values["outside_window_reason"] = values["outside_window_reason"] or ""
            change = services.change_plan(actor=user, change=change, **values)
        return change

    def create_object(self, data):
        data, assessment, plan = self._split(data)
        with transaction.atomic():
            change = services.change_create(actor=self.request.user, **data)
            return self._apply_steps(change, assessment, plan)

    def update_object(self, instance, data):
        data.pop("unit", None)  # fixed once submitted (the serializer refuses another one)
        data, assessment, plan = self._split(data)
        with transaction.atomic():
            change = instance
            if data:
                change = services.change_update(actor=self.request.user, change=change, **data)
            return self._apply_steps(change, assessment, plan)

    def step(self, service, serializer_class):
        """A workflow step on the change of the URL: the body (validated with the caller's sight) goes
        to ``service``; the answer is the change as it is now."""
        change = self.get_object()
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        service(actor=self.request.user, change=change, **serializer.validated_data)
        return self.fresh(change)

    @extend_schema(request=ChangeAssessSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Record the impact assessment (again, until the decision is concluded)."""
        return self.step(services.change_assess, ChangeAssessSerializer)

    @extend_schema(request=ChangeDecideSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """A stakeholder's decision with the reason (one each; deciding again replaces it). Not the
        requester or the owner."""
        return self.step(services.change_decide, ChangeDecideSerializer)

    @extend_schema(request=ChangeDecideSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """The owner (or an incident coordinator) concludes: approved (needs a stakeholder's approval) or
        rejected, with the reason, after at least one stakeholder decided."""
        return self.step(services.change_conclude, ChangeDecideSerializer)

    @extend_schema(request=ChangePlanSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        """Plan an approved change: in the maintenance window, or outside it with a reason (the escalation
        contacts of the unit and the units below it are warned at once)."""
        return self.step(services.change_plan, ChangePlanSerializer)

    @extend_schema(request=ChangeTestSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"], url_path="record-test", url_name="record-test")
    def record_test(self, request, pk=None):
        """Record the test: passed makes it tested; failed (with notes) leaves it planned."""
        return self.step(services.change_record_test, ChangeTestSerializer)

    @extend_schema(request=ChangeDpiaSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"], url_path="record-dpia", url_name="record-dpia")
    def record_dpia(self, request, pk=None):
        """The DPIA's outcome, by a data-protection officer of the organisation."""
        return self.step(services.change_record_dpia, ChangeDpiaSerializer)

    @extend_schema(request=ChangeReleaseSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release a tested change; refused untested or with its DPIA pending."""
        return self.step(services.change_release, ChangeReleaseSerializer)

    @extend_schema(request=ChangeCloseSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a released or rejected change."""
        return self.step(services.change_close, ChangeCloseSerializer)

    @extend_schema(request=ChangeReasonSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an open change, with the reason."""
        return self.step(services.change_withdraw, ChangeReasonSerializer)


routes = [("changes", ChangeViewSet, "change")]
