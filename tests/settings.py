"""Settings for the tests: the real settings, with what only tests need on top.

DATABASE_URL and REDIS_URL come from scripts/test.sh (a real PostgreSQL and Redis); without them
the tests run on SQLite.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("DEMO_MODE", "1")
# Tests use a local-memory cache per process (below); production insists on Redis.
os.environ.setdefault("ALLOW_LOCAL_CACHE", "1")
# One test process, one cache (below); production settings otherwise insist on REDIS_URL.
os.environ.setdefault("ALLOW_LOCAL_CACHE", "1")

from qms.settings import *  # noqa: E402,F403

# The test and live servers speak http://: a browser refuses __Host- cookies there (qms/settings.py).
SESSION_COOKIE_NAME, CSRF_COOKIE_NAME, LANGUAGE_COOKIE_NAME = "sessionid", "csrftoken", "qms_language"

# Tasks run inline, so a test sees what a task does at once; one test runs a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# A cache per test process; tests clear it between tests (throttle counters, axes).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
STATIC_ROOT = VAR_DIR / "staticfiles-test"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # Separate runs (e.g. two checkouts, or a helper) can each have their own test database file.
    DATABASES["default"]["TEST"]["NAME"] = os.environ.get("QMS_TEST_SQLITE", str(VAR_DIR / "test.sqlite3"))  # noqa: F405
