from django.urls import path

from audits.views import audits, library, model, reports  # noqa: F401 (parts fill in)

app_name = "audits"
urlpatterns = [
    # audits (the index is the audit list)
    path("", audits.IndexView.as_view(), name="index"),
    # model
    path("model/", model.ModelView.as_view(), name="model"),
    path("model/levels/<int:pk>/edit/", model.LevelEditView.as_view(), name="level_edit"),
    path("model/principles/add/", model.PrincipleAddView.as_view(), name="principle_add"),
    path("model/principles/<int:pk>/", model.PrincipleDetailView.as_view(), name="principle_detail"),
    path("model/principles/<int:pk>/edit/", model.PrincipleEditView.as_view(), name="principle_edit"),
    path("model/principles/<int:pk>/texts/", model.PrincipleTextsView.as_view(), name="principle_texts"),
    path("model/principles/<int:pk>/history/", model.PrincipleHistoryView.as_view(), name="principle_history"),
    path("model/cycle/", model.CycleView.as_view(), name="cycle"),
    path("model/themes/", model.ThemeListView.as_view(), name="themes"),
    # library
    path("good-examples/", library.GoodExampleListView.as_view(), name="good_examples"),
    # reports
]
