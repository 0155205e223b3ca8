"""/healthz: without login, ok (200) or the names of the failing parts (503), and nothing else: no
hosts, versions or exception texts for whoever asks."""

import socket

import pytest
from django.db.migrations.executor import MigrationExecutor

from qms.celery import app as celery_app


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when this returns: nothing listens there


def assert_reveals_nothing(response):
    text = response.content.decode()
    for secret_looking in ("127.0.0.1", "redis", "postgres", "sqlite", "Error", "Traceback", "version", "/"):
        assert secret_looking not in text, text


@pytest.fixture
def broker_down(monkeypatch):
    connect = celery_app.connection_for_write
    url = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setattr(celery_app, "connection_for_write", lambda **kwargs: connect(url=url, **kwargs))


def test_it_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("accept", ["text/html", "text/plain", "application/openmetrics-text"])
def test_it_answers_json_whatever_the_client_asks_for(client, db, accept):
    # The package's own pages (HTML, text, metrics, feeds) name hosts and exception texts.
    response = client.get("/healthz?format=text", HTTP_ACCEPT=accept)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_it_names_only_the_cache_when_the_cache_is_unreachable(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failing": ["cache"]}
    assert_reveals_nothing(response)


def test_it_names_only_the_broker_when_the_broker_is_unreachable(client, db, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failing": ["broker"]}
    assert_reveals_nothing(response)


def test_it_names_the_migrations_when_some_are_not_applied(client, db, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failing": ["migrations"]}


def test_it_names_the_disk_when_it_is_nearly_full(client, db, settings):
    settings.HEALTH_DISK_MAX_PERCENT = 0
    response = client.get("/healthz")
    assert response.json() == {"status": "failing", "failing": ["disk"]}


def test_it_names_every_failing_part(client, db, settings, broker_down):
    settings.HEALTH_DISK_MAX_PERCENT = 0
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failing": ["broker", "disk"]}


def test_it_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
