"""Actions: one kind of work item that every app attaches to its records."""

import datetime
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.choices import ActionKind, ActionStatus, Role
from qms.models import Action, OrganisationUnit, User
from qms.permissions import can_change_action_status, can_contribute, can_edit_action
from qms.services.base import apply_changes, deny, save_validated
from qms.services.notifications import notify

# The allowed status transitions, in one table.
ACTION_TRANSITIONS = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.IN_PROGRESS: {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.DONE: {ActionStatus.OPEN},
    ActionStatus.CANCELLED: {ActionStatus.OPEN},
}
ACTION_FIELDS = {"title", "description", "kind", "owner", "due_date"}

# Hooks of the apps whose records own actions, by the source's model: ``hook(actor=, action=, changed=,
# previous=)`` runs inside the change's transaction after every change of such an action, whatever path
# it took (the action pages and API, or the app's own services), and may refuse it (raise) or follow it
# up. So a rule about an app's actions lives in the app, once (the risk register: a change of a
# measure changes the risk's plan). Registered in the app's ``AppConfig.ready()``.
_SOURCE_HOOKS: dict[type, Callable[..., None]] = {}


def register_action_hook(model, hook: Callable[..., None]) -> None:
    """Let the app of ``model`` guard and follow up every change of an action whose source is one of its records."""
    _SOURCE_HOOKS[model] = hook


def _run_source_hook(*, actor, action: Action, changed: set[str], previous: dict) -> None:
    if action.source_content_type_id is None:
        return
    model = ContentType.objects.get_for_id(action.source_content_type_id).model_class()
    hook = _SOURCE_HOOKS.get(model)
    if hook is not None:
        hook(actor=actor, action=action, changed=changed, previous=previous)


def validate_owner_for_unit(owner: User, unit: OrganisationUnit, field: str = "owner") -> None:
    """An owner must be active and belong to the organisation the unit is part of."""
    from qms.selectors import user_belongs_to_organisation

    if not owner.is_active:
        raise ValidationError({field: _("%(person)s is not active.") % {"person": owner}})
    if not user_belongs_to_organisation(owner, unit.organisation):
        raise ValidationError(
            {
                field: _("%(person)s is not a member of %(organisation)s.")
                % {"person": owner, "organisation": unit.organisation}
            }
        )


def _notify_assigned(action: Action, actor) -> None:
    if action.owner_id != getattr(actor, "pk", None):
        notify(
            recipients=[action.owner],
            verb="action_assigned",
            title=gettext_lazy("New action for you: %(title)s"),
            params={"title": action.title},
            body=gettext_lazy("Due on %(due)s."),
            body_params={"due": action.due_date},
            target=action,
        )


@transaction.atomic
def action_create(
    *,
    actor,
    unit: OrganisationUnit,
    owner: User,
    title: str,
    due_date: datetime.date,
    description: str = "",
    kind: str = ActionKind.GENERAL,
    source=None,
    check_permission: bool = True,
) -> Action:
    """Create an action and tell its owner. Apps pass ``source`` (the record the action belongs to)
    and ``check_permission=False`` when they have checked the actor's right to that record already."""
    if check_permission and not can_contribute(actor, unit):
        deny(_("You cannot add actions in %(unit)s.") % {"unit": unit})
    validate_owner_for_unit(owner, unit)
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    action = Action(
        unit=unit,
        owner=owner,
        title=title,
        due_date=due_date,
        description=description,
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if source is not None:
        action.source_content_type = ContentType.objects.get_for_model(source)
        action.source_object_id = source.pk
    save_validated(action, actor=actor)
    _notify_assigned(action, actor)
    return action


@transaction.atomic
def action_update(*, actor, action: Action, check_permission: bool = True, **changes) -> Action:
    """Change what an action is about, who owns it or when it is due."""
    action = Action.objects.select_for_update().select_related("unit").get(pk=action.pk)
    if check_permission and not can_edit_action(actor, action):
        deny(_("You cannot change this action."))
    previous = {name: getattr(action, name) for name in changes if name in ACTION_FIELDS}
    changed = apply_changes(action, changes, ACTION_FIELDS)
    if not changed:
        return action
    if "owner" in changed:
        validate_owner_for_unit(action.owner, action.unit)
    if "due_date" in changed and action.due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    save_validated(action, actor=actor)
    _run_source_hook(actor=actor, action=action, changed=set(changed), previous=previous)
    if "owner" in changed:
        _notify_assigned(action, actor)
    return action


@transaction.atomic
def action_set_status(*, actor, action: Action, status: str, note: str = "", check_permission: bool = True) -> Action:
    """Move an action along (open, in progress, done, cancelled); finishing records when and how.
    ``check_permission=False`` as in ``action_create``."""
    action = Action.objects.select_for_update().select_related("unit").get(pk=action.pk)
    if check_permission and not can_change_action_status(actor, action):
        deny(_("Only the owner or the quality officer can change the status of this action."))
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    if status == action.status:
        return action
    if status not in ACTION_TRANSITIONS[action.status]:
        raise ValidationError(
            {
                "status": _("An action that is %(current)s cannot become %(new)s.")
                % {"current": action.get_status_display().lower(), "new": ActionStatus(status).label.lower()}
            }
        )
    if status == ActionStatus.CANCELLED and not note:
        raise ValidationError({"note": _("Say why the action is cancelled.")})
    previous = {"status": action.status}
    action.status = status
    action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    if note:
        action.completion_note = note
    save_validated(action, actor=actor)
    _run_source_hook(actor=actor, action=action, changed={"status"}, previous=previous)
    if action.created_by_id and action.created_by_id not in (actor.pk, action.owner_id):
        notify(
            recipients=[action.created_by],
            verb="action_status",
            title=gettext_lazy("Action %(title)s is now %(status)s"),
            params={"title": action.title, "status": ActionStatus(status).label},
            target=action,
        )
    return action


# --- the daily sweep ---------------------------------------------------------------------------


def sweep_overdue_actions(*, today: datetime.date) -> int:
    """Escalate each overdue action to its owner, the owner's manager (or the unit's team lead) and
    the unit's quality officers, once a day. Risk measures are actions, so this covers them too."""
    from qms.escalations import escalate
    from qms.selectors import RoleHolders, action_escalation_recipients

    def notice(action: Action, holders: RoleHolders) -> dict:
        return {
            "recipients": [action.owner, *action_escalation_recipients(action, holders)],
            "verb": "action_overdue",
            "title": gettext_lazy("Overdue action: %(title)s"),
            "params": {"title": action.title},
            "body": gettext_lazy("This action of %(owner)s was due on %(due)s and is not finished."),
            "body_params": {"owner": action.owner, "due": action.due_date},
        }

    return escalate(
        Action.objects.overdue(today).select_related("owner__manager", "unit"),
        reason="overdue",
        day=today,
        notice=notice,
        prepare=lambda actions: RoleHolders(
            [action.unit for action in actions], [Role.TEAM_LEAD, Role.QUALITY_OFFICER]
        ),
    )
