"""Small helpers the services of every app share."""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

HISTORY_REASON_MAX_LENGTH = 100


def save_validated(instance, *, actor=None, reason: str = "", exclude=None):
    """Validate ``instance`` completely, then save it with ``actor`` and ``reason`` in its history."""
    instance.full_clean(exclude=exclude)
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    if reason:
        # The history keeps a reason in at most 100 characters (django-simple-history's column): a longer
        # one (a translated note after a person's reason) is shortened, not refused by the database.
        instance._change_reason = Truncator(reason).chars(HISTORY_REASON_MAX_LENGTH)
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


@contextmanager
def in_stored_language():
    """Text the system itself writes into records (history reasons, generated titles, notes) is written
    in the organisation's default language (``settings.LANGUAGE_CODE``): stored text is read later by
    everyone, so it is in the one language the organisation works in, not in the language of whoever
    happened to cause it. (Notifications are different: each is written for its one reader, in theirs.)"""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def system_note(message, **params) -> str:
    """``message`` (a lazy translation, with %(name)s ``params``) in the stored language."""
    with in_stored_language():
        text = str(message)
        return text % {name: str(value) for name, value in params.items()} if params else text
