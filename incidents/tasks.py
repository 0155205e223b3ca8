"""Celery tasks of this app: thin, taking ids and calling services."""

from incidents.services.incidents import p1_updates_run, sla_watch
from qms.tasks import idempotent_task


# Idempotent: each incident is claimed by a conditional update (sla_warned_at / sla_escalated_at), so a
# run repeated after a killed worker warns and escalates nobody twice (docs/operations.md).
@idempotent_task("incidents.run_incident_sla", minutes=4)
def run_incident_sla() -> dict:
    """The SLA watch (beat: CELERY_BEAT_SCHEDULE["incident-sla"]): warn at 75 %, escalate at 100 %."""
    return sla_watch()


# Idempotent per hour: each missed hour is claimed by a conditional update on next_update_due.
@idempotent_task("incidents.run_p1_updates", minutes=4)
def run_p1_updates() -> dict:
    """The P1 update watch (beat: CELERY_BEAT_SCHEDULE["p1-updates"]): reminders after a missed hour."""
    return p1_updates_run()


# Idempotent: each reminder of a breach is claimed (row lock, then a bit set in reminders_sent) before it
# is sent, so a run repeated after a killed worker, or a concurrent one, sends nothing twice.
@idempotent_task("incidents.run_breach_reminders", minutes=4)
def run_breach_reminders() -> int:
    """The data-breach reminders (beat: CELERY_BEAT_SCHEDULE["breach-reminders"]): 24, 48, 60 h, overdue."""
    from incidents.services.breaches import breach_reminders_run

    return breach_reminders_run()
