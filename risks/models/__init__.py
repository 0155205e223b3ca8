"""Models of the risks app: the risk register (``register``) and the monthly weighted risk score
(``scoring``)."""

from risks.models.register import Risk, RiskApproval, RiskCategory, RiskMatrix, RiskReview
from risks.models.scoring import AreaScore, Investigation, MonthlyScore, ScoreArea

__all__ = [
    "AreaScore",
    "Investigation",
    "MonthlyScore",
    "Risk",
    "RiskApproval",
    "RiskCategory",
    "RiskMatrix",
    "RiskReview",
    "ScoreArea",
]
