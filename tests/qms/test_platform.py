"""Configuration and infrastructure: production settings from the environment, docker-compose, .env.example,
e-mail configuration, the OpenAPI schema and its pages."""

import ast
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from qms.settings import _email_from_url

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = BASE_DIR / "qms" / "settings.py"
ENV_HELPERS = {"envstr", "envbool", "envint", "envlist", "envcrontab"}
APP_SERVICES = ("web", "worker", "beat")


def settings_env_names() -> set[str]:
    """The environment variables qms/settings.py reads: through its typed helpers or os.environ/os.getenv."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS_SOURCE.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in ENV_HELPERS or func in ("os.environ.get", "os.getenv"):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def script_env_names() -> set[str]:
    """The variables the services' start scripts read (``${NAME:-default}``)."""
    names = set()
    for script in (BASE_DIR / "scripts").glob("start-*.sh"):
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", script.read_text()))
    return names


def env_example_names() -> set[str]:
    """Every KEY= line of .env.example, commented out or not."""
    text = (BASE_DIR / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def clean_env(tmp_path, **variables) -> dict[str, str]:
    """This process's environment without anything the settings read (the tests set some), plus ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in settings_env_names() and key != "DJANGO_SETTINGS_MODULE" and not key.startswith("QMS_")
    }
    env["QMS_VAR_DIR"] = str(tmp_path / "var")
    env.update(variables)
    return env


def production_env(tmp_path, **variables) -> dict[str, str]:
    return clean_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="qms.example.org",
        # Only parsed by `check`: nothing connects to these.
        DATABASE_URL="postgres://qms:secret@db.example.org:5432/qms",
        REDIS_URL="redis://redis.example.org:6379/0",
        STATIC_ROOT=str(tmp_path / "static"),
        **variables,
    )


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=qms.settings"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_in(env, *names) -> dict:
    """The values of some settings as a fresh process with ``env`` sees them."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "qms.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Production settings


def test_it_passes_the_deployment_checks_with_production_variables(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path, secret_key):
    # A production environment (it names its database) that forgot the key.
    env = clean_env(tmp_path, ALLOWED_HOSTS="qms.example.org", DATABASE_URL="postgres://qms@db.example.org/qms")
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY" in result.stderr


def test_the_web_process_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import qms.wsgi"],
        cwd=BASE_DIR,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY" in result.stderr


def test_manage_py_in_an_unconfigured_checkout_runs_on_the_embedded_default(tmp_path):
    # No DEBUG, SECRET_KEY or DATABASE_URL at all: a developer's checkout, as `make run` sets it up.
    result = manage(clean_env(tmp_path), "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_it_starts_on_the_embedded_default_with_debug_and_nothing_else(tmp_path):
    env = clean_env(tmp_path, DEBUG="1")
    result = manage(env, "check")
    assert result.returncode == 0, result.stderr
    values = settings_in(env, "DATABASES", "CELERY_BROKER_URL", "DEMO_MODE")
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    assert values["DEMO_MODE"] is True


def test_it_switches_to_postgresql_and_redis_and_keeps_demo_mode_off_in_production(tmp_path):
    values = settings_in(
        production_env(tmp_path), "DATABASES", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHES", "DEMO_MODE"
    )
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["DATABASES"]["default"]["HOST"] == "db.example.org"
    assert values["CELERY_BROKER_URL"] == values["CELERY_RESULT_BACKEND"] == "redis://redis.example.org:6379/0"
    assert values["CACHES"]["default"]["BACKEND"] == "qms.cache.TolerantRedisCache"
    assert values["DEMO_MODE"] is False


def test_it_refuses_a_boolean_it_cannot_read(tmp_path):
    result = manage(production_env(tmp_path, DEBUG="maybe"), "check")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


# docker-compose.yml


@pytest.fixture(scope="module")
def compose():
    # safe_load resolves the x-app anchor and the `<<` merge keys, as docker compose does.
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def command_of(service) -> str:
    """The service's command; for a start script, the script's text (what it runs)."""
    command = service["command"]
    command = " ".join(command) if isinstance(command, list) else command
    if re.fullmatch(r"scripts/start-[a-z]+\.sh", command):
        return (BASE_DIR / command).read_text()
    return command


def test_it_composes_postgres_redis_web_worker_and_beat(compose):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_it_composes_postgresql_15_and_redis_7(compose):
    assert re.fullmatch(r"postgres:15([.-].*)?", compose["services"]["postgres"]["image"])
    assert re.fullmatch(r"redis:7([.-].*)?", compose["services"]["redis"]["image"])


def test_it_runs_gunicorn_a_celery_worker_and_celery_beat(compose):
    services = compose["services"]
    assert re.search(r"\bexec gunicorn\b.*\bqms\.wsgi:application\b", command_of(services["web"]))
    assert re.search(r"\bcelery -A qms worker\b", command_of(services["worker"]))
    assert re.search(r"\bcelery -A qms beat\b", command_of(services["beat"]))


@pytest.mark.parametrize("name", APP_SERVICES)
def test_it_starts_every_application_service_from_its_script_as_the_stack_test_does(compose, name):
    # One source of truth: tests/ops/conftest.py starts the same scripts natively.
    assert compose["services"][name]["command"] == [f"scripts/start-{name}.sh"]
    script = BASE_DIR / "scripts" / f"start-{name}.sh"
    assert os.access(script, os.X_OK)
    assert "scripts/start-" in (BASE_DIR / "Dockerfile").read_text()


def test_it_migrates_before_serving_and_checks_the_web_health_at_healthz(compose):
    web = compose["services"]["web"]
    script = command_of(web)
    assert script.index("manage.py migrate --noinput") < script.index("exec gunicorn")
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_it_gives_every_application_service_the_database_redis_and_secret_key(compose, name):
    environment = compose["services"][name]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    # Required: compose refuses to start without it instead of running with an empty key.
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_it_checks_the_health_of_postgres_and_redis_and_keeps_their_data_in_volumes(compose, name):
    service = compose["services"][name]
    assert service["healthcheck"]["test"]
    volume = service["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_it_starts_the_application_only_once_postgres_and_redis_are_healthy(compose, name):
    depends_on = compose["services"][name]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_it_accepts_the_web_healthcheck_whatever_allowed_hosts_says(compose):
    web = compose["services"]["web"]
    host = re.search(r"https?://([^:/']+)", " ".join(web["healthcheck"]["test"])).group(1)
    # What compose makes of ALLOWED_HOSTS when .env sets the public name.
    allowed = re.sub(r"\$\{ALLOWED_HOSTS[^}]*\}", "qms.example.org", web["environment"]["ALLOWED_HOSTS"])
    assert host in allowed.split(",")


def test_it_lists_every_variable_that_compose_interpolates_in_the_env_example():
    compose_text = (BASE_DIR / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))
    assert interpolated - env_example_names() == set()


# .env.example


def test_it_finds_the_variables_the_settings_read():
    # Guards the parser below: if it found nothing, the next test would pass for nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ESCALATIONS_CRONTAB"} <= settings_env_names()


def test_it_lists_every_variable_the_settings_read_in_the_env_example():
    assert settings_env_names() - env_example_names() == set()


def test_it_lists_every_variable_the_start_scripts_read_in_the_env_example():
    assert {"PORT", "WEB_CONCURRENCY", "WORKER_CONCURRENCY"} <= script_env_names()
    assert script_env_names() - env_example_names() == set()


def test_it_lists_no_variable_in_the_env_example_that_nothing_reads():
    compose_text = (BASE_DIR / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))
    assert env_example_names() - settings_env_names() - interpolated - script_env_names() == set()


# E-mail


def test_it_reads_an_smtp_url_with_tls_user_password_and_port():
    assert _email_from_url("smtp://mailer:s3cret@smtp.example.org:587?tls=1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_it_decodes_a_percent_encoded_user_and_password():
    config = _email_from_url("smtp://qms%40example.org:p%40ss%3Aword@smtp.example.org:587?tls=1")
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("qms@example.org", "p@ss:word")


def test_it_uses_ssl_on_port_465_for_smtps():
    config = _email_from_url("smtps://mailer:s3cret@smtp.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (465, True, False)


def test_it_sends_to_the_console_for_a_console_url():
    assert _email_from_url("console://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_it_refuses_an_email_url_with_an_unknown_scheme():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL scheme"):
        _email_from_url("sendmail://localhost")


def test_it_configures_e_mail_from_the_email_url_variable(tmp_path):
    env = production_env(tmp_path, EMAIL_URL="smtp://mailer:s3cret@smtp.example.org:587?tls=1")
    values = settings_in(env, "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS")
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_USE_TLS": True,
    }


# OpenAPI schema


def test_it_generates_a_valid_openapi_schema_without_warnings(tmp_path):
    schema_file = tmp_path / "schema.yml"
    GENERATOR_STATS.reset()  # warnings of schemas generated earlier in this process are not this one's
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))
    schema = yaml.safe_load(schema_file.read_text())
    assert {"/api/v1/units/", "/api/v1/users/", "/api/v1/memberships/", "/api/v1/actions/"} <= set(schema["paths"])
    assert "/api/v1/auth/token/" in schema["paths"]


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_it_keeps_the_schema_and_the_docs_from_anonymous_visitors(client, db, path):
    response = client.get(path)
    assert response.status_code in (401, 403)
    assert b"openapi" not in response.content


def test_it_serves_the_schema_to_a_logged_in_person(cast, login):
    response = login(cast.viewer_a).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/actions/" in json.loads(response.content)["paths"]


def test_it_serves_the_docs_to_a_logged_in_person_from_vendored_files(cast, login):
    response = login(cast.viewer_a).get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "swagger-ui" in content and "/api/schema/" in content
    assert "cdn." not in content and "unpkg" not in content
