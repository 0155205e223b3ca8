"""Writes of the risk register (``<entity>_<verb>``, keyword-only, atomic, full_clean() before save).

The approval workflow is a state machine kept here and only here: who must approve follows from the
level (``risks.choices.required_bodies``); every transition locks the risk row, records who, when and
why, and notifies the people concerned after commit.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.escalations import escalate
from qms.models import Action, OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import action_create, action_set_status, action_update, validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated, system_note
from qms.services.notifications import notifications_resolve, notify
from risks.choices import (
    DECIDER_DECISIONS,
    DECISIONS_NEEDING_REASON,
    LEVEL_RANK,
    SETTLED_RISK_STATUSES,
    SUBMITTABLE_RISK_STATUSES,
    ApprovalBody,
    Decision,
    RiskLevel,
    RiskStatus,
    next_body,
    required_bodies,
)
from risks.models import Risk, RiskApproval, RiskCategory, RiskMatrix, RiskReview
from risks.selectors.register import body_members, decidable_bodies, matrix_for

RISK_FIELDS = {
    "title",
    "description",
    "category",
    "owner",
    "cause",
    "consequence",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "next_review",
}
MEASURE_FIELDS = {"title", "description", "owner", "due_date"}
# The roles that register risks and shape them and their plans. The board and group management are not
# among them: they read the register and decide on risks, and whoever decides on a risk does not also
# shape it (someone who holds one of these roles as well edits, but cannot approve a round they changed).
RISK_EDITOR_ROLES = (Role.ADMINISTRATOR, Role.QUALITY_OFFICER, Role.RISK_OWNER, Role.TEAM_LEAD)


# --- who may do what ---------------------------------------------------------------------------


def can_register_risks(user, unit: OrganisationUnit) -> bool:
    """Administrators, quality officers, risk owners and team leads register risks in their units."""
    return scope_for(user).has_role(unit, *RISK_EDITOR_ROLES)


def can_edit_risk(user, risk: Risk) -> bool:
    """The owner, and whoever may register risks in the risk's unit (not the board or group management,
    who decide on it, nor viewers and auditors)."""
    return risk.owner_id == user.pk or can_register_risks(user, risk.unit)


def can_reopen_risk(user, risk: Risk) -> bool:
    """Quality officers and administrators of the unit reopen a closed risk."""
    return scope_for(user).has_role(risk.unit, Role.ADMINISTRATOR, Role.QUALITY_OFFICER)


def can_configure_risks(user, organisation: OrganisationUnit) -> bool:
    """Administrators and quality officers of an organisation set its matrix and categories."""
    return scope_for(user).has_role(organisation, Role.ADMINISTRATOR, Role.QUALITY_OFFICER)


def one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _gather(errors: dict, check, *args, **kwargs):
    """Run ``check``; add its ValidationError's messages to ``errors`` (per field) instead of raising."""
    try:
        return check(*args, **kwargs)
    except ValidationError as error:
        for field, messages in error.update_error_dict({}).items():
            errors.setdefault(field, []).extend(messages)
    return None


def _check_next_review(next_review: datetime.date, *, last_reviewed: datetime.date | None = None) -> None:
    """A risk is reviewed at least once a year: the next review is not in the past, and at most a year
    after the last review (or, before the first one, a year from today)."""
    today = timezone.localdate()
    latest = one_year_after(last_reviewed or today)
    if latest < today:
        raise ValidationError({"next_review": _("The review is overdue: record a review instead of moving its date.")})
    if next_review < today:
        raise ValidationError({"next_review": _("The next review cannot be in the past.")})
    if next_review > latest:
        raise ValidationError(
            {
                "next_review": _(
                    "Review a risk at least once a year: the next review is due by %(date)s at the latest."
                )
                % {"date": formats.date_format(latest, "SHORT_DATE_FORMAT")}
            }
        )


# --- assessment --------------------------------------------------------------------------------


def _assess(risk: Risk, matrix: RiskMatrix) -> None:
    """Check likelihood and impact against the matrix and derive both levels."""
    rows, columns = matrix.size
    errors = {}
    for field, top in (
        ("likelihood", rows),
        ("impact", columns),
        ("residual_likelihood", rows),
        ("residual_impact", columns),
    ):
        value = getattr(risk, field)
        if value is not None and not 1 <= value <= top:
            errors[field] = _("Choose a value from 1 to %(top)s (the organisation's matrix).") % {"top": top}
    if errors:
        raise ValidationError(errors)
    risk.level = matrix.level(risk.likelihood, risk.impact) or ""
    risk.residual_level = matrix.level(risk.residual_likelihood, risk.residual_impact) or ""


def _check_category(category: RiskCategory, organisation: OrganisationUnit) -> None:
    hidden = category.organisation_id is None and category.hidden_in.filter(pk=organisation.pk).exists()
    if not category.is_active or hidden or category.organisation_id not in (None, organisation.pk):
        raise ValidationError({"category": _("This category is not available in %(org)s.") % {"org": organisation}})


def _organisation_of(unit: OrganisationUnit) -> OrganisationUnit:
    organisation = unit.organisation
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"unit": _("Register risks in an organisation or one of its units, not in a group.")})
    return organisation


def risk_validate(
    *,
    actor,
    unit: OrganisationUnit,
    owner: User | None,
    title: str,
    category: RiskCategory | None,
    likelihood: int | None,
    impact: int | None,
    description: str = "",
    cause: str = "",
    consequence: str = "",
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
    next_review: datetime.date | None = None,
) -> Risk:
    """Check a new risk against every rule at once and return it unsaved, its levels derived; the
    ValidationError names every field with a problem. A value given as None (the import could not read
    it) is not checked: the caller reports it. ``risk_create`` saves what this accepts."""
    if not can_register_risks(actor, unit):
        deny(_("You cannot register risks in %(unit)s.") % {"unit": unit})
    errors: dict = {}
    organisation = _gather(errors, _organisation_of, unit)
    if owner is not None:
        _gather(errors, validate_owner_for_unit, owner, unit)
    if category is not None and organisation is not None:
        _gather(errors, _check_category, category, organisation)
    if next_review is not None:
        _gather(errors, _check_next_review, next_review)
    risk = Risk(
        unit=unit,
        organisation=organisation or unit.organisation,
        owner=owner,
        title=title,
        category=category,
        likelihood=likelihood,
        impact=impact,
        description=description,
        cause=cause,
        consequence=consequence,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        next_review=next_review or one_year_after(timezone.localdate()),
        created_by=actor,
    )
    if organisation is not None:
        _gather(errors, _assess, risk, matrix_for(organisation))
    values = {"owner": owner, "category": category, "likelihood": likelihood, "impact": impact}
    unread = [name for name, value in values.items() if value is None]
    exclude = {*errors, *unread, *(["level"] if not risk.level else [])}
    _gather(errors, risk.full_clean, exclude=exclude)
    if errors:
        raise ValidationError(errors)
    return risk


@transaction.atomic
def risk_create(
    *,
    actor,
    unit: OrganisationUnit,
    owner: User,
    title: str,
    category: RiskCategory,
    likelihood: int,
    impact: int,
    description: str = "",
    cause: str = "",
    consequence: str = "",
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
    next_review: datetime.date | None = None,
) -> Risk:
    """Register a risk (as a draft) with its owner and assessment; the owner is told. The next review is
    within a year (default: in a year)."""
    risk = risk_validate(
        actor=actor,
        unit=unit,
        owner=owner,
        title=title,
        category=category,
        likelihood=likelihood,
        impact=impact,
        description=description,
        cause=cause,
        consequence=consequence,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        next_review=next_review,
    )
    save_validated(risk, actor=actor)
    if owner.pk != actor.pk:
        notify(
            recipients=[owner],
            verb="risk_assigned",
            title=gettext_lazy("You own a new risk: %(title)s"),
            params={"title": risk.title},
            target=risk,
        )
    return risk


def _lock(risk: Risk) -> Risk:
    return Risk.objects.select_for_update().select_related("unit", "organisation", "owner").get(pk=risk.pk)


@transaction.atomic
def risk_update(*, actor, risk: Risk, reason: str = "", **changes) -> Risk:
    """Change a risk. A higher level than the approved one asks for approval again."""
    risk = _lock(risk)
    if not can_edit_risk(actor, risk):
        deny(_("You cannot change this risk."))
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(_("This risk is closed; reopen it first."))
    changed = apply_changes(risk, changes, RISK_FIELDS)
    if not changed:
        return risk
    if "owner" in changed:
        validate_owner_for_unit(risk.owner, risk.unit)
    if "category" in changed:
        _check_category(risk.category, risk.organisation)
    if "next_review" in changed:
        _check_next_review(risk.next_review, last_reviewed=risk.last_reviewed)
    _assess(risk, matrix_for(risk.organisation))
    save_validated(risk, actor=actor, reason=reason)
    _ask_again_if_material(risk, actor=actor, why=gettext_lazy("its level went up"))
    if "owner" in changed and risk.owner_id != actor.pk:
        notify(
            recipients=[risk.owner],
            verb="risk_assigned",
            title=gettext_lazy("You own a risk now: %(title)s"),
            params={"title": risk.title},
            target=risk,
        )
    return risk


@transaction.atomic
def risk_close(*, actor, risk: Risk, reason: str) -> Risk:
    """Close a risk that no longer applies; pending approvals are withdrawn."""
    risk = _lock(risk)
    if not can_edit_risk(actor, risk):
        deny(_("You cannot change this risk."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the risk is closed.")})
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(_("This risk is closed already."))
    pending = list(RiskApproval.objects.select_for_update().filter(risk=risk).pending())
    _withdraw(risk, pending, actor=actor, reason=system_note(gettext_lazy("Withdrawn: the risk was closed.")))
    risk.status = RiskStatus.CLOSED
    save_validated(risk, actor=actor, reason=reason)
    return risk


@transaction.atomic
def risk_reopen(*, actor, risk: Risk, reason: str) -> Risk:
    """Reopen a closed risk, saying why (quality officers and administrators). It starts again as a draft:
    a risk whose level needs approval is submitted again, with its plan as it is now."""
    risk = _lock(risk)
    if not can_reopen_risk(actor, risk):
        deny(_("Only quality officers and administrators reopen a risk."))
    if risk.status != RiskStatus.CLOSED:
        raise ValidationError(_("Only a closed risk can be reopened."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the risk is reopened.")})
    risk.status = RiskStatus.DRAFT
    # An approval from before the risk was closed does not carry over: the board decides on it anew.
    risk.approved_level = ""
    save_validated(risk, actor=actor, reason=reason)
    notify(
        recipients=[risk.owner],
        verb="risk_reopened",
        title=gettext_lazy("Risk reopened: %(title)s"),
        params={"title": risk.title},
        body=gettext_lazy("Reason: %(reason)s"),
        body_params={"reason": reason},
        target=risk,
        exclude=[actor],
    )
    return risk


@transaction.atomic
def risk_review(
    *,
    actor,
    risk: Risk,
    likelihood: int,
    impact: int,
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
    note: str = "",
    next_review: datetime.date | None = None,
) -> RiskReview:
    """Record the periodic reassessment of a risk and set its next review (default: in a year)."""
    risk = _lock(risk)
    if not can_edit_risk(actor, risk):
        deny(_("You cannot review this risk."))
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(_("This risk is closed; reopen it first."))
    today = timezone.localdate()
    next_review = next_review or one_year_after(today)
    if next_review <= today:
        raise ValidationError({"next_review": _("The next review must be after today.")})
    if next_review > one_year_after(today):
        raise ValidationError({"next_review": _("Review a risk at least once a year.")})
    risk.likelihood, risk.impact = likelihood, impact
    risk.residual_likelihood, risk.residual_impact = residual_likelihood, residual_impact
    _assess(risk, matrix_for(risk.organisation))
    risk.last_reviewed = today
    risk.next_review = next_review
    save_validated(risk, actor=actor, reason=system_note(gettext_lazy("Periodic review")))
    # The review was due and is done: "review overdue" reads as done.
    notifications_resolve(target=risk, verbs=["risk_review_overdue"])
    review = save_validated(
        RiskReview(
            risk=risk,
            reviewed_by=actor,
            reviewed_on=today,
            likelihood=risk.likelihood,
            impact=risk.impact,
            level=risk.level,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            residual_level=risk.residual_level,
            note=note,
            next_review=next_review,
        ),
        actor=actor,
    )
    _ask_again_if_material(risk, actor=actor, why=gettext_lazy("its level went up"))
    return review


# --- the mitigation plan -----------------------------------------------------------------------


def measures_of(risk: Risk):
    return Action.objects.for_source(risk)


def _check_plan_editable(actor, risk: Risk) -> None:
    if not can_edit_risk(actor, risk):
        deny(_("You cannot change the plan of this risk."))
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(_("This risk is closed; its plan cannot change."))


@transaction.atomic
def measure_create(
    *, actor, risk: Risk, title: str, owner: User, due_date: datetime.date, description: str = ""
) -> Action:
    """Add a measure to the risk's plan (an action its owner sees in "my actions")."""
    risk = _lock(risk)
    _check_plan_editable(actor, risk)
    measure = action_create(
        actor=actor,
        unit=risk.unit,
        owner=owner,
        title=title,
        due_date=due_date,
        description=description,
        kind=ActionKind.MITIGATION,
        source=risk,
        check_permission=False,
    )
    _ask_again_if_material(risk, actor=actor, why=gettext_lazy("its plan changed"), plan_changed=True)
    return measure


def _risk_of_measure(measure: Action) -> Risk:
    """The measure's risk (not locked: the change's hook locks it, after the action, as every path does)."""
    content_type = measure.source_content_type_id and ContentType.objects.get_for_id(measure.source_content_type_id)
    if not content_type or content_type.model_class() is not Risk:
        raise ValidationError(_("This action is not a measure of a risk."))
    return Risk.objects.select_related("unit").get(pk=measure.source_object_id)


@transaction.atomic
def measure_update(*, actor, measure: Action, **changes) -> Action:
    """Change a measure (what, who, when). The plan's rules (``measure_changed``) apply as the action
    changes: a plan that was approved, or is waiting for approval, goes to the board again."""
    _check_plan_editable(actor, _risk_of_measure(measure))
    return action_update(actor=actor, action=measure, check_permission=False, **changes)


@transaction.atomic
def measure_remove(*, actor, measure: Action, reason: str = "") -> Action:
    """Take a measure out of the plan, saying why: it is cancelled (and kept, with its history), and the
    plan goes to the board again if it was approved or waiting for approval."""
    _check_plan_editable(actor, _risk_of_measure(measure))
    if measure.status == ActionStatus.CANCELLED:
        return measure
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the measure is taken out of the plan.")})
    return action_set_status(
        actor=actor, action=measure, status=ActionStatus.CANCELLED, note=reason, check_permission=False
    )


def measure_changed(*, actor, action: Action, changed: set[str], previous: dict) -> None:
    """The plan's rules for every change of a measure, whichever path it took (the risk's page and API,
    or the action pages and ``/api/v1/actions/``; registered in ``RisksConfig.ready``): only those who
    may change the risk change its plan, a closed risk's plan stays as it is, and a change of plan (what,
    who, when, or a measure cancelled or back) asks for approval again. Moving a measure along (started,
    done, reopened) is not a change of plan."""
    cancelled = ActionStatus.CANCELLED
    if changed == {"status"} and cancelled not in (previous.get("status"), action.status):
        return
    risk = _lock(Risk(pk=action.source_object_id))
    if not can_edit_risk(actor, risk):
        # Someone who may change the action but not the risk (the measure paths check this before): a
        # refusal that says where the plan is changed, on the field that was changed.
        field = "status" if changed == {"status"} else NON_FIELD_ERRORS
        raise ValidationError(
            {
                field: _(
                    "This measure is part of the mitigation plan of the risk %(risk)s: only those who may "
                    "change the risk change its plan, on the risk's page."
                )
                % {"risk": risk}
            }
        )
    _check_plan_editable(actor, risk)
    _ask_again_if_material(risk, actor=actor, why=gettext_lazy("its plan changed"), plan_changed=True)


# --- the approval workflow ---------------------------------------------------------------------


# The verb of the request to decide, resolved once the round is decided or withdrawn.
APPROVAL_REQUESTED = ["risk_approval_requested"]


def _notify_body(risk: Risk, body: str, *, exclude=()) -> None:
    notify(
        recipients=body_members(risk.organisation, body),
        verb=APPROVAL_REQUESTED[0],
        title=gettext_lazy("Risk awaiting your approval: %(title)s"),
        params={"title": risk.title},
        body=gettext_lazy("Level %(level)s, owner %(owner)s."),
        body_params={"level": RiskLevel(risk.level).label, "owner": risk.owner},
        target=risk,
        exclude=exclude,
    )


def _start_round(risk: Risk, *, actor, note: str = "", level: str | None = None) -> RiskApproval:
    """Ask the first body for approval, in a new submission round. ``level``: the level the round is
    decided at, when higher than the risk's (a lower level never drops an approval that was asked)."""
    level = level or risk.level
    last_round = risk.approvals.aggregate(last=Max("round"))["last"] or 0
    approval = save_validated(
        RiskApproval(
            risk=risk,
            body=required_bodies(level)[0],
            round=last_round + 1,
            level=level,
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
            submission_note=note,
        ),
        actor=actor,
    )
    risk.status = RiskStatus.AWAITING_APPROVAL
    save_validated(risk, actor=actor, reason=note)
    _notify_body(risk, approval.body, exclude=[actor])
    return approval


def _withdraw(risk: Risk, approvals, *, actor, reason: str) -> None:
    """Close pending approvals without a decision (the plan changed, or the risk was closed), kept with the
    reason so the approvals show what happened."""
    now = timezone.now()
    for approval in approvals:
        approval.decision = Decision.WITHDRAWN
        approval.decided_by = actor
        approval.decided_at = now
        approval.reason = reason
        save_validated(approval, actor=actor, reason=reason)
    if approvals:
        # Nobody needs to decide on the withdrawn round any more: its requests read as done (a new round
        # asks again, after this).
        notifications_resolve(target=risk, verbs=APPROVAL_REQUESTED)


def _ask_again_if_material(risk: Risk, *, actor, why, plan_changed: bool = False) -> None:
    """A change that matters goes to the board again, if the risk's level needs approval:

    - a settled risk (approved, or accepted) whose plan changes or whose level rises above the approved
      one starts a new round;
    - a risk waiting for approval whose plan changes or whose level rises above the round's withdraws the
      pending approval (also group management's, after the board approved) and starts a new round at
      the board, so every body decides on the plan as it is.

    A lower level never drops an approval that was asked: the new round keeps the round's level."""
    if risk.status in SETTLED_RISK_STATUSES:
        if not required_bodies(risk.level):
            return
        level_rose = LEVEL_RANK[risk.level] > LEVEL_RANK.get(risk.approved_level, -1)
        if plan_changed or level_rose:
            _start_round(risk, actor=actor, note=system_note(gettext_lazy("Submitted again: %(why)s."), why=why))
        return
    if risk.status != RiskStatus.AWAITING_APPROVAL:
        return
    pending = list(RiskApproval.objects.select_for_update().filter(risk=risk).pending())
    if not pending:
        return
    round_level = max((approval.level for approval in pending), key=LEVEL_RANK.__getitem__)
    level_rose = LEVEL_RANK[risk.level] > LEVEL_RANK[round_level]
    if not (plan_changed or level_rose):
        return
    level = max(risk.level, round_level, key=LEVEL_RANK.__getitem__)
    _withdraw(
        risk,
        pending,
        actor=actor,
        reason=system_note(gettext_lazy("Withdrawn: %(why)s, so the board decides again."), why=why),
    )
    approval = _start_round(
        risk, actor=actor, note=system_note(gettext_lazy("Submitted again: %(why)s."), why=why), level=level
    )
    # Those who were waiting to decide (group management, after the board) hear that they need not.
    for body in {withdrawn.body for withdrawn in pending} - {approval.body}:
        notify(
            recipients=body_members(risk.organisation, body),
            verb="risk_approval_withdrawn",
            title=gettext_lazy("Risk %(title)s no longer waits for you: %(why)s"),
            params={"title": risk.title, "why": why},
            body=gettext_lazy("It goes to the board again first."),
            target=risk,
            exclude=[actor],
        )


def round_editors(risk: Risk, approval: RiskApproval) -> set[int]:
    """The people who changed the risk or its plan in ``approval``'s round: since the last decision of an
    earlier round (for the first round, since the risk was registered). A withdrawn round ends with no
    decision: the changes made while it waited, and the change that withdrew it, are the next round's.
    Submitting and deciding change only the status, which is no change of the risk; starting or finishing
    a measure is no change of the plan."""
    earlier = RiskApproval.objects.filter(risk=risk, round__lt=approval.round).exclude(decision=Decision.WITHDRAWN)
    since = earlier.aggregate(end=Max("decided_at"))["end"] or datetime.datetime.min.replace(tzinfo=datetime.UTC)
    editors = set()
    risk_fields = sorted(name if name not in ("owner", "category") else f"{name}_id" for name in RISK_FIELDS)
    previous = None
    for record in risk.history.order_by("history_date", "history_id"):
        if record.history_date > since and (
            previous is None or any(getattr(record, name) != getattr(previous, name) for name in risk_fields)
        ):
            editors.add(record.history_user_id)
        previous = record
    measure_fields = ["title", "description", "owner_id", "due_date"]
    measures = Action.history.filter(source_content_type=ContentType.objects.get_for_model(Risk))
    before: dict[int, object] = {}
    for record in measures.filter(source_object_id=risk.pk).order_by("history_date", "history_id"):
        last = before.get(record.id)
        if record.history_date > since and (
            last is None
            or any(getattr(record, name) != getattr(last, name) for name in measure_fields)
            or (record.status == ActionStatus.CANCELLED) != (last.status == ActionStatus.CANCELLED)
        ):
            editors.add(record.history_user_id)
        before[record.id] = record
    editors.discard(None)
    return editors


@transaction.atomic
def risk_submit(*, actor, risk: Risk, note: str = "") -> Risk:
    """Submit a risk with its plan. Low risks are accepted at once; the others wait for the board
    (and, when very high, then for group management)."""
    risk = _lock(risk)
    if not can_edit_risk(actor, risk):
        deny(_("You cannot submit this risk."))
    if risk.status not in SUBMITTABLE_RISK_STATUSES:
        raise ValidationError(
            _("A risk that is %(status)s cannot be submitted.") % {"status": risk.get_status_display().lower()}
        )
    if not risk.owner.is_active:
        raise ValidationError({"owner": _("Give the risk an active owner before submitting it.")})
    if not measures_of(risk).exclude(status=ActionStatus.CANCELLED).exists():
        raise ValidationError(
            {"measures": _("A risk needs a mitigation plan: add at least one measure before submitting it.")}
        )
    if not required_bodies(risk.level):
        risk.status = RiskStatus.ACCEPTED
        risk.approved_level = risk.level
        save_validated(risk, actor=actor, reason=note or system_note(gettext_lazy("Low risk: no approval needed.")))
        return risk
    _start_round(risk, actor=actor, note=note)
    return risk


@transaction.atomic
def approval_decide(*, actor, risk: Risk, body: str, decision: str, reason: str = "") -> RiskApproval:
    """Decide for ``body`` on a risk waiting for it: approve, reject or ask for changes (the last two
    with a reason). Two people deciding at once: the risk row is locked, the second finds nothing
    pending and is told so."""
    risk = _lock(risk)
    if body not in ApprovalBody.values:
        raise ValidationError({"body": _("Unknown body %(body)s.") % {"body": body}})
    if decision not in dict(DECIDER_DECISIONS):
        raise ValidationError({"decision": _("Unknown decision %(decision)s.") % {"decision": decision}})
    approval = RiskApproval.objects.select_for_update().filter(risk=risk, body=body).pending().first()
    if approval is None or risk.status != RiskStatus.AWAITING_APPROVAL:
        raise ValidationError(
            {
                "body": _("This risk is not awaiting a decision of the %(body)s.")
                % {"body": ApprovalBody(body).label.lower()}
            }
        )
    if body not in decidable_bodies(actor, risk.organisation):
        raise ValidationError(
            {
                "body": _("Only %(body)s of %(organisation)s can decide this.")
                % {
                    "body": _("board members") if body == ApprovalBody.BOARD else _("group management"),
                    "organisation": risk.organisation,
                }
            }
        )
    if risk.owner_id == actor.pk:
        raise ValidationError({"decision": _("You own this risk: someone else must decide on it.")})
    if decision == Decision.APPROVED and actor.pk in round_editors(risk, approval):
        raise ValidationError(
            {"decision": _("You changed this risk or its plan in this round: someone else must approve it.")}
        )
    reason = reason.strip()
    if decision in DECISIONS_NEEDING_REASON and not reason:
        raise ValidationError({"reason": _("Give a reason for this decision.")})

    approval.decision = decision
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.reason = reason
    save_validated(approval, actor=actor, reason=reason)
    # The other deciders' "awaits your approval" is settled; the next body (if any) is asked below.
    notifications_resolve(target=risk, verbs=APPROVAL_REQUESTED)

    concerned = [risk.owner, approval.submitted_by]
    round_level = max(risk.level, approval.level, key=LEVEL_RANK.__getitem__)
    following = next_body(round_level, body) if decision == Decision.APPROVED else None
    if following is not None:
        save_validated(
            RiskApproval(
                risk=risk,
                body=following,
                round=approval.round,
                level=risk.level,
                submitted_by=approval.submitted_by,
                submission_note=approval.submission_note,
            ),
            actor=actor,
        )
        _notify_body(risk, following, exclude=[actor])
        title = gettext_lazy("Risk %(title)s: approved by %(body)s, now with group management")
    elif decision == Decision.APPROVED:
        risk.status = RiskStatus.APPROVED
        risk.approved_level = risk.level
        title = gettext_lazy("Risk %(title)s: approved by %(body)s")
    elif decision == Decision.REJECTED:
        risk.status = RiskStatus.REJECTED
        title = gettext_lazy("Risk %(title)s: rejected by %(body)s")
    else:
        risk.status = RiskStatus.CHANGES_REQUESTED
        title = gettext_lazy("Risk %(title)s: %(body)s asks for changes")
    # The risk's history says who decided what, also when its status stays (the board approved, group
    # management is next), with the decider's reason.
    note = system_note(
        gettext_lazy("%(body)s: %(decision)s"), body=ApprovalBody(body).label, decision=Decision(decision).label
    )
    save_validated(risk, actor=actor, reason=f"{note} — {reason}" if reason else note)
    notify(
        recipients=concerned,
        verb=f"risk_{decision}",
        title=title,
        params={"title": risk.title, "body": ApprovalBody(body).label.lower()},
        body=gettext_lazy("Reason: %(reason)s") if reason else None,
        body_params={"reason": reason},
        target=risk,
        exclude=[actor],
    )
    return approval


# --- configuration -----------------------------------------------------------------------------


@transaction.atomic
def matrix_update(
    *, actor, organisation: OrganisationUnit, likelihood_steps: list, impact_steps: list, bands: list
) -> RiskMatrix:
    """Set an organisation's matrix and re-derive the levels of its open risks (each change is
    recorded in the risk's history; a level that rises asks for approval again)."""
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("A matrix belongs to an organisation.")})
    if not can_configure_risks(actor, organisation):
        deny(_("Only administrators and quality officers of %(org)s can change its matrix.") % {"org": organisation})
    matrix = RiskMatrix.objects.select_for_update().filter(organisation=organisation).first() or RiskMatrix(
        organisation=organisation
    )
    matrix.likelihood_steps = [
        {"label": str(step.get("label", "")).strip(), "description": str(step.get("description", "")).strip()}
        for step in likelihood_steps
    ]
    matrix.impact_steps = [
        {"label": str(step.get("label", "")).strip(), "description": str(step.get("description", "")).strip()}
        for step in impact_steps
    ]
    matrix.bands = bands
    matrix.full_clean()
    rows, columns = matrix.size
    out_of_range = Risk.objects.open().filter(organisation=organisation).filter(_out_of_range(rows, columns))
    if out_of_range.exists():
        raise ValidationError(
            {
                "bands": _(
                    "%(count)s open risk(s) are assessed outside a %(rows)s x %(columns)s matrix; reassess them first."
                )
                % {"count": out_of_range.count(), "rows": rows, "columns": columns}
            }
        )
    save_validated(matrix, actor=actor)
    for risk in (
        Risk.objects.open().filter(organisation=organisation).select_for_update().select_related("organisation")
    ):
        level, residual = risk.level, risk.residual_level
        _assess(risk, matrix)
        if (risk.level, risk.residual_level) != (level, residual):
            save_validated(risk, actor=actor, reason=system_note(gettext_lazy("Risk matrix changed")))
            _ask_again_if_material(risk, actor=actor, why=gettext_lazy("the risk matrix changed its level"))
    return matrix


def _out_of_range(rows: int, columns: int) -> Q:
    return (
        Q(likelihood__gt=rows)
        | Q(impact__gt=columns)
        | Q(residual_likelihood__gt=rows)
        | Q(residual_impact__gt=columns)
    )


@transaction.atomic
def category_create(*, actor, organisation: OrganisationUnit, code: str, name: str) -> RiskCategory:
    """Add a category for one organisation's risks."""
    if not can_configure_risks(actor, organisation):
        deny(_("Only administrators and quality officers of %(org)s can add categories.") % {"org": organisation})
    if RiskCategory.objects.filter(organisation__isnull=True, code=code).exists():
        raise ValidationError({"code": _("This is the code of a default category.")})
    return save_validated(RiskCategory(organisation=organisation, code=code, name=name), actor=actor)


def _check_category_configurable(actor, category: RiskCategory, organisation: OrganisationUnit) -> None:
    if not can_configure_risks(actor, organisation):
        deny(
            _("Only administrators and quality officers of %(org)s can change its categories.") % {"org": organisation}
        )
    if category.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This category belongs to another organisation."))


@transaction.atomic
def category_rename(*, actor, category: RiskCategory, organisation: OrganisationUnit, name: str) -> RiskCategory:
    """Rename one of the organisation's own categories (risks keep it). The defaults keep their names,
    which are translated: an organisation that wants another name hides the default and adds its own."""
    category = RiskCategory.objects.select_for_update().get(pk=category.pk)
    _check_category_configurable(actor, category, organisation)
    if category.organisation_id is None:
        raise ValidationError(
            {"name": _("A default category keeps its name; hide it and add a category of your own instead.")}
        )
    category.name = name.strip()
    return save_validated(category, actor=actor)


@transaction.atomic
def category_set_active(*, actor, category: RiskCategory, organisation: OrganisationUnit, active: bool) -> RiskCategory:
    """Stop or start using a category in an organisation: new and changed risks can no longer choose an
    inactive one, risks that have it keep it. The organisation's own category is deactivated; a default
    one, which every organisation has, is hidden for this organisation only."""
    category = RiskCategory.objects.select_for_update().get(pk=category.pk)
    _check_category_configurable(actor, category, organisation)
    if category.organisation_id is None:
        if active:
            category.hidden_in.remove(organisation)
        else:
            category.hidden_in.add(organisation)
        return category
    if category.is_active != active:
        category.is_active = active
        save_validated(category, actor=actor)
    return category


# --- the daily sweep ---------------------------------------------------------------------------


def sweep_overdue_reviews(*, today: datetime.date) -> int:
    """Escalate each risk whose review is overdue to its owner and the unit's quality officers,
    once a day (the core sweep escalates overdue measures, which are actions)."""

    def notice(risk: Risk, holders: RoleHolders) -> dict:
        return {
            "recipients": [risk.owner, *holders.nearest(risk.unit, Role.QUALITY_OFFICER)],
            "verb": "risk_review_overdue",
            "title": gettext_lazy("Review overdue: %(title)s"),
            "params": {"title": risk.title},
            "body": gettext_lazy("This risk was due for review on %(due)s."),
            "body_params": {"due": risk.next_review},
        }

    return escalate(
        Risk.objects.review_overdue(today).select_related("owner", "unit"),
        reason="review_overdue",
        day=today,
        notice=notice,
        prepare=lambda risks: RoleHolders([risk.unit for risk in risks], [Role.QUALITY_OFFICER]),
    )
