"""Choice sets of the reviews app (stable codes, the API uses them; labels are translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    FINALISED = "finalised", _("Finalised")


class ReviewInput(models.TextChoices):
    """The inputs of ISO 9001 clause 9.3.2, one section of the pack each, in the order of the clause."""

    PREVIOUS_ACTIONS = "previous_actions", _("Status of actions from earlier reviews")
    CUSTOMER = "customer", _("Customer satisfaction and feedback")
    OBJECTIVES = "objectives", _("Achievement of quality objectives")
    PROCESS_PERFORMANCE = "process_performance", _("Process performance and conformity of services")
    NONCONFORMITIES = "nonconformities", _("Non-conformities and corrective actions")
    MONITORING = "monitoring", _("Monitoring and measurement results")
    AUDITS = "audits", _("Audit results")
    SUPPLIERS = "suppliers", _("Performance of external providers")
    RISKS = "risks", _("Risks and opportunities")
    IMPROVEMENT = "improvement", _("Effectiveness of improvement actions")


# Every section needs the quality officer's commentary before the review is finalised.
COMMENTARY_REQUIRED = tuple(ReviewInput)
