from django.urls import path

from qms.views.generic import ObjectDetailView
from risks import views
from risks.choices import ApprovalBody
from risks.models import Investigation, MonthlyScore

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
    path("matrix/<int:organisation>/categories/add/", views.CategoryAddView.as_view(), name="category_add"),
    path("<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("<int:pk>/edit/", views.RiskEditView.as_view(), name="risk_edit"),
    path("<int:pk>/history/", views.RiskHistoryView.as_view(), name="risk_history"),
    path("<int:pk>/submit/", views.RiskSubmitView.as_view(), name="risk_submit"),
    path("<int:pk>/review/", views.RiskReviewView.as_view(), name="risk_review"),
    path("<int:pk>/close/", views.RiskCloseView.as_view(), name="risk_close"),
    path("<int:pk>/decide/", views.ApprovalDecideView.as_view(), name="approval_decide"),
    path("<int:pk>/measures/add/", views.MeasureAddView.as_view(), name="measure_add"),
    path("measures/<int:pk>/remove/", views.MeasureRemoveView.as_view(), name="measure_remove"),
    # The monthly risk score (issue 4); its pages replace these generic ones.
    path(
        "scores/investigations/<int:pk>/",
        ObjectDetailView.as_view(queryset=Investigation.objects.all(), template_name="generic/object_detail.html"),
        name="investigation_detail",
    ),
    path(
        "scores/<int:organisation>/areas/",
        ObjectDetailView.as_view(queryset=MonthlyScore.objects.all(), template_name="generic/object_detail.html"),
        name="score_areas",
    ),
    path(
        "scores/<int:organisation>/<str:month>/",
        ObjectDetailView.as_view(queryset=MonthlyScore.objects.all(), template_name="generic/object_detail.html"),
        name="score_month",
    ),
]
