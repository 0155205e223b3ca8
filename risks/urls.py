from django.urls import path

from risks.choices import ApprovalBody
from risks.views import register, scoring

app_name = "risks"
urlpatterns = [
    path("", register.IndexView.as_view(), name="index"),
    path("register/", register.RiskListView.as_view(), name="risk_list"),
    path("board-pack.pdf", register.RiskBoardPackView.as_view(), name="risk_board_pack"),
    path("heatmap/", register.HeatMapView.as_view(), name="heatmap"),
    path("add/", register.RiskEditView.as_view(), name="risk_add"),
    path("import/", register.RiskImportView.as_view(), name="risk_import"),
    path("import/template.csv", register.risk_import_template, name="risk_import_template"),
    path("queue/board/", register.ReviewQueueView.as_view(body=ApprovalBody.BOARD), name="board_queue"),
    path("queue/group/", register.ReviewQueueView.as_view(body=ApprovalBody.GROUP), name="group_queue"),
    path("board/", register.BoardOverviewView.as_view(), name="board_overview"),
    path("matrix/", register.MatrixIndexView.as_view(), name="matrix_index"),
    path("matrix/<int:organisation>/", register.MatrixView.as_view(), name="matrix"),
    path("matrix/<int:organisation>/history/", register.MatrixHistoryView.as_view(), name="matrix_history"),
    path("matrix/<int:organisation>/categories/add/", register.CategoryAddView.as_view(), name="category_add"),
    path(
        "matrix/<int:organisation>/categories/<int:pk>/",
        register.CategoryChangeView.as_view(),
        name="category_change",
    ),
    path("<int:pk>/", register.RiskDetailView.as_view(), name="risk_detail"),
    path("<int:pk>/edit/", register.RiskEditView.as_view(), name="risk_edit"),
    path("<int:pk>/history/", register.RiskHistoryView.as_view(), name="risk_history"),
    path("<int:pk>/submit/", register.RiskSubmitView.as_view(), name="risk_submit"),
    path("<int:pk>/review/", register.RiskReviewView.as_view(), name="risk_review"),
    path("<int:pk>/close/", register.RiskCloseView.as_view(), name="risk_close"),
    path("<int:pk>/reopen/", register.RiskReopenView.as_view(), name="risk_reopen"),
    path("<int:pk>/decide/", register.ApprovalDecideView.as_view(), name="approval_decide"),
    path("<int:pk>/measures/add/", register.MeasureAddView.as_view(), name="measure_add"),
    path("measures/<int:pk>/remove/", register.MeasureRemoveView.as_view(), name="measure_remove"),
    # The monthly risk score (issue 4).
    path("scores/", scoring.ScoreIndexView.as_view(), name="score_index"),
    path("scores/investigations/", scoring.InvestigationListView.as_view(), name="investigation_list"),
    path("scores/investigations/<int:pk>/", scoring.InvestigationDetailView.as_view(), name="investigation_detail"),
    path(
        "scores/investigations/<int:pk>/history/",
        scoring.InvestigationHistoryView.as_view(),
        name="investigation_history",
    ),
    path(
        "scores/investigations/<int:pk>/steps/add/",
        scoring.InvestigationStepAddView.as_view(),
        name="investigation_step_add",
    ),
    path("scores/investigations/<int:pk>/close/", scoring.InvestigationCloseView.as_view(), name="investigation_close"),
    path(
        "scores/investigations/<int:pk>/reassign/",
        scoring.InvestigationReassignView.as_view(),
        name="investigation_reassign",
    ),
    path("scores/group/<int:group>/", scoring.GroupComparisonView.as_view(), name="score_group"),
    path("scores/<int:organisation>/", scoring.ScoreDashboardView.as_view(), name="score_dashboard"),
    path("scores/<int:organisation>/areas/", scoring.ScoreAreasView.as_view(), name="score_areas"),
    path(
        "scores/<int:organisation>/areas/history/",
        scoring.ScoreAreasHistoryView.as_view(),
        name="score_areas_history",
    ),
    path("scores/<int:organisation>/import/", scoring.ScoreImportView.as_view(), name="score_import"),
    path(
        "scores/<int:organisation>/import/template.csv",
        scoring.score_import_template,
        name="score_import_template",
    ),
    path("scores/<int:organisation>/<str:month>/", scoring.ScoreMonthView.as_view(), name="score_month"),
    path(
        "scores/<int:organisation>/<str:month>/history/",
        scoring.ScoreMonthHistoryView.as_view(),
        name="score_month_history",
    ),
]
