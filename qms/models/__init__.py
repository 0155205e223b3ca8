"""Models of the core app. Business rules live in qms.services, reads in qms.selectors."""

from .actions import Action
from .calendar import ClosedDay, ServiceCalendar
from .escalations import EscalationLog
from .notifications import Notification
from .retention import RetentionRun
from .security import ApiToken, SecurityEvent
from .training import Course, TrainingAssignment
from .units import Membership, OrganisationUnit
from .users import User

__all__ = [
    "Action",
    "ApiToken",
    "ClosedDay",
    "Course",
    "EscalationLog",
    "Membership",
    "Notification",
    "OrganisationUnit",
    "RetentionRun",
    "SecurityEvent",
    "ServiceCalendar",
    "TrainingAssignment",
    "User",
]
