"""The monthly weighted risk score (SPEC 3): areas and weights, monthly scores, the monthly job that
closes a month and opens an investigation for every area whose score dropped, and the investigations.

Weights: while a month is open its scores follow the areas as they are now (each score counts with
its area's current weight, an area made inactive no longer counts: weight 0), so the month page, the
API's total and the total the month closes with agree. Closing freezes the weights; a closed month's
total stays true when weights change later.

The monthly job is set-based: a handful of queries for all organisations together, whatever their
number; only a drop costs queries of its own (its investigation and the notification).
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from qms.calendar import calendar_for, calendars_for
from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.escalations import escalate
from qms.models import Action, OrganisationUnit, TrainingAssignment, User
from qms.periods import month_end, month_label, month_shift, parse_month, previous_month, this_month
from qms.scoping import scope_for
from qms.selectors import RoleHolders, user_belongs_to_organisation
from qms.services.actions import action_create
from qms.services.base import deny, save_validated, system_note
from qms.services.notifications import notifications_resolve, notify
from risks.choices import (
    DEFAULT_SCORE_AREAS,
    InvestigationStatus,
    MonthStatus,
    ProgrammeLevel,
    ScoreSource,
)
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea
from risks.models.scoring import TRAINING_FORMULA, is_drop

logger = logging.getLogger(__name__)

# An investigation is due two working weeks after it opens, on its organisation's service calendar.
INVESTIGATION_WORKING_DAYS = 10
# The notifications that ask someone to work on an investigation, done once it is closed.
INVESTIGATION_REQUESTS = [
    "investigation_opened",
    "investigation_assigned",
    "investigation_reassigned",
    "investigation_overdue",
]
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal("100")


# --- who may do what ---------------------------------------------------------------------------


def can_manage_scores(user, organisation: OrganisationUnit) -> bool:
    """Administrators and quality officers of the organisation, and group management above it (the
    group delivers the scores), enter scores and set the areas."""
    return scope_for(user).has_role(organisation, Role.ADMINISTRATOR, Role.QUALITY_OFFICER, Role.GROUP_MANAGEMENT)


def _check_organisation(organisation: OrganisationUnit) -> None:
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("Risk scores belong to an organisation.")})


# --- areas -------------------------------------------------------------------------------------


@transaction.atomic
def areas_ensure_defaults(*, organisation: OrganisationUnit, actor=None) -> list[ScoreArea]:
    """Give an organisation the default six areas of SPEC 3 if it has none yet. Registered with
    ``unit_create`` (``RisksConfig.ready``): every new organisation starts with them, and no page or
    other service creates them on first use."""
    _check_organisation(organisation)
    existing = list(ScoreArea.objects.filter(organisation=organisation))
    if existing:
        return existing
    return [
        save_validated(
            ScoreArea(
                organisation=organisation,
                code=code,
                name=str(name),
                weight=Decimal(weight),
                source=source,
                position=position,
                description=str(TRAINING_FORMULA) if source == ScoreSource.TRAINING else "",
            ),
            actor=actor,
        )
        for position, (code, name, weight, source) in enumerate(DEFAULT_SCORE_AREAS)
    ]


def _decimal(value, field: str, *, places: int = 1) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(value)s is not a number.") % {"value": value}}) from None
    if not number.is_finite() or not Decimal(0) <= number <= HUNDRED:
        raise ValidationError({field: _("Give a number from 0 to 100.")})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError({field: _("Use at most %(places)s decimal(s).") % {"places": places}})
    return number


@transaction.atomic
def areas_set(*, actor, organisation: OrganisationUnit, areas: list[dict]) -> list[ScoreArea]:
    """Set an organisation's areas in one edit: each ``{code, name, weight, owner, description,
    source, is_active}``. The active weights must add up to exactly 100. Areas left out are
    deactivated (their past scores stay). Open months follow the new weights at once (their totals
    are recomputed); closed months keep theirs."""
    _check_organisation(organisation)
    if not can_manage_scores(actor, organisation):
        deny(_("Only administrators and quality officers of %(org)s set its areas.") % {"org": organisation})
    codes = [str(area.get("code", "")).strip() for area in areas]
    if not areas or any(not code for code in codes):
        raise ValidationError({"areas": _("Give every area a code.")})
    if len(set(codes)) != len(codes):
        raise ValidationError({"areas": _("Every area needs its own code.")})
    total = Decimal(0)
    for area in areas:
        area["weight"] = _decimal(area.get("weight"), "weight", places=2)
        if area.get("is_active", True):
            total += area["weight"]
        owner = area.get("owner")
        if owner is not None and not user_belongs_to_organisation(owner, organisation):
            raise ValidationError(
                {"owner": _("%(person)s is not a member of %(org)s.") % {"person": owner, "org": organisation}}
            )
    if total != HUNDRED:
        raise ValidationError(
            {"weight": _("The weights of the active areas add up to %(total)s%%, not 100%%.") % {"total": total}}
        )
    existing = {area.code: area for area in ScoreArea.objects.select_for_update().filter(organisation=organisation)}
    result = []
    for position, data in enumerate(areas):
        area = existing.pop(data["code"].strip(), None) or ScoreArea(
            organisation=organisation, code=data["code"].strip()
        )
        area.name = str(data.get("name") or area.name or area.code).strip()
        area.weight = data["weight"]
        area.owner = data.get("owner")
        area.description = data.get("description", area.description) or ""
        area.source = data.get("source") or area.source or ScoreSource.MANUAL
        area.is_active = data.get("is_active", True)
        area.position = position
        result.append(save_validated(area, actor=actor))
    for area in existing.values():
        if area.is_active:
            area.is_active = False
            save_validated(area, actor=actor, reason=system_note(gettext_lazy("Left out of the areas")))
    _follow_current_weights(
        actor=actor, organisation=organisation, reason=system_note(gettext_lazy("The areas' weights changed"))
    )
    return result


def current_weight(area: ScoreArea) -> Decimal:
    """The weight an open month's score of ``area`` counts with: the area's weight while it is active,
    0 once it is not (its score stays, but the active weights already add up to 100 without it)."""
    return area.weight if area.is_active else Decimal(0)


def _follow_current_weights(*, actor, organisation: OrganisationUnit, reason: str) -> None:
    """Give the scores of the organisation's open months their areas' current weights and recompute
    those months' totals (after the areas changed)."""
    months = list(MonthlyScore.objects.select_for_update().filter(organisation=organisation, status=MonthStatus.OPEN))
    if not months:
        return
    areas = {area.pk: area for area in ScoreArea.objects.filter(organisation=organisation)}
    scores_by_month = defaultdict(list)
    for score in AreaScore.objects.filter(monthly__in=months):
        scores_by_month[score.monthly_id].append(score)
    for monthly in months:
        scores = scores_by_month[monthly.pk]
        for score in scores:
            weight = current_weight(areas[score.area_id])
            if score.weight != weight:
                score.weight = weight
                save_validated(score, actor=actor, reason=reason)
        total = weighted_total(scores, areas.values())
        if total != monthly.total:
            monthly.total = total
            save_validated(monthly, actor=actor, reason=reason)


# --- derived areas -----------------------------------------------------------------------------


def training_scores(organisation_ids, month: datetime.date) -> dict[int, Decimal]:
    """The training area's score per organisation for ``month`` (one query for all of them): of the
    people who must follow a mandatory course in the month's year, the share who completed it in the
    twelve months up to the end of the month (a completion counts for a year, so January does not
    start from zero)."""
    end = month_end(month)
    valid = TrainingAssignment.objects.filter(
        course=OuterRef("course"),
        user=OuterRef("user"),
        completed_on__gt=end - datetime.timedelta(days=365),
        completed_on__lte=end,
    )
    rows = (
        TrainingAssignment.objects.filter(
            course__organisation_id__in=organisation_ids, course__is_mandatory=True, year=month.year
        )
        .annotate(done=Exists(valid))
        .values("course__organisation_id")
        .annotate(assigned=Count("id"), completed=Count("id", filter=Q(done=True)))
        .order_by()
    )
    return {
        row["course__organisation_id"]: (Decimal(row["completed"]) * HUNDRED / row["assigned"]).quantize(
            ONE_DECIMAL, ROUND_HALF_UP
        )
        for row in rows
        if row["assigned"]
    }


# --- monthly scores ----------------------------------------------------------------------------


def missing_areas(monthly: MonthlyScore, areas=None, scores=None) -> list[ScoreArea]:
    """The active areas without a score in the month (why it has no total)."""
    areas = (
        areas
        if areas is not None
        else ScoreArea.objects.filter(organisation_id=monthly.organisation_id, is_active=True)
    )
    scored = {score.area_id for score in (scores if scores is not None else monthly.area_scores.all())}
    return [area for area in areas if area.is_active and area.pk not in scored]


def total_of(scores) -> Decimal:
    """The weighted sum of ``scores`` (each with the weight it counts with), one decimal, half up."""
    total = sum((score.score * score.weight / HUNDRED for score in scores), Decimal(0))
    return total.quantize(ONE_DECIMAL, ROUND_HALF_UP)


def weighted_total(scores, areas) -> Decimal | None:
    """The weighted sum of the area scores, or None while an active area has no score."""
    scored = {score.area_id for score in scores}
    if any(area.is_active and area.pk not in scored for area in areas):
        return None
    return total_of(scores)


def _level(value, field: str) -> str:
    if value in (None, ""):
        return ""
    if value not in ProgrammeLevel.values:
        raise ValidationError({field: _("Choose bronze, silver, gold or platinum.")})
    return value


def _one_decimal(value: Decimal) -> str:
    return formats.number_format(value, 1)


def _write_scores(
    *, actor, monthly: MonthlyScore, scores: dict, reason: str = "", recompute_derived=False
) -> list[str]:
    """Validate ``scores`` ({area code: value}) and store them; add the derived areas; recompute the
    total. Returns the notices for whoever delivered the scores (a delivered score of a derived area:
    whether it counts, and why).

    An open month follows the areas as they are now: every score takes its area's current weight and
    the derived areas are computed again. A closed month keeps what it closed with: the scores it has
    keep their weights, a score it did not have yet takes the area's current weight, and its stored
    derived scores stay unless ``recompute_derived`` (a derived area without a score is computed). A
    closed month that had a total keeps one; an incomplete one gets it once every active area has a
    score.

    A score delivered for a derived area (the group delivers all areas at once) never blocks the others:
    where the organisation has no mandatory-training data for the month's year it counts, stored like a
    score entered by hand (its history says why); where it has, the derived score wins and the delivered
    one is not used."""
    areas = {area.code: area for area in ScoreArea.objects.filter(organisation_id=monthly.organisation_id)}
    errors = {}
    values = {}
    delivered = {}
    for code, value in scores.items():
        area = areas.get(code)
        if area is None or not area.is_active:
            errors.setdefault("areas", []).append(_("Unknown area %(code)s.") % {"code": code})
            continue
        try:
            number = _decimal(value, code)
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if area.source == ScoreSource.MANUAL:
            values[area] = number
        else:
            delivered[area] = number
    if errors:
        raise ValidationError(errors)
    existing = {score.area_id: score for score in monthly.area_scores.select_for_update()}
    derived_areas = [
        area
        for area in areas.values()
        if area.is_active
        and area.source == ScoreSource.TRAINING
        and (not monthly.is_closed or recompute_derived or area.pk not in existing)
    ]
    derived = None
    if derived_areas or delivered:
        derived = training_scores([monthly.organisation_id], monthly.month).get(monthly.organisation_id)
    if derived is not None:
        values.update(dict.fromkeys(derived_areas, derived))
    reasons = {}
    notices = []
    year = monthly.month.year
    for area, value in delivered.items():
        if derived is None:
            values[area] = value
            note = system_note(
                gettext_lazy("Delivered: no mandatory-training data for %(year)s to derive it from"), year=year
            )
            reasons[area] = f"{reason} — {note}" if reason else note
            notices.append(
                _(
                    "%(area)s: %(organisation)s has no mandatory-training data for %(year)s, so the delivered "
                    "score %(score)s counts."
                )
                % {"area": area, "organisation": monthly.organisation, "year": year, "score": _one_decimal(value)}
            )
            continue
        kept = values[area] if area in values else existing[area.pk].score
        notices.append(
            _(
                "%(area)s: the score is derived from the mandatory-training data of %(year)s, so it is %(kept)s "
                "and the delivered score %(score)s is not used."
            )
            % {"area": area, "year": year, "kept": _one_decimal(kept), "score": _one_decimal(value)}
        )
    for area, value in values.items():
        score = existing.get(area.pk)
        if score is None:
            score = AreaScore(monthly=monthly, area=area, weight=current_weight(area))
        elif score.score == value:
            continue
        score.score = value
        save_validated(score, actor=actor, reason=reasons.get(area, reason))
        existing[area.pk] = score
    if not monthly.is_closed:
        by_pk = {area.pk: area for area in areas.values()}
        for score in existing.values():
            weight = current_weight(by_pk[score.area_id])
            if score.weight != weight:
                score.weight = weight
                save_validated(score, actor=actor, reason=reason)
    if monthly.is_closed and monthly.total is not None:
        monthly.total = total_of(existing.values())
    else:
        monthly.total = weighted_total(list(existing.values()), list(areas.values()))
    return notices


@transaction.atomic
def scores_enter(
    *,
    actor,
    organisation: OrganisationUnit,
    month,
    scores: dict,
    vasp_level: str | None = None,
    visp_level: str | None = None,
) -> MonthlyScore:
    """Enter (or complete) an open month's scores: ``scores`` maps area codes to 0-100 with one
    decimal. A closed month changes only through ``scores_correct``. The month comes back with
    ``notices``: what became of scores delivered for derived areas, for the page or the API to show."""
    _check_organisation(organisation)
    if not can_manage_scores(actor, organisation):
        deny(_("You cannot enter scores for %(org)s.") % {"org": organisation})
    month = parse_month(month)
    if month > this_month():
        raise ValidationError({"month": _("Scores cannot be entered for a month in the future.")})
    monthly, _created = MonthlyScore.objects.select_for_update().get_or_create(organisation=organisation, month=month)
    if monthly.is_closed:
        raise ValidationError(
            {"month": _("%(month)s is closed: correct it with a reason instead.") % {"month": monthly.month_label}}
        )
    if vasp_level is not None:
        monthly.vasp_level = _level(vasp_level, "vasp_level")
    if visp_level is not None:
        monthly.visp_level = _level(visp_level, "visp_level")
    notices = _write_scores(actor=actor, monthly=monthly, scores=scores)
    save_validated(monthly, actor=actor)
    monthly.notices = notices
    return monthly


@transaction.atomic
def scores_correct(
    *,
    actor,
    organisation: OrganisationUnit,
    month,
    scores: dict,
    reason: str,
    vasp_level: str | None = None,
    visp_level: str | None = None,
    recompute_derived: bool = False,
) -> MonthlyScore:
    """Correct a closed month, explicitly and with a reason (kept in the history): change the areas
    named in ``scores`` (or give an incomplete month its missing ones), recompute the derived areas
    only when ``recompute_derived`` asks. Then compare it again with the month before, and the month
    after with it: a drop that appears opens its investigation, one that changed is updated, one that
    is gone is withdrawn. The month comes back with ``notices``, as from ``scores_enter``."""
    _check_organisation(organisation)
    if not can_manage_scores(actor, organisation):
        deny(_("You cannot correct scores for %(org)s.") % {"org": organisation})
    month = parse_month(month)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the closed month is corrected.")})
    reason = reason.strip()
    monthly = MonthlyScore.objects.select_for_update().filter(organisation=organisation, month=month).first()
    if monthly is None or not monthly.is_closed:
        raise ValidationError({"month": _("Only a closed month is corrected; enter an open month's scores instead.")})
    if vasp_level is not None:
        monthly.vasp_level = _level(vasp_level, "vasp_level")
    if visp_level is not None:
        monthly.visp_level = _level(visp_level, "visp_level")
    notices = _write_scores(
        actor=actor, monthly=monthly, scores=scores, reason=reason, recompute_derived=recompute_derived
    )
    save_validated(monthly, actor=actor, reason=reason)
    monthly.notices = notices
    later = MonthlyScore.objects.filter(
        organisation=organisation, month=month_shift(month, 1), status=MonthStatus.CLOSED
    )
    _open_investigations(
        [monthly, *later],
        correction=Correction(
            actor=actor,
            reason=system_note(
                gettext_lazy("Correction of %(month)s: %(reason)s"), month=monthly.month_label, reason=reason
            ),
        ),
    )
    return monthly


@transaction.atomic
def scores_follow_training(*, organisation: OrganisationUnit, year: int, actor=None) -> int:
    """Compute the training area of ``organisation``'s open months of ``year`` again, and their totals,
    after its mandatory training changed (registered with ``qms.services.training`` in
    ``RisksConfig.ready``): an open month shows the training as it is now, not as it was when the month
    was last saved. Closed months keep what they closed with. Returns how many months changed."""
    if organisation.kind != UnitKind.ORGANISATION:
        return 0
    if not ScoreArea.objects.filter(organisation=organisation, is_active=True, source=ScoreSource.TRAINING).exists():
        return 0
    months = MonthlyScore.objects.select_for_update().filter(
        organisation=organisation, status=MonthStatus.OPEN, month__year=year
    )
    reason = system_note(gettext_lazy("The mandatory training changed"))
    changed = 0
    for monthly in months:
        scores, total = dict(monthly.area_scores.values_list("area_id", "score")), monthly.total
        _write_scores(actor=actor, monthly=monthly, scores={}, reason=reason)
        if monthly.total != total:
            save_validated(monthly, actor=actor, reason=reason)
        if monthly.total != total or dict(monthly.area_scores.values_list("area_id", "score")) != scores:
            changed += 1
    return changed


# --- the monthly job ---------------------------------------------------------------------------


@transaction.atomic
def monthly_run(*, month=None) -> dict[str, int]:
    """Close ``month`` (default: the previous month) for every organisation with active areas, compute
    the totals, and open an investigation for every area whose score dropped. Running it again, or at
    the same time, closes and opens nothing twice: months are claimed under a row lock by their
    status, and an investigation is unique per area and month.

    Only a month that is over closes (the current or a future month is refused). A month nobody
    entered closes too, as incomplete: it shows its missing areas on the dashboard, and is completed
    later through ``scores_correct`` (with a reason; the new scores take the areas' current weights and
    are compared like any correction). Closing freezes the month: each score takes its area's current
    weight (0 for an area no longer active, which then does not count) and the derived areas are
    computed one last time, before the totals."""
    month = parse_month(month) if month is not None else previous_month()
    if month >= this_month():
        raise ValidationError(
            {
                "month": _("%(month)s is not over yet: the job closes a month after it ended.")
                % {"month": month_label(month)}
            }
        )
    organisations = list(
        OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION, score_areas__is_active=True)
        .distinct()
        .values_list("pk", flat=True)
    )
    have = set(MonthlyScore.objects.filter(month=month).values_list("organisation_id", flat=True))
    missing = [MonthlyScore(organisation_id=pk, month=month) for pk in organisations if pk not in have]
    if missing:
        try:
            with transaction.atomic():
                bulk_create_with_history(missing, MonthlyScore, default_change_reason="monthly job")
        except IntegrityError:
            pass  # a concurrent run made them; they are claimed below like any other
    claimed = list(MonthlyScore.objects.select_for_update().filter(month=month, status=MonthStatus.OPEN))
    if not claimed:
        return {"closed": 0, "investigations": 0}
    org_ids = [monthly.organisation_id for monthly in claimed]
    areas_by_org = defaultdict(list)
    areas = {}
    for area in ScoreArea.objects.filter(organisation_id__in=org_ids):
        areas_by_org[area.organisation_id].append(area)
        areas[area.pk] = area
    scores_by_month = defaultdict(list)
    for score in AreaScore.objects.filter(monthly__in=claimed):
        scores_by_month[score.monthly_id].append(score)

    # Derived areas, for all organisations at once; then every score with the weight it closes with.
    derived = training_scores(org_ids, month)
    new_scores, changed = [], {}
    for monthly in claimed:
        scored = {score.area_id: score for score in scores_by_month[monthly.pk]}
        value = derived.get(monthly.organisation_id)
        for area in areas_by_org[monthly.organisation_id]:
            if not (area.is_active and area.source == ScoreSource.TRAINING and value is not None):
                continue
            if area.pk not in scored:
                new_scores.append(AreaScore(monthly=monthly, area=area, score=value, weight=area.weight))
            elif scored[area.pk].score != value:
                scored[area.pk].score = value
                changed[scored[area.pk].pk] = scored[area.pk]
        for score in scores_by_month[monthly.pk]:
            weight = current_weight(areas[score.area_id])
            if score.weight != weight:
                score.weight = weight
                changed[score.pk] = score
    if changed:
        bulk_update_with_history(
            list(changed.values()), AreaScore, ["score", "weight"], default_change_reason="monthly job: month closed"
        )
    if new_scores:
        bulk_create_with_history(new_scores, AreaScore, default_change_reason="monthly job")
        for score in new_scores:
            scores_by_month[score.monthly_id].append(score)

    now = timezone.now()
    for monthly in claimed:
        monthly.total = weighted_total(scores_by_month[monthly.pk], areas_by_org[monthly.organisation_id])
        monthly.status = MonthStatus.CLOSED
        monthly.closed_at = now
    bulk_update_with_history(
        claimed, MonthlyScore, ["total", "status", "closed_at"], default_change_reason="monthly job: month closed"
    )
    opened = _open_investigations(claimed, scores_by_month=scores_by_month)
    logger.info("monthly scoring %s: closed %s month(s), opened %s investigation(s)", month, len(claimed), opened)
    return {"closed": len(claimed), "investigations": opened}


@dataclass
class Correction:
    """Who corrected which scores and why: the investigations compared again follow the new figures."""

    actor: User
    reason: str


def _open_investigations(months, *, scores_by_month=None, correction: Correction | None = None) -> int:
    """Compare each of ``months`` with the month before (one query) and open an investigation for
    every area whose score dropped. After a ``correction`` the investigations of these months follow
    the new figures too (``_follow_correction``)."""
    if not months:
        return 0
    if scores_by_month is None:
        scores_by_month = defaultdict(list)
        for score in AreaScore.objects.filter(monthly__in=months):
            scores_by_month[score.monthly_id].append(score)
    previous = defaultdict(dict)
    rows = AreaScore.objects.filter(
        monthly__organisation_id__in={monthly.organisation_id for monthly in months},
        monthly__month__in={month_shift(monthly.month, -1) for monthly in months},
    ).values_list("monthly__organisation_id", "monthly__month", "area_id", "score")
    for organisation_id, month, area_id, score in rows:
        previous[(organisation_id, month)][area_id] = score
    compared = []
    for monthly in months:
        before = previous[(monthly.organisation_id, month_shift(monthly.month, -1))]
        for score in scores_by_month[monthly.pk]:
            if score.area_id in before:
                compared.append((monthly, score, before[score.area_id]))
    if correction is not None:
        compared = _follow_correction(months, compared, correction)
    drops = [(monthly, score, before) for monthly, score, before in compared if is_drop(score.score, before)]
    if not drops:
        return 0
    areas = {
        area.pk: area
        for area in ScoreArea.objects.filter(pk__in={score.area_id for _m, score, _p in drops}).select_related(
            "owner", "organisation"
        )
    }
    holders = RoleHolders([area.organisation for area in areas.values()], [Role.QUALITY_OFFICER, Role.ADMINISTRATOR])
    today = timezone.localdate()
    calendars = calendars_for({monthly.organisation_id for monthly, _s, _p in drops})
    opened = 0
    for monthly, score, before in drops:
        area = areas[score.area_id]
        owner = _investigation_owner(area, holders)
        if owner is None:
            logger.warning("no owner for the investigation of %s in %s", area, monthly.month_label)
            continue
        try:
            with transaction.atomic():
                investigation = save_validated(
                    Investigation(
                        organisation_id=monthly.organisation_id,
                        area=area,
                        month=monthly.month,
                        previous_score=before,
                        score=score.score,
                        owner=owner,
                        due_date=calendars[monthly.organisation_id].working_days_after(
                            today, INVESTIGATION_WORKING_DAYS
                        ),
                    ),
                    exclude=["organisation", "area", "owner"],
                )
        except (IntegrityError, ValidationError):
            continue  # opened already, by an earlier or a concurrent run
        opened += 1
        notify(
            recipients=[owner],
            verb="investigation_opened",
            title=gettext_lazy("The %(area)s score dropped in %(month)s: investigate"),
            params={"area": area.display_name, "month": monthly.month_label},
            body=gettext_lazy("From %(before)s to %(after)s. Find the cause and plan specific steps before %(due)s."),
            body_params={"before": before, "after": score.score, "due": investigation.due_date},
            target=investigation,
        )
    return opened


def _follow_correction(months, compared, correction: Correction) -> list:
    """The investigations of the corrected ``months`` follow the new figures (``compared``: each area's
    score and the one of the month before), each change recorded with the correction's reason:

    - a drop that changed: the investigation's figures change (a closed one stays closed);
    - a drop that is gone: an open investigation is withdrawn (kept, with the reason; its owner is
      told), a closed one stays closed with the new figures;
    - a drop that is back: a withdrawn investigation opens again, with a new due date.

    Returns the comparisons left for opening new investigations (drops without one)."""
    existing = {
        (item.area_id, item.month): item
        for item in Investigation.objects.select_for_update()
        .filter(
            organisation_id__in={monthly.organisation_id for monthly in months},
            month__in={monthly.month for monthly in months},
        )
        .select_related("owner", "area")
    }
    left = []
    for monthly, score, before in compared:
        investigation = existing.get((score.area_id, monthly.month))
        if investigation is None:
            left.append((monthly, score, before))
            continue
        dropped = is_drop(score.score, before)
        if (investigation.previous_score, investigation.score) == (before, score.score) and (
            dropped or investigation.status != InvestigationStatus.OPEN
        ):
            continue
        investigation.previous_score, investigation.score = before, score.score
        was = investigation.status
        if was == InvestigationStatus.OPEN and not dropped:
            investigation.status = InvestigationStatus.WITHDRAWN
            investigation.withdrawn_reason = correction.reason
        elif was == InvestigationStatus.WITHDRAWN and dropped:
            investigation.status = InvestigationStatus.OPEN
            investigation.withdrawn_reason = ""
            investigation.due_date = calendar_for(investigation.organisation_id).working_days_after(
                timezone.localdate(), INVESTIGATION_WORKING_DAYS
            )
        save_validated(investigation, actor=correction.actor, reason=correction.reason)
        if investigation.status == InvestigationStatus.WITHDRAWN:
            notifications_resolve(target=investigation, verbs=INVESTIGATION_REQUESTS)
        _notify_corrected(investigation, was=was, reason=correction.reason)
    return left


def _notify_corrected(investigation: Investigation, *, was: str, reason: str) -> None:
    """Tell the owner what a correction did to their open (or withdrawn) investigation."""
    params = {"area": investigation.area.display_name, "month": month_label(investigation.month)}
    figures = {"before": investigation.previous_score, "after": investigation.score, "reason": reason}
    if investigation.status == InvestigationStatus.WITHDRAWN and was == InvestigationStatus.OPEN:
        verb = "investigation_withdrawn"
        title = gettext_lazy("No drop of %(area)s in %(month)s after a correction: investigation withdrawn")
        body = gettext_lazy(
            "The corrected scores go from %(before)s to %(after)s. Steps you planned stay open: finish or cancel "
            "them. %(reason)s"
        )
    elif investigation.status == InvestigationStatus.OPEN and was == InvestigationStatus.WITHDRAWN:
        verb = "investigation_opened"
        title = gettext_lazy("The %(area)s score dropped in %(month)s after all: investigate")
        body = gettext_lazy("From %(before)s to %(after)s. Find the cause and plan specific steps. %(reason)s")
    elif investigation.status == InvestigationStatus.OPEN:
        verb = "investigation_updated"
        title = gettext_lazy("The drop of %(area)s in %(month)s was corrected")
        body = gettext_lazy("Now from %(before)s to %(after)s. %(reason)s")
    else:
        return  # closed, or still withdrawn: the history has the new figures
    notify(
        recipients=[investigation.owner],
        verb=verb,
        title=title,
        params=params,
        body=body,
        body_params=figures,
        target=investigation,
    )


def _investigation_owner(area: ScoreArea, holders: RoleHolders) -> User | None:
    if area.owner_id and area.owner.is_active:
        return area.owner
    for role in (Role.QUALITY_OFFICER, Role.ADMINISTRATOR):
        people = holders.nearest(area.organisation, role)
        if people:
            return people[0]
    return None


# --- investigations ----------------------------------------------------------------------------


def can_work_on_investigation(user, investigation: Investigation) -> bool:
    return investigation.owner_id == user.pk or scope_for(user).has_role(
        investigation.organisation, Role.ADMINISTRATOR, Role.QUALITY_OFFICER
    )


def _check_open(investigation: Investigation) -> None:
    if investigation.status == InvestigationStatus.CLOSED:
        raise ValidationError(_("This investigation is closed."))
    if investigation.status == InvestigationStatus.WITHDRAWN:
        raise ValidationError(_("This investigation is withdrawn: a correction removed the drop."))


@transaction.atomic
def investigation_add_step(
    *, actor, investigation: Investigation, title: str, owner: User, due_date: datetime.date, description: str = ""
) -> Action:
    """Add a specific step to the investigation's action plan (an action of its owner)."""
    investigation = Investigation.objects.select_for_update().select_related("organisation").get(pk=investigation.pk)
    if not can_work_on_investigation(actor, investigation):
        deny(_("Only the owner or a quality officer works on this investigation."))
    _check_open(investigation)
    return action_create(
        actor=actor,
        unit=investigation.organisation,
        owner=owner,
        title=title,
        due_date=due_date,
        description=description,
        kind=ActionKind.INVESTIGATION,
        source=investigation,
        check_permission=False,
    )


@transaction.atomic
def investigation_close(*, actor, investigation: Investigation, cause: str) -> Investigation:
    """Close an investigation: only its owner, only with the cause recorded and a plan of steps."""
    investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if investigation.owner_id != actor.pk:
        deny(_("Only the owner closes an investigation."))
    _check_open(investigation)
    if not cause or not cause.strip():
        raise ValidationError({"cause": _("Record the cause of the drop.")})
    if not Action.objects.for_source(investigation).exclude(status=ActionStatus.CANCELLED).exists():
        raise ValidationError({"steps": _("Plan at least one specific step to undo the drop before closing.")})
    investigation.cause = cause.strip()
    investigation.status = InvestigationStatus.CLOSED
    investigation.closed_at = timezone.now()
    save_validated(investigation, actor=actor)
    # Nothing is left to investigate: what asked for it (opened, given to someone, overdue) reads as done.
    notifications_resolve(target=investigation, verbs=INVESTIGATION_REQUESTS)
    return investigation


@transaction.atomic
def investigation_reassign(*, actor, investigation: Investigation, owner: User, reason: str = "") -> Investigation:
    """Give an open investigation to another owner: its owner or a quality officer (or administrator)
    of the organisation does, to someone of the organisation. The new owner is told, and the old one
    when someone else made the change."""
    investigation = (
        Investigation.objects.select_for_update()
        .select_related("organisation", "area", "owner")
        .get(pk=investigation.pk)
    )
    if not can_work_on_investigation(actor, investigation):
        deny(_("Only the owner or a quality officer reassigns this investigation."))
    _check_open(investigation)
    if owner is None or not owner.is_active or not user_belongs_to_organisation(owner, investigation.organisation):
        raise ValidationError(
            {
                "owner": _("%(person)s is not a member of %(org)s.")
                % {"person": owner, "org": investigation.organisation}
            }
        )
    if owner.pk == investigation.owner_id:
        raise ValidationError({"owner": _("%(person)s owns this investigation already.") % {"person": owner}})
    previous = investigation.owner
    investigation.owner = owner
    save_validated(
        investigation,
        actor=actor,
        reason=(reason or "").strip() or _("Reassigned to %(person)s") % {"person": owner},
        exclude=["organisation", "area"],
    )
    params = {"area": investigation.area.display_name, "month": month_label(investigation.month)}
    notify(
        recipients=[owner],
        verb="investigation_assigned",
        title=gettext_lazy("You investigate the drop of %(area)s in %(month)s"),
        params=params,
        body=gettext_lazy("%(person)s gave you this investigation, due on %(due)s. %(reason)s"),
        body_params={"person": actor, "due": investigation.due_date, "reason": (reason or "").strip()},
        target=investigation,
    )
    notify(
        recipients=[previous],
        verb="investigation_reassigned",
        title=gettext_lazy("The investigation of %(area)s in %(month)s went to someone else"),
        params=params,
        body=gettext_lazy("%(person)s gave it to %(owner)s."),
        body_params={"person": actor, "owner": owner},
        target=investigation,
        exclude=[actor],
    )
    return investigation


def sweep_investigations(*, today: datetime.date) -> int:
    """Escalate open investigations past their due date to the owner and the quality officers, once a day."""

    def notice(investigation: Investigation, holders: RoleHolders) -> dict:
        return {
            "recipients": [investigation.owner, *holders.nearest(investigation.organisation, Role.QUALITY_OFFICER)],
            "verb": "investigation_overdue",
            "title": gettext_lazy("Investigation overdue: %(title)s"),
            "params": {"title": str(investigation)},
            "body": gettext_lazy("It was due on %(due)s."),
            "body_params": {"due": investigation.due_date},
        }

    return escalate(
        Investigation.objects.filter(status=InvestigationStatus.OPEN, due_date__lt=today).select_related(
            "owner", "organisation", "area"
        ),
        reason="overdue",
        day=today,
        notice=notice,
        prepare=lambda investigations: RoleHolders(
            [investigation.organisation for investigation in investigations], [Role.QUALITY_OFFICER]
        ),
    )
