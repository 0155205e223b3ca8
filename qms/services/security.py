"""The security log and API tokens."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qms.choices import SecurityEventKind
from qms.models import ApiToken, SecurityEvent, User
from qms.models.security import hash_token

TOKEN_PREFIX = "qms_"  # noqa: S105 - a public marker, not a secret


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def security_event_log(*, kind: str, request=None, user=None, username: str = "", detail: str = "") -> SecurityEvent:
    """Write one line of the security log (SPEC 8): who, from where, what."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        path=(request.get_full_path() if request is not None else "")[:500],
        detail=detail[:500],
    )


@transaction.atomic
def token_create(*, user: User, name: str = "", request=None) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; returns the record and the token, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
    )
    security_event_log(kind=SecurityEventKind.TOKEN_CREATED, request=request, user=user, detail=token.prefix)
    return token, raw


def token_authenticate(raw: str) -> ApiToken | None:
    """The valid token matching ``raw``, with its user, or None. Marks it used (at most once a minute)."""
    token = ApiToken.objects.valid().select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def tokens_revoke_all(*, user: User, reason: str, request=None) -> int:
    """End every API token of ``user`` (after a password change): a token outlives no password."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    if deleted:
        security_event_log(
            kind=SecurityEventKind.TOKEN_REVOKED, request=request, user=user, detail=f"{deleted} token(s): {reason}"
        )
    return deleted


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, request=None) -> None:
    security_event_log(kind=SecurityEventKind.TOKEN_REVOKED, request=request, user=actor, detail=token.prefix)
    token.delete()
