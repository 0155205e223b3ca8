"""The personal dashboard, notifications, and the person's own account pages."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView, TemplateView, View

from qms.choices import SecurityEventKind
from qms.cockpit import cockpit_for
from qms.forms import ProfileForm, TokenCreateForm
from qms.middleware import SUPPORTED
from qms.models import ApiToken, Membership, Notification
from qms.services.notifications import notification_mark_read
from qms.services.organisation import user_update_profile
from qms.services.security import security_event_log, token_create, token_revoke, tokens_revoke_all
from qms.views.generic import ServiceFormView, get_visible_or_404, safe_url


class DashboardView(TemplateView):
    """The landing page: the cockpit of the union of the person's roles (``qms.cockpit``), each tile
    linking to the list behind it."""

    template_name = "qms/cockpit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tiles = cockpit_for(self.request.user)
        context.update(
            tiles=tiles,
            tiles_by_key={tile.key: tile for tile in tiles},
            has_charts=any(tile.chart for tile in tiles),
            memberships=Membership.objects.filter(user=self.request.user).select_related("unit"),
        )
        return context


class NotificationListView(ListView):
    template_name = "qms/notification_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)


class NotificationReadView(View):
    """Mark one notification read and follow its link; or mark all read."""

    def post(self, request, pk=None):
        notification = None
        if pk is not None:
            notification = get_visible_or_404(request, Notification.objects.visible_to(request.user), pk=pk)
        notification_mark_read(user=request.user, notification=notification)
        if notification is not None and safe_url(request, notification.url):
            return HttpResponseRedirect(notification.url)
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        return redirect("qms:notification_list")


class ProfileView(ServiceFormView):
    template_name = "qms/profile.html"
    form_class = ProfileForm
    success_message = _("Your settings are saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.request.user
        return kwargs

    def perform(self, form):
        return user_update_profile(user=self.request.user, **form.cleaned_data)

    def get_success_url(self, result=None):
        return reverse("qms:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.is_valid() and "language" in form.cleaned_data:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.cleaned_data["language"],
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class TokenListView(ServiceFormView):
    """The person's API tokens: create one (shown once), see when each was used, revoke."""

    template_name = "qms/token_list.html"
    form_class = TokenCreateForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = ApiToken.objects.visible_to(self.request.user)
        return context

    def form_valid(self, form):
        token, raw = token_create(user=self.request.user, name=form.cleaned_data["name"], request=self.request)
        return self.render_to_response(self.get_context_data(form=TokenCreateForm(), new_token=raw))


@require_POST
def token_revoke_view(request, pk):
    token = get_visible_or_404(request, ApiToken.objects.visible_to(request.user), pk=pk)
    token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("The token is revoked."))
    return redirect("qms:tokens")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("qms:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_log(kind=SecurityEventKind.PASSWORD_CHANGED, request=self.request)
        tokens_revoke_all(user=self.request.user, reason="password changed", request=self.request)
        return response


@login_not_required
@require_POST
def set_language(request):
    """The language switch: a cookie for everybody, and the person's own setting when logged in."""
    language = request.POST.get("language")
    response = HttpResponseRedirect(safe_url(request, request.POST.get("next"), "/"))
    if language in SUPPORTED:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        if request.user.is_authenticated and request.user.language != language:
            user_update_profile(user=request.user, language=language)
    return response


@login_not_required
@require_GET
def security_txt(request):
    """RFC 9116 security.txt with the responsible-disclosure contact (SPEC 8)."""
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {(timezone.now() + timedelta(days=365)).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        f"Policy: {settings.SITE_URL}{reverse('responsible_disclosure')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def permission_denied(request, exception=None):
    """403 page, with the denial written to the security log."""
    security_event_log(kind=SecurityEventKind.PERMISSION_DENIED, request=request, detail=str(exception or "")[:500])
    return render(request, "403.html", status=403)
