"""Effect measurement: the intended effect of an improvement action, the verdict after the evaluation
window (the daily sweep), the owner's confirmation, and a follow-up when the effect was not reached."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis import conf
from kpis.choices import EFFECT_ACTION_KINDS, Expectation, KpiStatus, Verdict
from kpis.models import IntendedEffect, Kpi, KpiMeasurement
from kpis.models.effects import UNMEASURABLE_REASONS
from qms.choices import ActionKind, Role
from qms.models import Action
from qms.periods import Frequency, Period, period_containing
from qms.permissions import can_edit_action
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import action_create
from qms.services.base import apply_changes, deny, in_stored_language, save_validated
from qms.services.notifications import notify

FOUR_PLACES = Decimal("0.0001")
READING_PLACES = Decimal("0.01")
# How many periods the default baseline and evaluation windows span.
DEFAULT_WINDOW = {Frequency.MONTHLY: 3, Frequency.QUARTERLY: 2}
EFFECT_FIELDS = {
    "kpi",
    "expectation",
    "expected_change",
    "baseline_from",
    "baseline_to",
    "evaluation_from",
    "evaluation_to",
}


def can_state_effect(user, action: Action) -> bool:
    """The action's owner, and whoever may edit the action."""
    return action.owner_id == user.pk or can_edit_action(user, action)


def can_confirm_effect(user, effect: IntendedEffect) -> bool:
    """The action's owner, or a quality officer of its unit on the owner's behalf (recorded: the
    confirmation names who gave it)."""
    action = effect.action
    return action.owner_id == user.pk or scope_for(user).has_role(action.unit, Role.QUALITY_OFFICER)


def action_started(action: Action) -> datetime.date:
    """When the action started: the day it was created (an action has no separate start)."""
    return timezone.localdate(action.created_at) if action.created_at else timezone.localdate()


def action_finished(action: Action) -> datetime.date:
    """When the action is done: its due date, or the day it was completed if that was earlier."""
    if action.completed_at is not None:
        return min(action.due_date, timezone.localdate(action.completed_at))
    return action.due_date


def default_windows(kpi: Kpi, action: Action) -> dict[str, str]:
    """Baseline: the periods just before the period the action started in; evaluation: as many
    periods, from the period after the one it is due (or was done) in. Both meet ``window_errors``."""
    size = DEFAULT_WINDOW[kpi.frequency]
    before = period_containing(action_started(action), kpi.frequency).shift(-1)
    after = period_containing(action_finished(action), kpi.frequency).shift(1)
    return {
        "baseline_from": str(before.shift(1 - size)),
        "baseline_to": str(before),
        "evaluation_from": str(after),
        "evaluation_to": str(after.shift(size - 1)),
    }


def window_errors(effect: IntendedEffect) -> dict[str, str]:
    """The windows against the action: the baseline must end before the period in which the action
    started (it measures the situation before it), the evaluation must start in the period in which
    it is due or was completed, or later (it measures the situation after it). Periods that are not
    periods of the KPI are left to the model's ``clean()``."""
    try:
        baseline_to = effect.kpi.period(effect.baseline_to)
        evaluation_from = effect.kpi.period(effect.evaluation_from)
    except ValidationError:
        return {}
    errors = {}
    started = period_containing(action_started(effect.action), effect.kpi.frequency)
    if baseline_to >= started:
        errors["baseline_to"] = _(
            "The baseline window measures the situation before the action: it must end before %(period)s, "
            "the period in which the action started (%(date)s)."
        ) % {"period": started, "date": formats.date_format(action_started(effect.action), "SHORT_DATE_FORMAT")}
    finished = period_containing(action_finished(effect.action), effect.kpi.frequency)
    if evaluation_from < finished:
        errors["evaluation_from"] = _(
            "The evaluation window measures the situation after the action: it must start in %(period)s, the "
            "period in which the action is due or was completed (%(date)s), or later."
        ) % {"period": finished, "date": formats.date_format(action_finished(effect.action), "SHORT_DATE_FORMAT")}
    return errors


def _save(effect: IntendedEffect, *, actor) -> IntendedEffect:
    """Validate the effect (the model's rules and the windows against the action, every field's
    messages at once), then save it."""
    errors: dict[str, list[str]] = {}
    try:
        effect.full_clean()
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for field, message in window_errors(effect).items():
        errors.setdefault(field, [message])
    if errors:
        raise ValidationError(errors)
    return save_validated(effect, actor=actor)


def _check_action(action: Action, kpi: Kpi) -> None:
    if action.kind not in EFFECT_ACTION_KINDS:
        raise ValidationError(
            {"action": _("Only improvement, corrective and preventive actions state an intended effect.")}
        )
    if kpi.organisation_id != action.unit.organisation.pk:
        raise ValidationError({"kpi": _("Choose a KPI of %(org)s.") % {"org": action.unit.organisation}})


@transaction.atomic
def effect_create(
    *,
    actor,
    action: Action,
    kpi: Kpi,
    expectation: str = Expectation.CHANGE,
    expected_change: Decimal | None = None,
    baseline_from: str = "",
    baseline_to: str = "",
    evaluation_from: str = "",
    evaluation_to: str = "",
) -> IntendedEffect:
    """State what an improvement action should do to a KPI. Windows left empty get the defaults
    (``default_windows``)."""
    action = Action.objects.select_for_update(of=("self",)).select_related("unit").get(pk=action.pk)
    if not can_state_effect(actor, action):
        deny(_("You cannot change this action."))
    _check_action(action, kpi)
    if IntendedEffect.objects.filter(action=action).exists():
        raise ValidationError({"action": _("This action states its intended effect already.")})
    windows = default_windows(kpi, action)
    given = {
        "baseline_from": baseline_from,
        "baseline_to": baseline_to,
        "evaluation_from": evaluation_from,
        "evaluation_to": evaluation_to,
    }
    effect = IntendedEffect(
        action=action,
        kpi=kpi,
        expectation=expectation,
        expected_change=expected_change,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{name: value or windows[name] for name, value in given.items()},
    )
    return _save(effect, actor=actor)


@transaction.atomic
def effect_update(*, actor, effect: IntendedEffect, **changes) -> IntendedEffect:
    """Change an intended effect until its verdict is recorded (the windows still fit the action:
    ``window_errors``)."""
    effect = (
        IntendedEffect.objects.select_for_update(of=("self",)).select_related("action__unit", "kpi").get(pk=effect.pk)
    )
    if not can_state_effect(actor, effect.action):
        deny(_("You cannot change this action."))
    if effect.verdict:
        raise ValidationError(_("The effect has been measured: it cannot change any more."))
    changed = apply_changes(effect, changes, EFFECT_FIELDS)
    if "kpi" in changed:
        _check_action(effect.action, effect.kpi)
    if changed:
        _save(effect, actor=actor)
    return effect


def window_mean(kpi: Kpi, first: Period, last: Period, *, with_count: bool = False):
    """The mean of the KPI's measurements from period ``first`` to ``last`` (None without any), and
    with ``with_count`` how many measurements there were."""
    result = KpiMeasurement.objects.filter(
        kpi=kpi, period_start__gte=first.start, period_start__lte=last.start
    ).aggregate(mean=Avg("value"), count=Count("id"))
    mean = None if result["mean"] is None else Decimal(result["mean"]).quantize(FOUR_PLACES)
    return (mean, result["count"]) if with_count else mean


def verdict_for(effect: IntendedEffect, baseline: Decimal, after: Decimal) -> str:
    """Reached, partly or not reached, from the means before and after.

    A change by an amount: reached when the KPI moved at least the expected amount in the expected
    direction, partly when it moved that way but less, not reached otherwise. Back into green:
    reached when the mean after is green, partly when it is better than before but not green.
    """
    change = after - baseline
    if effect.expectation == Expectation.BACK_TO_GREEN:
        if effect.kpi.status_for(after) == KpiStatus.GREEN:
            return Verdict.REACHED
        return Verdict.PARTLY if effect.kpi.is_better(after, baseline) else Verdict.NOT_REACHED
    share = change / effect.expected_change
    if share >= 1:
        return Verdict.REACHED
    return Verdict.PARTLY if share > 0 else Verdict.NOT_REACHED


@transaction.atomic
def effect_evaluate(*, effect: IntendedEffect, today: datetime.date | None = None) -> IntendedEffect:
    """Measure the effect once its evaluation window has passed: the means of both windows, the
    verdict, the owner asked to confirm or explain, and a follow-up action when it was not reached.

    While a window misses measurements it waits, until they are overdue (the evaluation window's
    end plus ``KPI_MEASUREMENT_GRACE_DAYS``); then it measures what is there, or, when a window has
    none at all, records that the effect cannot be measured and tells the owner and the quality
    officer why, once (the verdict is recorded under a row lock, and the sweep skips verdicts)."""
    today = today or timezone.localdate()
    effect = (
        IntendedEffect.objects.select_for_update(of=("self",))
        .select_related("kpi", "action__unit", "action__owner")
        .get(pk=effect.pk)
    )
    if effect.verdict or effect.evaluate_after >= today:
        return effect
    if window_errors(effect):
        # The action's dates moved after the windows were stated (a later due date): judging now
        # would measure during the action. The effect's page asks for new windows.
        return effect
    baseline_from, baseline_to, evaluation_from, evaluation_to = effect.windows()
    baseline = window_mean(effect.kpi, baseline_from, baseline_to)
    after, measured = window_mean(effect.kpi, evaluation_from, evaluation_to, with_count=True)
    complete = measured == evaluation_to - evaluation_from + 1
    late = effect.evaluate_after + datetime.timedelta(days=conf.measurement_grace_days()) < today
    if baseline is None or after is None:
        if late:
            _record_unmeasurable(effect, baseline=baseline, after=after)
        return effect
    if not (complete or late):
        # Wait for the window's measurements, until they are overdue; then measure what is there.
        return effect
    effect.baseline_value, effect.evaluation_value = baseline, after
    effect.measured_change = after - baseline
    effect.verdict = verdict_for(effect, baseline, after)
    effect.evaluated_at = timezone.now()
    with in_stored_language():
        save_validated(effect, actor=None, reason=_("Effect measured"))
    action = effect.action
    notify(
        recipients=[action.owner],
        verb="effect_measured",
        title=gettext_lazy("%(verdict)s: %(action)s"),
        params={"verdict": Verdict(effect.verdict).label, "action": action.title},
        body=gettext_lazy(
            "%(kpi)s went from %(before)s (mean of %(baseline)s) to %(after)s (mean of %(evaluation)s). "
            "Confirm the verdict or explain it."
        ),
        body_params={
            "kpi": effect.kpi.name_for_reader(),
            "before": for_reading(baseline),
            "baseline": f"{effect.baseline_from} – {effect.baseline_to}",
            "after": for_reading(after),
            "evaluation": f"{effect.evaluation_from} – {effect.evaluation_to}",
        },
        target=effect,
    )
    if effect.verdict == Verdict.NOT_REACHED:
        _open_follow_up(effect, today=today)
    return effect


def for_reading(mean: Decimal) -> Decimal:
    """A window's mean as people read it: two decimals at most (3.9233 -> 3.92). The verdict is
    computed from the exact means."""
    return mean.quantize(READING_PLACES, rounding=ROUND_HALF_UP).normalize()


def _record_unmeasurable(effect: IntendedEffect, *, baseline: Decimal | None, after: Decimal | None) -> None:
    """Record that the effect cannot be measured (the mean of a window that has measurements is
    kept, so the page can say which window was empty), and tell the owner and the quality officer."""
    effect.baseline_value, effect.evaluation_value = baseline, after
    effect.verdict = Verdict.NOT_MEASURABLE
    effect.evaluated_at = timezone.now()
    params = effect.reason_params() | {"kpi": effect.kpi.name_for_reader()}
    with in_stored_language():
        # The history's reason is short (100 characters): the page says it in full.
        reason = {
            "baseline": _("Cannot be measured: no measurements in the baseline window"),
            "evaluation": _("Cannot be measured: no measurements in the evaluation window"),
            "both": _("Cannot be measured: no measurements in either window"),
        }[effect.unmeasurable_case]
        save_validated(effect, actor=None, reason=reason)
    action = effect.action
    quality_officers = RoleHolders([action.unit], [Role.QUALITY_OFFICER]).nearest(action.unit, Role.QUALITY_OFFICER)
    notify(
        recipients=[action.owner, *quality_officers],
        verb="effect_not_measurable",
        title=gettext_lazy("Effect cannot be measured: %(action)s"),
        params={"action": action.title},
        body=UNMEASURABLE_REASONS[effect.unmeasurable_case],
        body_params=params,
        target=effect,
    )


def _open_follow_up(effect: IntendedEffect, *, today: datetime.date) -> None:
    action = effect.action
    owner = action.owner if action.owner.is_active else None
    if owner is None:
        quality_officers = RoleHolders([action.unit], [Role.QUALITY_OFFICER]).nearest(action.unit, Role.QUALITY_OFFICER)
        owner = quality_officers[0] if quality_officers else None
    if owner is None:
        return
    # Generated text is stored in the organisation's language (LANGUAGE_CODE), not in the language of
    # whoever's request or run made it: one list of actions does not mix languages.
    with in_stored_language():
        title = (_("Effect not reached: %(action)s") % {"action": action.title})[:200]
        description = _("The intended effect on %(kpi)s was not reached. Find out why and decide what to do next.") % {
            "kpi": effect.kpi.display_name
        }
        reason = _("Follow-up opened")
    effect.follow_up = action_create(
        actor=None,
        unit=action.unit,
        owner=owner,
        title=title,
        # From the day it is opened (a run for an earlier day, by hand, still gets a future due date).
        due_date=max(today, timezone.localdate()) + datetime.timedelta(days=conf.effect_follow_up_days()),
        description=description,
        kind=ActionKind.FOLLOW_UP,
        source=effect,
        check_permission=False,
    )
    save_validated(effect, actor=None, reason=reason)


def sweep_effects(*, today: datetime.date) -> int:
    """Measure every intended effect whose evaluation window has passed (the daily sweep); returns
    how many got their verdict. Idempotent: an effect with a verdict is never measured again."""
    evaluated = 0
    for effect in IntendedEffect.objects.pending().filter(evaluate_after__lt=today).only("pk"):
        if effect_evaluate(effect=effect, today=today).verdict:
            evaluated += 1
    return evaluated


@transaction.atomic
def effect_confirm(*, actor, effect: IntendedEffect, explanation: str = "") -> IntendedEffect:
    """The action's owner confirms the measured verdict, or explains it (required unless reached),
    once. A quality officer may do it on the owner's behalf: the confirmation names who gave it."""
    effect = (
        IntendedEffect.objects.select_for_update(of=("self",))
        .select_related("action__unit", "action__owner", "confirmed_by")
        .get(pk=effect.pk)
    )
    if not can_confirm_effect(actor, effect):
        deny(_("Only the owner of the action, or a quality officer on their behalf, confirms its effect."))
    if not effect.verdict:
        raise ValidationError(_("The effect has not been measured yet."))
    if effect.confirmed_at is not None:
        raise ValidationError(
            _("The verdict was confirmed already, by %(person)s on %(date)s.")
            % {
                "person": effect.confirmed_by or _("someone no longer here"),
                "date": formats.date_format(timezone.localtime(effect.confirmed_at), "SHORT_DATE_FORMAT"),
            }
        )
    explanation = (explanation or "").strip()
    if effect.verdict == Verdict.NOT_MEASURABLE and not explanation:
        raise ValidationError({"explanation": _("Explain why the effect could not be measured.")})
    if effect.verdict != Verdict.REACHED and not explanation:
        raise ValidationError({"explanation": _("Explain why the effect was not (fully) reached.")})
    effect.explanation = explanation
    effect.confirmed_by, effect.confirmed_at = actor, timezone.now()
    reason = ""
    if actor.pk != effect.action.owner_id:
        with in_stored_language():
            reason = (_("Confirmed on behalf of %(owner)s") % {"owner": effect.action.owner})[:100]
    return save_validated(effect, actor=actor, reason=reason)
