"""The helpers every service shares (qms.services.base)."""

from qms.services.base import HISTORY_REASON_MAX_LENGTH, save_validated
from tests.factories import UnitFactory


def test_a_reason_longer_than_the_history_keeps_is_shortened_not_refused(db):
    unit = UnitFactory(name="Sales")
    unit.name = "Sales and marketing"
    save_validated(unit, reason="x" * 500)
    reason = unit.history.latest().history_change_reason
    assert len(reason) == HISTORY_REASON_MAX_LENGTH and reason.endswith("…")
