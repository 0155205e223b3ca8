"""The project's URLs: the core's pages (namespace ``qms``), each app's pages, the API and its schema."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from qms.views import actions, auth, calendar, dashboard, health, organisation, privacy, security, training

core_patterns = [
    path("units/", organisation.UnitListView.as_view(), name="unit_list"),
    path("units/add/", organisation.UnitEditView.as_view(), name="unit_add"),
    path("units/<int:pk>/", organisation.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", organisation.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/history/", organisation.UnitHistoryView.as_view(), name="unit_history"),
    path("units/<int:pk>/roles/add/", organisation.MembershipAddView.as_view(), name="membership_add"),
    path("units/<int:pk>/calendar/", calendar.CalendarDetailView.as_view(), name="calendar_detail"),
    path("units/<int:pk>/calendar/hours/", calendar.CalendarHoursEditView.as_view(), name="calendar_hours"),
    path("units/<int:pk>/calendar/history/", calendar.CalendarHistoryView.as_view(), name="calendar_history"),
    path("units/<int:pk>/calendar/closed-days/add/", calendar.ClosedDayAddView.as_view(), name="closed_day_add"),
    path("closed-days/<int:pk>/remove/", calendar.ClosedDayRemoveView.as_view(), name="closed_day_remove"),
    path("roles/<int:pk>/delete/", organisation.MembershipDeleteView.as_view(), name="membership_delete"),
    path("people/", organisation.UserListView.as_view(), name="user_list"),
    path("people/add/", organisation.UserEditView.as_view(), name="user_add"),
    path("people/<int:pk>/", organisation.UserDetailView.as_view(), name="user_detail"),
    path("people/<int:pk>/edit/", organisation.UserEditView.as_view(), name="user_edit"),
    path("people/<int:pk>/history/", organisation.UserHistoryView.as_view(), name="user_history"),
    path("people/<int:pk>/erase/", privacy.UserEraseView.as_view(), name="user_erase"),
    path("security/log/", security.SecurityEventListView.as_view(), name="security_log"),
    path("actions/", actions.MyActionListView.as_view(), name="my_actions"),
    path("actions/all/", actions.ActionListView.as_view(), name="action_list"),
    path("actions/add/", actions.ActionEditView.as_view(), name="action_add"),
    path("actions/<int:pk>/", actions.ActionDetailView.as_view(), name="action_detail"),
    path("actions/<int:pk>/edit/", actions.ActionEditView.as_view(), name="action_edit"),
    path("actions/<int:pk>/status/", actions.ActionStatusView.as_view(), name="action_status"),
    path("actions/<int:pk>/history/", actions.ActionHistoryView.as_view(), name="action_history"),
    path("training/", training.MyTrainingListView.as_view(), name="my_trainings"),
    path("training/people/", training.TrainingPeopleView.as_view(), name="training_people"),
    path("training/courses/", training.CourseListView.as_view(), name="course_list"),
    path("training/courses/add/", training.CourseEditView.as_view(), name="course_add"),
    path("training/courses/<int:pk>/", training.CourseDetailView.as_view(), name="course_detail"),
    path("training/courses/<int:pk>/edit/", training.CourseEditView.as_view(), name="course_edit"),
    path("training/courses/<int:pk>/history/", training.CourseHistoryView.as_view(), name="course_history"),
    path("training/courses/<int:pk>/assign/", training.CourseAssignView.as_view(), name="course_assign"),
    path(
        "training/assignments/<int:pk>/",
        training.TrainingAssignmentDetailView.as_view(),
        name="training_assignment_detail",
    ),
    path(
        "training/assignments/<int:pk>/history/",
        training.TrainingAssignmentHistoryView.as_view(),
        name="training_assignment_history",
    ),
    path("training/assignments/<int:pk>/complete/", training.TrainingCompleteView.as_view(), name="training_complete"),
    path("training/assignments/<int:pk>/reopen/", training.TrainingReopenView.as_view(), name="training_reopen"),
    path("training/assignments/<int:pk>/unassign/", training.TrainingUnassignView.as_view(), name="training_unassign"),
    path("notifications/", dashboard.NotificationListView.as_view(), name="notification_list"),
    path("notifications/read/", dashboard.NotificationReadView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/read/", dashboard.NotificationReadView.as_view(), name="notification_read"),
    path("account/", dashboard.ProfileView.as_view(), name="profile"),
    path("account/tokens/", dashboard.TokenListView.as_view(), name="tokens"),
    path("account/data/", privacy.personal_data_download, name="personal_data"),
    path("account/two-factor/", auth.TwoFactorSettingsView.as_view(), name="two_factor"),
    path("account/two-factor/code/", auth.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("account/two-factor/setup/", auth.TwoFactorEnrolView.as_view(), name="two_factor_enrol"),
    path("account/two-factor/recovery-codes/", auth.recovery_codes_renew_view, name="recovery_codes_renew"),
    path("account/two-factor/organisations/", auth.two_factor_policy_view, name="two_factor_policy"),
    path("account/tokens/<int:pk>/revoke/", dashboard.token_revoke_view, name="token_revoke"),
    path("account/password/", dashboard.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("language/", dashboard.set_language, name="set_language"),
]

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    # The login page names the product, not the host (LoginView puts the host into site_name).
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={
                "site_name": settings.SITE_NAME,
                # The demo says that its administrators set up two-factor login at their first login.
                "demo_two_factor": settings.DEMO_MODE and settings.TWO_FACTOR_MANDATORY_FOR_ADMINS,
            },
        ),
        name="login",
    ),
    # Browsers ask for /favicon.ico whatever the page links to (looked up per request: the manifest of
    # the collected static files is read then, not at import).
    path("favicon.ico", login_not_required(lambda request: HttpResponsePermanentRedirect(static("favicon.svg")))),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((core_patterns, "qms"))),
    path("risks/", include("risks.urls")),
    path("kpis/", include("kpis.urls")),
    path("incidents/", include("incidents.urls")),
    path("audits/", include("audits.urls")),
    path("reviews/", include("reviews.urls")),
    path("api/v1/", include("qms.api.urls")),
    path("api/", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's script as a file of its own (?script): no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path(".well-known/security.txt", dashboard.security_txt, name="security_txt"),
    path("responsible-disclosure/", security.responsible_disclosure, name="responsible_disclosure"),
]

handler403 = "qms.views.dashboard.permission_denied"
