from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.KpiOverviewView.as_view(), name="index"),
    path("add/", views.KpiEditView.as_view(), name="kpi_add"),
    path("defaults/", views.KpiDefaultsView.as_view(), name="kpi_defaults"),
    path("import/", views.MeasurementImportView.as_view(), name="measurement_import"),
    path("<int:pk>/", views.KpiDetailView.as_view(), name="kpi_detail"),
    path("<int:pk>/edit/", views.KpiEditView.as_view(), name="kpi_edit"),
    path("<int:pk>/history/", views.KpiHistoryView.as_view(), name="kpi_history"),
    path("<int:pk>/measurements/add/", views.MeasurementAddView.as_view(), name="measurement_add"),
    path("measurements/<int:pk>/correct/", views.MeasurementCorrectView.as_view(), name="measurement_correct"),
    path("measurements/<int:pk>/history/", views.MeasurementHistoryView.as_view(), name="measurement_history"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback_list"),
    path("feedback/add/", views.FeedbackAddView.as_view(), name="feedback_add"),
    path("feedback/import/", views.FeedbackImportView.as_view(), name="feedback_import"),
    path("feedback/<int:pk>/", views.FeedbackDetailView.as_view(), name="feedback_detail"),
    path("feedback/<int:pk>/history/", views.FeedbackHistoryView.as_view(), name="feedback_history"),
    path(
        "feedback/escalations/<int:pk>/",
        views.FeedbackEscalationDetailView.as_view(),
        name="feedback_escalation_detail",
    ),
    path(
        "feedback/escalations/<int:pk>/history/",
        views.FeedbackEscalationHistoryView.as_view(),
        name="feedback_escalation_history",
    ),
    path(
        "feedback/escalations/<int:pk>/decide/",
        views.FeedbackEscalationDecideView.as_view(),
        name="feedback_escalation_decide",
    ),
    path("objectives/", views.ObjectiveTreeView.as_view(), name="objective_list"),
    path("objectives/add/", views.ObjectiveEditView.as_view(), name="objective_add"),
    path("objectives/<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective_detail"),
    path("objectives/<int:pk>/edit/", views.ObjectiveEditView.as_view(), name="objective_edit"),
    path("objectives/<int:pk>/history/", views.ObjectiveHistoryView.as_view(), name="objective_history"),
    path("objectives/<int:objective>/key-results/add/", views.KeyResultEditView.as_view(), name="key_result_add"),
    path("key-results/<int:pk>/edit/", views.KeyResultEditView.as_view(), name="key_result_edit"),
    path("key-results/<int:pk>/delete/", views.KeyResultDeleteView.as_view(), name="key_result_delete"),
    path("effects/", views.EffectListView.as_view(), name="effect_list"),
    path("effects/add/", views.EffectEditView.as_view(), name="effect_add"),
    path("effects/<int:pk>/", views.EffectDetailView.as_view(), name="effect_detail"),
    path("effects/<int:pk>/edit/", views.EffectEditView.as_view(), name="effect_edit"),
    path("effects/<int:pk>/history/", views.EffectHistoryView.as_view(), name="effect_history"),
    path("effects/<int:pk>/confirm/", views.EffectConfirmView.as_view(), name="effect_confirm"),
]
