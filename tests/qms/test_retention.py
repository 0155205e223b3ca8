"""Retention (SPEC 8, issue 15 deliverable 8): expired records go (or are anonymised) with their history,
fresh ones stay, every run is recorded, and a second run changes nothing more."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from qms.choices import SecurityEventKind
from qms.models import ApiToken, Course, Notification, RetentionRun, SecurityEvent
from qms.services import retention
from qms.services.retention import records_anonymise, records_delete, register_retention_rule, retention_run
from qms.services.training import course_create
from qms.tasks import run_retention


def aged(model, obj, days, field="created_at"):
    model.objects.filter(pk=obj.pk).update(**{field: timezone.now() - datetime.timedelta(days=days)})
    return obj


@pytest.fixture
def periods(settings):
    settings.RETENTION_DAYS = {
        "security_events": 365,
        "notifications": 180,
        "expired_api_tokens": 90,
        "login_records": 90,
        "email_files": 30,
    }
    return settings.RETENTION_DAYS


def security_event(days):
    return aged(SecurityEvent, SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="x"), days)


@pytest.mark.django_db
def test_expired_security_events_and_notifications_go_and_fresh_ones_stay(cast, periods):
    old_event, fresh_event = security_event(400), security_event(300)
    note = {"recipient": cast.viewer_a, "verb": "x", "title": "t"}
    old_note = aged(Notification, Notification.objects.create(**note), 200)
    fresh_note = aged(Notification, Notification.objects.create(**note), 100)
    run = retention_run()
    assert not SecurityEvent.objects.filter(pk=old_event.pk).exists()
    assert SecurityEvent.objects.filter(pk=fresh_event.pk).exists()
    assert list(Notification.objects.values_list("pk", flat=True)) == [fresh_note.pk]
    assert run.results["security_events"] == 1 and run.results["notifications"] == 1
    assert not Notification.objects.filter(pk=old_note.pk).exists()


@pytest.mark.django_db
def test_tokens_that_stopped_working_long_ago_go(cast, periods):
    def token(days_expired, key):
        expires = timezone.now() - datetime.timedelta(days=days_expired)
        return ApiToken.objects.create(user=cast.viewer_a, key_hash=key, prefix=key[:6], expires_at=expires)

    old, recent = token(100, "a" * 64), token(10, "b" * 64)
    retention_run()
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


@pytest.mark.django_db
def test_old_login_records_of_axes_go(periods):
    from axes.models import AccessLog

    old = AccessLog.objects.create(username="x", ip_address="192.0.2.1", user_agent="ua")
    fresh = AccessLog.objects.create(username="y", ip_address="192.0.2.1", user_agent="ua")
    aged(AccessLog, old, 100, field="attempt_time")
    retention_run()
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [fresh.pk]


@pytest.mark.django_db
def test_old_mail_files_of_the_file_backend_go(periods, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    old, fresh = tmp_path / "old.log", tmp_path / "fresh.log"
    old.write_text("To: someone")
    fresh.write_text("To: someone")
    stamp = (timezone.now() - datetime.timedelta(days=40)).timestamp()
    os.utime(old, (stamp, stamp))
    assert retention_run().results["email_files"] == 1
    assert not old.exists() and fresh.exists()


@pytest.mark.django_db
def test_a_period_of_zero_keeps_everything(periods):
    periods["security_events"] = 0
    old = security_event(4000)
    run = retention_run()
    assert SecurityEvent.objects.filter(pk=old.pk).exists()
    assert "security_events" not in run.results


@pytest.mark.django_db
def test_every_run_is_recorded_and_a_second_run_changes_nothing_more(cast, periods):
    security_event(400)
    security_event(500)
    first = retention_run()
    remaining = SecurityEvent.objects.count()
    second = retention_run()
    assert (first.total, second.total) == (2, 0)
    assert set(second.results.values()) == {0}
    assert SecurityEvent.objects.count() == remaining
    assert RetentionRun.objects.count() == 2
    assert second.finished_at is not None


@pytest.mark.django_db
def test_the_task_and_the_command_run_the_same_job(periods):
    security_event(400)
    assert run_retention()["security_events"] == 1
    security_event(400)
    call_command("run_retention", verbosity=0)
    assert RetentionRun.objects.count() == 2
    assert not SecurityEvent.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=365)).exists()


@pytest.mark.django_db
def test_the_daily_job_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-retention"]
    assert entry["task"] == "qms.tasks.run_retention"


# --- rules of apps: records and their history rows ---------------------------------------------------


@pytest.fixture
def course_rules(periods, monkeypatch):
    """Two rules an app could register, on a model with history (courses stand in for any record)."""
    monkeypatch.setattr(retention, "_RULES", dict(retention._RULES))
    periods["old_courses"] = 30
    periods["course_descriptions"] = 30

    @register_retention_rule("old_courses")
    def old_courses(*, cutoff):
        return records_delete(Course.objects.filter(title__startswith="delete"))

    @register_retention_rule("course_descriptions")
    def course_descriptions(*, cutoff):
        return records_anonymise(
            Course.objects.filter(title__startswith="anonymise").exclude(description=""), description=""
        )


def course(actor, organisation, title, description="secret text"):
    return course_create(actor=actor, organisation=organisation, title=title, description=description)


@pytest.mark.django_db
def test_a_deleted_record_leaves_no_history_rows(cast, course_rules):
    doomed = course(cast.qo_a, cast.units.org_a, "delete me")
    doomed.description = "changed"
    doomed.save()
    kept = course(cast.qo_a, cast.units.org_a, "keep me")
    run = retention_run()
    assert run.results["old_courses"] == 1
    assert not Course.objects.filter(pk=doomed.pk).exists()
    assert not Course.history.filter(id=doomed.pk).exists()
    assert Course.history.filter(id=kept.pk).exists()


@pytest.mark.django_db
def test_an_anonymised_record_is_anonymised_in_its_history_too_and_only_once(cast, course_rules):
    record = course(cast.qo_a, cast.units.org_a, "anonymise me")
    record.description = "more secret text"
    record.save()
    assert retention_run().results["course_descriptions"] == 1
    assert Course.objects.get(pk=record.pk).description == ""
    assert set(Course.history.filter(id=record.pk).values_list("description", flat=True)) == {""}
    assert retention_run().results["course_descriptions"] == 0


def test_periods_come_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from qms.settings import envlist, intpairs

    monkeypatch.setenv("RETENTION_DAYS", "security_events=730, notifications=0")
    assert intpairs("RETENTION_DAYS", envlist("RETENTION_DAYS")) == {"security_events": 730, "notifications": 0}
    monkeypatch.setenv("RETENTION_DAYS", "security_events")
    with pytest.raises(ImproperlyConfigured):
        intpairs("RETENTION_DAYS", envlist("RETENTION_DAYS"))
