"""factory_boy factories for the core models."""

import datetime

import factory
from django.utils import timezone

from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, Membership, OrganisationUnit, User
from qms.services.organisation import unit_store_new


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = UnitKind.ORGANISATION
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the service helper, so the unit gets its path like every real unit.
        return unit_store_new(model_class(*args, **kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.VIEWER


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Action {n}")
    unit = factory.SubFactory(UnitFactory)
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    status = ActionStatus.OPEN
    kind = ActionKind.GENERAL
