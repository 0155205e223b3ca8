from django.urls import path  # noqa: F401 (the pages fill in)

from reviews import views  # noqa: F401

app_name = "reviews"
urlpatterns = []
