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
