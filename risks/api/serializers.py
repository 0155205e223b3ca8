"""API serializers of this app (validation and representation only), kept with their viewsets by part:
the register in ``register.py``, the monthly score in ``scoring.py``."""

from risks.api.register import RiskApprovalSerializer, RiskMeasureSerializer, RiskSerializer
from risks.api.scoring import InvestigationSerializer, MonthlyScoreSerializer, ScoreAreaSerializer

__all__ = [
    "InvestigationSerializer",
    "MonthlyScoreSerializer",
    "RiskApprovalSerializer",
    "RiskMeasureSerializer",
    "RiskSerializer",
    "ScoreAreaSerializer",
]
