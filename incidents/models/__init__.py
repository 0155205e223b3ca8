"""Models of the incidents app: incidents, problems, changes, data breaches (one module per part)."""

from .breaches import DataBreach
from .changes import Change, ChangeDecision
from .incidents import ContactConfirmation, EscalationContact, Incident, IncidentPolicy, IncidentUpdate
from .nonconformities import CapaProposal, CapaQuarter, CauseCategory, EffectivenessCheck, NonConformity
from .problems import Problem, ProblemProposal

__all__ = [
    "CapaProposal",
    "CapaQuarter",
    "CauseCategory",
    "EffectivenessCheck",
    "NonConformity",
    "Change",
    "ChangeDecision",
    "ContactConfirmation",
    "DataBreach",
    "EscalationContact",
    "Incident",
    "IncidentPolicy",
    "IncidentUpdate",
    "Problem",
    "ProblemProposal",
]
