"""Factories for the KPI app. KPIs are made through the service, so they get their organisation (and
their norms checked) exactly as real ones do; measurements are stored directly, with the status the
KPI's norms give, for setting up tests quickly (use the services to test the rules)."""

from decimal import Decimal

import factory

from kpis.choices import Direction, KpiCategory
from kpis.models import Kpi, KpiMeasurement
from qms.periods import Frequency, parse_period
from tests.factories import UserFactory


class KpiFactory(factory.django.DjangoModelFactory):
    """``KpiFactory(org_unit=..., owner=...)``: a monthly CSAT-like KPI (higher is better, target 4.5,
    green from 4.2, amber from 3.8) unless told otherwise. The creator is a superuser unless given."""

    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"KPI{n}")
    name = factory.Sequence(lambda n: f"KPI {n}")
    category = KpiCategory.CUSTOMER
    direction = Direction.HIGHER_IS_BETTER
    frequency = Frequency.MONTHLY
    measure_unit = "1-5"
    target = Decimal("4.5")
    good_threshold = Decimal("4.2")
    acceptable_threshold = Decimal("3.8")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from kpis.services.kpis import kpi_create

        actor = kwargs.pop("actor", None) or UserFactory(username="factory-root", is_superuser=True)
        return kpi_create(actor=actor, **kwargs)


def lower_is_better(**kwargs) -> dict:
    """Churn-like norms: target 1, green up to 1.5, amber up to 3."""
    return {
        "direction": Direction.LOWER_IS_BETTER,
        "target": Decimal("1"),
        "good_threshold": Decimal("1.5"),
        "acceptable_threshold": Decimal("3"),
        **kwargs,
    }


def measure(kpi: Kpi, period: str, value, note: str = "") -> KpiMeasurement:
    """A measurement stored directly (no permission checks), with its derived period start and status."""
    parsed = parse_period(period, kpi.frequency)
    value = Decimal(str(value))
    return KpiMeasurement.objects.create(
        kpi=kpi, period=str(parsed), period_start=parsed.start, value=value, status=kpi.status_for(value), note=note
    )


def series(kpi: Kpi, first_period: str, values) -> list[KpiMeasurement]:
    """Measurements of consecutive periods from ``first_period``."""
    start = parse_period(first_period, kpi.frequency)
    return [measure(kpi, str(start.shift(index)), value) for index, value in enumerate(values)]
