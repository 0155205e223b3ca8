"""Out-of-scope probing in the security log (SPEC 8, issue 15 finding 10).

A lookup of a record the person may not see answers 404, exactly as for an id that does not exist. When
the record does exist elsewhere, the attempt is written to the security log as a permission denial, at
most once per person (or address) a minute, so a crawler walking through thousands of ids leaves a
handful of lines and not a full table.
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError

from qms.choices import SecurityEventKind
from qms.services.security import client_ip, security_event_log

PROBE_LOG_INTERVAL_SECONDS = 60


def probe_log(*, request, model, lookup: dict) -> bool:
    """After ``model``'s scoped lookup ``lookup`` found nothing for ``request.user``: log a denial if the
    record exists out of their sight. Returns whether a line was written. Never raises for a malformed
    id: the caller answers 404 whatever happens here."""
    user = getattr(request, "user", None)
    try:
        exists = model._default_manager.filter(**lookup).exists()
        if exists and user is not None and hasattr(model._default_manager, "visible_to"):
            # A list narrowed further than the person's sight (their own notifications, say) is not a probe
            # when the record is one they see through its own page.
            exists = not model._default_manager.visible_to(user).filter(**lookup).exists()
    except (TypeError, ValueError, OverflowError, ValidationError):
        return False
    if not exists:
        return False
    who = f"user:{user.pk}" if user is not None and user.is_authenticated else f"ip:{client_ip(request)}"
    if not cache.add(f"qms:probe:{SecurityEventKind.PERMISSION_DENIED}:{who}", 1, PROBE_LOG_INTERVAL_SECONDS):
        return False
    label = model._meta.label_lower
    shown = ", ".join(f"{key}={value}" for key, value in lookup.items())
    security_event_log(
        kind=SecurityEventKind.PERMISSION_DENIED, request=request, detail=f"out of sight: {label} {shown}"[:500]
    )
    return True
