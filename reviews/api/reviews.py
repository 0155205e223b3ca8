"""API of the management review (SPEC 7 and 9): ``management-reviews/``.

Writes go through ``reviews.services.reviews``, the functions the pages call: a review is started with
``organisation``, ``year`` (not after the current one, one per organisation and year) and optionally
``meeting_date``; ``meeting_date`` and ``conclusion`` change with PATCH; the quality officer's commentary
per input (``comment/``), the attendees (``attendees/``) and the decisions with their actions
(``decisions/``) are steps on the review. ``finalise/`` freezes the pack: from then on every write is a
400 and ``pack/`` and ``pdf/`` answer the frozen figures. Reads start from the scoped queryset: whoever
sees the organisation reads its reviews; the organisation's quality officers and administrators write.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from qms.api.base import (
    DirectRepresentationMixin,
    NoBodySerializer,
    QmsModelSerializer,
    QmsViewSetMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
)
from qms.api.fields import BriefRelatedField, CachedIdentityField
from qms.models import Action, OrganisationUnit, User
from reviews.choices import ReviewInput, ReviewStatus
from reviews.filtersets import ReviewFilterSet
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection
from reviews.models.reviews import TEXT_MAX_LENGTH
from reviews.pdf import review_pdf
from reviews.selectors.pack import pack_for
from reviews.services import reviews as services

# A decision with more actions than this is a list to split over decisions, not a body to accept.
MAX_DECISION_ACTIONS = 50

ORGANISATION_ERRORS = {
    "does_not_exist": _("Choose an organisation you can see."),
    "incorrect_type": _("Give the organisation as the id of a unit."),
}
# A person out of the caller's sight reads the same as one that does not exist: it reveals nobody.
PERSON_ERRORS = {
    "does_not_exist": _("Give a person of the organisation of the review."),
    "incorrect_type": _("Give a person as their id."),
}
FIXED_FIELDS = {
    "organisation": _("A review cannot move to another organisation; start a new one."),
    "year": _("A review cannot move to another year; start a new one."),
}


def user_field(**kwargs):
    if kwargs.get("read_only"):
        return BriefRelatedField(view_name="api:user-detail", **kwargs)
    return BriefRelatedField(
        view_name="api:user-detail", queryset=User.objects.all(), error_messages=PERSON_ERRORS, **kwargs
    )


# --- read: the review and its parts ----------------------------------------------------------------


class ReviewSectionSerializer(serializers.ModelSerializer):
    input = serializers.ChoiceField(choices=ReviewInput.choices, read_only=True)
    updated_by = user_field(read_only=True, allow_null=True)

    class Meta:
        model = ReviewSection
        fields = ["input", "commentary", "updated_by", "updated_at"]
        read_only_fields = fields


class ReviewAttendeeSerializer(serializers.ModelSerializer):
    user = user_field(read_only=True, allow_null=True, help_text=_("The person, or null for a guest."))
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = ReviewAttendee
        fields = ["id", "display", "user", "name", "function"]
        read_only_fields = fields


class ReviewDecisionSerializer(serializers.ModelSerializer):
    input = serializers.ChoiceField(choices=ReviewInput.choices, read_only=True)
    recorded_by = user_field(read_only=True, allow_null=True)
    actions = BriefRelatedField(
        view_name="api:action-detail",
        many=True,
        read_only=True,
        help_text=_("The decision's actions: core actions (actions/{id}/) with their owner, due date and status."),
    )

    class Meta:
        model = ReviewDecision
        fields = ["id", "input", "text", "recorded_by", "created_at", "actions"]
        read_only_fields = fields


class ManagementReviewSerializer(DirectRepresentationMixin, QmsModelSerializer):
    url = CachedIdentityField(view_name="api:management-review-detail")
    organisation = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        error_messages=ORGANISATION_ERRORS,
        help_text=_("The organisation (fixed once started)."),
    )
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        help_text=_("The year the review looks back on: not after the current one (fixed once started)."),
    )
    status = serializers.ChoiceField(
        choices=ReviewStatus.choices,
        read_only=True,
        help_text=_("In preparation until POST management-reviews/{id}/finalise/."),
    )
    prepared_by = user_field(read_only=True, allow_null=True)
    finalised_by = user_field(read_only=True, allow_null=True)
    sections = ReviewSectionSerializer(
        many=True,
        read_only=True,
        help_text=_("One per input of ISO 9001 9.3.2, with the commentary (POST management-reviews/{id}/comment/)."),
    )
    attendees = ReviewAttendeeSerializer(
        many=True, read_only=True, help_text=_("Who attended the meeting (POST management-reviews/{id}/attendees/).")
    )
    decisions = ReviewDecisionSerializer(
        many=True,
        read_only=True,
        help_text=_("The meeting's decisions per input with their actions (POST management-reviews/{id}/decisions/)."),
    )

    class Meta:
        model = ManagementReview
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "year",
            "status",
            "meeting_date",
            "conclusion",
            "prepared_by",
            "finalised_by",
            "finalised_at",
            "pack_as_of",
            "sections",
            "attendees",
            "decisions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["finalised_at", "pack_as_of", "created_at", "updated_at"]
        # One review per organisation and year is the service's rule, answered on ``year``.
        validators = []
        extra_kwargs = {
            "meeting_date": {"help_text": _("The date of the meeting (needed to finalise).")},
            "finalised_at": {"help_text": _("When the review was finalised, or null.")},
            "pack_as_of": {"help_text": _("The moment the frozen pack's figures are from, or null in preparation.")},
        }

    def validate(self, attrs):
        instance = self.instance
        if instance is not None:
            errors = {
                name: message
                for name, message in FIXED_FIELDS.items()
                if name in attrs and attrs[name] != getattr(instance, name)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


# --- write: the steps' bodies ----------------------------------------------------------------------


class ReviewCommentSerializer(serializers.Serializer):
    input = serializers.ChoiceField(choices=ReviewInput.choices, help_text=_("The input (section) commented on."))
    commentary = serializers.CharField(
        max_length=TEXT_MAX_LENGTH,
        allow_blank=True,
        help_text=_("The quality officer's commentary on the section (every section needs one to finalise)."),
    )


class ReviewAttendeeAddSerializer(serializers.Serializer):
    user = user_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A person of the organisation (their id); or give a name for a guest."),
    )
    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text=_("A guest's name.")
    )
    function = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReviewDecisionActionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = user_field(help_text=_("An active person of the organisation."))
    due_date = serializers.DateField(help_text=_("Not in the past."))
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)


class ReviewDecisionAddSerializer(serializers.Serializer):
    input = serializers.ChoiceField(choices=ReviewInput.choices, help_text=_("The input the decision is on."))
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text=_("The decision."))
    actions = ReviewDecisionActionSerializer(
        many=True,
        required=False,
        default=list,
        max_length=MAX_DECISION_ACTIONS,
        help_text=_("Its actions (core actions, the owners are told); all or nothing."),
    )


# --- the pack (documentation of its JSON: the answer is the pack as stored or assembled) -----------


class PackFigureSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("An English label (msgid); the pages translate it."))
    value = serializers.JSONField(allow_null=True, help_text=_("A number (decimals as strings), a text or null."))
    unit = serializers.CharField(allow_blank=True, help_text=_('"%", "h" or "".'))
    tone = serializers.CharField(allow_null=True, help_text=_('"good", "warn", "bad" or null.'))


class PackRowSerializer(serializers.Serializer):
    cells = serializers.ListField(child=serializers.JSONField(allow_null=True))
    url = serializers.CharField(allow_null=True, help_text=_("The path of the record on the site, or null."))


class PackTableSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = PackRowSerializer(many=True, help_text=_("At most 20 rows."))
    total = serializers.IntegerField(help_text=_("How many rows there are in all."))


class PackSeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.JSONField(allow_null=True))


class PackChartSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_('"bar", "line" or "stacked".'))
    title = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())
    series = PackSeriesSerializer(many=True)
    unit = serializers.CharField(allow_blank=True)


class PackSectionSerializer(serializers.Serializer):
    input = serializers.ChoiceField(choices=ReviewInput.choices)
    figures = PackFigureSerializer(many=True)
    tables = PackTableSerializer(many=True)
    chart = PackChartSerializer(allow_null=True)
    empty = serializers.CharField(allow_null=True, help_text=_("What the section says when it has no data, or null."))


class ReviewPackSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text=_("The organisation's name."))
    organisation_id = serializers.IntegerField()
    year = serializers.IntegerField()
    as_of = serializers.DateTimeField(help_text=_("When the figures were taken."))
    period = serializers.ListField(
        child=serializers.DateField(), help_text=_("The first and the last day of the year reviewed.")
    )
    sections = PackSectionSerializer(many=True, help_text=_("One per input of ISO 9001 9.3.2, in its order."))


# --- the PDF ---------------------------------------------------------------------------------------


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the PDF itself is answered as it is."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


# --- the viewset -----------------------------------------------------------------------------------


class ManagementReviewViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    viewsets.GenericViewSet,
):
    """Management reviews (SPEC 7): one per organisation and year, prepared by the organisation's quality
    officers and administrators and read by whoever sees the organisation. Start one with
    ``organisation``, ``year`` (not after the current one) and optionally ``meeting_date``; PATCH
    ``meeting_date`` and ``conclusion``. The commentary per input: ``comment/``; the meeting:
    ``attendees/`` and ``decisions/`` (with core actions); ``finalise/`` (400 naming what is missing:
    ``attendees``, ``meeting_date``, ``sections`` without commentary) freezes the pack, after which every
    write is a 400. ``pack/`` answers the figures (frozen, or assembled now), ``pdf/`` the PDF."""

    queryset = ManagementReview.objects.select_related("organisation", "prepared_by", "finalised_by").prefetch_related(
        Prefetch("sections", queryset=ReviewSection.objects.select_related("updated_by").order_by("id")),
        Prefetch("attendees", queryset=ReviewAttendee.objects.select_related("user").order_by("id")),
        Prefetch(
            "decisions",
            queryset=ReviewDecision.objects.select_related("recorded_by")
            .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("due_date", "id")))
            .order_by("id"),
        ),
    )
    serializer_class = ManagementReviewSerializer
    filterset_class = ReviewFilterSet
    ordering_fields = ["year", "meeting_date", "status", "created_at", "id"]

    def create_object(self, data):
        return services.review_create(
            actor=self.request.user,
            organisation=data["organisation"],
            year=data["year"],
            meeting_date=data.get("meeting_date"),
        )

    def update_object(self, instance, data):
        changes = {name: data[name] for name in services.REVIEW_FIELDS if name in data}
        return services.review_update(actor=self.request.user, review=instance, **changes)

    def _act(self, service, kwarg: str, serializer_class, status_code=status.HTTP_200_OK):
        """A step on the review of the URL: the body validated (with the request, for the scoped person
        fields) goes to ``service``; the answer is the review as it is now."""
        review = self.get_object()
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        service(actor=self.request.user, **{kwarg: review}, **serializer.validated_data)
        return self.fresh(review, status_code)

    @extend_schema(request=NoBodySerializer, responses={200: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """In preparation -> finalised: a 400 naming what is missing (``attendees``, ``meeting_date``,
        ``sections`` without commentary). The pack is assembled once more and frozen; the board is told."""
        return self._act(services.review_finalise, "review", NoBodySerializer)

    @extend_schema(request=ReviewCommentSerializer, responses={200: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """Write the commentary of one section (replaces what was there)."""
        return self._act(services.section_comment, "review", ReviewCommentSerializer)

    @extend_schema(request=ReviewAttendeeAddSerializer, responses={201: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def attendees(self, request, pk=None):
        """Record an attendee of the meeting: a person of the organisation (``user``) or a guest (``name``)."""
        return self._act(services.attendee_add, "review", ReviewAttendeeAddSerializer, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewDecisionAddSerializer, responses={201: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        """Record a decision on one input with its actions (``title``, ``owner``, ``due_date``,
        ``description``), all or nothing: a wrong action leaves no decision and no action."""
        review = self.get_object()
        serializer = ReviewDecisionAddSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.decision_add(
            actor=request.user,
            review=review,
            input=data["input"],
            text=data["text"],
            actions=[dict(spec) for spec in data["actions"]],
        )
        return self.fresh(review, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ReviewPackSerializer})
    @action(detail=True, methods=["get"])
    def pack(self, request, pk=None):
        """The review's figures, one section per input of ISO 9001 9.3.2, each with its figures, tables
        and chart: the frozen pack of a finalised review (as of ``pack_as_of``), else assembled now from
        the system's data."""
        return Response(pack_for(self.get_object()))

    # Two renderers make drf-spectacular document ``format``; the API documents no such parameter.
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("format", exclude=True)],
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        """The review as a PDF for the board (A4, page numbers, charts): the frozen pack of a finalised
        review, the live figures of one in preparation."""
        review = self.get_object()
        response = HttpResponse(review_pdf(review, request._request), content_type="application/pdf")
        name = slugify(f"management-review-{review.organisation.name}-{review.year}") or "management-review"
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # An error of pdf/ (404, 403...) is JSON like every other answer, also to a client that asked
        # for the PDF.
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), PdfRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


routes = [
    ("management-reviews", ManagementReviewViewSet, "management-review"),
]
