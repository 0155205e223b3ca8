from django.urls import path

from audits.views import audits, library, model, reports  # noqa: F401 (parts fill in)

app_name = "audits"
urlpatterns = [
    # audits (the index is the audit list)
    path("", audits.AuditListView.as_view(), name="index"),
    path("add/", audits.AuditAddView.as_view(), name="audit_add"),
    path("fieldwork/<int:pk>/confirm/", audits.FieldworkConfirmView.as_view(), name="fieldwork_confirm"),
    path("findings/<int:pk>/start-nonconformity/", audits.FindingStartNcView.as_view(), name="finding_start_nc"),
    path("<int:pk>/", audits.AuditDetailView.as_view(), name="audit_detail"),
    path("<int:pk>/edit/", audits.AuditEditView.as_view(), name="audit_edit"),
    path("<int:pk>/history/", audits.AuditHistoryView.as_view(), name="audit_history"),
    path("<int:pk>/step/<slug:step>/", audits.AuditStepView.as_view(), name="audit_step"),
    path("<int:pk>/fieldwork/", audits.FieldworkView.as_view(), name="audit_fieldwork"),
    path("<int:pk>/fieldwork/add/", audits.FieldworkAddView.as_view(), name="fieldwork_add"),
    path("<int:pk>/scoring/", audits.ScoringView.as_view(), name="audit_scoring"),
    path("<int:pk>/scoring/<int:principle_pk>/", audits.ScoreSaveView.as_view(), name="score_save"),
    path("<int:pk>/calibration/", audits.CalibrationView.as_view(), name="audit_calibration"),
    path("<int:pk>/calibration/<int:principle_pk>/", audits.CalibrateView.as_view(), name="calibration_save"),
    path("<int:pk>/findings/", audits.FindingsView.as_view(), name="audit_findings"),
    path("<int:pk>/findings/add/", audits.FindingAddView.as_view(), name="finding_add"),
    path("<int:pk>/response/", audits.ResponseView.as_view(), name="audit_response"),
    path("<int:pk>/response/give/", audits.ResponseGiveView.as_view(), name="response_give"),
    path("<int:pk>/evaluation/", audits.EvaluationGiveView.as_view(), name="evaluation_give"),
    path("<int:pk>/follow-up/", audits.FollowUpView.as_view(), name="audit_follow_up"),
    path("<int:pk>/follow-up/add/", audits.FollowUpAddView.as_view(), name="follow_up_add"),
    # model
    path("model/", model.ModelView.as_view(), name="model"),
    path("model/history/", model.ModelHistoryView.as_view(), name="model_history"),
    path("model/levels/<int:pk>/edit/", model.LevelEditView.as_view(), name="level_edit"),
    path("model/principles/add/", model.PrincipleAddView.as_view(), name="principle_add"),
    path("model/principles/<int:pk>/", model.PrincipleDetailView.as_view(), name="principle_detail"),
    path("model/principles/<int:pk>/edit/", model.PrincipleEditView.as_view(), name="principle_edit"),
    path("model/principles/<int:pk>/texts/", model.PrincipleTextsView.as_view(), name="principle_texts"),
    path("model/principles/<int:pk>/history/", model.PrincipleHistoryView.as_view(), name="principle_history"),
    path("model/cycle/", model.CycleView.as_view(), name="cycle"),
    path("model/cycle/history/", model.CycleHistoryView.as_view(), name="cycle_history"),
    path("model/themes/", model.ThemeListView.as_view(), name="themes"),
    # library
    path("good-examples/", library.GoodExampleListView.as_view(), name="good_examples"),
    # reports
    path("maturity/", reports.MaturityReportView.as_view(), name="maturity_report"),
    path("<int:pk>/report/", reports.AuditReportView.as_view(), name="audit_report"),
    path("<int:pk>/report.pdf", reports.AuditReportPdfView.as_view(), name="audit_report_pdf"),
]
