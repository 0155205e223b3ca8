"""API viewsets of this app (scoped querysets, writes through services), kept with their serializers
by part: the register in ``register.py``, the monthly score in ``scoring.py``."""

from risks.api.register import RiskApprovalViewSet, RiskMeasureViewSet, RiskViewSet
from risks.api.scoring import InvestigationViewSet, MonthlyScoreViewSet, ScoreAreaViewSet

__all__ = [
    "InvestigationViewSet",
    "MonthlyScoreViewSet",
    "RiskApprovalViewSet",
    "RiskMeasureViewSet",
    "RiskViewSet",
    "ScoreAreaViewSet",
]
