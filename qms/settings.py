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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that a person's own language setting counts.
    "qms.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "qms.middleware.LoginRequiredMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is both the Celery broker and the cache when REDIS_URL is set.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 10)

# Login throttling: lock a username from one IP address after AXES_FAILURE_LIMIT failures, so that
# an attacker cannot lock everybody out from one address, nor one user out from everywhere.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = envint("AXES_IPWARE_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

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
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
    # Who the client is for the rate limits: the address the proxies in front say, as many as there are
    # (AXES_IPWARE_PROXY_COUNT, shared with the login lockout); with none, the socket's own address, so
    # that a client cannot pick a fresh X-Forwarded-For for every try.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT or 0,
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
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
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
}

# KPIs and feedback (issue 5); read through kpis/conf.py.
KPI_MEASUREMENT_GRACE_DAYS = envint("KPI_MEASUREMENT_GRACE_DAYS", 10)
FEEDBACK_CSAT_THRESHOLD = envint("FEEDBACK_CSAT_THRESHOLD", 2)
FEEDBACK_RECURRING_COUNT = envint("FEEDBACK_RECURRING_COUNT", 3)
FEEDBACK_RECURRING_DAYS = envint("FEEDBACK_RECURRING_DAYS", 30)
FEEDBACK_FOLLOW_UP_DAYS = envint("FEEDBACK_FOLLOW_UP_DAYS", 2)
EFFECT_FOLLOW_UP_DAYS = envint("EFFECT_FOLLOW_UP_DAYS", 14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The handler's level too: Django's own loggers (django.request) are set to INFO and would pass it.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "level": envstr("LOG_LEVEL", "INFO")}
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "qms.security": {"level": "INFO"},
    },
}
