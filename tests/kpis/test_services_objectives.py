"""SMART objectives and key results, rule by rule: the goal tree, the SMART gaps, progress."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kpis.choices import SmartProperty
from kpis.models import KeyResult, Objective
from kpis.selectors.objectives import objective_node, objective_tree, weighted_progress
from kpis.services import objectives as services
from tests.factories.kpis import KpiFactory, lower_is_better, measure
from tests.kpis.conftest import month


def objective(cast, **overrides):
    data = {"actor": cast.qo_a, "unit": cast.units.org_a, "title": "Loyal customers", "period": "2026"}
    data.update(overrides)
    return services.objective_create(**data)


def key_result(cast, parent, kpi, baseline, target, weight=1):
    return services.key_result_create(
        actor=cast.qo_a, objective=parent, kpi=kpi, baseline=Decimal(baseline), target=Decimal(target), weight=weight
    )


# --- the tree ---


def test_it_links_an_objective_to_one_of_its_own_unit_or_a_unit_above(cast):
    top = objective(cast)
    team = objective(cast, unit=cast.units.team_a1a, parent=top, title="Answer within a day")
    assert team.parent == top
    with pytest.raises(ValidationError) as error:
        objective(cast, unit=cast.units.org_a, parent=team, title="Upside down")
    assert "parent" in error.value.message_dict
    other = objective(cast, actor=cast.member_b, unit=cast.units.org_b, title="Theirs")
    with pytest.raises(ValidationError):
        objective(cast, unit=cast.units.team_a1a, parent=other)


def test_it_refuses_a_circle_in_the_tree(cast):
    top = objective(cast)
    child = objective(cast, parent=top, title="Child")
    with pytest.raises(ValidationError) as error:
        services.objective_update(actor=cast.qo_a, objective=top, parent=child)
    assert "own sub-objectives" in error.value.message_dict["parent"][0]
    with pytest.raises(ValidationError):
        services.objective_update(actor=cast.qo_a, objective=top, parent=top)


@pytest.mark.parametrize("who", ["viewer_a", "auditor_a", "member_b", "outsider"])
def test_it_lets_no_reader_or_stranger_set_objectives(cast, who):
    with pytest.raises(PermissionDenied):
        objective(cast, actor=getattr(cast, who))


def test_the_tree_runs_from_the_organisation_down_to_the_team(cast):
    top = objective(cast)
    unit = objective(cast, unit=cast.units.bu_a1, parent=top, title="Unit")
    team = objective(cast, unit=cast.units.team_a1a, parent=unit, title="Team")
    tree = objective_tree(Objective.objects.all())
    assert [(node.objective, node.depth) for node in tree] == [(top, 0), (unit, 1), (team, 2)]
    # A team lead sees only the team's objective: it is the root of what they see.
    assert [node.objective for node in objective_tree(Objective.objects.visible_to(cast.team_lead_a))] == [team]


# --- SMART ---


def test_it_names_the_smart_properties_an_objective_misses(cast, csat):
    vague = objective(cast)
    assert objective_node(vague).smart_missing == [
        SmartProperty.SPECIFIC,
        SmartProperty.MEASURABLE,
        SmartProperty.ACHIEVABLE,
        SmartProperty.RELEVANT,
        SmartProperty.TIME_BOUND,
    ]
    smart = objective(
        cast,
        specific="CSAT of the service desk to 4.5",
        achievable="Two more people from March",
        relevant="CSAT drives churn",
        deadline="2026-12-31",
    )
    assert objective_node(smart).smart_missing == [SmartProperty.MEASURABLE]
    key_result(cast, smart, csat, "4", "4.5")
    assert objective_node(smart).smart_missing == []


# --- key results and progress ---


def test_it_refuses_a_key_result_that_aims_the_wrong_way_or_nowhere(cast, csat):
    parent = objective(cast)
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, **lower_is_better())
    for kpi, baseline, target in [(csat, "4.5", "4"), (churn, "2", "3"), (csat, "4", "4")]:
        with pytest.raises(ValidationError) as error:
            key_result(cast, parent, kpi, baseline, target)
        assert "target" in error.value.message_dict
    assert not KeyResult.objects.exists()


def test_it_refuses_a_kpi_of_another_organisation(cast):
    theirs = KpiFactory(org_unit=cast.units.org_b, owner=cast.member_b, actor=cast.member_b)
    with pytest.raises(ValidationError) as error:
        key_result(cast, objective(cast), theirs, "4", "5")
    assert "kpi" in error.value.message_dict


@pytest.mark.parametrize(
    ("baseline", "target", "current", "progress"),
    [
        ("4", "5", "4.5", Decimal("50.0")),
        ("4", "5", "5", Decimal("100.0")),
        ("4", "5", "6", Decimal("100.0")),  # beyond the target: clamped
        ("4", "5", "3", Decimal("0.0")),  # went backwards: clamped
        ("4", "5", "4", Decimal("0.0")),
    ],
)
def test_the_progress_of_a_key_result_is_clamped_from_0_to_100(cast, csat, baseline, target, current, progress):
    kr = key_result(cast, objective(cast), csat, baseline, target)
    measure(csat, month(1), current)
    assert objective_node(kr.objective).key_results[0].progress == progress


def test_the_progress_follows_a_kpi_where_lower_is_better(cast):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, **lower_is_better())
    kr = key_result(cast, objective(cast), churn, "3", "1")
    measure(churn, month(2), "2.5")
    measure(churn, month(1), "2")  # the latest counts
    assert objective_node(kr.objective).key_results[0].progress == Decimal("50.0")


def test_the_objective_progress_is_the_weighted_mean_of_its_key_results(cast, csat):
    enps = KpiFactory(
        org_unit=cast.units.org_a,
        owner=cast.qo_a,
        actor=cast.qo_a,
        code="ENPS",
        target=40,
        good_threshold=20,
        acceptable_threshold=0,
    )
    pnps = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="PNPS")
    parent = objective(cast)
    key_result(cast, parent, csat, "4", "5", weight=3)  # at 100%
    key_result(cast, parent, enps, "0", "40", weight=1)  # at 50%
    key_result(cast, parent, pnps, "0", "40", weight=1)  # no measurement yet: counts as 0%
    measure(csat, month(1), "5")
    measure(enps, month(1), "20")
    assert objective_node(parent).progress == Decimal("70.0")  # (3*100 + 50 + 0) / 5


def test_an_objective_without_key_results_or_sub_objectives_has_no_progress(cast):
    assert objective_node(objective(cast)).progress is None
    assert weighted_progress([]) is None


def test_an_objective_without_key_results_rolls_up_the_mean_of_its_sub_objectives(cast, csat):
    pnps = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="PNPS")
    top = objective(cast)
    halfway = objective(cast, unit=cast.units.bu_a1, title="Halfway", parent=top)
    middle = objective(cast, unit=cast.units.bu_a1, title="Through its own children", parent=top)
    done = objective(cast, unit=cast.units.team_a1a, title="Done", parent=middle)
    objective(cast, unit=cast.units.team_a1a, title="Not measurable yet", parent=middle)  # left out
    key_result(cast, halfway, csat, "4", "5", weight=5)  # at 50%
    key_result(cast, done, pnps, "0", "40")  # at 100%
    measure(csat, month(1), "4.5")
    measure(pnps, month(1), "40")
    node = objective_node(top)
    # Each sub-objective counts once, whatever its key results' weights: (50 + 100) / 2.
    assert (node.progress, node.progress_is_rolled_up) == (Decimal("75.0"), True)
    assert (objective_node(middle).progress, objective_node(halfway).progress_is_rolled_up) == (Decimal("100.0"), False)
    # The tree rolls up from all sub-objectives, also those its filters leave out.
    nodes = objective_tree(Objective.objects.filter(pk__in=[top.pk, halfway.pk]))
    assert [(item.objective, item.progress) for item in nodes] == [(top, Decimal("75.0")), (halfway, Decimal("50.0"))]


def test_the_roll_up_takes_a_fixed_number_of_queries(cast, csat, django_assert_max_num_queries):
    top = objective(cast)
    for index in range(5):
        child = objective(cast, unit=cast.units.bu_a1, title=f"Child {index}", parent=top)
        key_result(cast, child, csat, "4", "5")
    # The objectives, those below them, their key results, the KPIs' latest values.
    with django_assert_max_num_queries(4):
        assert objective_tree(Objective.objects.filter(pk=top.pk))[0].progress == Decimal("0.0")


def test_it_refuses_a_deadline_in_the_past(cast):
    with pytest.raises(ValidationError) as error:
        objective(cast, deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert "deadline" in error.value.message_dict
    assert not Objective.objects.exists()
    current = objective(cast, deadline=timezone.localdate())
    with pytest.raises(ValidationError):
        services.objective_update(actor=cast.qo_a, objective=current, deadline="2020-12-31")
    # An objective whose deadline has passed keeps it when something else changes.
    Objective.objects.filter(pk=current.pk).update(deadline=datetime.date(2020, 12, 31))
    current.refresh_from_db()
    assert services.objective_update(actor=cast.qo_a, objective=current, title="Renamed").title == "Renamed"


def test_the_tree_shows_the_weighted_progress_of_each_objective_at_every_level(cast, csat):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="CHURN", **lower_is_better())
    pnps = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="PNPS")
    organisation = objective(cast)
    business_unit = objective(cast, unit=cast.units.bu_a1, title="Faster service", parent=organisation)
    team = objective(cast, unit=cast.units.team_a1a, title="Answer within a day", parent=business_unit)
    key_result(cast, organisation, csat, "4", "5", weight=3)  # at 50%
    key_result(cast, organisation, churn, "3", "1", weight=1)  # at 80%
    key_result(cast, business_unit, csat, "4", "4.5")  # at 100%
    key_result(cast, team, churn, "3", "2")  # beyond the target: 100%
    key_result(cast, team, pnps, "0", "40")  # no measurement yet: 0%
    measure(csat, month(1), "4.5")
    measure(churn, month(1), "1.4")
    nodes = objective_tree(Objective.objects.all())
    assert [(node.objective, node.depth, node.progress) for node in nodes] == [
        (organisation, 0, Decimal("57.5")),  # (3 * 50 + 80) / 4
        (business_unit, 1, Decimal("100.0")),
        (team, 2, Decimal("50.0")),  # (100 + 0) / 2
    ]
    # A team lead sees the tree from the team down: the team's objective is the root of it.
    visible = objective_tree(Objective.objects.visible_to(cast.team_lead_a))
    assert [(node.objective, node.depth, node.progress) for node in visible] == [(team, 0, Decimal("50.0"))]
