"""How KPI numbers read on the pages: no trailing zeros, the reader's locale, means to two decimals."""

from decimal import Decimal

import pytest
from django.utils import translation

from kpis.templatetags.kpi_tags import kpi_number, signed


@pytest.mark.parametrize(
    ("value", "places", "english", "dutch"),
    [
        (Decimal("99.9000"), None, "99.9", "99,9"),
        (Decimal("100.0000"), None, "100", "100"),
        (Decimal("3.9233"), 2, "3.92", "3,92"),
        (Decimal("4.3667"), 2, "4.37", "4,37"),
        (Decimal("4.0000"), 2, "4", "4"),
        (None, 2, "—", "—"),
    ],
)
def test_it_reads_a_number_without_trailing_zeros_in_the_readers_locale(value, places, english, dutch):
    with translation.override("en"):
        assert kpi_number(value, places) == english
    with translation.override("nl"):
        assert kpi_number(value, places) == dutch


def test_it_signs_a_change():
    with translation.override("en"):
        assert (signed(Decimal("0.4434"), 2), signed(Decimal("-0.5")), signed(Decimal("0"))) == ("+0.44", "-0.5", "0")
