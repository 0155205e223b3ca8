"""Small helpers the services of every app share."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def save_validated(instance, *, actor=None, reason: str = "", exclude=None):
    """Validate ``instance`` completely, then save it with ``actor`` and ``reason`` in its history."""
    instance.full_clean(exclude=exclude)
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance


def apply_changes(instance, changes: dict, allowed: set[str]) -> list[str]:
    """Set the allowed ``changes`` on ``instance``; return the names of the fields that changed."""
    unknown = set(changes) - allowed
    if unknown:
        # A programming error, not user input: callers only pass fields they know.
        raise TypeError(f"Cannot change {sorted(unknown)} on {type(instance).__name__}")
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def deny(message=None):
    raise PermissionDenied(message or _("You do not have permission to do this."))
