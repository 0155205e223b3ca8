"""API serializers of the KPI app: validation and representation only (the viewsets call services)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kpis.choices import EscalationStatus, SmartProperty
from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from kpis.selectors.objectives import objective_node
from qms.api.base import QmsModelSerializer
from qms.api.fields import BriefRelatedField
from qms.models import Action, OrganisationUnit, User


class NumberField(serializers.DecimalField):
    """A decimal read without trailing zeros ("99.9", not "99.9000"); written as a number or a string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return format(Decimal(value).normalize(), "f")


def unit_field(**kwargs):
    return BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all(), **kwargs)


def user_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:user-detail", **kwargs)
    return BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all(), **kwargs)


class KpiSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:kpi-detail")
    org_unit = unit_field(help_text=_("The organisation unit the KPI belongs to (fixed once created)."))
    organisation = BriefRelatedField(view_name="api:unit-detail", read_only=True)
    owner = user_field()
    target = NumberField(help_text=Kpi._meta.get_field("target").help_text)
    good_threshold = NumberField(help_text=Kpi._meta.get_field("good_threshold").help_text)
    acceptable_threshold = NumberField(help_text=Kpi._meta.get_field("acceptable_threshold").help_text)
    latest_period = serializers.CharField(read_only=True, allow_null=True)
    latest_value = NumberField(read_only=True, allow_null=True)
    latest_status = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("The latest measurement's status: green, amber or red.")
    )

    class Meta:
        model = Kpi
        fields = [
            "id",
            "url",
            "display",
            "code",
            "name",
            "description",
            "category",
            "org_unit",
            "organisation",
            "measure_unit",
            "direction",
            "frequency",
            "target",
            "good_threshold",
            "acceptable_threshold",
            "owner",
            "is_active",
            "latest_period",
            "latest_value",
            "latest_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The services check the code's uniqueness with a clear message.
        validators = []

    def validate(self, attrs):
        if self.instance is not None and "org_unit" in attrs and attrs["org_unit"] != self.instance.org_unit:
            raise serializers.ValidationError({"org_unit": _("A KPI cannot move to another unit.")})
        return attrs


class KpiDefaultsSerializer(serializers.Serializer):
    organisation = unit_field()
    owner = user_field(required=False, allow_null=True, help_text=_("Default: you."))


class KpiMeasurementSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:kpi-measurement-detail")
    kpi = BriefRelatedField(view_name="api:kpi-detail", queryset=Kpi.objects.all())
    period = serializers.CharField(max_length=7, help_text=_("YYYY-MM, or YYYY-Qn for quarterly KPIs."))
    value = NumberField()
    entered_by = user_field(read_only=True)

    class Meta:
        model = KpiMeasurement
        fields = [
            "id",
            "url",
            "display",
            "kpi",
            "period",
            "value",
            "status",
            "note",
            "entered_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        # One value per KPI and period: the service explains a duplicate and points to the correction.
        validators = []


class MeasurementCorrectionSerializer(serializers.Serializer):
    value = NumberField()
    reason = serializers.CharField(help_text=_("Why the measurement is corrected (kept in its history)."))
    note = serializers.CharField(required=False, allow_blank=True)


class BulkValueSerializer(serializers.Serializer):
    kpi = BriefRelatedField(view_name="api:kpi-detail", queryset=Kpi.objects.all())
    value = NumberField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BulkMeasurementSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text=_("YYYY-MM, or YYYY-Qn for quarterly KPIs."))
    values = BulkValueSerializer(many=True, allow_empty=False)


class FeedbackSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:feedback-detail")
    unit = unit_field()
    score = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, help_text=_("CSAT score, 1 to 5.")
    )
    received_at = serializers.DateTimeField(required=False, help_text=_("Default: now."))
    assigned_to = user_field(read_only=True)
    follow_up = BriefRelatedField(view_name="api:action-detail", read_only=True)
    escalation = BriefRelatedField(view_name="api:feedback-escalation-detail", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "url",
            "display",
            "unit",
            "channel",
            "category",
            "score",
            "negative",
            "comment",
            "received_at",
            "customer_reference",
            "flagged",
            "flag_reason",
            "assigned_to",
            "follow_up",
            "escalation",
            "created_at",
        ]
        read_only_fields = ["flagged", "flag_reason", "created_at"]


class FeedbackEscalationSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:feedback-escalation-detail")
    unit = BriefRelatedField(view_name="api:unit-detail", read_only=True)
    decided_by = user_field(read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackEscalation
        fields = ["id", "url", "display", "unit", "category", "status", "reason", "items"]
        fields += ["decided_by", "decided_at", "decision_note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_items(self, obj) -> list[int]:
        """The ids of the flagged feedback in the escalation."""
        return sorted(item.pk for item in obj.items.all())


class EscalationDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[EscalationStatus.ESCALATED, EscalationStatus.DISMISSED],
        help_text=_("escalated (to a non-conformity) or dismissed."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Why: required to dismiss."))


class KeyResultSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:key-result-detail")
    objective = BriefRelatedField(view_name="api:objective-detail", queryset=Objective.objects.all())
    kpi = BriefRelatedField(view_name="api:kpi-detail", queryset=Kpi.objects.all())
    baseline = NumberField()
    target = NumberField()
    weight = NumberField(max_digits=6, decimal_places=2, required=False)
    current = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = KeyResult
        fields = ["id", "url", "display", "objective", "kpi", "baseline", "target", "weight", "deadline"]
        fields += ["current", "progress"]

    def _item(self, obj):
        node = getattr(obj.objective, "node", None) or objective_node(obj.objective)
        return next(item for item in node.key_results if item.key_result.pk == obj.pk)

    @extend_schema_field(NumberField(allow_null=True))
    def get_current(self, obj) -> str | None:
        current = self._item(obj).current
        return None if current is None else NumberField().to_representation(current)

    @extend_schema_field(NumberField(allow_null=True, help_text=_("0 to 100 (%), from baseline to target.")))
    def get_progress(self, obj) -> str | None:
        progress = self._item(obj).progress
        return None if progress is None else NumberField().to_representation(progress)


class ObjectiveSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:objective-detail")
    unit = unit_field()
    parent = BriefRelatedField(
        view_name="api:objective-detail", queryset=Objective.objects.all(), allow_null=True, required=False
    )
    owner = user_field(allow_null=True, required=False)
    key_results = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    smart_missing = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = [
            "id",
            "url",
            "display",
            "unit",
            "parent",
            "title",
            "period",
            "owner",
            "specific",
            "achievable",
            "relevant",
            "deadline",
            "key_results",
            "progress",
            "smart_missing",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None and "unit" in attrs and attrs["unit"] != self.instance.unit:
            raise serializers.ValidationError({"unit": _("An objective cannot move to another unit.")})
        return attrs

    def _node(self, obj):
        if getattr(obj, "node", None) is None:
            obj.node = objective_node(obj)
        return obj.node

    @extend_schema_field(KeyResultSerializer(many=True))
    def get_key_results(self, obj):
        node = self._node(obj)
        return KeyResultSerializer([item.key_result for item in node.key_results], many=True, context=self.context).data

    @extend_schema_field(
        NumberField(
            allow_null=True,
            help_text=_(
                "The weighted mean of the key results' progress, 0 to 100 (%); without key results of its own, "
                "the mean of its sub-objectives' progress."
            ),
        )
    )
    def get_progress(self, obj) -> str | None:
        progress = self._node(obj).progress
        return None if progress is None else NumberField().to_representation(progress)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=SmartProperty.choices),
            help_text=_("The SMART properties the objective does not state yet."),
        )
    )
    def get_smart_missing(self, obj) -> list[str]:
        return [str(code) for code in self._node(obj).smart_missing]


class IntendedEffectSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:intended-effect-detail")
    action = BriefRelatedField(view_name="api:action-detail", queryset=Action.objects.all())
    kpi = BriefRelatedField(view_name="api:kpi-detail", queryset=Kpi.objects.all())
    expected_change = NumberField(required=False, allow_null=True)
    baseline_from = serializers.CharField(max_length=7, required=False, allow_blank=True)
    baseline_to = serializers.CharField(max_length=7, required=False, allow_blank=True)
    evaluation_from = serializers.CharField(max_length=7, required=False, allow_blank=True)
    evaluation_to = serializers.CharField(max_length=7, required=False, allow_blank=True)
    baseline_value = NumberField(read_only=True, allow_null=True)
    evaluation_value = NumberField(read_only=True, allow_null=True)
    measured_change = NumberField(read_only=True, allow_null=True)
    confirmed_by = user_field(read_only=True)
    follow_up = BriefRelatedField(view_name="api:action-detail", read_only=True)

    class Meta:
        model = IntendedEffect
        fields = [
            "id",
            "url",
            "display",
            "action",
            "kpi",
            "expectation",
            "expected_change",
            "baseline_from",
            "baseline_to",
            "evaluation_from",
            "evaluation_to",
            "evaluate_after",
            "baseline_value",
            "evaluation_value",
            "measured_change",
            "verdict",
            "evaluated_at",
            "explanation",
            "confirmed_by",
            "confirmed_at",
            "follow_up",
            "created_at",
        ]
        read_only_fields = ["evaluate_after", "verdict", "evaluated_at", "explanation", "confirmed_at", "created_at"]
        # One effect per action: the service says so clearly.
        validators = []


class EffectConfirmSerializer(serializers.Serializer):
    explanation = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Required unless the effect was reached.")
    )
