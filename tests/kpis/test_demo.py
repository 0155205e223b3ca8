"""The demo data of the KPI app (issue 5, item 7): the default KPI set with 24 months of measurements
for both demo organisations, a goal tree with key results, improvement actions of which one reached
its effect and one did not, and feedback with flagged items; seeding twice adds nothing."""

from collections import Counter

import pytest

from kpis import demo
from kpis.choices import DEFAULT_KPIS
from kpis.models import Feedback, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from kpis.selectors.objectives import objective_tree
from qms.choices import ActionKind
from qms.demo import seed_core
from qms.models import Action
from qms.periods import Frequency


@pytest.fixture
def seeded(db):
    context = seed_core()
    demo.seed(context)
    return context


def test_the_demo_organisations_have_the_default_set_with_24_months_of_measurements(seeded):
    codes = sorted(row[0] for row in DEFAULT_KPIS)
    for organisation in ("NHS", "NHD"):
        kpis = Kpi.objects.filter(organisation__code=organisation)
        assert sorted(kpis.values_list("code", flat=True)) == codes
        for kpi in kpis:
            count = kpi.measurements.count()
            expected = 24 if kpi.frequency == Frequency.MONTHLY else 8
            # One KPI of the second organisation has its last periods missing, to show as missing.
            assert count == expected or (organisation, kpi.code) == ("NHD", "DEFECTS"), (organisation, kpi.code)
    statuses = Counter(KpiMeasurement.objects.values_list("status", flat=True))
    assert set(statuses) == {"green", "amber", "red"}


def test_the_demo_has_a_goal_tree_with_key_results_and_progress(seeded):
    nodes = objective_tree(Objective.objects.filter(unit__code__startswith="NHS"))
    assert max(node.depth for node in nodes) >= 2
    assert KeyResult.objects.exists()
    assert all(node.progress is not None for node in nodes if node.key_results)
    assert any(node.smart_missing for node in nodes) and any(not node.smart_missing for node in nodes)


def test_the_demo_has_an_effect_reached_one_not_reached_and_flagged_feedback(seeded):
    verdicts = Counter(IntendedEffect.objects.values_list("verdict", flat=True))
    assert verdicts["reached"] >= 1 and verdicts["not_reached"] >= 1
    assert IntendedEffect.objects.filter(verdict="not_reached", follow_up__isnull=False).exists()
    flagged = Feedback.objects.filter(flagged=True)
    assert flagged.exists() and Feedback.objects.filter(flagged=False).exists()
    assert not flagged.filter(assigned_to__isnull=True).exists()


def test_seeding_the_demo_twice_adds_nothing(seeded):
    counts = [model.objects.count() for model in (Kpi, KpiMeasurement, Feedback, Objective, KeyResult, IntendedEffect)]
    demo.seed(seeded)
    assert [
        model.objects.count() for model in (Kpi, KpiMeasurement, Feedback, Objective, KeyResult, IntendedEffect)
    ] == counts


def test_the_demo_stores_dutch_titles_without_reference_codes(seeded):
    follow_ups = Action.objects.filter(kind=ActionKind.FOLLOW_UP, source_content_type__app_label="kpis")
    assert follow_ups.exists()
    for title in follow_ups.values_list("title", flat=True):
        assert "DEMO-" not in title and "(" not in title, title
        assert not title.startswith(("Follow up", "Effect not reached")), title  # stored in Dutch
    assert not Feedback.objects.exclude(customer_reference="").exists()


def test_the_demo_takes_over_a_default_set_its_organisation_was_created_with(db):
    context = seed_core()
    creator = context.people["beheerder"]  # the system administrator, administrator of the group
    # The organisations were created through unit_create by the administrator: they have the set already.
    created = Kpi.objects.filter(organisation=context.units["NHS"])
    assert created.count() == len(DEFAULT_KPIS) and {kpi.owner for kpi in created} == {creator}
    demo.seed(context)
    kpis = Kpi.objects.filter(organisation=context.units["NHS"])
    assert kpis.count() == len(DEFAULT_KPIS)
    assert {kpi.owner for kpi in kpis} == {context.people["kwaliteit"]}


def test_no_demo_kpi_shows_green_short_of_its_target(seeded):
    for kpi in Kpi.objects.all():
        for measurement in kpi.measurements.filter(status="green"):
            assert not kpi.is_better(kpi.target, measurement.value), (kpi.code, measurement.value, kpi.target)
