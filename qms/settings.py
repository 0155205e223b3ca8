"""Settings of the QMS, read from environment variables (all of them are listed in .env.example).

With nothing set, the embedded default runs: SQLite in ``var/``, no Redis, Celery on kombu's
``filesystem://`` broker, e-mail to files in ``var/mail/`` (one line each on the terminal).
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis; ``DEBUG=0`` (the default) turns on
the production security settings.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# Tiny typed helpers: every setting below says its type and default in one line.
def envstr(name: str, default: str = "") -> str:
    """An empty variable counts as unset, so .env files can list every name."""
    return os.environ.get(name) or default


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envcrontab(name: str, default: str) -> crontab:
    """A crontab from a five-field string (minute hour day-of-month month day-of-week)."""
    fields = envstr(name, default).split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"{name} must have five crontab fields, not {fields!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


DEBUG = envbool("DEBUG", False)
VAR_DIR = Path(envstr("QMS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET_KEY = "django-insecure-qms-embedded-default-do-not-use-in-production"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for the embedded development default).")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Used in e-mails, where there is no request to build absolute links from.
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = envstr("SITE_NAME", "QMS")
# Demo users with known passwords exist only where this is on (never in production).
DEMO_MODE = envbool("DEMO_MODE", DEBUG)
SECURITY_CONTACT = envstr("SECURITY_CONTACT", "mailto:security@example.org")

INSTALLED_APPS = [
    "qms",
    "risks",
    "kpis",
    "incidents",
    "audits",
    "reviews",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "axes",
    # Two-factor login (TOTP apps and one-time recovery codes): qms/services/security.py.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below); the app checks its settings.
    "csp",
]

MIDDLEWARE = [
    # First: every request has an id in the logs and the response, even a redirect to HTTPS (qms/logging.py).
    "qms.middleware.RequestIdMiddleware",
    # Before WhiteNoise, so that static files get Permissions-Policy too (and keep their own caching).
    "qms.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second login step.
    "django_otp.middleware.OTPMiddleware",
    # After authentication, so that a person's own language setting counts.
    "qms.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an expired session is logged out with a message on the login page.
    "qms.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "qms.middleware.LoginRequiredMiddleware",
    # Where two-factor applies, a session is only logged in after the second step (or enrolment).
    "qms.middleware.TwoFactorMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "qms.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "qms.forms.BootstrapFormRenderer"

# Database: SQLite in var/ unless DATABASE_URL points elsewhere (postgres://user:pass@host:5432/name).
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT compilation: it pays off for long analytical queries, and on this application's short
        # ones it added 30-40 ms to a page of the register at 100,000 risks.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # A file (not memory) so that a Celery worker in another process sees the test data.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
            "OPTIONS": {
                # The web server and the Celery worker write at the same time: take the write lock at
                # the start of a transaction and wait for it instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite builds the index without the extra
# columns, which is what the embedded default wants, so its warning says nothing to act on.
SILENCED_SYSTEM_CHECKS = [] if DATABASE_URL else ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is both the Celery broker and the cache when REDIS_URL is set.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    # A miss instead of an error while Redis is away (qms/cache.py): the cache holds nothing that must last.
    CACHES = {"default": {"BACKEND": "qms.cache.TolerantRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The rate limits (API throttles, login lockouts) live in the cache: a cache per process would multiply
# every limit by the number of workers, so production insists on the shared one. A deployment that
# really runs one process says so with ALLOW_LOCAL_CACHE=1.
ALLOW_LOCAL_CACHE = envbool("ALLOW_LOCAL_CACHE", False)
if not DEBUG and not REDIS_URL and not ALLOW_LOCAL_CACHE:
    raise ImproperlyConfigured(
        "Set REDIS_URL: with DEBUG off the rate limits and login lockouts need a cache shared by every "
        "process (or ALLOW_LOCAL_CACHE=1 for a deployment that runs a single process)."
    )

AUTH_USER_MODEL = "qms.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username + IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Sessions (ASVS 3.3): logged out after SESSION_IDLE_TIMEOUT_MINUTES without a request and, whatever the
# activity, SESSION_ABSOLUTE_TIMEOUT_HOURS after the login (qms.middleware.SessionTimeoutMiddleware); the
# cookie dies with the browser.
SESSION_IDLE_TIMEOUT_MINUTES = envint("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = envint("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor login (django-otp): mandatory for superusers and administrators (unless switched off here),
# and for everyone with a role in an organisation that requires it (OrganisationUnit.two_factor_required).
TWO_FACTOR_MANDATORY_FOR_ADMINS = envbool("TWO_FACTOR_MANDATORY_FOR_ADMINS", True)
OTP_TOTP_ISSUER = SITE_NAME
# Every wrong code doubles the wait before the next try (1 s, 2 s, 4 s...), per device.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# The client's address, for the lockouts, the API rate limits and the security log (qms.http.client_ip):
# with TRUSTED_PROXY_COUNT proxies in front, the address the outermost of them saw (that many entries
# from the right of X-Forwarded-For); with none, the socket's, and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Login throttling: lock a username from one IP address after AXES_FAILURE_LIMIT failures, so that
# an attacker cannot lock everybody out from one address, nor one user out from everywhere.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Axes asks the one helper, not django-ipware (whose proxy count means something else: see qms/http.py).
AXES_CLIENT_IP_CALLABLE = "qms.http.client_ip"

# Internationalisation: Dutch by default, English on request; Amsterdam time.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "qms_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = envstr("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True
# English with day-month dates and the 24-hour clock, as the Dutch formats have them (qms/formats/en).
FORMAT_MODULE_PATH = ["qms.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one in development
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# E-mail: EMAIL_URL (smtp://user:password@host:587?tls=1, console://, locmem://) or the EMAIL_* variables;
# with neither, files in var/mail/ under DEBUG (qms/mail.py) and the console otherwise.
def _email_from_url(url: str) -> dict:
    parts = urlparse(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {sorted(backends)}, not {parts.scheme!r}")
    return {
        "EMAIL_BACKEND": backends[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", "0").lower() in ("1", "true"),
        "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "0").lower() in ("1", "true"),
    }


if envstr("EMAIL_URL"):
    globals().update(_email_from_url(envstr("EMAIL_URL")))
else:
    # The embedded default (DEBUG, nothing configured) writes each e-mail to a file in var/mail/ and prints
    # one line for it, instead of whole messages in the terminal of `make run`.
    EMAIL_BACKEND = envstr(
        "EMAIL_BACKEND", "qms.mail.FileEmailBackend" if DEBUG else "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
    EMAIL_PORT = envint("EMAIL_PORT", 25)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "QMS <qms@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[QMS] "

# Production hardening; every value can be overridden, but the defaults pass `check --deploy`.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Cookie name prefixes (ASVS 3.4.4): a browser takes a __Host- cookie only when it is Secure, for the whole
# host (Path=/, no Domain), so neither a sibling subdomain nor a plain-HTTP page can plant or overwrite one.
# Only where the cookies are secure (production): plain names under DEBUG, where a __Host- cookie would be
# refused over http://.
COOKIE_PREFIX = "__Host-" if SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE else ""
SESSION_COOKIE_NAME = f"{COOKIE_PREFIX}sessionid"
CSRF_COOKIE_NAME = f"{COOKIE_PREFIX}csrftoken"
LANGUAGE_COOKIE_NAME = f"{COOKIE_PREFIX}{LANGUAGE_COOKIE_NAME}"  # set Secure with the session's (qms.views)
# Content-Security-Policy (django-csp): scripts, styles and everything else from our own static files only;
# no inline script or style anywhere (the pages' behaviour is in static/js, qms.js for the small handlers).
# The API docs relax it for their page only (qms/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap draws its small icons (select arrows, close buttons) as data: SVGs.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Browser features no page of ours uses, switched off for every answer (qms.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "usb",
        "xr-spatial-tracking",
    )
)

# The admin shows the history of a record but never reverts to an old version: that would write around
# the services (a unit's path, an action's transitions). See qms/admin.py.
SIMPLE_HISTORY_REVERT_DISABLED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qms.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qms.api.pagination.LimitOffsetPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "qms.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON only in production (a browser asking for HTML gets JSON, or 406); the browsable API in development.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_SCHEMA_CLASS": "qms.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "qms.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "qms.api.throttling.AnonRateThrottle",
        "qms.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envstr("API_THROTTLE_ANON", "60/minute"),
        "user": envstr("API_THROTTLE_USER", "3000/minute"),
        "auth": envstr("API_THROTTLE_AUTH", "10/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Who the client is for the rate limits: qms.http.client_ip (the throttles in qms/api/throttling.py
    # ask it); DRF's own rule, for any other throttle, gets the same count of trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 500
API_TOKEN_TTL = timedelta(days=envint("API_TOKEN_TTL_DAYS", 90))

SPECTACULAR_SETTINGS = {
    "TITLE": "QMS API",
    "DESCRIPTION": (
        "REST API of the quality and risk management system. Authenticate with "
        "`POST /api/v1/auth/token/` and send `Authorization: Token <token>`. Every list is "
        "paginated (limit/offset), filterable and orderable, and scoped to what the caller may see."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several resources share (or whose field names collide).
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "qms.choices.ActionStatus",
        "RiskStatusEnum": "risks.choices.RiskStatus",
        # Months and investigations are both open or closed: one enum.
        "OpenClosedStatusEnum": "risks.choices.MonthStatus",
        "ProgrammeLevelEnum": "risks.choices.ProgrammeLevel",
        "RiskLevelEnum": "risks.choices.RiskLevel",
        "ApprovalBodyEnum": "risks.choices.ApprovalBody",
        "FeedbackCategoryEnum": "kpis.choices.FeedbackCategory",
        "IncidentCategoryEnum": "incidents.choices.IncidentCategory",
        # The four impact areas of a change share one scale.
        "ImpactRatingEnum": "incidents.choices.ImpactRating",
        "TestResultEnum": "incidents.choices.TestResult",
        "NcKindEnum": "incidents.choices.NcKind",
        "NcSourceEnum": "incidents.choices.NcSource",
        "NcVerdictEnum": "incidents.choices.Verdict",
        "NcActionKindEnum": "incidents.api.nonconformities.NC_ACTION_KINDS",
        # Named once non-conformities brought a second "kind" and "source".
        "ActionKindEnum": "qms.choices.ActionKind",
        "ScoreSourceEnum": "risks.choices.ScoreSource",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/celery,
# so that `make run` runs the scheduled jobs without Redis.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        # kombu's default is ./control, relative to wherever a process happens to start.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # A late-acknowledged task whose worker died goes back to the queue after this many seconds:
    # longer than the longest task's time_limit (qms/tasks.py, risks/tasks.py).
    _visibility_timeout = envint("CELERY_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Workers look for such tasks every minute at most (kombu's default: every 100 s).
        "unacked_restore_interval": min(60, max(1, _visibility_timeout // 10)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 1,
    }
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Reliability (Celery's guidance): late acknowledgement, and redelivery when the worker dies, only for
# the tasks that are idempotent: they say so themselves (qms/tasks.py) or below. One task at a time per
# worker process, so a late-acked task does not hold others hostage.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With the broker down, a request that enqueues after commit gives up within about a second instead of
# hanging; what it would have sent stays in the database for the periodic sweep ("due-emails").
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One beat only: the scheduler holds a lock in Redis and a second beat started by mistake sends nothing
# (qms/beat.py; QMS_BEAT_LOCK_SECONDS is how long a dead beat's lock outlives it).
CELERY_BEAT_SCHEDULER = "qms.beat:LockedScheduler"
QMS_BEAT_LOCK_SECONDS = envint("QMS_BEAT_LOCK_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    # The daily sweep: overdue actions (and, as apps register them, overdue reviews, approvals and
    # measurements) escalate to managers and quality officers. Early, before the working day starts.
    "daily-escalations": {
        "task": "qms.tasks.run_escalations",
        "schedule": envcrontab("ESCALATIONS_CRONTAB", "0 6 * * *"),
    },
    # The monthly risk score: close the previous month and open investigations for drops, early on
    # the first of the month (TIME_ZONE), before the daily sweep.
    "monthly-scoring": {
        "task": "risks.run_monthly_scoring",
        "schedule": envcrontab("MONTHLY_SCORING_CRONTAB", "0 2 1 * *"),
    },
    # The e-mail sweep: notifications whose e-mail is due and unsent (the broker was down when they
    # were made, or their sender died) go out; each once, by a conditional claim.
    "due-emails": {
        "task": "qms.tasks.send_due_notification_emails",
        "schedule": envcrontab("DUE_EMAILS_CRONTAB", "*/5 * * * *"),
    },
    # Retention (SPEC 8): delete or anonymise what has outlived its period (RETENTION_DAYS), at night
    # when nobody works, after the monthly job and before the daily sweep.
    "daily-retention": {
        "task": "qms.tasks.run_retention",
        "schedule": envcrontab("RETENTION_CRONTAB", "30 3 * * *"),
    },
    # The incident SLA watch (SPEC 5.2): warn owners at 75 % of the restore target, escalate at 100 %.
    # Every 5 minutes so a 4-hour P1 target is watched closely; one indexed query when nothing is due.
    "incident-sla": {
        "task": "incidents.run_incident_sla",
        "schedule": envcrontab("INCIDENT_SLA_CRONTAB", "*/5 * * * *"),
    },
    # Missed P1 hourly updates (07:00-22:00 Amsterdam). Every 5 minutes rather than on the hour: a missed
    # hour is noticed within minutes even when a beat tick is lost or the worker was busy at :00, and a
    # run that finds nothing due costs one indexed query (each hour is claimed once, so reruns are free).
    "p1-updates": {
        "task": "incidents.run_p1_updates",
        "schedule": envcrontab("P1_UPDATES_CRONTAB", "*/5 * * * *"),
    },
    # Data-breach reminders (GDPR 72 hours): owner at 24 h and 48 h, quality officers and board at 60 h,
    # overdue past 72 h; each once per breach (claimed in reminders_sent). Every 15 minutes: a reminder
    # comes at most a quarter of an hour late on a 72-hour clock.
    "breach-reminders": {
        "task": "incidents.run_breach_reminders",
        "schedule": envcrontab("BREACH_REMINDERS_CRONTAB", "*/15 * * * *"),
    },
}

# Retention (SPEC 8): days each kind of record is kept before the daily job deletes or anonymises it
# (qms/services/retention.py; apps register their rules, e.g. kpis' feedback comments). 0 keeps for ever.
# Override any of them: RETENTION_DAYS="security_events=730,notifications=90".
RETENTION_DAYS = {
    "security_events": 365,  # the security log: a year, enough to investigate an incident found late
    "login_records": 90,  # django-axes' login and lock-out records (user names, addresses)
    "notifications": 180,  # the bell; the work they pointed at keeps its own history
    "expired_api_tokens": 90,  # days after a token stopped working
    "email_files": 30,  # messages the embedded default's file backend wrote under var/mail
    "closed_feedback_comments": 730,  # comments of feedback whose follow-up is over (kpis)
}


def intpairs(variable: str, items: list[str]) -> dict[str, int]:
    """``name=number`` items (of the environment variable ``variable``) as a dict."""
    pairs = {}
    for item in items:
        key, sep, number = item.partition("=")
        if not sep or not number.strip().isdigit():
            raise ImproperlyConfigured(f"{variable} items look like name=number, not {item!r}")
        pairs[key.strip()] = int(number)
    return pairs


RETENTION_DAYS.update(intpairs("RETENTION_DAYS", envlist("RETENTION_DAYS")))

# KPIs and feedback (issue 5); read through kpis/conf.py.
KPI_MEASUREMENT_GRACE_DAYS = envint("KPI_MEASUREMENT_GRACE_DAYS", 10)
FEEDBACK_CSAT_THRESHOLD = envint("FEEDBACK_CSAT_THRESHOLD", 2)
FEEDBACK_RECURRING_COUNT = envint("FEEDBACK_RECURRING_COUNT", 3)
FEEDBACK_RECURRING_DAYS = envint("FEEDBACK_RECURRING_DAYS", 30)
FEEDBACK_FOLLOW_UP_DAYS = envint("FEEDBACK_FOLLOW_UP_DAYS", 2)
EFFECT_FOLLOW_UP_DAYS = envint("EFFECT_FOLLOW_UP_DAYS", 14)

# Non-conformities and CAPA (issue 12); read in incidents/services/nonconformities.py.
CAPA_RECURRENCE_THRESHOLD = envint("CAPA_RECURRENCE_THRESHOLD", 3)
CAPA_RECURRENCE_DAYS = envint("CAPA_RECURRENCE_DAYS", 90)
CAPA_STAGE_WORKING_DAYS = envint("CAPA_STAGE_WORKING_DAYS", 20)

# The health endpoint (/healthz, qms/views/health.py) fails "disk" from this share of the disk used.
HEALTH_DISK_MAX_PERCENT = envint("HEALTH_DISK_MAX_PERCENT", 90)

# Logs to stdout: one JSON object per line in production (time, level, logger, message, request_id,
# user_id; see qms/logging.py and docs/operations.md), readable text with DEBUG. LOG_FORMAT=json|text overrides.
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "qms.logging.JsonFormatter"},
    },
    "filters": {"request": {"()": "qms.logging.RequestContextFilter"}},
    # The handler's level too: Django's own loggers (django.request) are set to INFO and would pass it.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
            "level": envstr("LOG_LEVEL", "INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "qms.security": {"level": "INFO"},
    },
}
