"""The cockpit (issue 14, item 3): the landing page shows the tiles of the union of a person's roles, each
computed from what they may see, each linking to the filtered list behind it, at a constant number of
queries whatever the number of records."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.choices import AuditStatus
from audits.models import Audit, AuditAssessor, AuditCalibration, AuditScore, Principle
from incidents.choices import Impact, NcStatus, Severity, Urgency
from incidents.models import NonConformity
from incidents.services.breaches import breach_open_from_incident
from kpis.services.feedback import feedback_receive
from qms.choices import ActionKind, Role
from qms.cockpit import EVERYONE, Tile, cockpit_for, register_tile, tiles_for, unregister_tile
from qms.models import Notification
from qms.periods import month_shift, previous_month
from risks.models import MonthlyScore, Risk
from risks.services.register import risk_submit
from tests.factories import ActionFactory, MembershipFactory, UserFactory
from tests.factories.incidents import IncidentFactory
from tests.factories.kpis import KpiFactory, measure
from tests.factories.risks import RiskFactory, add_measure

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
EVERYONE_TILES = {"my_actions", "my_trainings", "notifications"}


def keys(user) -> set[str]:
    return {tile.key for tile in cockpit_for(fresh(user))}


def fresh(user):
    """The person as a new request sees them (no cached scope)."""
    return type(user).objects.get(pk=user.pk)


def tile(user, key) -> Tile:
    return {tile.key: tile for tile in cockpit_for(fresh(user))}[key]


def rows(tile_: Tile) -> dict[str, object]:
    return {str(row.label): row.value for row in tile_.rows}


@pytest.fixture
def dpo_a(cast):
    user = UserFactory(username="dpo_a")
    MembershipFactory(user=user, unit=cast.units.org_a, role=Role.DATA_PROTECTION_OFFICER)
    return user


@pytest.fixture
def everything(cast):
    """One person holding every role of organisation A (and group management of the group)."""
    user = UserFactory(username="all_roles")
    for role in Role.values:
        if role == Role.GROUP_MANAGEMENT:
            MembershipFactory(user=user, unit=cast.units.group, role=role)
        elif role not in (Role.ADMINISTRATOR, Role.AUDITOR):
            MembershipFactory(user=user, unit=cast.units.org_a, role=role)
    # An auditor assesses units other than their own: their auditor role sits in organisation B.
    MembershipFactory(user=user, unit=cast.units.bu_b1, role=Role.AUDITOR)
    return user


def populate(cast, count: int, *, assessor=None, start: int = 0) -> None:
    """``count`` records of every kind the cockpit counts, in organisation A."""
    units = cast.units
    for number in range(start, start + count):
        # A high risk without a plan, overdue for review; and one submitted, waiting for the board.
        bare = RiskFactory(unit=units.bu_a1, owner=cast.risk_owner_a, title=f"Bare {number}")
        Risk.objects.filter(pk=bare.pk).update(next_review=YESTERDAY)
        risk = RiskFactory(unit=units.bu_a1, owner=cast.risk_owner_a, title=f"Planned {number}")
        add_measure(risk, due_date=YESTERDAY)
        risk_submit(actor=cast.qo_a, risk=risk)
        MonthlyScore.objects.create(
            organisation=units.org_a, month=month_shift(previous_month(), -number), total=Decimal(80 + number % 10)
        )
        kpi = KpiFactory(org_unit=units.org_a, owner=cast.qo_a, code=f"K{number}")
        measure(kpi, str(previous_month())[:7], "3.0")  # red
        IncidentFactory(unit=units.bu_a1, impact=Impact.UNIT, urgency=Urgency.STOPS, title=f"P1 {number}")
        incident = IncidentFactory(unit=units.bu_a1, data_breach_suspected=True, title=f"Leak {number}")
        breach_open_from_incident(incident=incident, actor=cast.qo_a)
        NonConformity.objects.create(
            organisation=units.org_a, unit=units.bu_a1, title=f"CAPA {number}", owner=cast.risk_owner_a,
            reporter=cast.qo_a, severity=Severity.MAJOR, capa=True, status=NcStatus.ANALYSIS,
            stage_since=timezone.now(),
        )  # fmt: skip
        feedback_receive(actor=cast.qo_a, unit=units.team_a1a, score=1, comment=f"Poor {number}")
        ActionFactory(unit=units.bu_a1, owner=cast.risk_owner_a, due_date=YESTERDAY, title=f"Late {number}")
        Notification.objects.create(recipient=cast.qo_a, verb="x", title=f"Note {number}")
        if assessor is not None:
            audit = Audit.objects.create(
                organisation=units.org_a, unit=units.bu_a1, year=2025 - number, lead_assessor=assessor,
                status=AuditStatus.SCORING, status_changed_at=timezone.now(),
            )  # fmt: skip
            AuditAssessor.objects.create(audit=audit, user=assessor)
            audit.principles.set(principles(units.org_a))
            calibrated(units.team_a1a, 2025 - number, assessor, {"p0": 3, "p1": 2})


def calibrated(unit, year, lead, scores) -> Audit:
    """An audit past calibration (in its draft report) with a calibrated score per principle code."""
    audit = Audit.objects.create(
        organisation=unit.organisation, unit=unit, year=year, lead_assessor=lead, status=AuditStatus.DRAFT_REPORT,
        status_changed_at=timezone.now(),
    )  # fmt: skip
    for principle in principles(unit.organisation):
        AuditCalibration.objects.create(
            audit=audit, principle=principle, score=scores[principle.code], median=scores[principle.code],
            calibrated_by=lead, calibrated_at=timezone.now(),
        )  # fmt: skip
    return audit


def principles(organisation) -> list[Principle]:
    existing = list(Principle.objects.filter(organisation=organisation).order_by("position"))
    for position in range(len(existing), 2):
        code = f"p{position}"
        existing.append(Principle.objects.create(organisation=organisation, code=code, name=code, position=position))
    return existing


# --- who sees which tiles ------------------------------------------------------------------------


def test_a_viewer_sees_only_everyones_tiles(cast):
    assert keys(cast.viewer_a) == EVERYONE_TILES
    assert keys(cast.outsider) == EVERYONE_TILES


@pytest.mark.parametrize(
    ("person", "own"),
    [
        ("qo_a", {"risk_score", "risk_register_attention", "kpis_off_norm", "my_feedback", "incidents_open",
                  "breaches_deadline", "capa", "audits_in_progress", "overdue_actions_of_others",
                  "management_review"}),
        ("board_a", {"risk_review_queue", "risk_score", "risks_medium_plus", "kpis_off_norm", "p1_open",
                     "breaches_open_count", "management_review"}),
        ("group_mgmt", {"organisations", "risk_review_queue", "management_review"}),
        ("risk_owner_a", {"my_risks"}),
        ("team_lead_a", {"my_risks", "my_feedback"}),
        ("auditor_a", {"audits_to_score"}),
        ("admin_a", {"overdue_actions_of_others"}),
        ("superuser", {"overdue_actions_of_others"}),
    ],
)  # fmt: skip
def test_each_role_sees_its_own_tiles_and_not_others(cast, person, own):
    assert keys(getattr(cast, person)) == EVERYONE_TILES | own


def test_the_data_protection_officer_sees_the_breaches_with_their_deadline(cast, dpo_a):
    assert keys(dpo_a) == EVERYONE_TILES | {"breaches_deadline"}


def test_a_person_with_two_roles_sees_the_union(cast):
    MembershipFactory(user=cast.auditor_a, unit=cast.units.org_b, role=Role.BOARD_MEMBER)
    assert keys(cast.auditor_a) == keys(cast.board_a) | {"audits_to_score"}


def test_tiles_come_in_their_order_and_a_tile_may_show_nothing(cast):
    register_tile("test_first", roles=EVERYONE, title="First", order=0, compute=lambda user, scope: Tile(value=1))
    register_tile("test_none", roles=EVERYONE, title="None", order=1, compute=lambda user, scope: None)
    try:
        assert [spec.key for spec in tiles_for(fresh(cast.viewer_a))][:2] == ["test_first", "test_none"]
        computed = cockpit_for(fresh(cast.viewer_a))
        assert computed[0].key == "test_first" and computed[0].title == "First"
        assert "test_none" not in {tile.key for tile in computed}
    finally:
        unregister_tile("test_first")
        unregister_tile("test_none")


# --- the figures ----------------------------------------------------------------------------------


def test_the_quality_officer_sees_the_state_of_the_organisation(cast):
    populate(cast, 2)
    officer = cast.qo_a
    assert rows(tile(officer, "risk_register_attention")) == {
        "Awaiting approval": 2, "Without a plan": 2, "Measures overdue": 2, "Review overdue": 2,
    }  # fmt: skip
    score = tile(officer, "risk_score")
    assert score.value == Decimal("80.0") and score.chart.kind == "line" and score.chart.values == [81.0, 80.0]
    assert tile(officer, "kpis_off_norm").value == 2
    incidents = rows(tile(officer, "incidents_open"))
    assert incidents["P1 (major disruption)"] == 2 and incidents["P2"] == 2
    assert tile(officer, "capa").value == 2 and rows(tile(officer, "capa"))["Analysis"] == 2
    assert tile(officer, "breaches_deadline").value == 2
    assert tile(officer, "overdue_actions_of_others").value == 2 + 2  # the two late actions, the two late measures


def test_the_board_sees_its_queue_risks_p1s_and_only_a_count_of_breaches(cast):
    populate(cast, 2)
    board = cast.board_a
    assert tile(board, "risk_review_queue").value == 2
    assert rows(tile(board, "risks_medium_plus")) == {"Medium": 0, "High": 4, "Very high": 0}
    assert tile(board, "p1_open").value == 2
    breaches = tile(board, "breaches_open_count")
    assert breaches.value == 2 and not breaches.rows and not breaches.url  # no details, no list
    content = as_page(cast, board)
    assert "Leak 0" not in content


def as_page(cast, user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_risk_owner_and_the_team_lead_see_their_own_work_first(cast):
    populate(cast, 1)
    mine = tile(cast.risk_owner_a, "my_risks")
    assert mine.value == 2 and rows(mine)["Without a plan"] == 1
    feedback = tile(cast.team_lead_a, "my_feedback")
    assert feedback.value == 1 and feedback.rows[0].url.startswith("/kpis/feedback/")
    assert tile(cast.risk_owner_a, "my_actions").value == 1 + 1  # the late action and the late measure


def test_the_auditor_sees_the_audits_waiting_for_their_scores(cast):
    populate(cast, 2, assessor=cast.auditor_a)
    audits = tile(cast.auditor_a, "audits_to_score")
    assert audits.value == 2 and audits.rows[0].value == "0 of 2 scored"
    audit = Audit.objects.filter(status=AuditStatus.SCORING).order_by("pk").first()
    for principle in audit.principles.all():
        AuditScore.objects.create(audit=audit, principle=principle, assessor=cast.auditor_a, score=3, rationale="x")
    assert tile(cast.auditor_a, "audits_to_score").value == 1
    assert rows(tile(cast.qo_a, "audits_in_progress")) == {"Scoring": 2, "Draft report": 2}


def test_group_management_sees_the_organisations_side_by_side(cast):
    populate(cast, 1, assessor=cast.auditor_a)
    RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, likelihood=5, impact=5)
    organisations = tile(cast.group_mgmt, "organisations")
    assert organisations.columns == ["Score", "Very high risks", "KPIs off norm", "Maturity"]
    by_name = {str(row["organisation"]): row["cells"] for row in organisations.extra["organisations"]}
    assert set(by_name) == {"Organisation A", "Organisation B"}
    score, very_high, kpis, maturity = by_name["Organisation A"]
    assert score.value == Decimal("80.0") and very_high.value == 1 and kpis.value == 1
    # The mean over the principles (3 and 2) of the latest year with calibrated scores, level half up.
    assert maturity.value == Decimal("2.5") and maturity.note == "level 3 in 2025"
    assert by_name["Organisation B"][0] is None and by_name["Organisation B"][2].value == 0
    assert by_name["Organisation B"][3] is None


def test_a_quality_officer_of_another_organisation_sees_none_of_its_figures(cast):
    populate(cast, 2, assessor=cast.auditor_a)
    other = cast.member_b
    for key in ("risk_register_attention", "kpis_off_norm", "incidents_open", "capa", "breaches_deadline",
                "audits_in_progress", "overdue_actions_of_others", "my_feedback"):  # fmt: skip
        assert not tile(other, key).value, key
    assert tile(other, "risk_score").value is None
    content = as_page(cast, other)
    for title in ("Bare 0", "P1 0", "Leak 0", "CAPA 0", "Late 0"):
        assert title not in content


def test_the_page_shows_empty_tiles_as_nothing_waiting(cast, as_user):
    content = as_user(cast.qo_a).get("/").content.decode()
    assert 'data-testid="tile-capa"' in content and "Nothing waiting" in content


# --- links ---------------------------------------------------------------------------------------


def listed(response) -> int | None:
    """How many rows the list page behind a link shows (None for a page that is not a list)."""
    if not response.context or "filter" not in response.context:
        return None
    return response.context["object_list"].count()


@pytest.mark.parametrize("person", ["qo_a", "board_a", "group_mgmt", "risk_owner_a", "team_lead_a", "auditor_a"])
def test_every_link_answers_and_lists_what_the_tile_counted(cast, as_user, person):
    populate(cast, 2, assessor=cast.auditor_a)
    user = getattr(cast, person)
    client = as_user(user)
    for computed in cockpit_for(fresh(user)):
        links = [(computed.url, None)] + [(row.url, row.value) for row in computed.rows]
        for row in computed.extra.get("organisations", []):
            links += [(cell.url, cell.value) for cell in row["cells"] if cell]
        for url, value in links:
            if not url:
                continue
            response = client.get(url)
            assert response.status_code == 200, (computed.key, url)
            if isinstance(value, int) and listed(response) is not None:
                assert listed(response) == value, (computed.key, url)


# --- cost ----------------------------------------------------------------------------------------


def cockpit_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/").status_code == 200
    return len(context.captured_queries)


def test_the_cockpit_costs_a_constant_number_of_queries(cast, as_user, everything):
    ContentType.objects.get_for_model(Risk)  # warm the content-type cache (a test run alone pays it once)
    client = as_user(everything)
    populate(cast, 1, assessor=everything)
    ActionFactory(unit=cast.units.bu_a1, owner=everything, due_date=YESTERDAY, kind=ActionKind.GENERAL)
    one = cockpit_queries(client)
    populate(cast, 29, assessor=everything, start=1)
    assert Risk.objects.count() == 60
    assert cockpit_queries(client) == one
    assert one == QUERIES


# The request (session, user, second factor, scope, the unit list), the navigation (unread count, the
# board's and group's queues), the roles line, one or two per tile and one per column of the
# organisations side by side.
QUERIES = 40


def test_the_incident_coordinator_sees_the_incidents_they_own(cast, as_user):
    coordinator = UserFactory(username="coordinator_a")
    MembershipFactory(user=coordinator, unit=cast.units.org_a, role=Role.INCIDENT_COORDINATOR)
    IncidentFactory(unit=cast.units.bu_a1, owner=coordinator, title="Mine")
    IncidentFactory(unit=cast.units.bu_a1, owner=cast.qo_a, title="Not mine")
    assert keys(coordinator) == EVERYONE_TILES | {"my_incidents"}
    mine = tile(coordinator, "my_incidents")
    assert mine.value == 1 and [row.label for row in mine.rows] == ["Mine"]
    assert listed(as_user(coordinator).get(mine.url)) == 1
