"""Redis down: records are still created and changed, and their e-mails go out exactly once after Redis
returns (the periodic sweep sends what the broker never received).

A Redis of the test's own is started, stopped, and started again at the same port; a "web" process
(the real settings, not the inline tasks of tests.settings) creates and changes an action while it is
down; then a real worker runs the sweep, twice.
"""

import datetime
import subprocess
import sys

import pytest
from django.utils import timezone

from qms.models import Action, Notification
from tests.ops.fixtures.processes import (
    BASE_DIR,
    RedisServer,
    current_database_url,
    django_env,
    sent_mails,
    start_worker,
    stop,
    tails,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# What a request does: create an action for someone else (they are notified) and change its status
# (the creator is notified), each in its own transaction; the e-mails are enqueued after commit.
WRITE = """
import datetime, time, django
django.setup()
from django.utils import timezone
from qms.models import Action, OrganisationUnit, User
from qms.services.actions import action_create, action_set_status
qo, owner = User.objects.get(username="qo_a"), User.objects.get(username="risk_owner_a")
started = time.monotonic()
action = action_create(actor=qo, unit=OrganisationUnit.objects.get(name="Business unit A1"), owner=owner,
                       title="Fix the fire door", due_date=timezone.localdate() + datetime.timedelta(days=7))
action_set_status(actor=owner, action=Action.objects.get(pk=action.pk), status="in_progress")
print(f"{action.pk} {time.monotonic() - started:.2f}")
"""


def test_it_keeps_the_records_and_sends_their_emails_once_after_redis_returns(cast, tmp_path):
    redis = RedisServer(tmp_path)
    env = django_env(tmp_path, DATABASE_URL=current_database_url(), REDIS_URL=redis.url)
    redis.start()
    redis.stop()

    web = subprocess.run(
        [sys.executable, "-c", WRITE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert web.returncode == 0, f"the write failed with Redis down:\n{web.stdout}\n{web.stderr[-4000:]}"
    action_id, seconds = web.stdout.split()
    # The broker's unavailability cost the request about a second per enqueue, not a hang.
    assert float(seconds) < 5, f"the writes took {seconds} s with Redis down"
    assert "broker unavailable" in web.stderr  # a warning, with no personal data
    assert "example.org" not in web.stderr and "Fix the fire door" not in web.stderr
    action = Action.objects.get(pk=action_id)
    notifications = Notification.objects.filter(target_object_id=action.pk)
    assert notifications.count() == 2
    assert not notifications.filter(emailed_at__isnull=False).exists()
    assert not notifications.filter(email_due_at__isnull=True).exists()  # due, unsent: kept for the sweep
    assert sent_mails(tmp_path / "var" / "mail") == []

    redis.start()
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        for _ in range(2):  # the sweep twice: the second finds nothing left to send
            subprocess.run(
                [sys.executable, "-m", "celery", "-A", "qms", "call", "qms.tasks.send_due_notification_emails"],
                cwd=BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
            wait_for(
                lambda: not notifications.filter(emailed_at__isnull=True).exists(),
                timeout=60,
                what="the sweep to e-mail the notifications",
                logs=[log],
            )
        wait_for(lambda: log.read_text().count("succeeded") >= 2, timeout=60, what="both sweeps to finish", logs=[log])
    finally:
        stop(worker)
        redis.stop()

    subjects = sent_mails(tmp_path / "var" / "mail")
    assert sorted(subjects) == sorted(f"[QMS] {n.title}" for n in notifications), tails([log])
    assert not notifications.filter(email_due_at__isnull=False).exists()


def test_a_claim_whose_sender_died_is_sent_again_after_it_expires(cast):
    """A sender killed between claiming and sending leaves the e-mail due again once the claim expired."""
    from django.core import mail

    from qms.services.notifications import EMAIL_CLAIM_SECONDS, notifications_send_due, notify

    (notification,) = notify(recipients=[cast.qo_a], verb="test", title="Something happened")
    mail.outbox.clear()
    # What a dead sender leaves behind: the claim taken, nothing sent.
    claimed_until = timezone.now() + datetime.timedelta(seconds=EMAIL_CLAIM_SECONDS)
    Notification.objects.filter(pk=notification.pk).update(emailed_at=None, email_due_at=claimed_until)
    assert notifications_send_due() == 0
    Notification.objects.filter(pk=notification.pk).update(email_due_at=timezone.now() - datetime.timedelta(seconds=1))
    assert notifications_send_due() == 1
    assert notifications_send_due() == 0
    assert len(mail.outbox) == 1
