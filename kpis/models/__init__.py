"""Models of the KPI app: KPIs with norms and their measurements, customer feedback, SMART objectives
with key results, and the intended effects of improvement actions. Rules across rows live in
``kpis.services``, reads that need shaping in ``kpis.selectors``."""

from .effects import IntendedEffect
from .feedback import Feedback, FeedbackEscalation
from .kpis import Kpi, KpiMeasurement
from .objectives import KeyResult, Objective

__all__ = ["Feedback", "FeedbackEscalation", "IntendedEffect", "KeyResult", "Kpi", "KpiMeasurement", "Objective"]
