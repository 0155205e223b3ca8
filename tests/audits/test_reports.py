"""The maturity report of an organisation and year, and the report of one audit (SPEC 6, issue 13
item 8): the figures over several units, common threads, year-on-year, blind scoring in the report,
who sees which report, and constant query counts.

Figures over many units are written as rows directly (``reported``): the services' rules are tested in
test_services_audits.py; one audit is taken through the services (``audit_with_assessors``) where the
report must respect what they do (blind scores)."""

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.choices import AuditStatus, FindingKind
from audits.models import Audit, AuditCalibration, AuditEvaluation, Finding, MaturityLevel, Theme
from audits.selectors.reports import (
    common_threads,
    evaluation_average,
    good_examples,
    maturity_by_principle,
    maturity_over_years,
    unit_over_years,
)
from qms.choices import UnitKind
from tests.factories import UnitFactory, UserFactory
from tests.factories.audits import audit_with_assessors, principles_of, scored

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def business_unit(org, name=None):
    return UnitFactory(name=name or f"Business unit {next(_numbers)}", kind=UnitKind.BUSINESS_UNIT, parent=org)


def reported(unit, year, scores, *, status=AuditStatus.FINAL):
    """An audit of ``unit`` in ``year`` with calibrated ``{principle: score}``, written directly."""
    lead = UserFactory(username=f"lead{next(_numbers)}")
    audit = Audit.objects.create(
        organisation=unit.parent if unit.kind != UnitKind.ORGANISATION else unit,
        unit=unit,
        year=year,
        lead_assessor=lead,
        status=status,
        status_changed_at=timezone.now(),
    )
    audit.principles.set(list(scores))
    for principle, score in scores.items():
        AuditCalibration.objects.create(
            audit=audit,
            principle=principle,
            score=score,
            median=Decimal(score),
            calibrated_by=lead,
            calibrated_at=timezone.now(),
        )
    return audit


def finding(audit, theme, principle, kind=FindingKind.FINDING, title=None):
    return Finding.objects.create(
        audit=audit, kind=kind, principle=principle, theme=theme, title=title or f"Finding {next(_numbers)}"
    )


def maturity_url(org, year=None, **params):
    query = f"?organisation={org.pk}" + (f"&year={year}" if year else "")
    return reverse("audits:maturity_report") + query + "".join(f"&{key}={value}" for key, value in params.items())


@pytest.fixture
def four_units(cast):
    org = cast.units.org_a
    units = [cast.units.bu_a1] + [business_unit(org) for _ in range(3)]
    first, second = principles_of(org, 2)
    audits = [
        reported(unit, 2025, {first: score, second: other})
        for unit, score, other in zip(units, [2, 3, 3, 2], [4, 4, 5, 1], strict=True)
    ]
    return org, units, (first, second), audits


def test_it_reports_the_exact_mean_level_half_up_min_max_and_units_of_several_units(four_units):
    org, _units, (first, second), _audits = four_units
    rows = {row.principle: row for row in maturity_by_principle(organisation=org, year=2025)}
    assert rows[first].average == Decimal("2.5") and rows[first].level == 3  # half up, as the source
    assert (rows[first].min, rows[first].max, rows[first].units) == (2, 3, 4)
    assert rows[second].average == Decimal("3.5") and rows[second].level == 4
    assert rows[second].distribution == {1: 1, 2: 0, 3: 0, 4: 2, 5: 1}


def test_it_shows_the_figures_and_the_level_names_on_the_page(four_units, as_user, cast):
    org, _units, (first, _second), _audits = four_units
    MaturityLevel.objects.create(organisation=org, level=3, name="Reproduceren", name_en="Reproducible")
    page = as_user(cast.qo_a).get(maturity_url(org, 2025))
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index(f'data-principle="{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-figure="average">2.50<' in row and 'data-figure="units">4<' in row
    assert 'data-figure="min">2<' in row and 'data-figure="max">3<' in row
    assert "Reproducible" in row  # the level's name, in the reader's language
    assert 'data-chart-source="chart-averages"' in html and 'id="chart-distribution"' in html
    assert "audits-reports.js" in html


def test_it_counts_only_audits_that_completed_calibration(four_units, cast):
    org, units, (first, _second), _audits = four_units
    still_calibrating = business_unit(org)
    reported(still_calibrating, 2025, {first: 5}, status=AuditStatus.CALIBRATION)
    row = next(row for row in maturity_by_principle(organisation=org, year=2025) if row.principle == first)
    assert row.units == 4 and row.max == 3
    assert still_calibrating.pk not in [unit.unit_id for unit in unit_over_years(organisation=org).units]


def test_it_finds_a_common_thread_in_two_units_and_not_in_one(four_units):
    org, units, (first, second), audits = four_units
    shared = Theme.objects.create(organisation=org, name="Effect measurement")
    single = Theme.objects.create(organisation=org, name="Chain cooperation")
    example_theme = Theme.objects.create(organisation=org, name="Onboarding")
    finding(audits[0], shared, first, title="No effect measured")
    finding(audits[1], shared, second, kind=FindingKind.RECOMMENDATION, title="Measure the effect")
    finding(audits[2], single, first)
    finding(audits[2], single, second)  # twice, but in one unit: not a common thread
    finding(audits[3], example_theme, first, kind=FindingKind.GOOD_EXAMPLE)
    finding(audits[0], example_theme, first, kind=FindingKind.GOOD_EXAMPLE, title="Buddy system")

    threads = common_threads(organisation=org, year=2025)
    assert [thread.theme for thread in threads] == [shared]  # good examples are no common threads
    assert set(threads[0].units) == {units[0], units[1]}
    assert [f.title for f in threads[0].findings] == sorted(["No effect measured", "Measure the effect"])
    assert {f.theme for f in good_examples(organisation=org, year=2025)} == {example_theme}
    assert not common_threads(organisation=org, year=2024)


def test_it_shows_common_threads_and_good_examples_on_the_page(four_units, as_user, cast):
    org, _units, (first, second), audits = four_units
    shared = Theme.objects.create(organisation=org, name="Effect measurement")
    single = Theme.objects.create(organisation=org, name="Chain cooperation")
    finding(audits[0], shared, first)
    finding(audits[1], shared, second)
    finding(audits[2], single, first)
    finding(audits[3], single, first, kind=FindingKind.GOOD_EXAMPLE, title="A buddy for every newcomer")
    html = as_user(cast.qo_a).get(maturity_url(org, 2025)).content.decode()
    threads = html[html.index('data-testid="common-threads"') :]
    threads = threads[: threads.index("</ul>\n")]
    assert "Effect measurement" in threads and "Chain cooperation" not in threads
    assert "A buddy for every newcomer" in html


def test_it_compares_years_per_principle_and_per_unit(cast, as_user):
    org = cast.units.org_a
    first, second = principles_of(org, 2)
    north, south = business_unit(org, "North"), business_unit(org, "South")
    reported(north, 2023, {first: 2})
    reported(south, 2023, {first: 3})
    reported(north, 2024, {second: 4})
    reported(north, 2025, {first: 3, second: 4})
    reported(south, 2025, {first: 4, second: 5})

    trend = maturity_over_years(organisation=org)
    assert trend.years == [2023, 2024, 2025]
    by_principle = {entry.principle: entry.points for entry in trend.principles}
    assert [(p.average, p.level, p.units) if p else None for p in by_principle[first]] == [
        (Decimal("2.5"), 3, 2),
        None,
        (Decimal("3.5"), 4, 2),
    ]
    assert [p.average if p else None for p in by_principle[second]] == [None, Decimal(4), Decimal("4.5")]

    units = unit_over_years(organisation=org, years=[2024, 2025])
    assert units.years == [2024, 2025]
    rows = {row.unit_name: row.years for row in units.units}
    assert rows["North"][0].scores == {second.pk: 4} and rows["North"][1].average == Decimal("3.5")
    assert rows["South"][0] is None and rows["South"][1].scores == {first.pk: 4, second.pk: 5}

    html = as_user(cast.qo_a).get(maturity_url(org, 2025)).content.decode()
    table = html[html.index('data-testid="trend-table"') :]
    assert "2023" in table and "2.50" in table and "3.50" in table and 'id="chart-trend"' in html
    units_table = html[html.index('data-testid="unit-table"') :]
    assert "North" in units_table and "South" in units_table and "4.50" in units_table  # South's mean in 2025
    # One principle per unit instead of the mean.
    html = as_user(cast.qo_a).get(maturity_url(org, 2025, principle=first.pk)).content.decode()
    units_table = html[html.index('data-testid="unit-table"') :]
    assert "4.50" not in units_table[: units_table.index("</table>")]
    # An earlier year shows the years up to it.
    html = as_user(cast.qo_a).get(maturity_url(org, 2024)).content.decode()
    table = html[html.index('data-testid="trend-table"') :]
    assert "2025" not in table[: table.index("</table>")]


def test_it_averages_the_auditees_marks(four_units):
    org, _units, _principles, audits = four_units
    for audit, mark in zip(audits, [7, 8, 8], strict=False):
        AuditEvaluation.objects.create(audit=audit, evaluator=UserFactory(), mark=mark)
    average = evaluation_average(audits=Audit.objects.filter(organisation=org, year=2025))
    assert average.mean == Decimal(23) / 3 and average.count == 3
    assert evaluation_average(audits=Audit.objects.filter(pk=audits[3].pk)).count == 0


def test_it_shows_an_empty_state_for_a_year_without_calibrated_scores(cast, as_user):
    html = as_user(cast.qo_a).get(maturity_url(cast.units.org_a, 2030)).content.decode()
    assert 'data-testid="empty-state"' in html and "no marks yet" in html


def test_it_tells_a_malformed_year_and_shows_the_last_year(four_units, as_user, cast):
    org = four_units[0]
    page = as_user(cast.qo_a).get(maturity_url(org, "20x5"))
    assert page.status_code == 200 and "Give the year as YYYY" in page.content.decode()
    assert page.context["year"] == 2025


def test_it_refuses_an_organisation_out_of_sight(four_units, as_user, cast):
    org = four_units[0]
    for person in (cast.outsider, cast.member_b, cast.risk_owner_a):  # a unit's member does not see the whole
        assert as_user(person).get(maturity_url(org, 2025)).status_code == 404
    assert as_user(cast.member_b).get(maturity_url(cast.units.org_b)).status_code == 200


def test_it_shows_an_outsider_no_organisation(as_user, cast):
    page = as_user(cast.outsider).get(reverse("audits:maturity_report"))
    assert page.status_code == 200 and 'data-testid="empty-state"' in page.content.decode()


def test_it_reads_the_maturity_report_in_the_same_number_of_queries_for_1_and_5_units(cast, as_user, count_queries):
    org = cast.units.org_a
    principles = principles_of(org, 3)
    theme = Theme.objects.create(organisation=org, name="Recurring")
    client = as_user(cast.qo_a)

    def add_unit(n):
        unit = business_unit(org)
        for year in (2024, 2025):
            audit = reported(unit, year, {principle: 1 + (n + i) % 5 for i, principle in enumerate(principles)})
            finding(audit, theme, principles[0])
            finding(audit, theme, principles[1], kind=FindingKind.GOOD_EXAMPLE)
            AuditEvaluation.objects.create(audit=audit, evaluator=UserFactory(), mark=7)

    add_unit(0)
    client.get(maturity_url(org, 2025))  # warm the caches (content types, the scope)
    one = count_queries(client, maturity_url(org, 2025))
    for n in range(1, 5):
        add_unit(n)
    assert count_queries(client, maturity_url(org, 2025)) == one


# --- the report of one audit ---------------------------------------------------------------------


@pytest.fixture
def scored_audit(cast):
    org = cast.units.org_a
    audit = audit_with_assessors(org, cast.units.bu_a1, principles=2)
    first, second = principles_of(org, 2)
    lead, other = list(audit.assessors.order_by("pk"))
    audit = scored(audit, {lead: {first: 2, second: 3}, other: {first: 4, second: 3}})
    return audit, lead, other, (first, second)


def report_url(audit):
    return reverse("audits:audit_report", args=[audit.pk])


def test_it_shows_an_assessor_only_their_own_scores_before_calibration(scored_audit, as_user, cast):
    audit, lead, other, (first, _second) = scored_audit
    page = as_user(other).get(report_url(audit))
    assert page.status_code == 200
    table = page.context["table"]
    assert table.blind and table.assessors == [other]
    assert [[score.score for score in row.scores] for row in table.rows] == [[4], [3]]
    assert 'data-testid="blind-note"' in page.content.decode()
    officer = as_user(cast.qo_a).get(report_url(audit)).context["table"]
    assert officer.assessors == [] and all(row.scores == [] for row in officer.rows)


def test_it_shows_every_assessor_and_the_calibrated_scores_after_calibration(scored_audit, as_user, cast):
    from tests.factories.audits import advance, calibrated

    audit, lead, other, (first, second) = scored_audit
    audit = advance(audit, AuditStatus.CALIBRATION)
    audit = calibrated(audit, {first: 2, second: 3})
    audit = advance(audit, AuditStatus.DRAFT_REPORT)
    page = as_user(cast.qo_a).get(report_url(audit))
    table = page.context["table"]
    assert not table.blind and table.assessors == [lead, other]  # the lead first
    assert [(row.calibrated, [s.score for s in row.scores]) for row in table.rows] == [(2, [2, 4]), (3, [3, 3])]
    radar = page.context["radar"]
    assert radar["kind"] == "radar" and radar["datasets"][-1]["data"] == [2, 3]
    assert 'data-chart-source="chart-radar"' in page.content.decode()


def test_it_lists_findings_recommendations_good_examples_and_the_response(scored_audit, as_user, cast):
    from audits.models import ManagementResponse

    audit, lead, _other, (first, _second) = scored_audit
    theme = Theme.objects.create(organisation=cast.units.org_a, name="Documentation")
    finding(audit, theme, first, title="Procedures out of date")
    finding(audit, theme, first, kind=FindingKind.RECOMMENDATION, title="Review the procedures yearly")
    finding(audit, theme, first, kind=FindingKind.GOOD_EXAMPLE, title="Clear process maps")
    ManagementResponse.objects.create(
        audit=audit, recognition="recognised", comments="We recognise this.", given_by=lead, given_at=timezone.now()
    )
    html = as_user(cast.qo_a).get(report_url(audit)).content.decode()
    for text in ("Procedures out of date", "Review the procedures yearly", "Clear process maps", "We recognise this."):
        assert text in html


def test_it_hides_an_audit_report_out_of_sight(scored_audit, as_user, cast):
    audit = scored_audit[0]
    for person in (cast.outsider, cast.member_b):
        assert as_user(person).get(report_url(audit)).status_code == 404
    assert as_user(cast.outsider).get(reverse("audits:audit_report", args=[999999])).status_code == 404


def test_it_reads_an_audit_report_in_the_same_number_of_queries_for_1_and_5_findings(
    scored_audit, as_user, cast, count_queries
):
    audit, _lead, _other, (first, _second) = scored_audit
    theme = Theme.objects.create(organisation=cast.units.org_a, name="Any")
    client = as_user(cast.qo_a)
    finding(audit, theme, first)
    client.get(report_url(audit))
    one = count_queries(client, report_url(audit))
    for _ in range(4):
        finding(audit, theme, first)
    assert count_queries(client, report_url(audit)) == one
