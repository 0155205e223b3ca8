from django.urls import path

from audits import views

app_name = "audits"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
]
