"""Reads of the incidents part."""

from incidents.models import IncidentPolicy


def policy_for(organisation) -> IncidentPolicy:
    """The organisation's incident policy, or an unsaved one with the source's defaults."""
    organisation_id = getattr(organisation, "pk", organisation)
    policy = IncidentPolicy.objects.filter(organisation_id=organisation_id).first()
    return policy or IncidentPolicy(organisation_id=organisation_id)
