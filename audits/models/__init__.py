"""Models of the audits app: the maturity model and cycle, the audits, their findings (one module per part)."""

from .audits import (
    Audit,
    AuditAssessor,
    AuditCalibration,
    AuditEvaluation,
    AuditScore,
    FieldworkItem,
    ManagementResponse,
)
from .findings import Finding, Theme
from .model import AuditCycle, CyclePrinciple, MaturityLevel, Principle, PrincipleControl, PrincipleQuestion

__all__ = [
    "Audit",
    "AuditAssessor",
    "AuditCalibration",
    "AuditCycle",
    "AuditEvaluation",
    "AuditScore",
    "CyclePrinciple",
    "FieldworkItem",
    "Finding",
    "ManagementResponse",
    "MaturityLevel",
    "Principle",
    "PrincipleControl",
    "PrincipleQuestion",
    "Theme",
]
