"""The hook of the feedback escalations: escalating runs the registered handler in the decision's
transaction and links the escalation to what it created; a dismissal or a refused decision runs none."""

import pytest
from django.core.exceptions import ValidationError

from kpis.models import FeedbackEscalation
from kpis.services import feedback as services
from qms.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(monkeypatch):
    calls = []

    def handler(*, actor, escalation):
        calls.append(escalation.pk)
        return Action.objects.first()

    monkeypatch.setattr(services, "_ESCALATION_HANDLERS", [])
    services.register_escalation_handler(handler)
    services.register_escalation_handler(handler)  # once, however often it is registered
    return calls


def test_it_links_the_escalation_to_what_the_handler_created(cast, handled):
    from tests.factories import ActionFactory

    action = ActionFactory(unit=cast.units.team_a1a, owner=cast.team_lead_a)
    escalation = FeedbackEscalation.objects.create(unit=cast.units.team_a1a, category="service", reason="3 items")
    escalation = services.feedback_escalation_decide(actor=cast.qo_a, escalation=escalation, status="escalated")
    assert handled == [escalation.pk]
    escalation.refresh_from_db()
    assert escalation.follow_up == action
    assert escalation.history.count() == 2  # proposed, escalated (with its link)


def test_a_dismissal_runs_no_handler(cast, handled):
    escalation = FeedbackEscalation.objects.create(unit=cast.units.team_a1a, category="service", reason="3 items")
    with pytest.raises(ValidationError):
        services.feedback_escalation_decide(actor=cast.qo_a, escalation=escalation, status="dismissed")
    services.feedback_escalation_decide(actor=cast.qo_a, escalation=escalation, status="dismissed", note="Noise")
    assert handled == []
    assert FeedbackEscalation.objects.get().follow_up is None
