"""API of the monthly weighted risk score: ``score-areas/``, ``risk-scores/``, ``investigations/``.

Writes go through ``risks.services.scoring``: the areas of an organisation are replaced as one set
(their weights add up to 100), a month's scores are posted in one request, a closed month is only
changed through ``correct/`` with a reason.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.api.base import QmsModelSerializer, ReadCreateViewSet, ReadOnlyViewSet
from qms.api.fields import BriefRelatedField
from qms.api.serializers import ActionSerializer
from qms.models import OrganisationUnit, User
from qms.periods import month_label, parse_month
from risks.choices import ProgrammeLevel, ScoreSource
from risks.filtersets.scoring import InvestigationFilterSet, MonthlyScoreFilterSet, ScoreAreaFilterSet
from risks.models import Investigation, MonthlyScore, ScoreArea
from risks.services import scoring


class MonthField(serializers.Field):
    """A month written and read as ``YYYY-MM`` (the service's message when it is not one)."""

    def to_internal_value(self, data):
        try:
            return parse_month(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value):
        return month_label(value)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-01"})
class SchemaMonthField(MonthField):
    pass


class ScoreAreaSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:score-area-detail")
    organisation = BriefRelatedField(view_name="api:unit-detail", read_only=True)
    owner = BriefRelatedField(view_name="api:user-detail", read_only=True)

    class Meta:
        model = ScoreArea
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "code",
            "name",
            "weight",
            "owner",
            "description",
            "source",
            "is_active",
            "position",
        ]


class AreaInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    owner = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all(), allow_null=True, required=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=ScoreSource.choices, default=ScoreSource.MANUAL)
    is_active = serializers.BooleanField(default=True)


class AreasReplaceSerializer(serializers.Serializer):
    organisation = BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all())
    areas = AreaInputSerializer(many=True, allow_empty=False)


class AreaScoreEntrySerializer(serializers.Serializer):
    area = serializers.SlugField(help_text=_("The area's code."))
    score = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=100)

    def to_representation(self, instance):
        return {"area": instance.area.code, "score": f"{instance.score:.1f}"}


def check_areas_once(entries) -> list:
    """Each area once in a request: a second score for it would silently replace the first."""
    seen, twice = set(), []
    for entry in entries:
        if entry["area"] in seen and entry["area"] not in twice:
            twice.append(entry["area"])
        seen.add(entry["area"])
    if twice:
        raise serializers.ValidationError(
            _("Give each area once; more than one score for: %(areas)s.") % {"areas": ", ".join(twice)}
        )
    return entries


class MonthlyScoreSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:risk-score-detail")
    organisation = BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all())
    month = SchemaMonthField()
    areas = AreaScoreEntrySerializer(
        many=True,
        source="area_scores",
        allow_empty=False,
        help_text=_("All areas of the month in one request, each once."),
    )
    missing_areas = serializers.SerializerMethodField()
    vasp_level = serializers.ChoiceField(choices=ProgrammeLevel.choices, required=False, allow_blank=True)
    visp_level = serializers.ChoiceField(choices=ProgrammeLevel.choices, required=False, allow_blank=True)
    notices = serializers.SerializerMethodField(
        help_text=_(
            "In the answer to a write only: what became of scores delivered for a derived area (such as "
            "training), in plain words. Where the organisation has data to derive the score from, the derived "
            "score wins and the delivered one is not used; where it has none, the delivered score counts. "
            "The other areas are stored either way."
        )
    )

    class Meta:
        model = MonthlyScore
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "month",
            "areas",
            "total",
            "missing_areas",
            "vasp_level",
            "visp_level",
            "status",
            "closed_at",
            "notices",
        ]
        read_only_fields = ["total", "status", "closed_at"]
        # The month's uniqueness is the service's to explain (closed months have a correction path).
        validators = []

    def validate_areas(self, entries):
        return check_areas_once(entries)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_notices(self, obj) -> list[str]:
        return [str(notice) for notice in getattr(obj, "notices", [])]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_areas(self, obj) -> list[str]:
        active = [area for area in obj.organisation.score_areas.all() if area.is_active]
        return [area.code for area in scoring.missing_areas(obj, areas=active, scores=obj.area_scores.all())]


class CorrectionSerializer(serializers.Serializer):
    areas = AreaScoreEntrySerializer(many=True, help_text=_("The areas to correct (or to add), each once."))
    reason = serializers.CharField()
    vasp_level = serializers.ChoiceField(choices=ProgrammeLevel.choices, required=False, allow_blank=True)
    visp_level = serializers.ChoiceField(choices=ProgrammeLevel.choices, required=False, allow_blank=True)
    recompute_derived = serializers.BooleanField(
        default=False,
        help_text=_("Compute the derived areas again from today's data; without it they keep their scores."),
    )

    def validate_areas(self, entries):
        return check_areas_once(entries)


class InvestigationSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:investigation-detail")
    organisation = BriefRelatedField(view_name="api:unit-detail", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = BriefRelatedField(view_name="api:user-detail", read_only=True)
    month = SchemaMonthField(read_only=True)
    steps = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Investigation
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "area",
            "month",
            "previous_score",
            "score",
            "owner",
            "status",
            "due_date",
            "cause",
            "closed_at",
            "withdrawn_reason",
            "steps",
            "created_at",
        ]
        read_only_fields = fields


class StepSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all())
    due_date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    cause = serializers.CharField(allow_blank=True)


class ReassignSerializer(serializers.Serializer):
    owner = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


def _scores(entries) -> dict:
    return {entry["area"]: entry["score"] for entry in entries}


def _levels(data) -> dict:
    return {key: data[key] for key in ("vasp_level", "visp_level") if key in data}


class ScoreAreaViewSet(ReadOnlyViewSet):
    """The areas of each organisation's monthly risk score. Replace an organisation's areas as one set
    with ``POST score-areas/replace/`` (the active weights must add up to 100)."""

    queryset = ScoreArea.objects.select_related("organisation", "owner")
    serializer_class = ScoreAreaSerializer
    filterset_class = ScoreAreaFilterSet
    ordering_fields = ["position", "code", "weight", "id"]

    @extend_schema(request=AreasReplaceSerializer, responses={200: ScoreAreaSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def replace(self, request):
        serializer = AreasReplaceSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        areas = scoring.areas_set(
            actor=request.user,
            organisation=serializer.validated_data["organisation"],
            areas=[dict(area) for area in serializer.validated_data["areas"]],
        )
        return Response(ScoreAreaSerializer(areas, many=True, context=self.get_serializer_context()).data)


class MonthlyScoreViewSet(ReadCreateViewSet):
    """Monthly risk scores. ``POST risk-scores/`` enters (or completes) an open month with all its
    areas in one request; a closed month changes only through ``POST risk-scores/{id}/correct/`` with
    a reason. ``total`` is the weighted sum, empty while an area is missing."""

    queryset = MonthlyScore.objects.select_related("organisation").prefetch_related(
        "area_scores__area", "organisation__score_areas"
    )
    serializer_class = MonthlyScoreSerializer
    filterset_class = MonthlyScoreFilterSet
    ordering_fields = ["month", "total", "id"]

    def fresh(self, obj, status_code=status.HTTP_200_OK):
        """The month as the list shows it, with the service's notices about this write."""
        response = super().fresh(obj, status_code)
        response.data["notices"] = [str(notice) for notice in getattr(obj, "notices", [])]
        return response

    def create_object(self, data):
        return scoring.scores_enter(
            actor=self.request.user,
            organisation=data["organisation"],
            month=data["month"],
            scores=_scores(data["area_scores"]),
            **_levels(data),
        )

    @extend_schema(request=CorrectionSerializer, responses={200: MonthlyScoreSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        monthly = self.get_object()
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        monthly = scoring.scores_correct(
            actor=request.user,
            organisation=monthly.organisation,
            month=monthly.month,
            scores=_scores(data["areas"]),
            reason=data["reason"],
            recompute_derived=data["recompute_derived"],
            **_levels(data),
        )
        return self.fresh(monthly)


class InvestigationViewSet(ReadOnlyViewSet):
    """Investigations of score drops, opened by the monthly job (``withdrawn`` when a correction removed
    the drop). Add plan steps with ``POST investigations/{id}/steps/``; the owner closes it with the
    cause (``close/``); the owner or a quality officer gives it to another owner (``reassign/``)."""

    queryset = Investigation.objects.select_related("organisation", "area", "owner").prefetch_related(
        "steps__unit", "steps__owner", "steps__created_by"
    )
    serializer_class = InvestigationSerializer
    filterset_class = InvestigationFilterSet
    ordering_fields = ["month", "due_date", "status", "id"]

    @extend_schema(request=StepSerializer, responses={201: ActionSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        investigation = self.get_object()
        serializer = StepSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        step = scoring.investigation_add_step(
            actor=request.user, investigation=investigation, **serializer.validated_data
        )
        return Response(
            ActionSerializer(step, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=CloseSerializer, responses={200: InvestigationSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act_on_object(scoring.investigation_close, "investigation", CloseSerializer)

    @extend_schema(request=ReassignSerializer, responses={200: InvestigationSerializer})
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        investigation = self.get_object()
        serializer = ReassignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        investigation = scoring.investigation_reassign(
            actor=request.user, investigation=investigation, **serializer.validated_data
        )
        # The previous owner may not see it any more: the answer is the record as it is now.
        return Response(self.get_serializer(investigation).data)


routes = [
    ("score-areas", ScoreAreaViewSet, "score-area"),
    ("risk-scores", MonthlyScoreViewSet, "risk-score"),
    ("investigations", InvestigationViewSet, "investigation"),
]
