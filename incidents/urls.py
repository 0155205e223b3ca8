from django.urls import path

from incidents.views import breaches, changes, contacts, incidents, problems  # noqa: F401 (parts fill in)

app_name = "incidents"
urlpatterns = [
    # incidents (the index is the incident list)
    path("", incidents.IndexView.as_view(), name="index"),
    # contacts
    # problems
    # changes
    # breaches
]
