"""The maturity per principle of an organisation's year (audits.selectors.reports.maturity_by_principle):
the exact mean of the units' calibrated scores, rounded half up as the source reports it, with min, max,
the number of units and the distribution of levels; in a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.choices import AuditStatus
from audits.selectors.reports import level_half_up, maturity_by_principle
from qms.choices import UnitKind
from tests.factories import UnitFactory
from tests.factories.audits import (
    advance,
    audit_with_assessors,
    auditor,
    calibrated,
    principles_of,
    scored,
    sibling_unit,
)


@pytest.mark.parametrize(
    ("mean", "level"),
    [("2.5", 3), ("2.49", 2), ("1.5", 2), ("3.5", 4), ("4.5", 5), ("2.6667", 3), ("1", 1), ("3.25", 3)],
)
def test_it_rounds_a_mean_half_up(mean, level):
    assert level_half_up(Decimal(mean)) == level


def _unit(org, name):
    return UnitFactory(name=name, kind=UnitKind.BUSINESS_UNIT, parent=org)


def _audited(org, unit, assessors, principles, calibration: dict, *, year=2026, status=AuditStatus.DRAFT_REPORT):
    """An audit of ``unit`` whose assessors scored as ``calibration`` (so the median is the calibrated
    score: no reason needed) and that went on to ``status``."""
    audit = audit_with_assessors(org, unit, year=year, assessors=assessors, principles=principles)
    audit = scored(audit, {assessor: dict(calibration) for assessor in assessors})
    audit = advance(audit, AuditStatus.CALIBRATION)
    audit = calibrated(audit, calibration)
    if status != AuditStatus.CALIBRATION:
        audit = advance(audit, status)
    return audit


@pytest.fixture
def landscape(cast):
    """Four business units of organisation A audited in 2026 on three principles."""
    org = cast.units.org_a
    first, second, third = principles_of(org, 3)
    home = sibling_unit(org, "Assessors' home")
    assessors = [auditor(home), auditor(home)]
    units = [cast.units.bu_a1, _unit(org, "BU 2"), _unit(org, "BU 3"), _unit(org, "BU 4")]
    # first: 2, 3, 3, 2 -> 2.5 -> level 3;  second: 1, 2, 2, 5 -> 2.5 -> 3;  third: 4, 4, 5, 4 -> 4.25 -> 4
    table = [(2, 1, 4), (3, 2, 4), (3, 2, 5), (2, 5, 4)]
    for unit, (a, b, c) in zip(units, table, strict=True):
        _audited(org, unit, assessors, [first, second, third], {first: a, second: b, third: c})
    return {"org": org, "principles": (first, second, third), "assessors": assessors, "units": units}


def test_it_averages_the_calibrated_scores_per_principle(landscape):
    first, second, third = landscape["principles"]
    report = maturity_by_principle(organisation=landscape["org"], year=2026)
    assert [row.principle for row in report] == [first, second, third]
    by_principle = {row.principle_id: row for row in report}

    row = by_principle[first.pk]
    assert row.average == Decimal("2.5") and row.level == 3
    assert (row.min, row.max, row.units) == (2, 3, 4)
    assert row.distribution == {1: 0, 2: 2, 3: 2, 4: 0, 5: 0}

    row = by_principle[second.pk]
    assert row.average == Decimal("2.5") and row.level == 3
    assert (row.min, row.max, row.units) == (1, 5, 4)
    assert row.distribution == {1: 1, 2: 2, 3: 0, 4: 0, 5: 1}

    row = by_principle[third.pk]
    assert row.average == Decimal("4.25") and row.level == 4
    assert (row.min, row.max, row.units) == (4, 5, 4)


def test_it_keeps_the_exact_mean(cast):
    org = cast.units.org_a
    principle = principles_of(org, 1)
    home = sibling_unit(org)
    assessors = [auditor(home), auditor(home)]
    for name, score in (("X", 2), ("Y", 3), ("Z", 3)):
        _audited(org, _unit(org, name), assessors, principle, {principle[0]: score})
    (row,) = maturity_by_principle(organisation=org, year=2026)
    assert row.average == Decimal(8) / Decimal(3)
    assert row.level == 3 and row.units == 3


def test_it_counts_only_completed_calibrations_of_the_organisations_year(cast, landscape):
    org = landscape["org"]
    first, second, third = landscape["principles"]
    assessors = landscape["assessors"]
    # Still in calibration: not counted yet.
    _audited(org, _unit(org, "BU 5"), assessors, [first], {first: 5}, status=AuditStatus.CALIBRATION)
    # Another year, and another organisation: not counted either.
    _audited(org, landscape["units"][0], assessors, [first], {first: 5}, year=2025, status=AuditStatus.FINAL)
    org_b = cast.units.org_b
    (principle_b,) = principles_of(org_b, 1)
    home_b = sibling_unit(org_b)
    _audited(org_b, cast.units.bu_b1, [auditor(home_b), auditor(home_b)], [principle_b], {principle_b: 1})
    row = next(row for row in maturity_by_principle(organisation=org, year=2026) if row.principle_id == first.pk)
    assert (row.average, row.units, row.max) == (Decimal("2.5"), 4, 3)
    (row_2025,) = maturity_by_principle(organisation=org, year=2025)
    assert (row_2025.principle_id, row_2025.average, row_2025.units) == (first.pk, Decimal(5), 1)
    assert [row.principle_id for row in maturity_by_principle(organisation=org_b, year=2026)] == [principle_b.pk]
    assert maturity_by_principle(organisation=org, year=2030) == []


def test_it_uses_the_calibrated_score_not_the_assessors(cast):
    org = cast.units.org_a
    (principle,) = principles_of(org, 1)
    home = sibling_unit(org)
    assessors = [auditor(home), auditor(home)]
    audit = audit_with_assessors(org, cast.units.bu_a1, assessors=assessors, principles=[principle])
    audit = scored(audit, {assessors[0]: {principle: 1}, assessors[1]: {principle: 2}})
    audit = advance(audit, AuditStatus.CALIBRATION)
    calibrated(audit, {principle: 4}, reason="Evidence seen in the calibration meeting")
    advance(audit, AuditStatus.FINAL)
    (row,) = maturity_by_principle(organisation=org, year=2026)
    assert (row.average, row.level, row.min, row.max) == (Decimal(4), 4, 4, 4)


def test_it_costs_three_queries_whatever_the_number_of_units(cast, landscape):
    org = landscape["org"]
    with CaptureQueriesContext(connection) as few:
        assert len(maturity_by_principle(organisation=org, year=2026)) == 3
    first, second, third = landscape["principles"]
    for index in range(4):
        _audited(
            org,
            _unit(org, f"More {index}"),
            landscape["assessors"],
            [first, second, third],
            {first: 1, second: 2, third: 3},
        )
    with CaptureQueriesContext(connection) as many:
        report = maturity_by_principle(organisation=org, year=2026)
    assert report[0].units == 8
    assert len(few.captured_queries) == len(many.captured_queries) == 3
    assert not any("AVG(" in query["sql"].upper() for query in many.captured_queries)
