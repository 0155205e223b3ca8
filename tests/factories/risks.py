"""factory_boy factories for the risk register. Risks are made through the service, so they get
their organisation and levels exactly as real ones do."""

import datetime

import factory
from django.utils import timezone

from qms.choices import ActionKind
from qms.models import Action
from risks.models import Risk, RiskCategory
from tests.factories import UserFactory


def category(code="operational") -> RiskCategory:
    return RiskCategory.objects.get_or_create(organisation=None, code=code, defaults={"name": code.capitalize()})[0]


class RiskFactory(factory.django.DjangoModelFactory):
    """``RiskFactory(unit=..., owner=...)``; pass likelihood/impact for the level you need
    (default 3 x 4 = high in the default matrix). The creator is a superuser unless given."""

    class Meta:
        model = Risk

    title = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 4

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from risks.services.register import risk_create

        actor = kwargs.pop("actor", None) or UserFactory(username="factory-root", is_superuser=True)
        kwargs.setdefault("category", category())
        return risk_create(actor=actor, **kwargs)


def add_measure(risk, *, owner=None, due_date=None, title="Measure", status=None) -> Action:
    """A measure of ``risk``, stored directly (for setting up tests; use services.measure_create to
    test the plan rules)."""
    from django.contrib.contenttypes.models import ContentType

    action = Action.objects.create(
        title=title,
        unit=risk.unit,
        owner=owner or risk.owner,
        due_date=due_date or timezone.localdate() + datetime.timedelta(days=30),
        kind=ActionKind.MITIGATION,
        source_content_type=ContentType.objects.get_for_model(Risk),
        source_object_id=risk.pk,
        **({"status": status} if status else {}),
    )
    return action
