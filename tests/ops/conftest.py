"""The production stack, natively: gunicorn, a Celery worker and Celery beat started from the same
``scripts/start-*.sh`` the compose services run, with production settings (DEBUG off, a random
SECRET_KEY, whitenoise and collected static files) against a fresh PostgreSQL database and the test Redis.

``production_stack`` (module scope) starts it once per test module and stops it afterwards; a test
uses ``stack.get``/``stack.post`` (HTTP with cookies), ``stack.manage(...)``, ``stack.wait_for(...)``
(bounded, failing with the processes' logs), and ``stack.stop(name)``/``stack.start(name)`` to kill or
restart one process.
"""

import http.cookiejar
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SERVICES = ("web", "worker", "beat")
PASSWORD = "stack-test-password-1"  # noqa: S105


def unavailable(reason):
    if os.environ.get("QMS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"QMS_REQUIRE_SERVICES=1, but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url_for_this_worker(redis_url: str) -> str:
    """The test Redis, on a database index of this xdist worker's own (1-15), so that parallel stacks
    share no queue, cache or beat lock."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = 1 + int("".join(ch for ch in worker if ch.isdigit()) or 0) % 15
    parts = urllib.parse.urlsplit(redis_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{index}"))


def database_url_with_name(database_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(database_url: str):
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    return connection


def create_database(database_url: str) -> str:
    """A new, empty database with a unique name on the server of ``database_url``; returns its URL."""
    name = f"qms_ops_{uuid.uuid4().hex[:12]}"
    connection = _admin_connection(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return database_url_with_name(database_url, name)


def drop_database(admin_url: str, database_url: str) -> None:
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    connection = _admin_connection(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def production_env(*, database_url: str, redis_url: str, var_dir: Path, static_root: Path, port: int) -> dict:
    """What the compose file gives the application services, adapted to a loopback test: no TLS proxy (so
    no HTTPS redirect or secure-only cookies), e-mail to files in QMS_VAR_DIR/mail. Nothing inherited
    from the test process's settings (tests/settings.py sets some variables)."""
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "PYTEST_XDIST_WORKER")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    return {
        **env,
        # The scripts call python, gunicorn and celery: this virtualenv's, as the image's are on its PATH.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "qms.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "QMS_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(static_root),
        "BEHIND_TLS_PROXY": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "LOG_LEVEL": "INFO",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "WORKER_CONCURRENCY": "1",
    }


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Stack:
    env: dict
    admin_url: str
    var_dir: Path
    base_url: str
    processes: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)

    def __post_init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    # Processes

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = self.var_dir / f"{name}.log"
        self.logs[name] = log
        with log.open("a") as output:
            self.processes[name] = subprocess.Popen(
                [str(BASE_DIR / "scripts" / f"start-{name}.sh"), *args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopping it stops gunicorn's workers too
            )
        return self.processes[name]

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        parts = []
        for name, log in self.logs.items():
            text = log.read_text(errors="replace") if log.exists() else ""
            process = self.processes.get(name)
            state = "running" if process is not None and process.poll() is None else "stopped"
            parts.append(f"--- {name} ({state}), last {chars} characters of {log} ---\n{text[-chars:]}")
        return "\n".join(parts)

    def wait_for(self, condition: Callable, *, timeout: float, what: str, interval: float = 0.2):
        """Call ``condition`` until it returns something truthy (and return that) or fail after ``timeout``
        seconds, saying what was awaited, with the processes' logs."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = condition()
            except (OSError, urllib.error.URLError, ValueError) as exc:
                value, last_error = None, exc
            if value:
                return value
            time.sleep(interval)
        pytest.fail(f"timed out after {timeout:g} s waiting for {what} (last error: {last_error!r})\n{self.log_tail()}")

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        return result

    # HTTP

    def request(self, method: str, path: str, *, data=None, json_body=None, headers=None, timeout=30) -> Response:
        headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory):
    base_database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base_database_url.startswith("postgres"):
        unavailable("DATABASE_URL is not a PostgreSQL server: run through scripts/test.sh (make test)")
    if not redis_url:
        unavailable("REDIS_URL is not set: run through scripts/test.sh (make test), which starts Redis")
    redis_url = redis_url_for_this_worker(redis_url)
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # nothing left from a stack of an earlier module

    root = tmp_path_factory.mktemp("stack")
    port = free_port()
    database_url = create_database(base_database_url)
    env = production_env(
        database_url=database_url, redis_url=redis_url, var_dir=root / "var", static_root=root / "static", port=port
    )
    stack = Stack(env=env, admin_url=base_database_url, var_dir=root / "var", base_url=f"http://127.0.0.1:{port}")
    stack.var_dir.mkdir()
    try:
        # As the image build does (Dockerfile): whitenoise serves the collected, hashed files.
        stack.manage("collectstatic", "--noinput", "-v", "0")
        stack.start("web")
        stack.wait_for(
            lambda: stack.get("/healthz", timeout=10).status == 200, timeout=180, what="gunicorn to answer /healthz"
        )
        stack.start("worker", "--without-gossip", "--without-mingle")
        stack.start("beat")
        stack.wait_for(
            lambda: "ready" in stack.logs["worker"].read_text(), timeout=60, what="the Celery worker to be ready"
        )
        yield stack
    finally:
        for name in reversed(SERVICES):
            stack.stop(name)
        drop_database(base_database_url, database_url)
        redis.Redis.from_url(redis_url).flushdb()
