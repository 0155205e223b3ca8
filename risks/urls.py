from django.urls import path

from risks import views

app_name = "risks"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("register/", views.IndexView.as_view(), name="risk_list"),
    path("<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
]
