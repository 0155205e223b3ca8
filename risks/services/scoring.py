"""The monthly weighted risk score (SPEC 3): areas and weights, monthly scores, the monthly job that
closes a month and opens an investigation for every area whose score dropped, and the investigations.

The monthly job is set-based: a handful of queries for all organisations together, whatever their
number; only a drop costs queries of its own (its investigation and the notification).
"""

import datetime
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, OrganisationUnit, TrainingAssignment, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders, user_belongs_to_organisation
from qms.services.actions import action_create
from qms.services.base import deny, save_validated
from qms.services.notifications import notify
from risks.choices import (
    DEFAULT_SCORE_AREAS,
    InvestigationStatus,
    MonthStatus,
    ProgrammeLevel,
    ScoreSource,
)
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea

logger = logging.getLogger(__name__)

INVESTIGATION_DAYS = 14
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal("100")
TRAINING_FORMULA = gettext_lazy(
    "Of the people who must follow a mandatory course this year, the share who completed it in the twelve "
    "months up to the end of the month, times 100."
)


# --- months ------------------------------------------------------------------------------------


def parse_month(value, field: str = "month") -> datetime.date:
    """``YYYY-MM`` (or a date) as the first day of that month."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        year, month = str(value).strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return datetime.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give the month as YYYY-MM, e.g. 2026-01.")}) from None


def month_shift(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    return month_shift((today or timezone.localdate()).replace(day=1), -1)


def month_end(month: datetime.date) -> datetime.date:
    return month_shift(month, 1) - datetime.timedelta(days=1)


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
    """Give an organisation the default six areas of SPEC 3 if it has none yet."""
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
    deactivated (their past scores stay)."""
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
            save_validated(area, actor=actor, reason=_("Left out of the areas"))
    return result


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


def weighted_total(scores, areas) -> Decimal | None:
    """The weighted sum of the area scores, or None while an active area has no score."""
    scored = {score.area_id for score in scores}
    if any(area.is_active and area.pk not in scored for area in areas):
        return None
    total = sum((score.score * score.weight / HUNDRED for score in scores), Decimal(0))
    return total.quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _level(value, field: str) -> str:
    if value in (None, ""):
        return ""
    if value not in ProgrammeLevel.values:
        raise ValidationError({field: _("Choose bronze, silver, gold or platinum.")})
    return value


def _write_scores(*, actor, monthly: MonthlyScore, scores: dict, reason: str = "") -> None:
    """Validate ``scores`` ({area code: value}) and store them with the areas' current weights; add the
    derived areas; recompute the total."""
    areas = {area.code: area for area in ScoreArea.objects.filter(organisation_id=monthly.organisation_id)}
    errors = {}
    values = {}
    for code, value in scores.items():
        area = areas.get(code)
        if area is None or not area.is_active:
            errors.setdefault("areas", []).append(_("Unknown area %(code)s.") % {"code": code})
            continue
        if area.source != ScoreSource.MANUAL:
            errors.setdefault("areas", []).append(
                _("The score of %(area)s is derived from data in the system.") % {"area": area}
            )
            continue
        try:
            values[area] = _decimal(value, code)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    derived = training_scores([monthly.organisation_id], monthly.month).get(monthly.organisation_id)
    for area in areas.values():
        if area.is_active and area.source == ScoreSource.TRAINING and derived is not None:
            values[area] = derived
    existing = {score.area_id: score for score in monthly.area_scores.select_for_update()}
    for area, value in values.items():
        score = existing.get(area.pk) or AreaScore(monthly=monthly, area=area)
        if score.pk and score.score == value and (monthly.is_closed or score.weight == area.weight):
            continue
        score.score = value
        if not monthly.is_closed:
            # While the month is open it follows the current weights; closing freezes them.
            score.weight = area.weight
        save_validated(score, actor=actor, reason=reason)
        existing[area.pk] = score
    if not monthly.is_closed:
        for score in existing.values():
            area = next(a for a in areas.values() if a.pk == score.area_id)
            if score.weight != area.weight:
                score.weight = area.weight
                save_validated(score, actor=actor, reason=reason)
    monthly.total = weighted_total(list(existing.values()), list(areas.values()))


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
    decimal. A closed month changes only through ``scores_correct``."""
    _check_organisation(organisation)
    if not can_manage_scores(actor, organisation):
        deny(_("You cannot enter scores for %(org)s.") % {"org": organisation})
    month = parse_month(month)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("Scores cannot be entered for a month in the future.")})
    areas_ensure_defaults(organisation=organisation, actor=actor)
    monthly, _created = MonthlyScore.objects.select_for_update().get_or_create(organisation=organisation, month=month)
    if monthly.is_closed:
        raise ValidationError(
            {"month": _("%(month)s is closed: correct it with a reason instead.") % {"month": monthly.month_label}}
        )
    if vasp_level is not None:
        monthly.vasp_level = _level(vasp_level, "vasp_level")
    if visp_level is not None:
        monthly.visp_level = _level(visp_level, "visp_level")
    _write_scores(actor=actor, monthly=monthly, scores=scores)
    return save_validated(monthly, actor=actor)


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
) -> MonthlyScore:
    """Correct a closed month, explicitly and with a reason (kept in the history), then compare it
    again with the month before and the month after: a drop that appears opens its investigation."""
    _check_organisation(organisation)
    if not can_manage_scores(actor, organisation):
        deny(_("You cannot correct scores for %(org)s.") % {"org": organisation})
    month = parse_month(month)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the closed month is corrected.")})
    monthly = MonthlyScore.objects.select_for_update().filter(organisation=organisation, month=month).first()
    if monthly is None or not monthly.is_closed:
        raise ValidationError({"month": _("Only a closed month is corrected; enter an open month's scores instead.")})
    if vasp_level is not None:
        monthly.vasp_level = _level(vasp_level, "vasp_level")
    if visp_level is not None:
        monthly.visp_level = _level(visp_level, "visp_level")
    _write_scores(actor=actor, monthly=monthly, scores=scores, reason=reason)
    save_validated(monthly, actor=actor, reason=reason)
    later = MonthlyScore.objects.filter(
        organisation=organisation, month=month_shift(month, 1), status=MonthStatus.CLOSED
    )
    _open_investigations([monthly, *later])
    return monthly


# --- the monthly job ---------------------------------------------------------------------------


@transaction.atomic
def monthly_run(*, month=None) -> dict[str, int]:
    """Close ``month`` (default: the previous month) for every organisation, compute the totals, and
    open an investigation for every area whose score dropped. Running it again, or at the same time,
    closes and opens nothing twice: months are claimed under a row lock by their status, and an
    investigation is unique per area and month."""
    month = parse_month(month) if month is not None else previous_month()
    organisations = list(
        OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION, score_areas__is_active=True)
        .distinct()
        .values_list("pk", flat=True)
    )
    # Months that nobody entered still close, as incomplete: the missing areas show.
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
    for area in ScoreArea.objects.filter(organisation_id__in=org_ids):
        areas_by_org[area.organisation_id].append(area)
    scores_by_month = defaultdict(list)
    for score in AreaScore.objects.filter(monthly__in=claimed):
        scores_by_month[score.monthly_id].append(score)

    # Derived areas, for all organisations at once.
    derived = training_scores(org_ids, month)
    new_scores = []
    for monthly in claimed:
        scored = {score.area_id for score in scores_by_month[monthly.pk]}
        for area in areas_by_org[monthly.organisation_id]:
            if (
                area.is_active
                and area.source == ScoreSource.TRAINING
                and area.pk not in scored
                and monthly.organisation_id in derived
            ):
                new_scores.append(
                    AreaScore(monthly=monthly, area=area, score=derived[monthly.organisation_id], weight=area.weight)
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
    opened = _open_investigations(claimed, scores_by_month=scores_by_month, areas_by_org=areas_by_org)
    logger.info("monthly scoring %s: closed %s month(s), opened %s investigation(s)", month, len(claimed), opened)
    return {"closed": len(claimed), "investigations": opened}


def _open_investigations(months, *, scores_by_month=None, areas_by_org=None) -> int:
    """Compare each of ``months`` with the month before (one query) and open an investigation for
    every area whose score dropped."""
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
    drops = []
    for monthly in months:
        before = previous[(monthly.organisation_id, month_shift(monthly.month, -1))]
        for score in scores_by_month[monthly.pk]:
            if score.area_id in before and score.score < before[score.area_id]:
                drops.append((monthly, score, before[score.area_id]))
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
                        due_date=today + datetime.timedelta(days=INVESTIGATION_DAYS),
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
            params={"area": area.name, "month": monthly.month_label},
            body=gettext_lazy("From %(before)s to %(after)s. Find the cause and plan specific steps before %(due)s."),
            body_params={"before": before, "after": score.score, "due": investigation.due_date},
            target=investigation,
        )
    return opened


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


@transaction.atomic
def investigation_add_step(
    *, actor, investigation: Investigation, title: str, owner: User, due_date: datetime.date, description: str = ""
) -> Action:
    """Add a specific step to the investigation's action plan (an action of its owner)."""
    investigation = Investigation.objects.select_for_update().select_related("organisation").get(pk=investigation.pk)
    if not can_work_on_investigation(actor, investigation):
        deny(_("Only the owner or a quality officer works on this investigation."))
    if investigation.status == InvestigationStatus.CLOSED:
        raise ValidationError(_("This investigation is closed."))
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
    if investigation.status == InvestigationStatus.CLOSED:
        raise ValidationError(_("This investigation is closed already."))
    if not cause or not cause.strip():
        raise ValidationError({"cause": _("Record the cause of the drop.")})
    if not Action.objects.for_source(investigation).exclude(status=ActionStatus.CANCELLED).exists():
        raise ValidationError({"steps": _("Plan at least one specific step to undo the drop before closing.")})
    investigation.cause = cause.strip()
    investigation.status = InvestigationStatus.CLOSED
    investigation.closed_at = timezone.now()
    return save_validated(investigation, actor=actor)


def sweep_investigations(*, today: datetime.date) -> int:
    """Escalate open investigations past their due date to the owner and the quality officers, once a day."""
    from qms.escalations import already_escalated, escalation_claim

    overdue = list(
        Investigation.objects.filter(status=InvestigationStatus.OPEN, due_date__lt=today)
        .exclude(pk__in=already_escalated(Investigation, "overdue", today))
        .select_related("owner", "organisation", "area")
    )
    holders = RoleHolders([item.organisation for item in overdue], [Role.QUALITY_OFFICER])
    escalated = 0
    for investigation in overdue:
        with transaction.atomic():
            if not escalation_claim(target=investigation, reason="overdue", day=today):
                continue
            notify(
                recipients=[investigation.owner, *holders.nearest(investigation.organisation, Role.QUALITY_OFFICER)],
                verb="investigation_overdue",
                title=gettext_lazy("Investigation overdue: %(title)s"),
                params={"title": str(investigation)},
                body=gettext_lazy("It was due on %(due)s."),
                body_params={"due": investigation.due_date},
                target=investigation,
            )
        escalated += 1
    return escalated
