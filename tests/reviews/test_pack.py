"""The management review's pack (``reviews.selectors.pack``): each section's figures from a small data
set, checked by value; the same number of queries for 1 and 20 records of every kind; plain JSON."""

import datetime
import itertools
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.choices import AuditStatus, FindingKind
from audits.models import Audit, AuditCalibration, Finding, Theme
from incidents.choices import IncidentStatus, NcStatus
from incidents.choices import Verdict as CheckVerdict
from incidents.models import CapaQuarter, EffectivenessCheck, NonConformity
from kpis.choices import FeedbackCategory, FeedbackChannel, KpiCategory, Verdict
from kpis.models import Feedback, IntendedEffect, KeyResult, Objective
from qms.choices import ActionKind, ActionStatus, UnitKind
from reviews.choices import ReviewInput, ReviewStatus
from reviews.models import ManagementReview, ReviewDecision
from reviews.selectors.pack import ROWS, assemble_pack, pack_for
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea
from tests.factories import ActionFactory, UnitFactory, UserFactory
from tests.factories.audits import principles_of
from tests.factories.incidents import IncidentFactory
from tests.factories.kpis import KpiFactory, measure
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)
YEAR = timezone.localdate().year


def in_year(month=1, day=1):
    return datetime.date(YEAR, month, day)


def sections(pack) -> dict:
    return {section["input"]: section for section in pack["sections"]}


def figures(section) -> dict:
    return {figure["label"]: figure["value"] for figure in section["figures"]}


def tones(section) -> dict:
    return {figure["label"]: figure["tone"] for figure in section["figures"]}


# --- the data: ``populate(org, n)`` makes n records of every kind the pack reads ---------------------


def previous_actions(org, owner, n, *, done=0):
    review = ManagementReview.objects.create(organisation=org, year=YEAR - 1)
    decision = ReviewDecision.objects.create(review=review, input=ReviewInput.RISKS, text="Reduce the risks")
    content_type = ContentType.objects.get_for_model(ReviewDecision)
    actions = []
    for index in range(n):
        is_done = index < done
        actions.append(
            ActionFactory(
                title=f"Decided action {index}",
                unit=org,
                owner=owner,
                kind=ActionKind.REVIEW_DECISION,
                due_date=timezone.localdate() - datetime.timedelta(days=1),
                status=ActionStatus.DONE if is_done else ActionStatus.OPEN,
                completed_at=timezone.now() if is_done else None,
                source_content_type=content_type,
                source_object_id=decision.pk,
            )
        )
    return actions


def reported_audit(org, unit, scores):
    lead = UserFactory(username=f"pack-lead{next(_numbers)}")
    audit = Audit.objects.create(
        organisation=org,
        unit=unit,
        year=YEAR,
        lead_assessor=lead,
        status=AuditStatus.FINAL,
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


def score_month(org, month, total, supplier_area=None, supplier=None):
    monthly = MonthlyScore.objects.create(organisation=org, month=month, total=total)
    if supplier_area is not None and supplier is not None:
        AreaScore.objects.create(monthly=monthly, area=supplier_area, score=supplier, weight=Decimal(5))
    return monthly


def populate(org, unit, owner, n):
    """n records of every kind in ``org`` for YEAR (and the year before where a trend needs it)."""
    previous_actions(org, owner, n)
    kpi = None
    for index in range(n):
        kpi = KpiFactory(org_unit=unit, owner=owner, code=f"C{index}", category=KpiCategory.CUSTOMER)
        measure(kpi, f"{YEAR}-01", "3.5")
        Feedback.objects.create(unit=unit, score=2, flagged=True, channel=FeedbackChannel.EMAIL)
        objective = Objective.objects.create(unit=unit, title=f"Objective {index}", period=str(YEAR), owner=owner)
        KeyResult.objects.create(objective=objective, kpi=kpi, baseline=Decimal(3), target=Decimal(4))
        IncidentFactory(unit=unit, reported_at=timezone.now() - datetime.timedelta(hours=2))
        NonConformity.objects.create(
            organisation=org, unit=unit, title=f"NC {index}", stage_since=timezone.now(), owner=owner
        )
        RiskFactory(unit=unit, owner=owner, likelihood=5, impact=5)
    area = ScoreArea.objects.create(organisation=org, code="supplier", name="Supplier management", weight=Decimal(5))
    for index in range(n):
        month = datetime.date(YEAR - index // 12, index % 12 + 1, 1)
        score_month(org, month, Decimal(70), area, Decimal(80))
        Investigation.objects.create(
            organisation=org,
            area=area,
            month=month,
            previous_score=Decimal(80),
            score=Decimal(70),
            owner=owner,
            due_date=timezone.localdate(),
        )
    principles = principles_of(org, 2)
    theme = Theme.objects.create(organisation=org, name="Onboarding")
    for _index in range(n):
        audited = UnitFactory(name=f"Audited {next(_numbers)}", kind=UnitKind.BUSINESS_UNIT, parent=org)
        audit = reported_audit(org, audited, {principles[0]: 3, principles[1]: 4})
        Finding.objects.create(audit=audit, kind=FindingKind.FINDING, principle=principles[0], theme=theme, title="F")
        action = ActionFactory(unit=unit, owner=owner, kind=ActionKind.IMPROVEMENT)
        IntendedEffect.objects.create(
            action=action,
            kpi=kpi,
            baseline_from=f"{YEAR - 1}-01",
            baseline_to=f"{YEAR - 1}-03",
            evaluation_from=f"{YEAR}-01",
            evaluation_to=f"{YEAR}-03",
            evaluate_after=in_year(4, 10),
            verdict=Verdict.REACHED,
        )


def count_queries(org) -> int:
    with CaptureQueriesContext(connection) as queries:
        assemble_pack(org, YEAR)
    return len(queries)


# --- the tests ---------------------------------------------------------------------------------------


def test_it_costs_the_same_number_of_queries_for_1_and_20_records_of_every_kind(cast):
    one, twenty = cast.units.org_a, cast.units.org_b
    populate(one, cast.units.bu_a1, cast.qo_a, 1)
    populate(twenty, cast.units.bu_b1, cast.member_b, 20)
    assemble_pack(one, YEAR)  # the content types and the like cached, as in a running server
    small, large = count_queries(one), count_queries(twenty)
    assert small == large, (small, large)
    assert small < 60
    pack = assemble_pack(twenty, YEAR)
    for section in pack["sections"]:
        for table in section["tables"]:
            assert len(table["rows"]) <= ROWS
    tables = {table["title"]: table for table in sections(pack)["previous_actions"]["tables"]}
    assert tables["Actions from earlier reviews"]["total"] == 20


def test_it_has_one_section_per_input_in_order_and_is_plain_json(cast):
    populate(cast.units.org_a, cast.units.bu_a1, cast.qo_a, 2)
    pack = assemble_pack(cast.units.org_a, YEAR)
    assert [section["input"] for section in pack["sections"]] == list(ReviewInput.values)
    assert json.loads(json.dumps(pack)) == pack
    assert pack["organisation"] == "Organisation A"
    assert pack["organisation_id"] == cast.units.org_a.pk
    assert pack["year"] == YEAR
    assert pack["period"] == [f"{YEAR}-01-01", f"{YEAR}-12-31"]
    assert datetime.datetime.fromisoformat(pack["as_of"]) <= timezone.now()
    for section in pack["sections"]:
        assert set(section) == {"input", "figures", "tables", "chart", "empty"}
        assert section["empty"] is None, section
        for figure in section["figures"]:
            assert set(figure) == {"label", "value", "unit", "tone"}
            assert figure["tone"] in (None, "good", "warn", "bad")
        for table in section["tables"]:
            assert set(table) == {"title", "columns", "rows", "total"}
            assert all(len(row["cells"]) == len(table["columns"]) for row in table["rows"])
        if section["chart"]:
            assert section["chart"]["kind"] in ("bar", "line", "stacked")
            assert all(
                len(series["values"]) == len(section["chart"]["labels"]) for series in section["chart"]["series"]
            )


def test_it_says_every_section_is_empty_for_an_organisation_without_data(cast):
    pack = assemble_pack(cast.units.org_b, YEAR)
    for section in pack["sections"]:
        assert section["empty"], section["input"]
        assert section["figures"] == [] and section["tables"] == [] and section["chart"] is None


def test_it_lists_the_actions_of_earlier_reviews_with_their_status(cast):
    org = cast.units.org_a
    actions = previous_actions(org, cast.qo_a, 2, done=1)
    ManagementReview.objects.create(organisation=org, year=YEAR)  # this year's: not an earlier review
    section = sections(assemble_pack(org, YEAR))["previous_actions"]
    assert figures(section) == {
        "Actions from earlier reviews": 2,
        "Done": 1,
        "Still open": 1,
        "Overdue": 1,
        "Share done": 50.0,
    }
    assert tones(section)["Overdue"] == "bad"
    table = section["tables"][0]
    assert table["total"] == 2
    open_row = next(row for row in table["rows"] if row["cells"][0] == actions[1].title)
    assert open_row["cells"][1:] == [
        cast.qo_a.get_full_name() or "qo_a",
        (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "Open",
        YEAR - 1,
    ]
    assert open_row["url"] == actions[1].get_absolute_url()
    assert section["chart"]["labels"] == ["Open", "In progress", "Done", "Cancelled"]
    assert section["chart"]["series"][0]["values"] == [1, 0, 1, 0]
    # The review of next year sees this year's actions too, a review of the same year does not.
    assert sections(assemble_pack(org, YEAR - 1))["previous_actions"]["empty"]


def test_it_shows_the_customer_kpis_and_the_feedback_of_the_year(cast):
    org, unit = cast.units.org_a, cast.units.bu_a1
    csat = KpiFactory(org_unit=unit, owner=cast.qo_a, code="CSAT", name="CSAT", category=KpiCategory.CUSTOMER)
    measure(csat, f"{YEAR - 1}-12", "4.5")
    measure(csat, f"{YEAR}-01", "3.5")  # red: below the good-enough 3.8
    KpiFactory(org_unit=unit, owner=cast.qo_a, code="UPTIME", category=KpiCategory.TECHNICAL)
    Feedback.objects.create(
        unit=unit, score=2, flagged=True, channel=FeedbackChannel.EMAIL, category=FeedbackCategory.PRODUCT
    )
    Feedback.objects.create(
        unit=unit, score=1, flagged=True, channel=FeedbackChannel.EMAIL, category=FeedbackCategory.PRODUCT
    )
    Feedback.objects.create(unit=unit, score=5, channel=FeedbackChannel.PHONE)
    Feedback.objects.create(unit=unit, score=5, received_at=timezone.now() - datetime.timedelta(days=800))
    Feedback.objects.create(unit=cast.units.bu_b1, score=1, flagged=True)  # another organisation's
    section = sections(assemble_pack(org, YEAR))["customer"]
    assert figures(section) == {
        "Feedback received": 3,
        "Flagged feedback": 2,
        "Share flagged": 66.7,
        "Mean CSAT score (1-5)": 2.67,
        "Customer KPIs in red": 1,
    }
    kpis, channels = section["tables"]
    assert [row["cells"] for row in kpis["rows"]] == [
        ["CSAT · CSAT", f"{YEAR}-01", 3.5, "1-5", "Red (not good enough)"]
    ]
    assert kpis["rows"][0]["url"] == csat.get_absolute_url()
    assert [row["cells"] for row in channels["rows"]] == [["E-mail", 2, 1 + 1], ["Phone", 1, 0]]
    chart = section["chart"]
    product = chart["labels"].index("Product quality")
    assert chart["series"][0]["values"][product] == 2 and chart["series"][1]["values"][product] == 2


def test_it_shows_the_objectives_of_the_year_with_their_progress(cast):
    org, unit = cast.units.org_a, cast.units.bu_a1
    kpi = KpiFactory(org_unit=unit, owner=cast.qo_a, code="CSAT")
    measure(kpi, f"{YEAR}-01", "3.5")
    root = Objective.objects.create(unit=unit, title="Happier customers", period=str(YEAR), owner=cast.qo_a)
    KeyResult.objects.create(objective=root, kpi=kpi, baseline=Decimal(3), target=Decimal(4))
    child = Objective.objects.create(unit=unit, title="Faster answers", period=f"{YEAR}-H1", parent=root)
    Objective.objects.create(unit=unit, title="Last year's", period=str(YEAR - 1))
    section = sections(assemble_pack(org, YEAR))["objectives"]
    assert figures(section) == {
        "Objectives": 2,
        "Top-level objectives": 1,
        "Mean progress of the top-level objectives": 50.0,
        "Objectives reached": 0,
    }
    rows = section["tables"][0]["rows"]
    assert [row["cells"][0] for row in rows] == ["Happier customers", "— Faster answers"]
    assert rows[0]["cells"][3:5] == [1, 50.0]
    assert rows[1]["url"] == child.get_absolute_url()
    assert section["chart"]["labels"] == ["Happier customers"]
    assert section["chart"]["series"][0]["values"] == [50.0]


def test_it_counts_kpi_status_and_the_incident_sla_of_the_year(cast):
    org, unit = cast.units.org_a, cast.units.bu_a1
    measure(KpiFactory(org_unit=unit, owner=cast.qo_a, code="RED"), f"{YEAR}-01", "3.0")
    green = KpiFactory(org_unit=unit, owner=cast.qo_a, code="GREEN")
    measure(green, f"{YEAR}-01", "3.0")
    measure(green, f"{YEAR}-02", "4.4")  # the year's latest counts
    KpiFactory(org_unit=unit, owner=cast.qo_a, code="NONE")
    now = timezone.now()
    for met in (True, False):
        IncidentFactory(
            unit=unit,
            reported_at=now - datetime.timedelta(hours=3),
            resolved_at=now - datetime.timedelta(hours=1),
            status=IncidentStatus.RESOLVED,
            sla_met=met,
            restore_time=datetime.timedelta(hours=2),
        )
    section = sections(assemble_pack(org, YEAR))["process_performance"]
    values = figures(section)
    assert (values["KPIs green"], values["KPIs amber"], values["KPIs red"]) == (1, 0, 1)
    assert values["KPIs not measured in the year"] == 1
    assert (values["Incidents reported"], values["Incidents resolved"]) == (2, 2)
    assert values["Resolved within the restore target"] == 50.0
    assert tones(section)["Resolved within the restore target"] == "bad"
    assert values["Mean time to restore"] == 2.0
    sla, off_norm = section["tables"]
    assert [row["cells"][0] for row in sla["rows"]] == ["P1 (major disruption)", "P2", "P3"]
    assert [row["cells"][0].split(" · ")[0] for row in off_norm["rows"]] == ["RED"]
    assert off_norm["total"] == 1
    assert section["chart"]["unit"] == "%"


def test_it_counts_nonconformities_by_stage_and_the_effectiveness_rate(cast):
    org, unit = cast.units.org_a, cast.units.bu_a1
    NonConformity.objects.create(
        organisation=org,
        unit=unit,
        title="Closed one",
        status=NcStatus.CLOSED,
        stage_since=timezone.now(),
        closed_at=timezone.now(),
    )
    NonConformity.objects.create(
        organisation=org, unit=unit, title="Open", status=NcStatus.ANALYSIS, stage_since=timezone.now()
    )
    CapaQuarter.objects.create(organisation=org, quarter=in_year(1), checks_recorded=4, checks_effective=3)
    CapaQuarter.objects.create(
        organisation=org, quarter=datetime.date(YEAR - 1, 10, 1), checks_recorded=5, checks_effective=0
    )
    section = sections(assemble_pack(org, YEAR))["nonconformities"]
    values = figures(section)
    assert (values["Registered in the year"], values["Closed in the year"], values["Open now"]) == (2, 1, 1)
    assert values["Effectiveness rate"] == 75.0
    assert values["Overdue actions"] == 0
    assert section["tables"][0]["rows"] == [{"cells": [f"{YEAR}-Q1", 4, 3, 75.0], "url": None}]
    assert section["chart"]["labels"][1] == "Analysis"
    assert section["chart"]["series"][0]["values"] == [0, 1, 0, 0, 0]


def test_it_shows_the_monthly_risk_score_against_the_year_before_and_the_investigations(cast):
    org = cast.units.org_a
    area = ScoreArea.objects.create(organisation=org, code="legal", name="Legal", weight=Decimal(25))
    score_month(org, datetime.date(YEAR - 1, 1, 1), Decimal("60.0"))
    score_month(org, in_year(1), Decimal("70.0"))
    score_month(org, in_year(2), Decimal("74.0"))
    Investigation.objects.create(
        organisation=org,
        area=area,
        month=in_year(2),
        previous_score=Decimal(80),
        score=Decimal(70),
        owner=cast.qo_a,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    section = sections(assemble_pack(org, YEAR))["monitoring"]
    values = figures(section)
    assert values["Mean monthly risk score"] == 72.0
    assert values["Mean monthly risk score, the year before"] == 60.0
    assert values["Change from the year before"] == 12.0
    assert tones(section)["Change from the year before"] == "good"
    assert values["Latest monthly score of the year"] == 74.0
    assert (values["Investigations opened"], values["Investigations open now"], values["Investigations overdue"]) == (
        1,
        1,
        1,
    )
    chart = section["chart"]
    assert chart["kind"] == "line" and len(chart["labels"]) == 12
    assert chart["series"][0] == {"name": str(YEAR), "values": [70.0, 74.0] + [None] * 10}
    assert chart["series"][1]["values"][0] == 60.0
    assert section["tables"][0]["rows"][0]["cells"][:4] == ["Legal", f"{YEAR}-02", 80.0, 70.0]


def test_it_shows_maturity_per_principle_and_common_threads(cast):
    org = cast.units.org_a
    first, second = principles_of(org, 2)
    theme = Theme.objects.create(organisation=org, name="Onboarding")
    units = [UnitFactory(name=f"Audited {n}", kind=UnitKind.BUSINESS_UNIT, parent=org) for n in range(2)]
    for unit, score in zip(units, (2, 3), strict=True):
        audit = reported_audit(org, unit, {first: score, second: 4})
        Finding.objects.create(audit=audit, kind=FindingKind.FINDING, principle=first, theme=theme, title="F")
    section = sections(assemble_pack(org, YEAR))["audits"]
    values = figures(section)
    assert values == {"Principles assessed": 2, "Units audited": 2, "Mean maturity (1-5)": 3.25, "Common threads": 1}
    maturity, threads = section["tables"]
    assert maturity["rows"][0]["cells"][1:] == [2.5, 3, 2, 3, 2]
    assert threads["rows"][0]["cells"] == ["Onboarding", "Audited 0, Audited 1", 2]
    assert section["chart"]["series"][0]["values"] == [2.5, 4.0]


def test_it_shows_the_supplier_score_per_month(cast):
    org = cast.units.org_a
    area = ScoreArea.objects.create(organisation=org, code="supplier", name="Supplier management", weight=Decimal(5))
    score_month(org, in_year(1), Decimal(70), area, Decimal(80))
    score_month(org, in_year(2), Decimal(70), area, Decimal(60))
    score_month(org, datetime.date(YEAR - 1, 1, 1), Decimal(70), area, Decimal(50))
    section = sections(assemble_pack(org, YEAR))["suppliers"]
    values = figures(section)
    assert values["Mean supplier score"] == 70.0
    assert values["Mean supplier score, the year before"] == 50.0
    assert values["Lowest month"] == 60.0 and values["Months scored"] == 2
    assert section["chart"]["series"][0]["values"][:3] == [80.0, 60.0, None]


def test_it_counts_open_risks_by_level_and_lists_the_very_high_ones(cast):
    org, unit = cast.units.org_a, cast.units.bu_a1
    very_high = [RiskFactory(unit=unit, owner=cast.qo_a, likelihood=5, impact=5) for _ in range(2)]
    RiskFactory(unit=unit, owner=cast.qo_a, likelihood=1, impact=1)
    RiskFactory(unit=cast.units.bu_b1, owner=cast.member_b, likelihood=5, impact=5)  # another organisation's
    section = sections(assemble_pack(org, YEAR))["risks"]
    values = figures(section)
    assert (values["Open risks"], values["Very high"], values["High"]) == (3, 2, 0)
    assert values["Approvals outstanding"] == 0
    table = section["tables"][0]
    assert table["total"] == 2
    assert {row["url"] for row in table["rows"]} == {risk.get_absolute_url() for risk in very_high}
    assert section["chart"]["labels"] == ["Low", "Medium", "High", "Very high"]
    assert section["chart"]["series"][0]["values"] == [1, 0, 0, 2]


def test_it_counts_the_verdicts_on_effects_and_capa_checks_of_the_year(cast):
    org, unit = cast.units.org_a, cast.units.bu_a1
    kpi = KpiFactory(org_unit=unit, owner=cast.qo_a, code="CSAT")
    for verdict in (Verdict.REACHED, Verdict.REACHED, Verdict.NOT_REACHED, ""):
        IntendedEffect.objects.create(
            action=ActionFactory(unit=unit, owner=cast.qo_a, kind=ActionKind.IMPROVEMENT),
            kpi=kpi,
            baseline_from=f"{YEAR - 1}-01",
            baseline_to=f"{YEAR - 1}-03",
            evaluation_from=f"{YEAR}-01",
            evaluation_to=f"{YEAR}-03",
            evaluate_after=in_year(4, 10),
            verdict=verdict,
        )
    nc = NonConformity.objects.create(organisation=org, unit=unit, title="NC", stage_since=timezone.now())
    EffectivenessCheck.objects.create(
        nonconformity=nc,
        round=1,
        due_date=timezone.localdate(),
        verifier=cast.qo_a,
        verdict=CheckVerdict.EFFECTIVE,
        checked_at=timezone.now(),
    )
    section = sections(assemble_pack(org, YEAR))["improvement"]
    values = figures(section)
    assert (values["Effects reached"], values["Effects not reached"], values["Effects still to be judged"]) == (2, 1, 1)
    assert values["Share of effects reached"] == 66.7
    assert values["CAPA checks: effective"] == 100.0
    assert section["tables"][0]["rows"][0]["cells"] == ["Effective", 1]
    assert section["chart"]["series"][0]["values"] == [2, 0, 1, 0]


def test_it_gives_the_frozen_pack_of_a_finalised_review_and_a_fresh_one_otherwise(cast):
    org = cast.units.org_a
    review = ManagementReview.objects.create(organisation=org, year=YEAR)
    fresh = pack_for(review)
    assert fresh["year"] == YEAR and len(fresh["sections"]) == len(ReviewInput)
    frozen = {**fresh, "as_of": "2000-01-01T00:00:00+00:00"}
    ManagementReview.objects.filter(pk=review.pk).update(
        status=ReviewStatus.FINALISED, pack=frozen, finalised_at=timezone.now(), pack_as_of=timezone.now()
    )
    review.refresh_from_db()
    RiskFactory(unit=cast.units.bu_a1, owner=cast.qo_a, likelihood=5, impact=5)
    assert pack_for(review) == frozen
