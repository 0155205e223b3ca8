"""Request middleware: the request id in the logs, the language to speak, and login for every page."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from qms.logging import request_id_from, request_id_var, user_id_var
from qms.services.security import two_factor_applies, two_factor_enrolled

SUPPORTED = {code for code, _name in settings.LANGUAGES}

access_logger = logging.getLogger("qms.request")


class RequestIdMiddleware:
    """Gives every request an id (a proxy's well-formed ``X-Request-ID``, else a new one) and writes one
    log line for it when it is answered: method, path (no query string: it may hold search terms), status,
    duration and the user's id. The id is on every log line of the request (``qms.logging``), on the Celery
    tasks it starts, and in the response's ``X-Request-ID`` header, so an operator can follow one request
    from a user's report to the worker. First in MIDDLEWARE, so that even a redirect to HTTPS has one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request.id = request_id_from(request.headers.get("X-Request-ID"))
        request_token = request_id_var.set(request.id)
        user_token = user_id_var.set(None)
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request.id
            user = getattr(request, "user", None)  # the API authenticates in the view: known only now
            if user is not None and user.is_authenticated:
                user_id_var.set(user.pk)
            # The health endpoint is asked every few seconds: only its failures are worth a line.
            if response.status_code != 200 or request.path != "/healthz":
                access_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            user_id_var.reset(user_token)
            request_id_var.reset(request_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After the authentication middleware: log lines of the view carry the user id (a session's).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
        return None


def language_for(request) -> str:
    """The language switch (cookie) wins, then the person's own setting; Dutch otherwise.

    Browsers' Accept-Language is only honoured on the API, where integrations ask for it on purpose:
    in the browser the product speaks Dutch until somebody chooses English.
    """
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    if request.path.startswith("/api/"):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login (views opt out with ``login_not_required``).

    The API is left to DRF, which authenticates tokens as well as sessions and answers 401/403 in JSON
    instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


# Session timestamps (seconds since the epoch), written at login (qms.signals) and kept by the middleware.
SESSION_LOGIN_AT = "qms_login_at"
SESSION_SEEN_AT = "qms_seen_at"
# Last activity is written at most this often: not a session write on every request.
SEEN_RESOLUTION = 60


def session_start(session, now: float | None = None) -> None:
    """Stamp a fresh login's session with its login time and first activity."""
    now = time.time() if now is None else now
    session[SESSION_LOGIN_AT] = now
    session[SESSION_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT_MINUTES without a request, and SESSION_ABSOLUTE_TIMEOUT_HOURS
    after its login whatever the activity (ASVS 3.3). A page asked with an expired session leads to the login
    page, with a message; the API answers as to anybody not logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(SESSION_LOGIN_AT, now)
            seen_at = session.get(SESSION_SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
            if idle or too_old:
                request.session_expired = "idle" if idle else "absolute"  # for the security log (qms.signals)
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)s minutes without activity. Please log in again.")
                    % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES}
                    if idle
                    else _("You were logged out: a session lasts at most %(hours)s hours. Please log in again.")
                    % {"hours": settings.SESSION_ABSOLUTE_TIMEOUT_HOURS},
                )
                if not request.path.startswith("/api/"):
                    return redirect_to_login(request.get_full_path())
            elif now - seen_at >= SEEN_RESOLUTION or SESSION_SEEN_AT not in session:
                session[SESSION_SEEN_AT] = now
        return self.get_response(request)


def two_factor_exempt(view_func):
    """Mark a view a logged-in person may open before their second login step: the step itself,
    enrolment. (Logout and the pages open to everybody are exempt anyway.)"""
    view_func.two_factor_exempt = True
    return view_func


class TwoFactorMiddleware:
    """Where two-factor login applies to a person (qms.services.security.two_factor_applies), a session that
    has not passed the second step is not logged in yet: pages lead to the step (or, for somebody who must
    but has no authenticator yet, to enrolment), and the API sees nobody."""

    EXEMPT_URL_NAMES = {"logout", "login"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.path.startswith("/api/"):
            # DRF marks its views login_not_required: the session's person is simply not there for it.
            if two_factor_applies(user):
                request.user = AnonymousUser()
            return None
        view_class = getattr(view_func, "view_class", None)
        if (
            getattr(view_func, "two_factor_exempt", False)
            or getattr(view_class, "two_factor_exempt", False)
            or getattr(view_func, "login_required", True) is False
            or (request.resolver_match and request.resolver_match.url_name in self.EXEMPT_URL_NAMES)
        ):
            return None
        if not two_factor_applies(user):
            return None
        step = "qms:two_factor_verify" if two_factor_enrolled(user) else "qms:two_factor_enrol"
        return redirect_to_login(request.get_full_path(), resolve_url(step))


class SecurityHeadersMiddleware:
    """What the browser must not keep and may not do (ASVS 14.4): ``Permissions-Policy`` on every answer
    (settings.PERMISSIONS_POLICY), and ``Cache-Control: no-store`` (with ``Pragma: no-cache`` for HTTP/1.0
    caches) on every answer of the application: pages, exports, API answers, the page that shows a new API
    token, the token endpoint's answer. Static files keep their own caching. An answer to somebody not
    logged in that sets its own Cache-Control keeps it; an authenticated one never does.

    Before WhiteNoise in MIDDLEWARE, so that static files carry the Permissions-Policy too. (The
    Content-Security-Policy is django-csp's, Referrer-Policy Django's SecurityMiddleware's.)"""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else None

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if self.static_prefix and request.path.startswith(self.static_prefix):
            return response
        # DRF puts a token's person on the request too (rest_framework.request.Request.user).
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        if authenticated or "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.headers.pop("Expires", None)
        return response
