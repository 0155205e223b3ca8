"""The health endpoint, ``/healthz``: for load balancers, docker-compose and monitoring.

django-health-check's checks run (database, cache, migrations, broker, disk), but the answer names only
which parts fail: ``{"status": "ok"}`` (200) or ``{"status": "failing", "failing": ["cache"]}`` (503).
The package's own pages show check names with hosts and exception texts; those go to the server log
(``health_check`` logger) for the operator, never to an unauthenticated visitor.
"""

import asyncio
import dataclasses
import shutil

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from qms.celery import app as celery_app


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied to the database (a deploy that forgot ``migrate`` fails)."""

    def run(self):
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                raise ServiceUnavailable("unapplied migrations")
        finally:
            # The checks run in worker threads: their own connection, not left open.
            connection.close()


@dataclasses.dataclass
class Broker(HealthCheck):
    """Celery's broker accepts a connection (the worker itself is watched by its own compose health check)."""

    def run(self):
        with celery_app.connection_for_write() as connection:
            try:
                connection.ensure_connection(max_retries=0, timeout=self.timeout.total_seconds())
            except Exception as exc:
                raise ServiceUnavailable("broker unreachable") from exc


@dataclasses.dataclass
class Disk(HealthCheck):
    """The disk of the data directory (uploads, beat schedule) has room left."""

    def run(self):
        for path in (settings.VAR_DIR, settings.MEDIA_ROOT):
            if not path.exists():
                continue
            usage = shutil.disk_usage(path)
            if usage.used * 100 / usage.total >= settings.HEALTH_DISK_MAX_PERCENT:
                raise ServiceUnavailable("disk nearly full")


# The name each part has in the answer.
CHECKS = {
    "database": Database,
    "migrations": Migrations,
    "cache": Cache,
    "broker": Broker,
    "disk": Disk,
}


class HealthView(HealthCheckView):
    """No login, no cache, JSON only; 503 while a part fails."""

    checks = tuple(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        names = list(CHECKS)
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check().get_result(executor) for check in CHECKS.values()))
        failing = [name for name, result in zip(names, results, strict=True) if result.error]
        if failing:
            return JsonResponse({"status": "failing", "failing": failing}, status=503)
        return JsonResponse({"status": "ok"})


healthz = login_not_required(HealthView.as_view())
