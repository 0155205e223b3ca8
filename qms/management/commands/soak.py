"""Soak test: mixed traffic from concurrent clients against gunicorn with the worker and beat running.

    python manage.py soak --yes [--seconds 600] [--clients 8] [--warmup 30]

Needs the demo in the configured database (scripts/bench.sh loads it). Starts gunicorn (qms.benchmark),
a Celery worker and beat (scripts/start-worker.sh, scripts/start-beat.sh: the commands of
docker-compose.yml), then ``--clients`` threads each loop over the register page, API lists and
details, the score dashboard and the KPI overview, with a write (an action created through the API)
every 10th request. Prints per request kind the count, p50 and p95, the errors (any status >= 500 or
a failed connection: must be 0), and the worker's resident memory after warm-up and at the end (must
stay within 10 %). Exits non-zero when either limit is broken. Not part of make test (make bench).
"""

import datetime
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qms import benchmark
from qms.choices import UnitKind
from qms.demo import DEMO_PASSWORD
from qms.models import OrganisationUnit, User
from qms.services.security import token_create

USERNAME = "kwaliteit"  # the demo's quality officer of Noordhaven Software


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}").joinpath("task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


class Command(BaseCommand):
    help = "Soak test: mixed traffic against gunicorn with the worker and beat (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=600)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--warmup", type=int, default=30, help="seconds of traffic before memory is read")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--yes", action="store_true", help="write to the configured database")

    def handle(self, *args, **options):
        benchmark.require_production_settings(yes=options["yes"])
        user = User.objects.filter(username=USERNAME).first()
        organisation = OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION, code="NHS").first()
        if user is None or organisation is None:
            raise CommandError("The demo is not loaded (DEMO_MODE=1 manage.py seed_demo): scripts/bench.sh does it.")
        _record, token = token_create(user=user, name="soak")
        base = settings.BASE_DIR
        logs = Path(settings.VAR_DIR) / "soak"
        logs.mkdir(parents=True, exist_ok=True)
        with benchmark.Gunicorn(workers=options["workers"], extra_env={"LOG_LEVEL": "WARNING"}) as server:
            # The scripts run `celery`: this virtualenv's, as in the image.
            env = {**server.env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
            worker = subprocess.Popen(  # noqa: S603 - our own script
                [str(base / "scripts" / "start-worker.sh"), "--concurrency", "1"],
                cwd=base,
                env=env,
                stdout=(logs / "worker.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            beat = subprocess.Popen(  # noqa: S603 - our own script
                [str(base / "scripts" / "start-beat.sh")],
                cwd=base,
                env=env,
                stdout=(logs / "beat.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            try:
                self.soak(server.port, user, organisation, token, worker, options)
            finally:
                for process in (beat, worker):
                    process.terminate()
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()

    def soak(self, port, user, organisation, token, worker, options):
        cookie = benchmark.login(port, USERNAME, DEMO_PASSWORD)
        page = {"Cookie": cookie, "Accept-Language": "en"}
        api = {"Authorization": f"Token {token}", "Accept": "application/json"}
        first_risk = self.first_id(port, "/api/v1/risks/?limit=1", api)
        first_action = self.first_id(port, "/api/v1/actions/?limit=1", api)
        reads = [
            ("register page", "/risks/register/", page),
            ("API risk list", "/api/v1/risks/?limit=50", api),
            ("API risk detail", f"/api/v1/risks/{first_risk}/", api),
            ("API action list", "/api/v1/actions/?limit=50", api),
            ("API action detail", f"/api/v1/actions/{first_action}/", api),
            ("score dashboard", f"/risks/scores/{organisation.pk}/", page),
            ("KPI overview", "/kpis/", page),
        ]
        write = json.dumps(
            {
                "unit": organisation.pk,
                "owner": user.pk,
                "title": "Soak test action",
                "due_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            }
        )
        timings, errors, statuses = defaultdict(list), [], defaultdict(int)
        lock = threading.Lock()
        counter = itertools.count(1)
        started = time.monotonic()
        warm_until, stop_at = started + options["warmup"], started + options["warmup"] + options["seconds"]

        def client(number):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            kinds = itertools.cycle(reads[number % len(reads) :] + reads[: number % len(reads)])
            while time.monotonic() < stop_at:
                n = next(counter)
                if n % 10 == 0:
                    kind, method, path, headers, body = "API action create", "POST", "/api/v1/actions/", api, write
                    headers = {**headers, "Content-Type": "application/json"}
                else:
                    kind, path, headers = next(kinds)
                    method, body = "GET", None
                begin = time.monotonic()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    status = f"{type(exc).__name__}"
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                elapsed = time.monotonic() - begin
                with lock:
                    statuses[(kind, status)] += 1
                    if begin >= warm_until:
                        timings[kind].append(elapsed * 1000)
                    if not isinstance(status, int) or status >= 500:
                        errors.append((kind, status))
            connection.close()

        threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(options["clients"])]
        for thread in threads:
            thread.start()
        time.sleep(max(0, warm_until - time.monotonic()))
        rss_warm = tree_rss_mb(worker.pid)
        for thread in threads:
            thread.join()
        rss_end = tree_rss_mb(worker.pid)

        self.stdout.write(
            f"\nSoak: {options['seconds']} s after {options['warmup']} s of warm-up, {options['clients']} clients, "
            f"{options['workers']} gunicorn workers, a Celery worker and beat (pid {os.getpid()})"
        )
        self.stdout.write(f"{'request':<20} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for kind, values in sorted(timings.items()):
            p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)
            self.stdout.write(f"{kind:<20} {len(values):>7} {statistics.median(values):>8.0f} {p95:>8.0f}")
        other = {key: count for key, count in statuses.items() if key[1] not in (200, 201)}
        self.stdout.write(f"responses other than 200/201: {other or 'none'}")
        self.stdout.write(f"server errors: {len(errors)}")
        growth = (rss_end - rss_warm) / rss_warm * 100 if rss_warm else 0.0
        self.stdout.write(f"worker RSS: {rss_warm:.0f} MB after warm-up, {rss_end:.0f} MB at the end ({growth:+.1f} %)")
        if errors or growth > 10:
            raise CommandError("soak failed: server errors, or the worker's memory grew by more than 10 %")

    @staticmethod
    def first_id(port, path, headers):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            results = json.loads(response.read())["results"]
        finally:
            connection.close()
        if not results:
            raise CommandError(f"nothing at {path}: is the demo loaded?")
        return results[0]["id"]
