import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from qms.choices import ActionStatus
from qms.escalations import escalations_run
from qms.models import EscalationLog, Notification
from qms.tasks import run_escalations
from tests.factories import ActionFactory

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def recipients(verb="action_overdue"):
    return {n.recipient.username for n in Notification.objects.filter(verb=verb).select_related("recipient")}


def test_it_escalates_an_overdue_action_to_the_owner_the_manager_and_the_quality_officer(cast):
    cast.risk_owner_a.manager = cast.board_a
    cast.risk_owner_a.save()
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY)
    assert escalations_run(today=TODAY)["overdue_actions"] == 1
    assert recipients() == {"risk_owner_a", "board_a", "qo_a"}


def test_it_falls_back_to_the_nearest_team_lead_when_the_owner_has_no_manager(cast):
    ActionFactory(unit=cast.units.team_a1a, owner=cast.auditor_a, due_date=YESTERDAY)
    escalations_run(today=TODAY)
    assert recipients() == {"auditor_a", "team_lead_a", "qo_a"}


def test_it_escalates_once_a_day_however_often_it_runs(cast):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY)
    first = escalations_run(today=TODAY)
    second = escalations_run(today=TODAY)
    assert (first["overdue_actions"], second["overdue_actions"]) == (1, 0)
    assert Notification.objects.filter(verb="action_overdue").count() == 2  # owner + quality officer, once
    assert EscalationLog.objects.count() == 1


def test_it_escalates_again_the_next_day(cast):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY)
    escalations_run(today=TODAY)
    assert escalations_run(today=TODAY + datetime.timedelta(days=1))["overdue_actions"] == 1


def test_it_leaves_actions_that_are_due_today_finished_or_cancelled_alone(cast):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=TODAY)
    ActionFactory(
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        due_date=YESTERDAY,
        status=ActionStatus.DONE,
        completed_at=timezone.now(),
    )
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY, status=ActionStatus.CANCELLED)
    assert escalations_run(today=TODAY)["overdue_actions"] == 0
    assert not Notification.objects.exists()


def test_it_e_mails_the_escalation(cast, django_capture_on_commit_callbacks):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY)
    with django_capture_on_commit_callbacks(execute=True):
        escalations_run(today=TODAY)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.risk_owner_a.email, cast.qo_a.email])
    assert all("/actions/" in m.body for m in mail.outbox)


def test_it_runs_from_the_command_and_the_task_with_the_same_result(cast):
    ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY)
    call_command("run_escalations")
    # apply(): the task in this process, its return value read directly (a .get() is refused while any
    # thread of the process, a live server's included, is inside an eager task: Celery's flag is global).
    assert run_escalations.apply().result["overdue_actions"] == 0
    assert EscalationLog.objects.count() == 1
