from django.urls import path

from risks import views
from risks.choices import ApprovalBody

app_name = "risks"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("register/", views.RiskListView.as_view(), name="risk_list"),
    path("heatmap/", views.HeatMapView.as_view(), name="heatmap"),
    path("add/", views.RiskEditView.as_view(), name="risk_add"),
    path("import/", views.RiskImportView.as_view(), name="risk_import"),
    path("import/template.csv", views.risk_import_template, name="risk_import_template"),
    path("queue/board/", views.ReviewQueueView.as_view(body=ApprovalBody.BOARD), name="board_queue"),
    path("queue/group/", views.ReviewQueueView.as_view(body=ApprovalBody.GROUP), name="group_queue"),
    path("board/", views.BoardOverviewView.as_view(), name="board_overview"),
    path("matrix/", views.MatrixIndexView.as_view(), name="matrix_index"),
    path("matrix/<int:organisation>/", views.MatrixView.as_view(), name="matrix"),
    path("matrix/<int:organisation>/history/", views.MatrixHistoryView.as_view(), name="matrix_history"),
    path("matrix/<int:organisation>/categories/add/", views.CategoryAddView.as_view(), name="category_add"),
    path("matrix/<int:organisation>/categories/<int:pk>/", views.CategoryChangeView.as_view(), name="category_change"),
    path("<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("<int:pk>/edit/", views.RiskEditView.as_view(), name="risk_edit"),
    path("<int:pk>/history/", views.RiskHistoryView.as_view(), name="risk_history"),
    path("<int:pk>/submit/", views.RiskSubmitView.as_view(), name="risk_submit"),
    path("<int:pk>/review/", views.RiskReviewView.as_view(), name="risk_review"),
    path("<int:pk>/close/", views.RiskCloseView.as_view(), name="risk_close"),
    path("<int:pk>/reopen/", views.RiskReopenView.as_view(), name="risk_reopen"),
    path("<int:pk>/decide/", views.ApprovalDecideView.as_view(), name="approval_decide"),
    path("<int:pk>/measures/add/", views.MeasureAddView.as_view(), name="measure_add"),
    path("measures/<int:pk>/remove/", views.MeasureRemoveView.as_view(), name="measure_remove"),
    # The monthly risk score (issue 4).
    path("scores/", views.ScoreIndexView.as_view(), name="score_index"),
    path("scores/investigations/", views.InvestigationListView.as_view(), name="investigation_list"),
    path("scores/investigations/<int:pk>/", views.InvestigationDetailView.as_view(), name="investigation_detail"),
    path(
        "scores/investigations/<int:pk>/history/",
        views.InvestigationHistoryView.as_view(),
        name="investigation_history",
    ),
    path(
        "scores/investigations/<int:pk>/steps/add/",
        views.InvestigationStepAddView.as_view(),
        name="investigation_step_add",
    ),
    path("scores/investigations/<int:pk>/close/", views.InvestigationCloseView.as_view(), name="investigation_close"),
    path(
        "scores/investigations/<int:pk>/reassign/",
        views.InvestigationReassignView.as_view(),
        name="investigation_reassign",
    ),
    path("scores/group/<int:group>/", views.GroupComparisonView.as_view(), name="score_group"),
    path("scores/<int:organisation>/", views.ScoreDashboardView.as_view(), name="score_dashboard"),
    path("scores/<int:organisation>/areas/", views.ScoreAreasView.as_view(), name="score_areas"),
    path("scores/<int:organisation>/areas/history/", views.ScoreAreasHistoryView.as_view(), name="score_areas_history"),
    path("scores/<int:organisation>/import/", views.ScoreImportView.as_view(), name="score_import"),
    path(
        "scores/<int:organisation>/import/template.csv",
        views.score_import_template,
        name="score_import_template",
    ),
    path("scores/<int:organisation>/<str:month>/", views.ScoreMonthView.as_view(), name="score_month"),
    path(
        "scores/<int:organisation>/<str:month>/history/",
        views.ScoreMonthHistoryView.as_view(),
        name="score_month_history",
    ),
]
