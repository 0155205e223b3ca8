"""Writes of customer feedback: intake, flagging and assignment, and escalation of recurring problems."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis import conf
from kpis.choices import ESCALATION_TRANSITIONS, EscalationStatus, FeedbackCategory, FeedbackChannel, FlagReason
from kpis.models import Feedback, FeedbackEscalation
from qms.calendar import calendar_for
from qms.choices import OPEN_ACTION_STATUSES, ActionKind, Role
from qms.models import OrganisationUnit, User
from qms.permissions import can_contribute
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import action_create, action_update, validate_owner_for_unit
from qms.services.base import deny, in_stored_language, save_validated
from qms.services.notifications import notify


def flag_reason_for(score: int | None, negative: bool) -> str:
    """Why feedback is flagged: a CSAT score at or below the threshold, or a complaint; "" if not."""
    if score is not None and score <= conf.csat_flag_threshold():
        return FlagReason.LOW_SCORE
    if negative:
        return FlagReason.NEGATIVE
    return ""


def follow_up_owner(unit: OrganisationUnit, holders: RoleHolders | None = None) -> User | None:
    """Who follows flagged feedback up: the unit's team lead (or the nearest one above it), else the
    nearest quality officer; None when the organisation has neither."""
    holders = holders or RoleHolders([unit], [Role.TEAM_LEAD, Role.QUALITY_OFFICER])
    candidates = holders.nearest(unit, Role.TEAM_LEAD) or holders.nearest(unit, Role.QUALITY_OFFICER)
    return min(candidates, key=lambda user: user.pk) if candidates else None


@transaction.atomic
def feedback_receive(
    *,
    actor,
    unit: OrganisationUnit,
    score: int | None = None,
    comment: str = "",
    negative: bool = False,
    channel: str = FeedbackChannel.SURVEY,
    category: str = FeedbackCategory.SERVICE,
    received_at: datetime.datetime | None = None,
    customer_reference: str = "",
) -> Feedback:
    """Take in one piece of feedback. A low CSAT score or a complaint is flagged and, in the same
    transaction, assigned to the unit's team lead as a follow-up action with a due date (the action's
    owner is notified). The Nth flagged item of a unit and category within D days proposes escalating
    them into a non-conformity and tells the quality officer."""
    if not can_contribute(actor, unit):
        deny(_("You cannot register feedback for %(unit)s.") % {"unit": unit})
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("Feedback cannot be received in the future.")})
    feedback = Feedback(
        unit=unit,
        score=score,
        comment=comment,
        negative=negative,
        channel=channel,
        category=category,
        received_at=received_at,
        customer_reference=customer_reference,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    feedback.flag_reason = flag_reason_for(score, negative) if score is None or 1 <= score <= 5 else ""
    feedback.flagged = bool(feedback.flag_reason)
    save_validated(feedback, actor=actor)
    if feedback.flagged:
        _assign_follow_up(feedback, actor=actor)
        _escalate_if_recurring(feedback, actor=actor)
    return feedback


def _assign_follow_up(feedback: Feedback, *, actor) -> None:
    owner = follow_up_owner(feedback.unit)
    if owner is None:
        return
    # Generated text is stored in the organisation's language (LANGUAGE_CODE), not in the language of
    # whoever registered the feedback: the team lead's list of actions does not mix languages.
    with in_stored_language():
        if feedback.flag_reason == FlagReason.LOW_SCORE:
            title = _("Follow up on feedback with CSAT score %(score)s") % {"score": feedback.score}
        else:
            title = _("Follow up on negative feedback")
        reason = _("Flagged and assigned")
    if feedback.customer_reference:
        title = f"{title} ({feedback.customer_reference})"
    action = action_create(
        actor=actor,
        unit=feedback.unit,
        owner=owner,
        title=title[:200],
        # Working days of the unit's organisation: feedback that comes in on a Friday is not due on
        # Sunday, nor on a public holiday or a day the organisation is closed.
        due_date=calendar_for(feedback.unit).working_days_after(timezone.localdate(), conf.feedback_follow_up_days()),
        description=feedback.comment,
        kind=ActionKind.FOLLOW_UP,
        source=feedback,
        check_permission=False,
    )
    feedback.assigned_to, feedback.follow_up = owner, action
    save_validated(feedback, actor=actor, reason=reason)


def _escalate_if_recurring(feedback: Feedback, *, actor) -> None:
    """The Nth flagged item of a unit and category within D days proposes an escalation. Items of a
    proposal that was decided on (escalated or dismissed) count no more. A proposal still open takes
    the new item in only when all its items lie within the new item's D days (the same episode);
    a later episode is a new proposal, and the quality officers are told again."""
    since = feedback.received_at - datetime.timedelta(days=conf.recurring_days())
    recent = list(
        Feedback.objects.select_for_update(of=("self",))
        .flagged()
        .filter(
            Q(escalation__isnull=True) | Q(escalation__status=EscalationStatus.PROPOSED),
            unit=feedback.unit,
            category=feedback.category,
            received_at__gt=since,
            received_at__lte=feedback.received_at,
        )
        .order_by("received_at", "id")
    )
    if len(recent) < conf.recurring_count():
        return
    escalation = (
        FeedbackEscalation.objects.select_for_update()
        .filter(unit=feedback.unit, category=feedback.category, status=EscalationStatus.PROPOSED)
        .exclude(items__received_at__lte=since)
        .order_by("-created_at", "-id")
        .first()
    )
    is_new = escalation is None
    with in_stored_language():
        item_reason = _("Recurring: escalation proposed")
        if is_new:
            escalation = save_validated(
                FeedbackEscalation(
                    unit=feedback.unit,
                    category=feedback.category,
                    reason=_("%(count)s flagged feedback items within %(days)s days.")
                    % {"count": len(recent), "days": conf.recurring_days()},
                ),
                actor=actor,
            )
    for item in recent:
        if item.escalation_id is None:
            item.escalation = escalation
            save_validated(item, actor=actor, reason=item_reason)
    if is_new:
        holders = RoleHolders([feedback.unit], [Role.QUALITY_OFFICER])
        notify(
            recipients=holders.nearest(feedback.unit, Role.QUALITY_OFFICER),
            verb="feedback_recurring",
            title=gettext_lazy("Recurring feedback in %(unit)s: escalate to a non-conformity?"),
            params={"unit": feedback.unit},
            body=gettext_lazy('%(count)s flagged items about "%(category)s" within %(days)s days.'),
            body_params={
                "count": len(recent),
                "category": FeedbackCategory(feedback.category).label,
                "days": conf.recurring_days(),
            },
            target=escalation,
        )


def can_reassign_feedback(user, feedback: Feedback) -> bool:
    """Whoever it is assigned to, and the quality officers and administrators of its unit (or above it)."""
    return feedback.assigned_to_id == user.pk or scope_for(user).has_role(
        feedback.unit, Role.ADMINISTRATOR, Role.QUALITY_OFFICER
    )


@transaction.atomic
def feedback_reassign(*, actor, feedback: Feedback, assigned_to: User, reason: str = "") -> Feedback:
    """Give flagged feedback to another person of its organisation (the history keeps who had it, who
    changed it and why). Its follow-up action, while open, goes along, so the two never disagree (the
    action's new owner is told by the action's service)."""
    feedback = Feedback.objects.select_for_update(of=("self",)).select_related("unit", "follow_up").get(pk=feedback.pk)
    if not can_reassign_feedback(actor, feedback):
        deny(_("Only a quality officer of %(unit)s reassigns this feedback.") % {"unit": feedback.unit})
    validate_owner_for_unit(assigned_to, feedback.unit, field="assigned_to")
    follow_up = feedback.follow_up
    if follow_up is not None and follow_up.status in OPEN_ACTION_STATUSES and follow_up.owner_id != assigned_to.pk:
        action_update(actor=actor, action=follow_up, check_permission=False, owner=assigned_to)
    if feedback.assigned_to_id == assigned_to.pk:
        return feedback
    feedback.assigned_to = assigned_to
    with in_stored_language():
        default_reason = _("Reassigned to %(person)s") % {"person": assigned_to}
    return save_validated(feedback, actor=actor, reason=(reason or "").strip() or default_reason)


# --- decisions on proposed escalations ------------------------------------------------------------

# What an escalation becomes: the app that holds non-conformities registers ``handler(actor=,
# escalation=)``, which creates the record in the decision's transaction and returns it; the escalation
# links to it (``follow_up``). The KPIs do not know that app (the dependency points the other way).
_ESCALATION_HANDLERS: list = []


def register_escalation_handler(handler) -> None:
    """Register what escalating a proposal creates (the non-conformities' ``AppConfig.ready``)."""
    if handler not in _ESCALATION_HANDLERS:
        _ESCALATION_HANDLERS.append(handler)


def can_decide_escalation(user, escalation: FeedbackEscalation) -> bool:
    """The quality officers of the unit (or above it) decide on a proposed escalation."""
    return scope_for(user).has_role(escalation.unit, Role.QUALITY_OFFICER)


@transaction.atomic
def feedback_escalation_decide(
    *, actor, escalation: FeedbackEscalation, status: str, note: str = ""
) -> FeedbackEscalation:
    """Escalate a proposal to a non-conformity (``escalated``: the registered handler creates it in
    this transaction and the escalation links to it as ``follow_up``) or dismiss it (``dismissed``, with
    the reason). Allowed moves are in ``ESCALATION_TRANSITIONS``; who decided, when and why are kept,
    and the history has every step."""
    escalation = FeedbackEscalation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=escalation.pk)
    if not can_decide_escalation(actor, escalation):
        deny(_("Only a quality officer of %(unit)s decides on this escalation.") % {"unit": escalation.unit})
    if status not in EscalationStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    if status not in ESCALATION_TRANSITIONS[escalation.status]:
        raise ValidationError(
            {
                "status": _("This escalation is %(current)s: it cannot become %(new)s.")
                % {
                    "current": escalation.get_status_display().lower(),
                    "new": EscalationStatus(status).label.lower(),
                }
            }
        )
    note = (note or "").strip()
    if status == EscalationStatus.DISMISSED and not note:
        raise ValidationError({"note": _("Say why the escalation is dismissed.")})
    escalation.status = status
    escalation.decision_note = note
    escalation.decided_by, escalation.decided_at = actor, timezone.now()
    if status == EscalationStatus.ESCALATED:
        # The record it becomes, created in this transaction and linked back in the same history entry.
        records = [handler(actor=actor, escalation=escalation) for handler in _ESCALATION_HANDLERS]
        record = next((record for record in records if record is not None), None)
        if record is not None:
            escalation.follow_up_content_type = ContentType.objects.get_for_model(record)
            escalation.follow_up_object_id = record.pk
    return save_validated(escalation, actor=actor, reason=note)
