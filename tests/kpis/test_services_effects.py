"""Effect measurement, rule by rule: what an improvement action may state, the verdicts, the sweep
that measures them once, the owner's confirmation, and the follow-up when the effect was missed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.choices import Verdict
from kpis.models import IntendedEffect
from kpis.services import effects as services
from qms.choices import ActionKind, ActionStatus
from qms.escalations import escalations_run
from qms.models import Action, Notification, User
from tests.factories import ActionFactory
from tests.factories.kpis import KpiFactory, lower_is_better, series
from tests.kpis.conftest import past_action

# Fixed periods in the past: the baseline is Jan-Mar 2024, the evaluation Jul-Sep 2024, around an
# action that ran from April to June 2024.
WINDOWS = {
    "baseline_from": "2024-01",
    "baseline_to": "2024-03",
    "evaluation_from": "2024-07",
    "evaluation_to": "2024-09",
}
AFTER = datetime.date(2024, 10, 15)  # past the evaluation window and its grace days
STARTED, DUE = datetime.date(2024, 4, 10), datetime.date(2024, 6, 20)


@pytest.fixture
def improvement(cast):
    return past_action(
        STARTED,
        DUE,
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        kind=ActionKind.IMPROVEMENT,
        created_by=cast.qo_a,
    )


def state(cast, action, kpi, **overrides):
    data = {"actor": cast.qo_a, "action": action, "kpi": kpi, "expectation": "change", **WINDOWS}
    data.update(overrides)
    return services.effect_create(**data)


def nine_months(kpi, before, after):
    """Jan-Sep 2024: ``before`` in Jan-Mar, halfway in Apr-Jun, ``after`` in Jul-Sep."""
    middle = (Decimal(before) + Decimal(after)) / 2
    return series(kpi, "2024-01", [before] * 3 + [middle] * 3 + [after] * 3)


# --- stating the effect ---


def test_it_accepts_an_intended_effect_of_an_improvement_action_only(cast, csat, improvement):
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    assert effect.evaluate_after == datetime.date(2024, 9, 30)
    general = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind=ActionKind.GENERAL)
    with pytest.raises(ValidationError) as error:
        state(cast, general, csat, expected_change=Decimal("0.5"))
    assert "action" in error.value.message_dict
    with pytest.raises(ValidationError):
        state(cast, improvement, csat, expected_change=Decimal("1"))  # one effect per action


@pytest.mark.parametrize(
    ("norms", "expectation", "change", "field"),
    [
        ({}, "change", "-0.5", "expected_change"),  # CSAT should go up
        (lower_is_better(), "change", "0.5", "expected_change"),  # churn should go down
        ({}, "change", None, "expected_change"),
        ({}, "change", "0", "expected_change"),
        ({}, "back_to_green", "0.5", "expected_change"),
    ],
)
def test_it_refuses_an_expected_change_against_the_kpis_direction(cast, improvement, norms, expectation, change, field):
    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, **norms)
    with pytest.raises(ValidationError) as error:
        state(cast, improvement, kpi, expectation=expectation, expected_change=change and Decimal(change))
    assert field in error.value.message_dict
    assert not IntendedEffect.objects.exists()


@pytest.mark.parametrize(
    ("windows", "field"),
    [
        ({"baseline_to": "2023-12"}, "baseline_to"),
        ({"evaluation_from": "2024-03"}, "evaluation_from"),
        ({"evaluation_to": "2024-06"}, "evaluation_to"),
        ({"evaluation_to": "2024-Q3"}, "evaluation_to"),
    ],
)
def test_it_refuses_windows_out_of_order_or_of_the_wrong_frequency(cast, csat, improvement, windows, field):
    with pytest.raises(ValidationError) as error:
        state(cast, improvement, csat, expected_change=Decimal("0.5"), **windows)
    assert field in error.value.message_dict


def test_it_gives_default_windows_around_the_action(cast, csat, improvement):
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"), **dict.fromkeys(WINDOWS, ""))
    windows = services.default_windows(csat, improvement)
    assert (effect.baseline_from, effect.evaluation_to) == (windows["baseline_from"], windows["evaluation_to"])
    baseline_to, evaluation_from = csat.period(effect.baseline_to), csat.period(effect.evaluation_from)
    assert baseline_to.end < improvement.created_at.date() and evaluation_from.start > improvement.due_date


def test_it_holds_the_windows_to_the_action(cast, csat, improvement):
    # The action started in April 2024 and is due in June: the baseline ends by March, the
    # evaluation starts in June at the earliest.
    with pytest.raises(ValidationError) as error:
        state(cast, improvement, csat, expected_change=Decimal("0.5"), baseline_to="2024-04")
    assert "before 2024-04, the period in which the action started" in error.value.message_dict["baseline_to"][0]
    with pytest.raises(ValidationError) as error:
        state(cast, improvement, csat, expected_change=Decimal("0.5"), evaluation_from="2024-05")
    assert "must start in 2024-06" in error.value.message_dict["evaluation_from"][0]
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"), evaluation_from="2024-06")
    assert effect.evaluation_from == "2024-06"
    with pytest.raises(ValidationError) as error:
        services.effect_update(actor=cast.qo_a, effect=effect, baseline_to="2024-05", evaluation_from="2024-05")
    assert {"baseline_to", "evaluation_from"} <= set(error.value.message_dict)


def test_it_refuses_the_windows_of_the_review_for_an_action_not_done_yet(cast, csat):
    # The review's case: an action made on 26 November, due on 15 December, with windows of January
    # to March and July to September of the same year got a verdict at once.
    action = past_action(
        datetime.date(2024, 11, 26),
        datetime.date(2024, 12, 15),
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        kind=ActionKind.IMPROVEMENT,
    )
    windows = {"baseline_from": "2024-01", "baseline_to": "2024-03", "evaluation_from": "2024-07"}
    with pytest.raises(ValidationError) as error:
        state(cast, action, csat, expected_change=Decimal("0.5"), **windows, evaluation_to="2024-09")
    assert set(error.value.message_dict) == {"evaluation_from"}
    assert not IntendedEffect.objects.exists()


def test_an_action_done_before_its_due_date_is_evaluated_from_when_it_was_done(cast, csat):
    done_early = past_action(
        STARTED,
        datetime.date(2024, 9, 30),
        completed=datetime.date(2024, 6, 15),
        unit=cast.units.bu_a1,
        owner=cast.risk_owner_a,
        kind=ActionKind.IMPROVEMENT,
    )
    effect = state(cast, done_early, csat, expected_change=Decimal("0.5"))
    assert effect.evaluation_from == "2024-07"


@pytest.mark.parametrize("frequency", ["monthly", "quarterly"])
@pytest.mark.parametrize("completed", [None, datetime.date(2024, 5, 2)])
def test_the_default_windows_meet_the_rules(cast, frequency, completed):
    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, frequency=frequency)
    action = past_action(
        STARTED, DUE, completed=completed, unit=cast.units.bu_a1, owner=cast.risk_owner_a, kind=ActionKind.IMPROVEMENT
    )
    effect = state(cast, action, kpi, expected_change=Decimal("0.5"), **dict.fromkeys(WINDOWS, ""))
    assert services.window_errors(effect) == {}
    assert kpi.period(effect.baseline_to).end < STARTED
    assert kpi.period(effect.evaluation_from).start > (completed or DUE)


@pytest.mark.parametrize("who", ["viewer_a", "auditor_a", "member_b", "outsider"])
def test_it_lets_no_reader_or_stranger_state_an_effect(cast, csat, improvement, who):
    with pytest.raises(PermissionDenied):
        state(cast, improvement, csat, actor=getattr(cast, who), expected_change=Decimal("0.5"))


# --- the verdicts ---


@pytest.mark.parametrize(
    ("before", "after", "expected", "verdict"),
    [
        ("3.8", "4.3", "0.5", Verdict.REACHED),  # exactly the expected change
        ("3.8", "4.5", "0.5", Verdict.REACHED),
        ("3.8", "4.0", "0.5", Verdict.PARTLY),
        ("3.8", "3.8", "0.5", Verdict.NOT_REACHED),
        ("3.8", "3.5", "0.5", Verdict.NOT_REACHED),
    ],
)
def test_it_judges_a_change_by_an_amount(cast, csat, improvement, before, after, expected, verdict):
    nine_months(csat, before, after)
    effect = state(cast, improvement, csat, expected_change=Decimal(expected))
    effect = services.effect_evaluate(effect=effect, today=AFTER)
    assert effect.verdict == verdict
    assert (effect.baseline_value, effect.evaluation_value) == (Decimal(before), Decimal(after))
    assert effect.measured_change == Decimal(after) - Decimal(before)


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [("3", "1", Verdict.REACHED), ("3", "2", Verdict.PARTLY), ("3", "3.5", "not_reached")],
)
def test_it_judges_a_change_where_lower_is_better(cast, improvement, before, after, verdict):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, **lower_is_better())
    nine_months(churn, before, after)
    effect = state(cast, improvement, churn, expected_change=Decimal("-2"))
    assert services.effect_evaluate(effect=effect, today=AFTER).verdict == verdict


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [("3.5", "4.2", Verdict.REACHED), ("3.5", "4.0", Verdict.PARTLY), ("3.5", "3.4", Verdict.NOT_REACHED)],
)
def test_it_judges_back_into_green(cast, csat, improvement, before, after, verdict):
    nine_months(csat, before, after)
    effect = state(cast, improvement, csat, expectation="back_to_green", expected_change=None)
    assert services.effect_evaluate(effect=effect, today=AFTER).verdict == verdict


# --- the sweep ---


def test_the_sweep_waits_for_the_end_of_the_evaluation_window(cast, csat, improvement):
    nine_months(csat, "3.8", "4.5")
    state(cast, improvement, csat, expected_change=Decimal("0.5"))
    assert escalations_run(today=datetime.date(2024, 9, 30))["kpi_effects_due"] == 0
    assert escalations_run(today=datetime.date(2024, 10, 1))["kpi_effects_due"] == 1


def test_the_sweep_waits_for_missing_measurements_until_they_are_overdue(cast, csat, improvement):
    series(csat, "2024-01", ["3.8"] * 3 + ["4"] * 3 + ["4.5"] * 2)  # September is missing
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    assert services.sweep_effects(today=datetime.date(2024, 10, 5)) == 0
    assert services.sweep_effects(today=datetime.date(2024, 10, 11)) == 1
    effect.refresh_from_db()
    assert effect.evaluation_value == Decimal("4.5")


def test_the_sweep_measures_once_tells_the_owner_and_opens_a_follow_up_when_not_reached(cast, csat, improvement):
    nine_months(csat, "3.8", "3.7")
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    Notification.objects.all().delete()
    User.objects.filter(pk__in=[cast.qo_a.pk, cast.risk_owner_a.pk]).update(language="en")  # notified in English
    assert services.sweep_effects(today=AFTER) == 1
    assert services.sweep_effects(today=AFTER) == 0
    effect.refresh_from_db()
    assert effect.verdict == Verdict.NOT_REACHED
    follow_up = effect.follow_up
    assert (follow_up.owner, follow_up.kind, follow_up.source, follow_up.status) == (
        cast.risk_owner_a,
        ActionKind.FOLLOW_UP,
        effect,
        ActionStatus.OPEN,
    )
    verbs = sorted(Notification.objects.filter(recipient=cast.risk_owner_a).values_list("verb", flat=True))
    assert verbs == ["action_assigned", "effect_measured"]
    assert Action.objects.filter(kind=ActionKind.FOLLOW_UP).count() == 1


def test_a_reached_effect_opens_no_follow_up(cast, csat, improvement):
    nine_months(csat, "3.8", "4.4")
    effect = services.effect_evaluate(
        effect=state(cast, improvement, csat, expected_change=Decimal("0.5")), today=AFTER
    )
    assert effect.verdict == Verdict.REACHED and effect.follow_up is None


def test_an_effect_without_measurements_waits_until_they_are_overdue(cast, csat, improvement):
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    # The evaluation window ended on 30 September; its measurements are due ten days later.
    assert services.effect_evaluate(effect=effect, today=datetime.date(2024, 10, 10)).verdict == ""


@pytest.mark.parametrize(
    ("before", "after", "case", "words"),
    [
        (None, "4.4", "baseline", "no measurements in the baseline window (2024-01 – 2024-03)."),
        ("3.8", None, "evaluation", "no measurements in the evaluation window (2024-07 – 2024-09)."),
        (None, None, "both", "nor in the evaluation window (2024-07 – 2024-09)."),
    ],
)
def test_it_records_that_an_effect_cannot_be_measured_and_tells_the_owner_and_the_quality_officer_once(
    cast, csat, improvement, before, after, case, words
):
    if before:
        series(csat, "2024-01", [before] * 3)
    if after:
        series(csat, "2024-07", [after] * 3)
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    Notification.objects.all().delete()
    User.objects.filter(pk__in=[cast.qo_a.pk, cast.risk_owner_a.pk]).update(language="en")  # notified in English
    assert services.sweep_effects(today=AFTER) == 1
    assert services.sweep_effects(today=AFTER + datetime.timedelta(days=1)) == 0
    effect.refresh_from_db()
    assert (effect.verdict, effect.unmeasurable_case, effect.follow_up) == (Verdict.NOT_MEASURABLE, case, None)
    assert effect.evaluated_at is not None and effect.measured_change is None
    assert effect.unmeasurable_reason.startswith(f"{csat.name} has ") and effect.unmeasurable_reason.endswith(words)
    notified = Notification.objects.filter(verb="effect_not_measurable")
    assert sorted(n.recipient.username for n in notified) == ["qo_a", "risk_owner_a"]
    assert all(n.body.endswith(words) for n in notified)
    assert effect.history.first().history_change_reason  # which window was empty, in the organisation's language
    # The owner explains it, once.
    with pytest.raises(ValidationError) as error:
        services.effect_confirm(actor=cast.risk_owner_a, effect=effect)
    assert "explanation" in error.value.message_dict
    services.effect_confirm(actor=cast.risk_owner_a, effect=effect, explanation="The survey stopped in July")


def test_a_measured_effect_cannot_change(cast, csat, improvement):
    nine_months(csat, "3.8", "4.4")
    effect = services.effect_evaluate(
        effect=state(cast, improvement, csat, expected_change=Decimal("0.5")), today=AFTER
    )
    with pytest.raises(ValidationError):
        services.effect_update(actor=cast.qo_a, effect=effect, expected_change=Decimal("0.1"))


# --- confirmation ---


def test_the_owner_confirms_or_explains_the_verdict(cast, csat, improvement):
    nine_months(csat, "3.8", "4.0")
    effect = services.effect_evaluate(
        effect=state(cast, improvement, csat, expected_change=Decimal("0.5")), today=AFTER
    )
    with pytest.raises(ValidationError) as error:
        services.effect_confirm(actor=cast.risk_owner_a, effect=effect, explanation="")
    assert "explanation" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.effect_confirm(actor=cast.viewer_a, effect=effect, explanation="Looks fine")
    effect = services.effect_confirm(actor=cast.risk_owner_a, effect=effect, explanation="Staff left in August")
    assert (effect.confirmed_by, effect.explanation) == (cast.risk_owner_a, "Staff left in August")


def test_a_quality_officer_confirms_on_the_owners_behalf_and_nobody_confirms_twice(cast, csat, improvement):
    nine_months(csat, "3.8", "4.4")
    effect = services.effect_evaluate(
        effect=state(cast, improvement, csat, expected_change=Decimal("0.5")), today=AFTER
    )
    effect = services.effect_confirm(actor=cast.qo_a, effect=effect, explanation="Owner on leave; reached.")
    assert (effect.confirmed_by, effect.action.owner) == (cast.qo_a, cast.risk_owner_a)
    assert "namens" in effect.history.first().history_change_reason  # stored in the organisation's language
    with pytest.raises(ValidationError) as error:
        services.effect_confirm(actor=cast.risk_owner_a, effect=effect, explanation="Me too")
    assert f"confirmed already, by {cast.qo_a}" in " ".join(error.value.messages)
    effect.refresh_from_db()
    assert (effect.confirmed_by, effect.explanation) == (cast.qo_a, "Owner on leave; reached.")


@pytest.mark.parametrize("who", ["admin_a", "team_lead_a", "viewer_a", "member_b"])
def test_only_the_owner_or_a_quality_officer_confirms(cast, csat, improvement, who):
    # The administrator may edit the action, but a verdict is the owner's to confirm.
    nine_months(csat, "3.8", "4.4")
    effect = services.effect_evaluate(
        effect=state(cast, improvement, csat, expected_change=Decimal("0.5")), today=AFTER
    )
    with pytest.raises(PermissionDenied):
        services.effect_confirm(actor=getattr(cast, who), effect=effect, explanation="ok")


def test_an_unmeasured_effect_cannot_be_confirmed(cast, csat, improvement):
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    with pytest.raises(ValidationError):
        services.effect_confirm(actor=cast.risk_owner_a, effect=effect, explanation="ok")


def test_an_effect_whose_action_moved_past_its_windows_is_not_judged(cast, csat, improvement, login):
    nine_months(csat, "3.8", "4.4")
    effect = state(cast, improvement, csat, expected_change=Decimal("0.5"))
    Action.objects.filter(pk=improvement.pk).update(due_date=datetime.date(2024, 8, 20))  # now due in August
    assert services.sweep_effects(today=AFTER) == 0
    effect.refresh_from_db()
    assert effect.verdict == ""
    content = login(cast.qo_a).get(effect.get_absolute_url()).content.decode()
    assert 'data-testid="window-problems"' in content and "2024-08" in content
    services.effect_update(actor=cast.qo_a, effect=effect, evaluation_from="2024-09")
    assert services.sweep_effects(today=AFTER) == 1


def test_the_owner_reads_the_means_with_two_decimals_while_the_verdict_uses_them_exactly(cast, csat, improvement):
    # Means of 3.9233... and 4.3667 (as in the demo): shown as 3.92 and 4.37.
    series(csat, "2024-01", ["3.9", "3.92", "3.95", "4", "4", "4", "4.3", "4.4", "4.4"])
    User.objects.filter(pk=cast.risk_owner_a.pk).update(language="en")
    effect = services.effect_evaluate(
        effect=state(cast, improvement, csat, expected_change=Decimal("0.44")), today=AFTER
    )
    assert (effect.baseline_value, effect.evaluation_value) == (Decimal("3.9233"), Decimal("4.3667"))
    assert effect.verdict == Verdict.REACHED  # +0.4434 against +0.44 expected
    body = Notification.objects.get(recipient=cast.risk_owner_a, verb="effect_measured").body
    assert "went from 3.92 (mean of 2024-01 – 2024-03) to 4.37 (mean of 2024-07 – 2024-09)" in body
