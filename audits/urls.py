from django.urls import path

from audits.views import audits, library, model, reports  # noqa: F401 (parts fill in)

app_name = "audits"
urlpatterns = [
    # audits (the index is the audit list)
    path("", audits.IndexView.as_view(), name="index"),
    # model
    # library
    # reports
]
