"""A worker killed with SIGKILL in the middle of the monthly scoring job or the daily escalation sweep, and
a new worker started: exactly one result (one total per organisation and month, one investigation per
drop, one escalation per record and day).

Both tasks acknowledge late and are rejected when their worker is lost, so the broker delivers the
task again to the next worker (after CELERY_VISIBILITY_TIMEOUT, short here): nobody re-sends it. The
kill is a real race: the worker is killed as soon as the database shows it in the middle of the run.
"""

import datetime
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from qms.choices import Role, UnitKind
from qms.models import Action, EscalationLog, Notification
from qms.periods import month_shift
from risks.choices import MonthStatus
from risks.models import AreaScore, Investigation, MonthlyScore
from risks.services.scoring import areas_ensure_defaults
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.ops.fixtures.processes import (
    BASE_DIR,
    RedisServer,
    current_database_url,
    django_env,
    start_worker,
    stop,
    tails,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ORGANISATIONS = 150
ACTIONS = 400


@pytest.fixture
def stack(tmp_path):
    """A Redis of this test's own and the environment of its workers (this test's database)."""
    redis = RedisServer(tmp_path)
    env = django_env(tmp_path, DATABASE_URL=current_database_url(), REDIS_URL=redis.url, CELERY_VISIBILITY_TIMEOUT="2")
    redis.start()
    workers = []

    def worker(name):
        log = tmp_path / f"{name}.log"
        workers.append((start_worker(env, log), log))
        return workers[-1]

    def send(task, *args):
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "qms", "call", task, "--args", repr(list(args)).replace("'", '"')],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    try:
        yield worker, send
    finally:
        for process, _log in workers:
            stop(process, kill=True)
        redis.stop()


def writing_backends(prefix: str) -> int:
    """How many other sessions hold a write lock on a table whose name starts with ``prefix``: a run in progress."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() AND c.relname LIKE %s",
            [prefix + "%"],
        )
        return cursor.fetchone()[0]


def kill_mid_run(process, log, in_the_middle, what):
    wait_for(in_the_middle, timeout=60, interval=0.01, what=what, logs=[log])
    stop(process, kill=True)


def test_a_killed_monthly_scoring_run_leaves_exactly_one_result(cast, stack):
    worker, send = stack
    this_month = timezone.localdate().replace(day=1)
    last_month, two_ago = month_shift(this_month, -1), month_shift(this_month, -2)
    # Many organisations whose security score dropped from 90 to 80 last month (the month before closed).
    officer = UserFactory(username="qo_everywhere")
    months, scores = [], []
    for number in range(ORGANISATIONS):
        organisation = UnitFactory(name=f"Org {number}", kind=UnitKind.ORGANISATION, parent=cast.units.group)
        MembershipFactory(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
        areas = [area for area in areas_ensure_defaults(organisation=organisation) if area.source == "manual"]
        before = MonthlyScore(organisation=organisation, month=two_ago, status=MonthStatus.CLOSED, total=90)
        after = MonthlyScore(organisation=organisation, month=last_month)
        months += [before, after]
        for area in areas:
            scores.append(AreaScore(monthly=before, area=area, score=90, weight=area.weight))
            score = 80 if area.code == "security" else 90
            scores.append(AreaScore(monthly=after, area=area, score=score, weight=area.weight))
    MonthlyScore.objects.bulk_create(months)
    AreaScore.objects.bulk_create(scores)
    open_months = MonthlyScore.objects.filter(month=last_month, status=MonthStatus.OPEN)

    first, first_log = worker("worker-1")
    send("risks.run_monthly_scoring")
    kill_mid_run(first, first_log, lambda: writing_backends("risks_"), "the first worker to start writing the scores")
    # Killed inside the job's one transaction: nothing of it was committed.
    assert open_months.count() == ORGANISATIONS, "the job finished before the kill: seed more organisations"
    assert not Investigation.objects.exists()

    second, second_log = worker("worker-2")  # no re-send: the broker delivers the task again
    wait_for(
        lambda: not open_months.exists(),
        timeout=90,
        what="the second worker to close the month (redelivery of the late-acknowledged task)",
        logs=[first_log, second_log],
    )
    wait_for(lambda: "succeeded" in second_log.read_text(), timeout=60, what="the job to end", logs=[second_log])

    assert MonthlyScore.objects.filter(month=last_month, status=MonthStatus.CLOSED).count() == ORGANISATIONS
    assert MonthlyScore.objects.filter(month=last_month).count() == ORGANISATIONS  # one per organisation
    assert Investigation.objects.count() == ORGANISATIONS, tails([second_log])
    assert Investigation.objects.filter(area__code="security").values("area").distinct().count() == ORGANISATIONS
    assert Notification.objects.filter(verb="investigation_opened").count() == ORGANISATIONS


def test_a_killed_escalation_sweep_escalates_each_record_once(cast, stack):
    worker, send = stack
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Action.objects.bulk_create(
        Action(unit=cast.units.bu_a1, owner=cast.risk_owner_a, title=f"Overdue {n}", due_date=yesterday)
        for n in range(ACTIONS)
    )
    escalations = EscalationLog.objects.filter(reason="overdue")

    first, first_log = worker("worker-1")
    send("qms.tasks.run_escalations")
    kill_mid_run(first, first_log, lambda: escalations.count() >= 20, "the first escalations to be committed")
    killed_at = escalations.count()
    assert killed_at < ACTIONS, "the sweep finished before the kill: seed more actions"

    second, second_log = worker("worker-2")
    wait_for(
        lambda: escalations.count() == ACTIONS,
        timeout=120,
        what=f"the second worker to escalate the rest ({killed_at} of {ACTIONS} before the kill)",
        logs=[first_log, second_log],
    )
    wait_for(
        lambda: "run_escalations" in second_log.read_text() and "succeeded" in second_log.read_text(),
        timeout=60,
        what="the sweep to end",
        logs=[second_log],
    )

    assert escalations.values("target_object_id").distinct().count() == ACTIONS
    overdue = Notification.objects.filter(verb="action_overdue")
    # The owner and the unit's quality officer, once each per action.
    assert overdue.count() == 2 * ACTIONS
    assert overdue.values("target_object_id", "recipient").distinct().count() == 2 * ACTIONS


def start_beat(env, tmp_path, name):
    log = tmp_path / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "qms", "beat", "--loglevel=INFO"]
            + ["--schedule", str(tmp_path / f"{name}-schedule")],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def test_a_second_beat_sends_nothing_until_the_first_is_gone(tmp_path):
    redis = RedisServer(tmp_path)
    env = django_env(tmp_path, DATABASE_URL="", REDIS_URL=redis.url, QMS_BEAT_LOCK_SECONDS="3")
    redis.start()
    first = second = None
    try:
        first, first_log = start_beat(env, tmp_path, "beat-1")
        wait_for(lambda: "beat lock taken" in first_log.read_text(), timeout=30, what="beat 1", logs=[first_log])
        second, second_log = start_beat(env, tmp_path, "beat-2")
        wait_for(
            lambda: "another beat holds the lock" in second_log.read_text(),
            timeout=30,
            what="beat 2 to find the lock held",
            logs=[first_log, second_log],
        )
        assert "beat lock taken" not in second_log.read_text()
        stop(first, kill=True)  # a dead beat releases nothing: its lock expires
        wait_for(
            lambda: "beat lock taken" in second_log.read_text(),
            timeout=30,
            what="beat 2 to take over from the dead beat",
            logs=[second_log],
        )
    finally:
        stop(first, kill=True)
        stop(second)
        redis.stop()
