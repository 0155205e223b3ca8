from django.urls import path

from qms.views.generic import ObjectDetailView
from risks import views
from risks.models import Investigation, MonthlyScore

app_name = "risks"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("register/", views.IndexView.as_view(), name="risk_list"),
    path("<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
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
