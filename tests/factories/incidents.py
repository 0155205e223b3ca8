"""factory_boy factories for the incidents app. ``IncidentFactory`` writes rows directly (for tests
that need incidents as material: problems, breaches, reports); tests of the incident rules themselves
go through ``incidents.services.incidents``. Its due time is a plain clock-hour sum, not the calendar's."""

import datetime

import factory
from django.utils import timezone

from incidents.choices import DEFAULT_PRIORITY_MATRIX, DEFAULT_RESTORE_HOURS, Channel, Impact, IncidentStatus, Urgency
from incidents.models import Incident
from qms.calendar import calendar_for


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    unit = None  # required: pass a unit
    organisation = factory.LazyAttribute(lambda incident: incident.unit.organisation)
    channel = Channel.MAIL
    reported_at = factory.LazyFunction(timezone.now)
    impact = Impact.LIMITED_GROUP
    urgency = Urgency.STOPS
    priority = factory.LazyAttribute(lambda incident: DEFAULT_PRIORITY_MATRIX[incident.impact][incident.urgency])
    restore_target_hours = factory.LazyAttribute(lambda incident: DEFAULT_RESTORE_HOURS[incident.priority])
    restore_due = factory.LazyAttribute(
        lambda incident: incident.reported_at + datetime.timedelta(hours=float(incident.restore_target_hours))
    )
    status = IncidentStatus.NEW
    data_breach_suspected = False
    held_for = datetime.timedelta()
    # What incident_resolve stores: the service time from the report to the resolution, less the hold.
    restore_time = factory.LazyAttribute(
        lambda incident: (
            max(
                calendar_for(incident.organisation).between(incident.reported_at, incident.resolved_at)
                - incident.held_for,
                datetime.timedelta(),
            )
            if getattr(incident, "resolved_at", None)
            else None
        )
    )
