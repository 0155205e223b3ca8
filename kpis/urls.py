from django.urls import path

from kpis.views import effects, feedback, kpis, objectives

app_name = "kpis"
urlpatterns = [
    path("", kpis.KpiOverviewView.as_view(), name="index"),
    path("add/", kpis.KpiEditView.as_view(), name="kpi_add"),
    path("defaults/", kpis.KpiDefaultsView.as_view(), name="kpi_defaults"),
    path("import/", kpis.MeasurementImportView.as_view(), name="measurement_import"),
    path("<int:pk>/", kpis.KpiDetailView.as_view(), name="kpi_detail"),
    path("<int:pk>/edit/", kpis.KpiEditView.as_view(), name="kpi_edit"),
    path("<int:pk>/history/", kpis.KpiHistoryView.as_view(), name="kpi_history"),
    path("<int:pk>/measurements/add/", kpis.MeasurementAddView.as_view(), name="measurement_add"),
    path("measurements/<int:pk>/correct/", kpis.MeasurementCorrectView.as_view(), name="measurement_correct"),
    path("measurements/<int:pk>/history/", kpis.MeasurementHistoryView.as_view(), name="measurement_history"),
    path("feedback/", feedback.FeedbackListView.as_view(), name="feedback_list"),
    path("feedback/add/", feedback.FeedbackAddView.as_view(), name="feedback_add"),
    path("feedback/import/", feedback.FeedbackImportView.as_view(), name="feedback_import"),
    path("feedback/<int:pk>/", feedback.FeedbackDetailView.as_view(), name="feedback_detail"),
    path("feedback/<int:pk>/history/", feedback.FeedbackHistoryView.as_view(), name="feedback_history"),
    path(
        "feedback/escalations/<int:pk>/",
        feedback.FeedbackEscalationDetailView.as_view(),
        name="feedback_escalation_detail",
    ),
    path(
        "feedback/escalations/<int:pk>/history/",
        feedback.FeedbackEscalationHistoryView.as_view(),
        name="feedback_escalation_history",
    ),
    path(
        "feedback/escalations/<int:pk>/decide/",
        feedback.FeedbackEscalationDecideView.as_view(),
        name="feedback_escalation_decide",
    ),
    path("objectives/", objectives.ObjectiveTreeView.as_view(), name="objective_list"),
    path("objectives/add/", objectives.ObjectiveEditView.as_view(), name="objective_add"),
    path("objectives/<int:pk>/", objectives.ObjectiveDetailView.as_view(), name="objective_detail"),
    path("objectives/<int:pk>/edit/", objectives.ObjectiveEditView.as_view(), name="objective_edit"),
    path("objectives/<int:pk>/history/", objectives.ObjectiveHistoryView.as_view(), name="objective_history"),
    path("objectives/<int:objective>/key-results/add/", objectives.KeyResultEditView.as_view(), name="key_result_add"),
    path("key-results/<int:pk>/edit/", objectives.KeyResultEditView.as_view(), name="key_result_edit"),
    path("key-results/<int:pk>/delete/", objectives.KeyResultDeleteView.as_view(), name="key_result_delete"),
    path("effects/", effects.EffectListView.as_view(), name="effect_list"),
    path("effects/add/", effects.EffectEditView.as_view(), name="effect_add"),
    path("effects/<int:pk>/", effects.EffectDetailView.as_view(), name="effect_detail"),
    path("effects/<int:pk>/edit/", effects.EffectEditView.as_view(), name="effect_edit"),
    path("effects/<int:pk>/history/", effects.EffectHistoryView.as_view(), name="effect_history"),
    path("effects/<int:pk>/confirm/", effects.EffectConfirmView.as_view(), name="effect_confirm"),
]
