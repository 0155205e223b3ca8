"""Writes of the incidents part: registering incidents, their priority and SLA clock, the status steps,
updates, the SLA watch and the P1 hourly-update schedule (SPEC 5.2).

Priority comes from the organisation's matrix (``policy_for``), the restore due time from the service
calendar (``qms.calendar``). Whenever the due time is computed, the 75 % mark (``sla_warn_at``) is stored
beside it, so the SLA watch is one query over stored times instead of calendar arithmetic per incident.
The status steps are one transition table; each locks the row, checks who acts and records why.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.choices import (
    OPEN_INCIDENT_STATUSES,
    SLA_WARNING_SHARE,
    Channel,
    Impact,
    IncidentCategory,
    IncidentStatus,
    Priority,
    Urgency,
)
from incidents.models import Incident, IncidentUpdate
from incidents.models.incidents import RUNNING_INCIDENT_STATUSES
from incidents.selectors.contacts import contact_recipients
from incidents.selectors.incidents import policy_for
from qms.calendar import calendar_for
from qms.choices import CONTRIBUTOR_ROLES, Role, UnitKind
from qms.models import OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated, system_note
from qms.services.notifications import mail_mailboxes, notify

INCIDENT_FIELDS = {"title", "description", "category", "impact", "urgency", "owner", "reporter_name"}
# P1 updates are due every hour from 07:00 to 22:00 (both included), every day, Amsterdam time.
UPDATE_HOURS = (7, 22)
UPDATE_ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
ONE_HOUR = datetime.timedelta(hours=1)


# --- who may do what ---------------------------------------------------------------------------


def can_register_incidents(user, unit: OrganisationUnit) -> bool:
    """Whoever holds a contributing role in the unit (or above it) registers incidents there."""
    scope = scope_for(user)
    return scope.can_see_unit(unit) and scope.has_role(unit, *CONTRIBUTOR_ROLES)


def can_handle_incident(user, incident: Incident) -> bool:
    """The owner, and the contributors of the unit: incident coordinators, quality officers and
    administrators of the unit or its organisation among them. Viewers and auditors only read."""
    return (incident.owner_id is not None and incident.owner_id == user.pk) or can_register_incidents(
        user, incident.unit
    )


# --- the clock ---------------------------------------------------------------------------------


def _hours(value: Decimal) -> datetime.timedelta:
    return datetime.timedelta(seconds=int((Decimal(value) * 3600).to_integral_value()))


def _check_impact_urgency(impact, urgency) -> None:
    errors = {}
    if impact not in Impact.values:
        errors["impact"] = _("Choose one of the impacts.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose one of the urgencies.")
    if errors:
        raise ValidationError(errors)


def _schedule(incident: Incident, calendar) -> None:
    """The due time and the 75 % mark: target (plus the service time on hold so far) after the report."""
    target = _hours(incident.restore_target_hours)
    held = incident.held_for or datetime.timedelta()
    incident.restore_due = calendar.add(incident.reported_at, target + held)
    incident.sla_warn_at = calendar.add(incident.reported_at, target * float(SLA_WARNING_SHARE) + held)


def _derive(incident: Incident, policy, calendar) -> None:
    """Priority from the matrix, the target of that priority, and the due times."""
    _check_impact_urgency(incident.impact, incident.urgency)
    incident.priority = policy.priority(incident.impact, incident.urgency)
    incident.restore_target_hours = policy.restore_target(incident.priority)
    _schedule(incident, calendar)


def _organisation_of(unit: OrganisationUnit) -> OrganisationUnit:
    organisation = unit.organisation
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"unit": _("Register incidents in an organisation or one of its units, not in a group.")})
    return organisation


def incident_preview(*, organisation, impact, urgency, reported_at=None) -> dict:
    """What an incident with this impact and urgency would get: priority, target and due time (the live
    preview of the quick-entry form). Unknown impact or urgency is a field error."""
    _check_impact_urgency(impact, urgency)
    policy = policy_for(organisation)
    priority = policy.priority(impact, urgency)
    target = policy.restore_target(priority)
    reported_at = reported_at or timezone.now()
    return {
        "priority": priority,
        "restore_target_hours": target,
        "restore_due": calendar_for(organisation).add(reported_at, _hours(target)),
    }


# --- the P1 hourly-update schedule -------------------------------------------------------------


def next_update_hour(moment: datetime.datetime) -> datetime.datetime:
    """The first full hour strictly after ``moment`` at which a P1 update is due (07:00-22:00 Amsterdam)."""
    utc = moment.astimezone(datetime.UTC)
    # Amsterdam's offsets are whole hours, so its full hours are UTC's.
    candidate = utc.replace(minute=0, second=0, microsecond=0) + ONE_HOUR
    local = candidate.astimezone(UPDATE_ZONE)
    first, last = UPDATE_HOURS
    if first <= local.hour <= last:
        return local
    day = local.date() + datetime.timedelta(days=1) if local.hour > last else local.date()
    return datetime.datetime.combine(day, datetime.time(first), tzinfo=UPDATE_ZONE)


def previous_update_hour(moment: datetime.datetime) -> datetime.datetime:
    """The last update hour strictly before ``moment`` (an update hour itself)."""
    candidate = moment.astimezone(datetime.UTC) - ONE_HOUR
    local = candidate.astimezone(UPDATE_ZONE)
    first, last = UPDATE_HOURS
    if first <= local.hour <= last:
        return local
    day = local.date() - datetime.timedelta(days=1) if local.hour < first else local.date()
    return datetime.datetime.combine(day, datetime.time(last), tzinfo=UPDATE_ZONE)


def _contacts_of(incident: Incident, affected_ids=None) -> tuple[list, list[str]]:
    """The escalation contacts of every affected unit and of the reporting unit."""
    if affected_ids is None:
        affected_ids = [unit.pk for unit in incident.affected_units.all()]
    return contact_recipients({incident.unit_id, *affected_ids})


def _p1_begin(incident: Incident, *, now: datetime.datetime) -> None:
    incident.p1_since = now
    incident.next_update_due = next_update_hour(now)
    incident.missed_updates = 0


def _p1_announce(incident: Incident, *, actor=None) -> None:
    """Tell the contacts of the affected units at once (in the application and by e-mail)."""
    users, mailboxes = _contacts_of(incident)
    title = gettext_lazy("Major disruption (P1): %(title)s")
    body = gettext_lazy("%(unit)s reported a major disruption. Updates follow every hour from 07:00 to 22:00.")
    notify(
        recipients=users,
        verb="incident_p1",
        title=title,
        params={"title": incident.title},
        body=body,
        body_params={"unit": incident.unit},
        target=incident,
    )
    mail_mailboxes(
        addresses=mailboxes,
        subject=system_note(title, title=incident.title),
        body=system_note(body, unit=incident.unit),
        url=incident.get_absolute_url(),
    )


def _default_owner(unit: OrganisationUnit) -> User | None:
    """The nearest incident coordinator of the unit or a unit above it (the organisation's, usually)."""
    holders = RoleHolders([unit], [Role.INCIDENT_COORDINATOR]).nearest(unit, Role.INCIDENT_COORDINATOR)
    return min(holders, key=lambda user: user.pk) if holders else None


# --- registering -------------------------------------------------------------------------------


@transaction.atomic
def incident_create(
    *,
    actor,
    unit: OrganisationUnit,
    title: str,
    impact: str,
    urgency: str,
    data_breach_suspected: bool | None,
    description: str = "",
    category: str = IncidentCategory.OTHER,
    affected_units=(),
    owner: User | None = None,
    reporter: User | None = None,
    reporter_name: str = "",
    channel: str = Channel.WEB,
    reported_at: datetime.datetime | None = None,
) -> Incident:
    """Register an incident: priority from the organisation's matrix, due time in service hours, the owner
    by default the incident coordinator. A P1 tells the affected units' contacts at once; a suspected data
    breach opens the breach protocol; a cluster of incidents proposes a problem. All in one transaction."""
    now = timezone.now()
    errors: dict = {}
    if not can_register_incidents(actor, unit):
        raise ValidationError({"unit": _("You cannot register incidents for %(unit)s.") % {"unit": unit}})
    if data_breach_suspected not in (True, False):
        errors["data_breach_suspected"] = _("Answer whether this concerns information security or privacy.")
    if impact not in Impact.values:
        errors["impact"] = _("Choose one of the impacts.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose one of the urgencies.")
    reported_at = reported_at or now
    if reported_at > now:
        errors["reported_at"] = _("The report time cannot be in the future.")
    organisation = None
    try:
        organisation = _organisation_of(unit)
    except ValidationError as error:
        errors.update(error.message_dict)
    affected_units = list(affected_units)
    scope = scope_for(actor)
    if any(not scope.can_see_unit(affected) for affected in affected_units):
        errors["affected_units"] = _("Choose affected units you can see.")
    if owner is None and organisation is not None:
        owner = _default_owner(unit)
    elif owner is not None:
        try:
            validate_owner_for_unit(owner, unit)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    incident = Incident(
        organisation=organisation,
        unit=unit,
        title=title,
        description=description,
        category=category,
        impact=impact,
        urgency=urgency,
        data_breach_suspected=data_breach_suspected,
        owner=owner,
        reporter=reporter if reporter is not None else actor,
        reporter_name=reporter_name,
        channel=channel,
        reported_at=reported_at,
    )
    _derive(incident, policy_for(organisation), calendar_for(organisation))
    if incident.priority == Priority.P1:
        _p1_begin(incident, now=now)
    save_validated(incident, actor=actor)
    if affected_units:
        incident.affected_units.set(affected_units)
    if incident.owner_id and incident.owner_id != actor.pk:
        notify(
            recipients=[incident.owner],
            verb="incident_assigned",
            title=gettext_lazy("You own a new incident (P%(priority)s): %(title)s"),
            params={"priority": incident.priority, "title": incident.title},
            target=incident,
        )
    if incident.priority == Priority.P1:
        _p1_announce(incident, actor=actor)
    if data_breach_suspected:
        from incidents.services.breaches import breach_open_from_incident

        breach_open_from_incident(incident=incident, actor=actor)
    from incidents.services.problems import problems_propose_for

    problems_propose_for(incident=incident)
    return incident


def _lock(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("unit", "organisation", "owner")
        .get(pk=incident.pk)
    )


@transaction.atomic
def incident_update(*, actor, incident: Incident, reason: str = "", **changes) -> Incident:
    """Change an incident. A new impact or urgency re-derives the priority and the due time (the time
    already on hold still counts), noted in the history; becoming P1 tells the contacts at once."""
    affected_units = changes.pop("affected_units", None)
    incident = _lock(incident)
    if not can_handle_incident(actor, incident):
        deny(_("You cannot change this incident."))
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError(_("This incident is closed and cannot be changed."))
    old_priority, old_due = incident.priority, incident.restore_due
    changed = apply_changes(incident, changes, INCIDENT_FIELDS)
    affected_changed = False
    if affected_units is not None:
        affected_units = list(affected_units)
        scope = scope_for(actor)
        if any(not scope.can_see_unit(unit) for unit in affected_units):
            raise ValidationError({"affected_units": _("Choose affected units you can see.")})
        affected_changed = {u.pk for u in affected_units} != set(incident.affected_units.values_list("pk", flat=True))
    if not changed and not affected_changed:
        return incident
    if "owner" in changed and incident.owner is not None:
        validate_owner_for_unit(incident.owner, incident.unit)
    notes = []
    if {"impact", "urgency"} & set(changed):
        _derive(incident, policy_for(incident.organisation), calendar_for(incident.organisation))
        if incident.priority != old_priority or incident.restore_due != old_due:
            notes.append(
                system_note(
                    gettext_lazy("Priority re-derived: P%(old)s to P%(new)s, due %(due)s"),
                    old=old_priority,
                    new=incident.priority,
                    due=timezone.localtime(incident.restore_due).strftime("%Y-%m-%d %H:%M"),
                )
            )
        became_p1 = incident.priority == Priority.P1 and old_priority != Priority.P1
        if became_p1:
            _p1_begin(incident, now=timezone.now())
        elif incident.priority != Priority.P1:
            incident.next_update_due, incident.missed_updates = None, 0
    else:
        became_p1 = False
    if reason.strip():
        notes.append(reason.strip())
    if changed:
        save_validated(incident, actor=actor, reason="; ".join(notes))
    if affected_changed:
        incident._history_user = actor
        incident.affected_units.set(affected_units)
    if became_p1 and incident.is_open:
        _p1_announce(incident, actor=actor)
    if "owner" in changed and incident.owner_id and incident.owner_id != actor.pk:
        notify(
            recipients=[incident.owner],
            verb="incident_assigned",
            title=gettext_lazy("You own an incident now (P%(priority)s): %(title)s"),
            params={"priority": incident.priority, "title": incident.title},
            target=incident,
        )
    return incident


# --- the status steps --------------------------------------------------------------------------

# step -> (statuses it starts from, the status it leads to)
TRANSITIONS = {
    "start": ((IncidentStatus.NEW,), IncidentStatus.IN_PROGRESS),
    "hold": ((IncidentStatus.NEW, IncidentStatus.IN_PROGRESS), IncidentStatus.ON_HOLD),
    "resume": ((IncidentStatus.ON_HOLD,), IncidentStatus.IN_PROGRESS),
    "resolve": (OPEN_INCIDENT_STATUSES, IncidentStatus.RESOLVED),
    "close": ((IncidentStatus.RESOLVED,), IncidentStatus.CLOSED),
    "reopen": ((IncidentStatus.RESOLVED,), IncidentStatus.IN_PROGRESS),
}

STEP_REFUSALS = {
    "start": gettext_lazy("Only a new incident can be started."),
    "hold": gettext_lazy("Only a new incident or one in progress can be put on hold."),
    "resume": gettext_lazy("Only an incident on hold can be resumed."),
    "resolve": gettext_lazy("This incident is resolved already."),
    "close": gettext_lazy("Only a resolved incident can be closed."),
    "reopen": gettext_lazy("Only a resolved incident can be reopened."),
}


def _begin_step(actor, incident: Incident, step: str) -> Incident:
    incident = _lock(incident)
    if not can_handle_incident(actor, incident):
        deny(_("You cannot change the status of this incident."))
    sources, _target = TRANSITIONS[step]
    if incident.status not in sources:
        raise ValidationError({"status": str(STEP_REFUSALS[step])})
    return incident


def _end_hold(incident: Incident, until: datetime.datetime, calendar) -> None:
    """Count the service time on hold and move the due time by it."""
    if incident.on_hold_since is not None:
        until = max(until, incident.on_hold_since)
        incident.held_for = (incident.held_for or datetime.timedelta()) + calendar.between(
            incident.on_hold_since, until
        )
        incident.on_hold_since = None
        _schedule(incident, calendar)


def _step_done(actor, incident: Incident, step: str, reason: str = "") -> Incident:
    incident.status = TRANSITIONS[step][1]
    save_validated(incident, actor=actor, reason=reason)
    if incident.owner_id and incident.owner_id != actor.pk:
        notify(
            recipients=[incident.owner],
            verb="incident_status",
            title=gettext_lazy("Incident %(status)s: %(title)s"),
            params={"status": incident.get_status_display().lower(), "title": incident.title},
            body=gettext_lazy("Reason: %(reason)s") if reason else None,
            body_params={"reason": reason} if reason else None,
            target=incident,
        )
    return incident


@transaction.atomic
def incident_start(*, actor, incident: Incident) -> Incident:
    """Take a new incident in hand."""
    incident = _begin_step(actor, incident, "start")
    return _step_done(actor, incident, "start")


@transaction.atomic
def incident_hold(*, actor, incident: Incident, reason: str) -> Incident:
    """Put an incident on hold (waiting for the reporter or a third party): the SLA clock stops."""
    incident = _begin_step(actor, incident, "hold")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the incident is on hold.")})
    incident.hold_reason = reason[: Incident._meta.get_field("hold_reason").max_length]
    incident.on_hold_since = timezone.now()
    return _step_done(actor, incident, "hold", reason)


@transaction.atomic
def incident_resume(*, actor, incident: Incident) -> Incident:
    """Take an incident off hold: the due time moves by the service time it spent on hold."""
    incident = _begin_step(actor, incident, "resume")
    _end_hold(incident, timezone.now(), calendar_for(incident.organisation))
    incident.hold_reason = ""
    return _step_done(actor, incident, "resume")


@transaction.atomic
def incident_resolve(
    *, actor, incident: Incident, resolution: str, resolved_at: datetime.datetime | None = None
) -> Incident:
    """Record the restoration; the SLA is met when it came at or before the due time."""
    incident = _begin_step(actor, incident, "resolve")
    now = timezone.now()
    resolved_at = resolved_at or now
    errors = {}
    if not (resolution or "").strip():
        errors["resolution"] = _("Say how the incident was resolved.")
    if resolved_at < incident.reported_at:
        errors["resolved_at"] = _("An incident cannot be resolved before it was reported.")
    elif resolved_at > now:
        errors["resolved_at"] = _("The resolution time cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    calendar = calendar_for(incident.organisation)
    if incident.status == IncidentStatus.ON_HOLD:
        _end_hold(incident, resolved_at, calendar)
        incident.hold_reason = ""
    incident.resolution = resolution.strip()
    incident.resolved_at = resolved_at
    incident.sla_met = resolved_at <= incident.restore_due
    # Stored for the SLA report, which averages and ranks it in the database.
    incident.restore_time = max(
        calendar.between(incident.reported_at, resolved_at) - (incident.held_for or datetime.timedelta()),
        datetime.timedelta(),
    )
    incident.next_update_due = None
    return _step_done(actor, incident, "resolve")


@transaction.atomic
def incident_close(*, actor, incident: Incident) -> Incident:
    """Close a resolved incident: it cannot change any more."""
    incident = _begin_step(actor, incident, "close")
    incident.closed_at = timezone.now()
    return _step_done(actor, incident, "close")


@transaction.atomic
def incident_reopen(*, actor, incident: Incident, reason: str) -> Incident:
    """Reopen a resolved incident that is not restored after all; the SLA clock runs on."""
    incident = _begin_step(actor, incident, "reopen")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the incident is reopened.")})
    incident.resolved_at = None
    incident.sla_met = None
    incident.restore_time = None
    if incident.priority == Priority.P1:
        incident.next_update_due = next_update_hour(timezone.now())
        incident.missed_updates = 0
    return _step_done(actor, incident, "reopen", reason)


INCIDENT_STEPS = {
    "start": incident_start,
    "hold": incident_hold,
    "resume": incident_resume,
    "resolve": incident_resolve,
    "close": incident_close,
    "reopen": incident_reopen,
}


# --- updates -----------------------------------------------------------------------------------


@transaction.atomic
def incident_post_update(*, actor, incident: Incident, text: str) -> IncidentUpdate:
    """Post an update on an open incident. On a P1 it answers the hour due (late when after it), sets the
    next hour, and goes to the affected units' contacts."""
    incident = _lock(incident)
    if not can_handle_incident(actor, incident):
        deny(_("You cannot post updates on this incident."))
    if not incident.is_open:
        raise ValidationError({"incident": _("This incident is resolved or closed: it takes no more updates.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the update.")})
    now = timezone.now()
    update = IncidentUpdate(incident=incident, text=text, posted_at=now, posted_by=actor)
    due = incident.next_update_due
    if incident.priority == Priority.P1 and due is not None:
        if incident.missed_updates:
            # The watch has moved on past a missed hour: this one answers it, late.
            update.due_at, update.late = previous_update_hour(due), True
            incident.next_update_due = next_update_hour(now)
        elif now > due:
            update.due_at, update.late = due, True
            incident.next_update_due = next_update_hour(now)
        elif now > due - ONE_HOUR:
            update.due_at = due
            incident.next_update_due = next_update_hour(due)
        incident.missed_updates = 0
        save_validated(incident, actor=actor, reason=system_note(gettext_lazy("Update posted")))
    save_validated(update, actor=actor)
    if incident.priority == Priority.P1:
        users, mailboxes = _contacts_of(incident)
        title = gettext_lazy("Update on major disruption: %(title)s")
        notify(
            recipients=users,
            verb="incident_update",
            title=title,
            params={"title": incident.title},
            body=gettext_lazy("%(text)s"),
            body_params={"text": text},
            target=incident,
            exclude=[actor],
        )
        mail_mailboxes(
            addresses=mailboxes,
            subject=system_note(title, title=incident.title),
            body=text,
            url=incident.get_absolute_url(),
        )
    return update


# --- the jobs ----------------------------------------------------------------------------------


def _owner_or_coordinators(incident: Incident, holders: RoleHolders) -> list[User]:
    if incident.owner_id:
        return [incident.owner]
    return holders.nearest(incident.unit, Role.INCIDENT_COORDINATOR)


def _managers(incident: Incident, holders: RoleHolders) -> list[User]:
    owner = incident.owner
    if owner is not None and owner.manager_id:
        return [owner.manager]
    return holders.nearest(incident.unit, Role.TEAM_LEAD, exclude=owner)


@transaction.atomic
def sla_watch(*, now: datetime.datetime | None = None) -> dict:
    """Warn the owner of each running incident at 75 % of its target and escalate at 100 % (owner, their
    manager, the quality officers), each once per incident.

    One query finds what to act on (stored ``sla_warn_at``/``restore_due`` against ``now``, on partial
    indexes); the rows are locked with SKIP LOCKED and claimed by conditional updates, so a concurrent or
    second run notifies nobody twice. A run that finds an incident past 100 % before its warning escalates
    only."""
    now = now or timezone.now()
    due = list(
        Incident.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status__in=RUNNING_INCIDENT_STATUSES)
        .filter(
            Q(sla_warn_at__lte=now, sla_warned_at__isnull=True) | Q(restore_due__lte=now, sla_escalated_at__isnull=True)
        )
        .select_related("owner__manager", "unit")
        .order_by("pk")
    )
    if not due:
        return {"warned": 0, "escalated": 0}
    to_escalate = [i for i in due if i.restore_due <= now and i.sla_escalated_at is None]
    escalate_ids = {i.pk for i in to_escalate}
    to_warn = [i for i in due if i.pk not in escalate_ids and i.sla_warned_at is None]
    if to_escalate:
        Incident.objects.filter(pk__in=escalate_ids, sla_escalated_at__isnull=True).update(
            sla_escalated_at=now, sla_warned_at=Coalesce(F("sla_warned_at"), now)
        )
    if to_warn:
        Incident.objects.filter(pk__in=[i.pk for i in to_warn], sla_warned_at__isnull=True).update(sla_warned_at=now)
    holders = RoleHolders([i.unit for i in due], [Role.QUALITY_OFFICER, Role.TEAM_LEAD, Role.INCIDENT_COORDINATOR])
    for incident in to_warn:
        recipients = (
            [incident.owner] if incident.owner_id else holders.nearest(incident.unit, Role.INCIDENT_COORDINATOR)
        )
        notify(
            recipients=recipients,
            verb="incident_sla_warning",
            title=gettext_lazy("75 %% of the restore time used: %(title)s"),
            params={"title": incident.title},
            body=gettext_lazy("Restore due %(due)s (P%(priority)s)."),
            body_params={"due": incident.restore_due, "priority": incident.priority},
            target=incident,
        )
    for incident in to_escalate:
        recipients = [
            incident.owner,
            *_managers(incident, holders),
            *holders.nearest(incident.unit, Role.QUALITY_OFFICER),
        ]
        if not incident.owner_id:
            recipients += holders.nearest(incident.unit, Role.INCIDENT_COORDINATOR)
        notify(
            recipients=recipients,
            verb="incident_sla_breached",
            title=gettext_lazy("Restore time exceeded: %(title)s"),
            params={"title": incident.title},
            body=gettext_lazy("This P%(priority)s incident of %(unit)s was due %(due)s and is not restored."),
            body_params={"priority": incident.priority, "unit": incident.unit, "due": incident.restore_due},
            target=incident,
        )
    return {"warned": len(to_warn), "escalated": len(to_escalate)}


def p1_updates_run(*, now: datetime.datetime | None = None) -> dict:
    """Mark the hours that passed without an update on each open P1 (07:00-22:00), set the next hour and
    remind the owner; after a second missed hour in a row the quality officers too. Each incident is
    claimed by a conditional update on its ``next_update_due``, so a run repeated in the same hour does
    nothing."""
    now = now or timezone.now()
    late = list(
        Incident.objects.filter(
            status__in=OPEN_INCIDENT_STATUSES, priority=Priority.P1, next_update_due__lte=now
        ).select_related("owner", "unit")
    )
    reminded = escalated = 0
    holders = RoleHolders([i.unit for i in late], [Role.QUALITY_OFFICER, Role.INCIDENT_COORDINATOR]) if late else None
    for incident in late:
        missed, due = 0, incident.next_update_due
        while due <= now:
            missed += 1
            due = next_update_hour(due)
        with transaction.atomic():
            claimed = Incident.objects.filter(pk=incident.pk, next_update_due=incident.next_update_due).update(
                next_update_due=due, missed_updates=F("missed_updates") + missed
            )
            if not claimed:
                continue
            in_a_row = incident.missed_updates + missed
            recipients = (
                [incident.owner] if incident.owner_id else holders.nearest(incident.unit, Role.INCIDENT_COORDINATOR)
            )
            if in_a_row >= 2:
                recipients += holders.nearest(incident.unit, Role.QUALITY_OFFICER)
                escalated += 1
            notify(
                recipients=recipients,
                verb="incident_update_missed",
                title=gettext_lazy("Hourly update missed on P1: %(title)s"),
                params={"title": incident.title},
                body=gettext_lazy("%(count)s hour(s) in a row without an update. The next one is due at %(due)s."),
                body_params={"count": in_a_row, "due": due},
                target=incident,
            )
            reminded += 1
    return {"reminded": reminded, "escalated": escalated}


# --- erasure of a person (qms.services.privacy) ------------------------------------------------


def open_incidents(user):
    """Open incidents the person owns."""
    return Incident.objects.filter(owner=user, status__in=OPEN_INCIDENT_STATUSES)


def reassign_incidents(*, user, successor, actor) -> int:
    """Hand the person's open incidents to ``successor`` (through ``incident_update``, so recorded)."""
    items = list(open_incidents(user))
    reason = system_note(gettext_lazy("Owner handed over: the previous owner's data was erased"))
    for item in items:
        incident_update(actor=actor, incident=item, owner=successor, reason=reason)
    return len(items)
