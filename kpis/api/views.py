"""API viewsets of the KPI app: scoped querysets, writes through ``kpis.services``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from kpis.api.serializers import (
    BulkMeasurementSerializer,
    EffectConfirmSerializer,
    EscalationDecisionSerializer,
    FeedbackEscalationSerializer,
    FeedbackSerializer,
    IntendedEffectSerializer,
    KeyResultSerializer,
    KpiDefaultsSerializer,
    KpiMeasurementSerializer,
    KpiSerializer,
    MeasurementCorrectionSerializer,
    ObjectiveSerializer,
)
from kpis.filtersets import (
    FeedbackEscalationFilterSet,
    FeedbackFilterSet,
    IntendedEffectFilterSet,
    KeyResultFilterSet,
    KpiFilterSet,
    KpiMeasurementFilterSet,
    ObjectiveFilterSet,
)
from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from kpis.selectors.objectives import attach_progress
from kpis.services import effects as effect_services
from kpis.services import feedback as feedback_services
from kpis.services import kpis as kpi_services
from kpis.services import objectives as objective_services
from qms.api.base import ReadCreateUpdateViewSet, ReadCreateViewSet, ReadOnlyViewSet
from qms.api.exceptions import api_field_errors


class KpiViewSet(ReadCreateUpdateViewSet):
    """KPIs with their norms: a measurement is green from ``good_threshold`` on, amber from
    ``acceptable_threshold`` on, red otherwise (in the KPI's ``direction``). ``latest_*`` is the latest
    measurement. ``POST kpis/defaults/`` gives an organisation the default KPI set."""

    queryset = Kpi.objects.select_related("org_unit", "organisation", "owner").with_latest()
    serializer_class = KpiSerializer
    filterset_class = KpiFilterSet
    ordering_fields = ["code", "name", "category", "id"]
    create_service = kpi_services.kpi_create

    def update_object(self, instance, data):
        data.pop("org_unit", None)  # a KPI stays in its unit
        return kpi_services.kpi_update(actor=self.request.user, kpi=instance, **data)

    @extend_schema(request=KpiDefaultsSerializer, responses={201: KpiSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def defaults(self, request):
        serializer = KpiDefaultsSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        created = kpi_services.kpi_defaults_create(actor=request.user, **serializer.validated_data)
        kpis = self.get_queryset().filter(pk__in=[kpi.pk for kpi in created])
        return Response(self.get_serializer(kpis, many=True).data, status=status.HTTP_201_CREATED)


class KpiMeasurementViewSet(ReadCreateViewSet):
    """KPI measurements: one value per KPI and period (``YYYY-MM``, or ``YYYY-Qn`` for quarterly
    KPIs); ``status`` follows from the KPI's norms. A second value for a period is refused: correct
    the measurement with ``POST kpi-measurements/{id}/correct/`` and a reason (kept in its history).
    Integrations post many KPIs for one period at once with ``POST kpi-measurements/bulk/``: all or
    nothing, with the errors per value."""

    queryset = KpiMeasurement.objects.select_related("kpi", "entered_by")
    serializer_class = KpiMeasurementSerializer
    filterset_class = KpiMeasurementFilterSet
    ordering_fields = ["period_start", "value", "id"]
    create_service = kpi_services.measurement_record

    @extend_schema(request=MeasurementCorrectionSerializer, responses={200: KpiMeasurementSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        return self.act_on_object(kpi_services.measurement_correct, "measurement", MeasurementCorrectionSerializer)

    @extend_schema(request=BulkMeasurementSerializer, responses={201: KpiMeasurementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        serializer = BulkMeasurementSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        period, values = serializer.validated_data["period"], serializer.validated_data["values"]
        rows = [
            kpi_services.MeasurementRow(kpi=item["kpi"], period=period, value=item["value"], note=item["note"])
            for item in values
        ]
        try:
            saved = kpi_services.measurements_record_many(actor=request.user, rows=rows)
        except kpi_services.RowsInvalid as error:
            # The same shape as the serializer's own errors for a list: the bad values by their index.
            return Response(
                {"values": {index: api_field_errors(errors) for index, errors in sorted(error.rows.items())}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        measurements = self.get_queryset().filter(pk__in=[measurement.pk for measurement in saved])
        return Response(self.get_serializer(measurements, many=True).data, status=status.HTTP_201_CREATED)


class FeedbackViewSet(ReadCreateViewSet):
    """Customer feedback: a CSAT ``score`` (1-5) and/or a ``comment``. A score at or below the
    threshold (default 2) or ``negative`` feedback is ``flagged`` and assigned to the unit's team
    lead as a follow-up action in the same request; recurring flagged feedback proposes an
    escalation to the quality officer."""

    queryset = Feedback.objects.select_related("unit", "assigned_to", "follow_up", "escalation__unit")
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    ordering_fields = ["received_at", "score", "id"]
    create_service = feedback_services.feedback_receive


class FeedbackEscalationViewSet(ReadOnlyViewSet):
    """Proposed escalations of recurring flagged feedback (N items of one unit and category within D
    days). A quality officer decides with ``POST feedback-escalations/{id}/decide/``: ``escalated`` (to
    a non-conformity) or ``dismissed`` (with the reason in ``note``); who and when are kept."""

    queryset = FeedbackEscalation.objects.select_related("unit", "decided_by").prefetch_related("items")
    serializer_class = FeedbackEscalationSerializer
    filterset_class = FeedbackEscalationFilterSet
    ordering_fields = ["created_at", "id"]

    @extend_schema(request=EscalationDecisionSerializer, responses={200: FeedbackEscalationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self.act_on_object(
            feedback_services.feedback_escalation_decide, "escalation", EscalationDecisionSerializer
        )


class ProgressListMixin:
    """Lists and details carry each objective's progress, computed for the whole page at once."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(self.with_progress(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.with_progress([self.get_object()])[0]).data)


class ObjectiveViewSet(ProgressListMixin, ReadCreateUpdateViewSet):
    """SMART objectives in a goal tree: each serves a ``parent`` objective of its unit or a unit above.
    ``key_results`` (KPIs from a baseline to a target) give the ``progress``, their weighted mean;
    ``smart_missing`` lists what the objective does not state yet. Key results are written through
    ``key-results/``."""

    queryset = Objective.objects.select_related("unit", "parent", "owner")
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilterSet
    ordering_fields = ["period", "deadline", "title", "id"]
    create_service = objective_services.objective_create

    def with_progress(self, objectives):
        return attach_progress(objectives)

    def update_object(self, instance, data):
        data.pop("unit", None)  # an objective stays in its unit
        return objective_services.objective_update(actor=self.request.user, objective=instance, **data)


class KeyResultViewSet(ProgressListMixin, mixins.DestroyModelMixin, ReadCreateUpdateViewSet):
    """Key results of objectives: a KPI of the objective's organisation from ``baseline`` to
    ``target``; ``progress`` is how far its latest value has come (0-100%)."""

    queryset = KeyResult.objects.select_related("objective", "kpi")
    serializer_class = KeyResultSerializer
    filterset_class = KeyResultFilterSet
    ordering_fields = ["id", "deadline"]
    create_service = objective_services.key_result_create

    def with_progress(self, key_results):
        objectives = {
            objective.pk: objective
            for objective in attach_progress(Objective.objects.filter(pk__in={kr.objective_id for kr in key_results}))
        }
        for key_result in key_results:
            key_result.objective = objectives[key_result.objective_id]
        return key_results

    def update_object(self, instance, data):
        if "objective" in data and data.pop("objective") != instance.objective:
            raise ValidationError({"objective": [_("A key result cannot move to another objective.")]})
        return objective_services.key_result_update(actor=self.request.user, key_result=instance, **data)

    def perform_destroy(self, instance):
        objective_services.key_result_delete(actor=self.request.user, key_result=instance)


class IntendedEffectViewSet(ReadCreateViewSet):
    """Intended effects of improvement actions on KPIs: change by ``expected_change`` or get back into
    green. Windows left empty get defaults (the periods before the action, and after it is due).
    After the evaluation window the daily sweep records the ``verdict``; the action's owner confirms
    it or explains it with ``POST intended-effects/{id}/confirm/``."""

    queryset = IntendedEffect.objects.select_related("action", "kpi", "confirmed_by", "follow_up")
    serializer_class = IntendedEffectSerializer
    filterset_class = IntendedEffectFilterSet
    ordering_fields = ["evaluate_after", "id"]
    create_service = effect_services.effect_create

    @extend_schema(request=EffectConfirmSerializer, responses={200: IntendedEffectSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.act_on_object(effect_services.effect_confirm, "effect", EffectConfirmSerializer)
