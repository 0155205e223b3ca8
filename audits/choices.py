"""Choice sets of the audits app (stable codes, the API uses them; labels are translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The maturity scale of the source (seed 001, appendix 1): 1 ad hoc ... 5 optimising.
LEVEL_MIN, LEVEL_MAX = 1, 5
# A cycle plans the principles over this many years (seed 001: a three-year cycle).
CYCLE_YEARS = 3
# An audit needs at least this many independent assessors.
MIN_ASSESSORS = 2


class ControlKind(models.TextChoices):
    HARD = "hard", _("Hard control")
    SOFT = "soft", _("Soft control")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    FIELDWORK = "fieldwork", _("Fieldwork")
    SCORING = "scoring", _("Scoring")
    CALIBRATION = "calibration", _("Calibration")
    DRAFT_REPORT = "draft_report", _("Draft report")
    MANAGEMENT_RESPONSE = "management_response", _("Management response")
    FINAL = "final", _("Final")
    FOLLOW_UP = "follow_up", _("Follow-up")


# The order of the flow; before calibration every score is seen by its assessor only.
AUDIT_FLOW = list(AuditStatus)
BLIND_STATUSES = (AuditStatus.PLANNED, AuditStatus.FIELDWORK, AuditStatus.SCORING)
# Scores are given (and changed) while the audit is in scoring; calibrated scores in calibration.
SCORING_STATUSES = (AuditStatus.FIELDWORK, AuditStatus.SCORING)
# An audit in progress, for the cockpits and the lists ("audits in progress").
IN_PROGRESS_STATUSES = tuple(AUDIT_FLOW[: AUDIT_FLOW.index(AuditStatus.FINAL)])


class FieldworkKind(models.TextChoices):
    DOCUMENT = "document", _("Document study")
    INTERVIEW = "interview", _("Interview")


class FindingKind(models.TextChoices):
    FINDING = "finding", _("Area of attention")
    RECOMMENDATION = "recommendation", _("Recommendation")
    GOOD_EXAMPLE = "good_example", _("Good example")


class Recognition(models.TextChoices):
    RECOGNISED = "recognised", _("Recognised")
    PARTLY = "partly", _("Partly recognised")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")
