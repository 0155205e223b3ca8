import pytest

from tests.factories.risks import RiskFactory, add_measure


@pytest.fixture
def high_risk(cast):
    """A high (3 x 4) draft risk in business unit A1, owned by the risk owner, with one measure."""
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a)
    add_measure(risk)
    return risk


@pytest.fixture
def very_high_risk(cast):
    risk = RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, likelihood=5, impact=5)
    add_measure(risk)
    return risk
