"""API of the risk register: ``risks/``, ``risk-measures/``, ``risk-approvals/``.

Writes go through ``risks.services.register``, the functions the pages call: a risk is created and
changed with its owner and assessment checked against the organisation's matrix; the approval
workflow moves through ``submit/``, ``decide/``, ``review/`` and ``close/``. Measures are core actions
(kind mitigation, source the risk), seen through their risk: whoever sees the risk sees its plan.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import filters, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.api.base import QmsModelSerializer, ReadCreateUpdateViewSet, ReadOnlyViewSet
from qms.api.fields import BriefRelatedField
from qms.api.filters import FilterBackend
from qms.choices import ActionStatus
from qms.models import Action, OrganisationUnit, User
from qms.services.actions import action_set_status
from risks.choices import DECIDER_DECISIONS, LEVEL_RANK, ApprovalBody
from risks.filtersets.register import RiskApprovalFilterSet, RiskFilterSet, RiskMeasureFilterSet
from risks.models import Risk, RiskApproval, RiskCategory
from risks.services import register as services


def unit_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:unit-detail", **kwargs)
    return BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all(), **kwargs)


def user_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:user-detail", **kwargs)
    return BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all(), **kwargs)


# Someone out of the caller's sight (or no one at all) cannot own a risk or a measure: the answer says
# what an owner must be, the same whether the id exists or not, so it reveals nobody.
OWNER_ERRORS = {
    "does_not_exist": _("The owner must be an active member of the organisation of the risk."),
    "incorrect_type": _("Give the owner as the id of a person."),
}


# --- approvals (decided through risks/{id}/decide/) --------------------------------------------


APPROVALS = RiskApproval.objects.select_related("risk", "submitted_by", "decided_by")


class RiskApprovalSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:risk-approval-detail")
    risk = BriefRelatedField(view_name="api:risk-detail", read_only=True)
    submitted_by = user_field(read_only=True)
    decided_by = user_field(read_only=True)
    is_pending = serializers.BooleanField(read_only=True)

    class Meta:
        model = RiskApproval
        fields = [
            "id",
            "url",
            "display",
            "risk",
            "body",
            "round",
            "level",
            "is_pending",
            "decision",
            "submitted_by",
            "submitted_at",
            "submission_note",
            "decided_by",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


# --- risks -------------------------------------------------------------------------------------


def category_for(code: str, organisation: OrganisationUnit) -> RiskCategory | None:
    """The active category ``code`` of ``organisation``; its own wins over a default one (as in imports)."""
    found = RiskCategory.objects.for_organisation(organisation).filter(code__iexact=code)
    return max(found, key=lambda category: category.organisation_id is not None, default=None)


class CategoryCodeField(serializers.SlugField):
    """A risk category, read and written as its code (the serializer finds the organisation's category)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.code


class RiskSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:risk-detail")
    category = CategoryCodeField(
        help_text=_(
            "A category code: security, legal, sustainability, corruption, supplier, financial, operational, "
            "privacy, or one the organisation added."
        )
    )
    unit = unit_field(help_text=_("The unit the risk belongs to (fixed once registered)."))
    organisation = unit_field(read_only=True)
    owner = user_field(error_messages=OWNER_ERRORS)
    required_approvals = serializers.ListField(
        child=serializers.ChoiceField(choices=ApprovalBody.choices),
        read_only=True,
        help_text=_(
            "Who approves a risk of this level: nobody (low), the board, or the board and then group management."
        ),
    )
    awaiting_approval_of = serializers.SerializerMethodField()
    measure_count = serializers.IntegerField(read_only=True, help_text=_("Measures in the plan (not cancelled)."))
    open_measure_count = serializers.IntegerField(read_only=True)
    overdue_measure_count = serializers.IntegerField(read_only=True)
    has_plan = serializers.SerializerMethodField()
    review_overdue = serializers.BooleanField(source="is_review_overdue", read_only=True)
    next_review = serializers.DateField(
        required=False,
        help_text=_("Within a year (of today, or of the last review); leave empty for one year from today."),
    )
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("With a change: why (recorded in the history of the risk)."),
    )
    created_by = user_field(read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "url",
            "display",
            "title",
            "description",
            "category",
            "unit",
            "organisation",
            "owner",
            "cause",
            "consequence",
            "likelihood",
            "impact",
            "level",
            "residual_likelihood",
            "residual_impact",
            "residual_level",
            "status",
            "required_approvals",
            "awaiting_approval_of",
            "approved_level",
            "next_review",
            "last_reviewed",
            "review_overdue",
            "measure_count",
            "open_measure_count",
            "overdue_measure_count",
            "has_plan",
            "change_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ApprovalBody.choices)))
    def get_awaiting_approval_of(self, obj) -> list[str]:
        pending = getattr(obj, "pending_approvals", None)
        if pending is None:  # not from the viewset's queryset
            pending = obj.approvals.pending()
        return sorted({approval.body for approval in pending}, key=ApprovalBody.values.index)

    def get_has_plan(self, obj) -> bool:
        return bool(getattr(obj, "measure_count", 0))

    def validate(self, attrs):
        if self.instance is not None:
            if "unit" in attrs and attrs["unit"] != self.instance.unit:
                raise serializers.ValidationError({"unit": _("A risk cannot move to another unit.")})
            organisation = self.instance.organisation
        else:
            organisation = attrs["unit"].organisation
        if "category" in attrs:
            code = attrs["category"]
            keeps = self.instance is not None and self.instance.category.code.lower() == code.lower()
            # A risk keeps a category its organisation no longer uses; only a new one must be in use.
            attrs["category"] = self.instance.category if keeps else category_for(code, organisation)
            if attrs["category"] is None:
                raise serializers.ValidationError(
                    {"category": _("No category with code %(code)s in this organisation.") % {"code": code}}
                )
        return attrs


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("For the approvers."))


class DecisionSerializer(serializers.Serializer):
    body = serializers.ChoiceField(choices=ApprovalBody.choices, help_text=_("Who you decide for."))
    decision = serializers.ChoiceField(choices=DECIDER_DECISIONS)
    # Not required here: the service says when a reason is needed, in its own words.
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required to reject or to ask for changes.")
    )


class ReviewSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField(min_value=1)
    impact = serializers.IntegerField(min_value=1)
    residual_likelihood = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    residual_impact = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("The findings."))
    next_review = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Leave empty for one year from today.")
    )


class ReasonSerializer(serializers.Serializer):
    # Optional here: where a reason is needed (closing or reopening a risk, removing a measure), the
    # service says so in its own words.
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# Levels sort by severity, not alphabetically.
LEVEL_RANKS = {
    f"{field}_rank": Case(
        *(When(**{field: level}, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )
    for field in ("level", "residual_level")
}


class RiskOrderingFilter(filters.OrderingFilter):
    """``?ordering=`` where ``level`` and ``residual_level`` go from low to very high, and equal rows
    keep a stable order (newest first) across pages."""

    ranked = {"level": "level_rank", "residual_level": "residual_level_rank"}

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        terms = []
        for term in ordering:
            descending, name = term.startswith("-"), term.lstrip("-")
            if name in self.ranked:
                queryset = queryset.annotate(**{self.ranked[name]: LEVEL_RANKS[self.ranked[name]]})
                name = self.ranked[name]
            terms.append(f"-{name}" if descending else name)
        if not {"id", "-id", "pk", "-pk"} & set(terms):
            terms.append("-id")
        return queryset.order_by(*terms)


class RiskViewSet(ReadCreateUpdateViewSet):
    """The risk register. ``level`` and ``residual_level`` follow from the organisation's matrix,
    ``required_approvals`` from the level. Submit a risk with its plan (``submit/``); the board (and,
    for a very high risk, then group management) decides with ``decide/``. After approval, and while
    approvals wait, a higher level or a change of plan starts a new round at the board. Whoever changed
    the risk or its plan in a round does not approve it. ``review/`` records the periodic reassessment,
    ``close/`` closes a risk that no longer applies and ``reopen/`` opens it again (each with a reason)."""

    # Three joins, the other related rows by prefetch: PostgreSQL spends ~10 ms planning a page query
    # that joins six tables and filters by the scope's units (far more than running it); measured
    # fastest for both a page and one risk.
    queryset = Risk.objects.select_related("category", "owner", "unit").prefetch_related(
        "organisation",
        "created_by",
        Prefetch("approvals", queryset=RiskApproval.objects.pending(), to_attr="pending_approvals"),
    )
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    filter_backends = [FilterBackend, RiskOrderingFilter]
    ordering_fields = ["title", "level", "residual_level", "next_review", "id"]

    def get_queryset(self):
        # The plan counts by one grouped query over the page ("overdue" as of today).
        return super().get_queryset().counting_plans()

    def create_object(self, data):
        data.pop("change_reason", None)
        return services.risk_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        # The unit is fixed once registered (the serializer refuses another one).
        data.pop("unit", None)
        reason = data.pop("change_reason", "")
        return services.risk_update(actor=self.request.user, risk=instance, reason=reason, **data)

    @extend_schema(request=SubmitSerializer, responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the risk with its plan (it needs an owner and at least one measure). A low risk is
        accepted at once; the others wait for the board."""
        return self.act_on_object(services.risk_submit, "risk", SubmitSerializer)

    @extend_schema(request=DecisionSerializer, responses={200: RiskApprovalSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide for the board or group management on a risk waiting for it: approve, reject or ask
        for changes (the last two with a reason). The risk's owner never decides on it."""
        risk = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.approval_decide(actor=request.user, risk=risk, **serializer.validated_data)
        approval = APPROVALS.get(pk=approval.pk)
        return Response(RiskApprovalSerializer(approval, context=self.get_serializer_context()).data)

    @extend_schema(request=ReviewSerializer, responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record the periodic reassessment; the next review is due within a year (default: in a year)."""
        return self.act_on_object(services.risk_review, "risk", ReviewSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a risk that no longer applies, with the reason; pending approvals are withdrawn."""
        return self.act_on_object(services.risk_close, "risk", ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed risk, with the reason (quality officers and administrators). It is a draft again:
        submit it for approval as a new risk."""
        return self.act_on_object(services.risk_reopen, "risk", ReasonSerializer)


# --- measures ----------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "readOnly": True, "deprecated": True})
class DeprecatedTitleField(serializers.CharField):
    """``title``: the measure's text under its old name, read only for one more release (SPEC 9 calls it
    ``description``)."""


class RiskMeasureSerializer(QmsModelSerializer):
    """A measure as SPEC 9 has it: ``description`` is what the measure is (the action's title, what the
    owner sees in "my actions"), ``details`` how it is carried out (the action's description)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:risk-measure-detail")
    description = serializers.CharField(
        source="title", max_length=200, help_text=_("What the measure is, in a line (up to 200 characters).")
    )
    details = serializers.CharField(
        source="description",
        required=False,
        allow_blank=True,
        help_text=_("How the measure is carried out (optional)."),
    )
    title = DeprecatedTitleField(
        read_only=True, help_text=_("Deprecated: use description. The same text, read only, for one release.")
    )
    risk = BriefRelatedField(
        view_name="api:risk-detail",
        queryset=Risk.objects.all(),
        source="source",
        help_text=_("The risk whose plan the measure belongs to (fixed once added)."),
    )
    owner = user_field(error_messages=OWNER_ERRORS)
    created_by = user_field(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    note = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=_("With a status change: how the measure was finished, or why it was cancelled."),
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "url",
            "display",
            "risk",
            "description",
            "details",
            "title",
            "owner",
            "due_date",
            "status",
            "is_overdue",
            "completed_at",
            "completion_note",
            "note",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["completed_at", "completion_note", "created_at", "updated_at"]

    def to_internal_value(self, data):
        # ``title`` is read only now: a client that still sends it as the text is told so (not ignored
        # silently); echoing it back unchanged with the description is fine.
        if hasattr(data, "get") and data.get("title") is not None and data.get("title") != data.get("description"):
            raise serializers.ValidationError(
                {"description": [_("Give the measure's text as description: title is read only (deprecated).")]}
            )
        return super().to_internal_value(data)

    def validate(self, attrs):
        if self.instance is None:
            if attrs.get("status", ActionStatus.OPEN) != ActionStatus.OPEN:
                raise serializers.ValidationError({"status": _("A new action starts open.")})
        elif "source" in attrs and attrs["source"].pk != self.instance.source_object_id:
            raise serializers.ValidationError({"risk": _("A measure cannot move to another risk.")})
        return attrs


def risk_type() -> ContentType:
    return ContentType.objects.get_for_model(Risk)


class RiskMeasureViewSet(ReadCreateUpdateViewSet):
    """The measures of risks' mitigation plans: core actions (they are in their owners' "my actions")
    seen through their risk. Adding, changing or removing a measure of an approved risk asks for
    approval again; finishing one does not. ``status`` moves along the action workflow; ``cancelled``
    (or ``remove/``) takes the measure out of the plan, kept with its history."""

    queryset = Action.objects.select_related("owner", "created_by").prefetch_related("source")
    serializer_class = RiskMeasureSerializer
    filterset_class = RiskMeasureFilterSet
    ordering_fields = ["due_date", "status", "title", "id"]

    def get_queryset(self):
        risks = Risk.objects.visible_to(self.request.user)
        return self.queryset.filter(source_content_type=risk_type(), source_object_id__in=risks.values("pk"))

    def create_object(self, data):
        # A new measure starts open (the serializer refuses another status); a note goes with a status change.
        data.pop("status", None)
        data.pop("note", None)
        return services.measure_create(actor=self.request.user, risk=data.pop("source"), **data)

    def update_object(self, instance, data):
        data.pop("source", None)
        new_status = data.pop("status", None)
        note = data.pop("note", "")
        measure = instance
        # Both steps or neither: a refused status change leaves the other changes unsaved. The status moves
        # along the action workflow (cancelling needs a note); the plan's rules apply to it as to every
        # change of a measure (``services.measure_changed``).
        with transaction.atomic():
            if data or new_status is None:  # an empty PATCH is allowed only to whoever may edit
                measure = services.measure_update(actor=self.request.user, measure=measure, **data)
            if new_status is not None:
                measure = action_set_status(actor=self.request.user, action=measure, status=new_status, note=note)
        return measure

    @extend_schema(request=ReasonSerializer, responses={200: RiskMeasureSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take the measure out of the plan (it is cancelled and kept, with its history)."""
        return self.act_on_object(services.measure_remove, "measure", ReasonSerializer)


class RiskApprovalViewSet(ReadOnlyViewSet):
    """Every submission of a risk to a body and its decision (who, when, why), per round. A pending
    approval has an empty ``decision``; decide with ``POST risks/{id}/decide/``."""

    queryset = APPROVALS
    serializer_class = RiskApprovalSerializer
    filterset_class = RiskApprovalFilterSet
    ordering_fields = ["submitted_at", "decided_at", "id"]


routes = [
    ("risks", RiskViewSet, "risk"),
    ("risk-measures", RiskMeasureViewSet, "risk-measure"),
    ("risk-approvals", RiskApprovalViewSet, "risk-approval"),
]
