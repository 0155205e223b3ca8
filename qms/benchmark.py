"""Tools for benchmark commands: a real gunicorn serving the configured database, and a client that
measures it from outside the server's processes.

Benchmarks measure and print; they are not tests and assert nothing. Every benchmark runs under the
production settings (``require_production_settings``: DEBUG off). The server runs with the
production settings (DEBUG off, compressed static files, the same middleware), with only what a
loopback measurement needs relaxed: no HTTPS redirect, 127.0.0.1 allowed, and the API throttle lifted
(the benchmark measures the application, not the rate limit).
"""

import http.client
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.management.base import CommandError

WARMUPS = 3
RUNS = 3
REQUESTS_PER_RUN = 40
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - gunicorn's heartbeat files only, nothing of ours


def require_production_settings(*, yes: bool) -> None:
    """Every benchmark measures the production settings: refuse DEBUG (which keeps every query in memory,
    serves static files through Django and renders error pages with tracebacks), and ask for --yes, since
    with DEBUG off the configured database may be a real one. ``scripts/bench.sh`` gives both: DEBUG=0 on
    a throwaway PostgreSQL, and --yes."""
    if settings.DEBUG:
        raise CommandError(
            "DEBUG is on: benchmarks measure the production settings. Run them with DEBUG=0 "
            "(scripts/bench.sh sets up a throwaway database with production settings)."
        )
    if not yes:
        raise CommandError(
            "This writes benchmark data to the configured database (DEBUG is off: it may be a real one). "
            "Run it with --yes if you mean it, or through scripts/bench.sh."
        )


def settle_database() -> None:
    """What autovacuum does within a minute of a bulk insert in production: planner statistics and the
    visibility map. Without statistics PostgreSQL may sort a whole table for a page of 10; without the
    visibility map a count cannot use an index only. (SQLite, or inside a transaction: ANALYZE.)"""
    from django.db import connection

    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def current_database_url() -> str:
    """The database this process uses, as a DATABASE_URL, so that the server reads what was seeded here
    (under the tests, the test database)."""
    from django.db import connection

    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user, password = quote(config.get("USER") or ""), quote(config.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{credentials}{config.get('HOST') or ''}{port}/{config['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(port: int, username: str, password: str) -> str:
    """Log in through the login page, as a browser does; returns the session as a Cookie header value.
    (The server has its own SECRET_KEY, so a session made in this process would not be valid there.)"""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/login/")
        response = connection.getresponse()
        page = response.read().decode()
        csrf_cookie = SimpleCookie(response.getheader("Set-Cookie"))[settings.CSRF_COOKIE_NAME].value
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf_cookie}",
        }
        connection.request("POST", "/login/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        cookies = SimpleCookie()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookies.load(value)
        if response.status != 302 or settings.SESSION_COOKIE_NAME not in cookies:
            raise RuntimeError(f"logging in as {username} failed (HTTP {response.status})")
        return f"{settings.SESSION_COOKIE_NAME}={cookies[settings.SESSION_COOKIE_NAME].value}"
    finally:
        connection.close()


class Gunicorn:
    """``with Gunicorn(workers=3) as server:`` serves the project on a loopback port until the block ends."""

    def __init__(self, *, workers: int = 3, extra_env: dict | None = None):
        self.workers = workers
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.process = None
        self._tmp = None

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(
            DEBUG="0",
            DEMO_MODE="0",
            SECRET_KEY="benchmark-only-" + "k" * 50,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            STATIC_ROOT=str(Path(self._tmp.name) / "static"),
            API_THROTTLE_USER="1000000/minute",
            LOG_LEVEL="ERROR",
            QMS_VAR_DIR=str(settings.VAR_DIR),
            DATABASE_URL=current_database_url(),
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(self.extra_env)
        return env

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="qms-bench-")
        env = self.env()
        base = settings.BASE_DIR
        # Production settings serve hashed, compressed static files: collect them first, as a deploy does.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=base, env=env, check=True
        )
        command = [sys.executable, "-m", "gunicorn", "qms.wsgi:application"]
        command += ["--workers", str(self.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--log-level", "warning"]
        if SHARED_MEMORY.is_dir():
            # The workers' heartbeat file in memory, as gunicorn advises for containers (as in the Dockerfile).
            command += ["--worker-tmp-dir", str(SHARED_MEMORY)]
        self.process = subprocess.Popen(command, cwd=base, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                # Any answer of the login page means the workers serve (the health endpoint would also
                # judge the broker, which a benchmark of pages does not need).
                if request(self.port, "/login/")[0] == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped while starting")
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._tmp is not None:
            self._tmp.cleanup()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> float:
        """The highest peak resident set size (VmHWM) of the workers, in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return max(peaks, default=0.0)


def request(port: int, path: str, headers: dict | None = None) -> tuple[int, int]:
    """One GET on a new connection; returns (status, body length)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def warm(port: int, requests: list[tuple[str, dict]], *, times: int) -> None:
    """Every request ``times`` times before anything is measured, so that each worker has loaded its
    code, translations and database connection: the figures are those of a server that is running."""
    for _ in range(times):
        for path, headers in requests:
            request(port, path, headers)


@dataclass
class Latency:
    path: str
    median_ms: float
    p95_ms: float
    status: int
    size: int


def latency(port: int, path: str, headers: dict, *, runs: int = RUNS, per_run: int = REQUESTS_PER_RUN) -> Latency:
    """Warm up, then ``runs`` runs of ``per_run`` sequential requests, each on a new connection."""
    for _ in range(WARMUPS):
        status, size = request(port, path, headers)
    timings = []
    for _ in range(runs):
        for _ in range(per_run):
            started = time.perf_counter()
            status, size = request(port, path, headers)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return Latency(path, statistics.median(timings), p95, status, size)


def _hammer(args) -> tuple[int, int]:
    port, path, headers, seconds = args
    done = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _size = request(port, path, headers)
        if status == 200:
            done += 1
        else:
            failed += 1
    return done, failed


def throughput(port: int, path: str, headers: dict, *, clients: int = 4, seconds: float = 20) -> tuple[float, int]:
    """Requests per second with ``clients`` concurrent client processes; returns (rate, failures)."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        results = pool.map(_hammer, [(port, path, headers, seconds)] * clients)
    done = sum(result[0] for result in results)
    return done / seconds, sum(result[1] for result in results)


def benchmark_tree(code: str, name: str, *, business_units: int, teams_per_unit: int):
    """A benchmark's own group -> organisation -> business units -> teams, codes starting with ``code``
    (so its cleanup finds them): ``(organisation, business_units, units)``, ``units`` being every
    business unit and team. Stored without the organisation's defaults (``unit_store_new``)."""
    from qms.choices import UnitKind
    from qms.models import OrganisationUnit
    from qms.services.organisation import unit_store_new

    group = unit_store_new(OrganisationUnit(code=code, name=f"{name} group", kind=UnitKind.GROUP))
    organisation = unit_store_new(
        OrganisationUnit(code=f"{code}-ORG", name=name, kind=UnitKind.ORGANISATION, parent=group)
    )
    units, parents = [], []
    for n in range(business_units):
        business_unit = unit_store_new(
            OrganisationUnit(
                code=f"{code}-BU{n}", name=f"Business unit {n}", kind=UnitKind.BUSINESS_UNIT, parent=organisation
            )
        )
        parents.append(business_unit)
        units.append(business_unit)
        for t in range(teams_per_unit):
            units.append(
                unit_store_new(
                    OrganisationUnit(
                        code=f"{code}-BU{n}-T{t}", name=f"Team {n}.{t}", kind=UnitKind.TEAM, parent=business_unit
                    )
                )
            )
    return organisation, parents, units
