"""One task through a real Celery worker and the Redis broker (the other tests run tasks inline)."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.result import EagerResult
from django.db import connection
from django.utils import timezone

from qms.celery import app as celery_app
from qms.models import EscalationLog, Notification
from qms.tasks import run_escalations
from tests.factories import ActionFactory

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def unavailable(reason):
    if os.environ.get("QMS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"QMS_REQUIRE_SERVICES=1, but {reason}")
    pytest.skip(reason)


def worker_database_url() -> str:
    """The URL of the database this test runs in: pytest-django's test_ database, not the one in DATABASE_URL."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A Celery worker in its own process, on a queue of its own, with the test's database and broker."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        unavailable("REDIS_URL is not set: run through scripts/test.sh (make test), which starts Redis")
    if connection.vendor != "postgresql":
        unavailable("the worker needs the tests on PostgreSQL (DATABASE_URL): it cannot share the SQLite test file")
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo", "--concurrency=1"]
            + ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["--hostname", f"{queue}@%h", "--queues", queue],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue, process, log
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_it_runs_the_escalations_in_a_real_worker_through_redis(cast, worker):
    queue, process, log = worker
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=yesterday)

    result = run_escalations.apply_async(queue=queue)
    assert not isinstance(result, EagerResult)
    try:
        # Celery refuses .get() while any thread of this process is inside an eager task (a global flag), as
        # the live server of a browser test run earlier in the same worker may be; this test waits on a
        # real worker in another process, which is safe.
        counts = result.get(timeout=60, disable_sync_subtasks=False)
    except Exception as exc:
        pytest.fail(f"no result from the worker ({exc!r}; exit code {process.poll()}):\n{log.read_text()[-4000:]}")

    assert counts["overdue_actions"] == 1
    assert EscalationLog.objects.filter(target_object_id=action.pk, reason="overdue").count() == 1
    notifications = Notification.objects.filter(verb="action_overdue")
    assert {n.recipient.username for n in notifications} == {"risk_owner_a", "qo_a"}
    # The worker also sent their e-mails, after its transaction committed.
    assert not notifications.filter(emailed_at__isnull=True).exists()
