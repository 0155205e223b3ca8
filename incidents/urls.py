from django.urls import path

from incidents.views import breaches, changes, contacts, incidents, nonconformities, problems  # noqa: F401 (parts fill in)

app_name = "incidents"
urlpatterns = [
    # incidents (the index is the incident list)
    path("", incidents.IndexView.as_view(), name="index"),
    path("incidents/", incidents.IncidentListView.as_view(), name="incident_list"),
    path("incidents/add/", incidents.IncidentAddView.as_view(), name="incident_add"),
    path("incidents/preview/", incidents.incident_preview, name="incident_preview"),
    path("incidents/import/", incidents.IncidentImportView.as_view(), name="incident_import"),
    path("incidents/import/template.csv", incidents.incident_import_template, name="incident_import_template"),
    path("incidents/sla-report/", incidents.SlaReportView.as_view(), name="sla_report"),
    path("incidents/<int:pk>/", incidents.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", incidents.IncidentEditView.as_view(), name="incident_edit"),
    path("incidents/<int:pk>/history/", incidents.IncidentHistoryView.as_view(), name="incident_history"),
    path("incidents/<int:pk>/post-update/", incidents.IncidentPostUpdateView.as_view(), name="incident_post_update"),
    path("incidents/<int:pk>/<slug:step>/", incidents.IncidentStepView.as_view(), name="incident_step"),
    # contacts
    path("contacts/", contacts.ContactsView.as_view(), name="contacts"),
    path("contacts/history/", contacts.ContactsHistoryView.as_view(), name="contacts_history"),
    path("contacts/<int:unit>/add/", contacts.ContactAddView.as_view(), name="contact_add"),
    path("contacts/<int:unit>/confirm/", contacts.ContactsConfirmView.as_view(), name="contacts_confirm"),
    path("contacts/remove/<int:pk>/", contacts.ContactRemoveView.as_view(), name="contact_remove"),
    # problems
    path("problems/", problems.ProblemListView.as_view(), name="problem_list"),
    path("problems/add/", problems.ProblemEditView.as_view(), name="problem_add"),
    path("problems/proposed/", problems.ProposalListView.as_view(), name="proposal_list"),
    path("problems/proposed/<int:pk>/accept/", problems.ProposalAcceptView.as_view(), name="proposal_accept"),
    path("problems/proposed/<int:pk>/dismiss/", problems.ProposalDismissView.as_view(), name="proposal_dismiss"),
    path("problems/<int:pk>/", problems.ProblemDetailView.as_view(), name="problem_detail"),
    path("problems/<int:pk>/edit/", problems.ProblemEditView.as_view(), name="problem_edit"),
    path("problems/<int:pk>/history/", problems.ProblemHistoryView.as_view(), name="problem_history"),
    path("problems/<int:pk>/link/", problems.ProblemLinkView.as_view(), name="problem_link"),
    path("problems/<int:pk>/unlink/<int:incident_pk>/", problems.ProblemUnlinkView.as_view(), name="problem_unlink"),
    path("problems/<int:pk>/<slug:step>/", problems.ProblemStepView.as_view(), name="problem_step"),
    # changes
    path("changes/", changes.ChangeListView.as_view(), name="change_list"),
    path("changes/add/", changes.ChangeEditView.as_view(), name="change_add"),
    path("changes/<int:pk>/", changes.ChangeDetailView.as_view(), name="change_detail"),
    path("changes/<int:pk>/edit/", changes.ChangeEditView.as_view(), name="change_edit"),
    path("changes/<int:pk>/history/", changes.ChangeHistoryView.as_view(), name="change_history"),
    path("changes/<int:pk>/assess/", changes.ChangeAssessView.as_view(), name="change_assess"),
    path("changes/<int:pk>/decide/", changes.ChangeDecideView.as_view(), name="change_decide"),
    path("changes/<int:pk>/conclude/", changes.ChangeConcludeView.as_view(), name="change_conclude"),
    path("changes/<int:pk>/plan/", changes.ChangePlanView.as_view(), name="change_plan"),
    path("changes/<int:pk>/record-test/", changes.ChangeTestView.as_view(), name="change_record_test"),
    path("changes/<int:pk>/record-dpia/", changes.ChangeDpiaView.as_view(), name="change_record_dpia"),
    path("changes/<int:pk>/release/", changes.ChangeReleaseView.as_view(), name="change_release"),
    path("changes/<int:pk>/close/", changes.ChangeCloseView.as_view(), name="change_close"),
    path("changes/<int:pk>/withdraw/", changes.ChangeWithdrawView.as_view(), name="change_withdraw"),
    path("roadmap/", changes.RoadmapView.as_view(), name="roadmap"),
    # breaches
    path("breaches/", breaches.BreachListView.as_view(), name="breach_list"),
    path("breaches/add/", breaches.BreachAddView.as_view(), name="breach_add"),
    path("breaches/<int:pk>/", breaches.BreachDetailView.as_view(), name="breach_detail"),
    path("breaches/<int:pk>/history/", breaches.BreachHistoryView.as_view(), name="breach_history"),
    path("breaches/<int:pk>/assess/", breaches.BreachAssessView.as_view(), name="breach_assess"),
    path(
        "breaches/<int:pk>/notify-authority/",
        breaches.BreachNotifyAuthorityView.as_view(),
        name="breach_notify_authority",
    ),
    path(
        "breaches/<int:pk>/authority-not-notified/",
        breaches.BreachAuthorityNotNotifiedView.as_view(),
        name="breach_authority_not_notified",
    ),
    path(
        "breaches/<int:pk>/notify-subjects/",
        breaches.BreachNotifySubjectsView.as_view(),
        name="breach_notify_subjects",
    ),
    path(
        "breaches/<int:pk>/subjects-not-notified/",
        breaches.BreachSubjectsNotNotifiedView.as_view(),
        name="breach_subjects_not_notified",
    ),
    path("breaches/<int:pk>/close/", breaches.BreachCloseView.as_view(), name="breach_close"),
    # nonconformities
]
