"""The security log, API tokens and two-factor login."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qms.choices import Role, SecurityEventKind, UnitKind
from qms.http import client_ip
from qms.models import ApiToken, OrganisationUnit, SecurityEvent, User
from qms.models.security import hash_token
from qms.scoping import Purpose, organisations_for, scope_for
from qms.services.base import deny, save_validated

TOKEN_PREFIX = "qms_"  # noqa: S105 - a public marker, not a secret


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


# Two-factor login (ASVS 2.7/2.8): a TOTP app as the second factor, ten one-time recovery codes for the
# day the phone is lost. The security log's kinds of these events (stored as these values):
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
TOTP_DIGITS = 6  # django-otp's default, what every authenticator app shows
RECOVERY_DEVICE_NAME = "recovery"


def two_factor_required_for(user) -> bool:
    """Whether ``user`` must log in with a second factor: superusers and administrators (unless
    TWO_FACTOR_MANDATORY_FOR_ADMINS is off), and everyone with a role in an organisation requiring it."""
    if not user.is_authenticated:
        return False
    scope = scope_for(user)
    if settings.TWO_FACTOR_MANDATORY_FOR_ADMINS and (user.is_superuser or Role.ADMINISTRATOR in scope.roles()):
        return True
    # A unit's path holds the ids of every unit above it, its organisation's among them.
    ids = {int(part) for grant in scope.grants for part in grant.path.strip("/").split("/") if part}
    return (
        bool(ids)
        and OrganisationUnit.objects.filter(pk__in=ids, kind=UnitKind.ORGANISATION, two_factor_required=True).exists()
    )


def two_factor_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_applies(user) -> bool:
    """Whether a login of ``user`` needs the second step: they must, or they chose to (enrolled)."""
    return user.is_authenticated and (two_factor_enrolled(user) or two_factor_required_for(user))


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The person's enrolment in progress: an unconfirmed authenticator with a fresh secret (the same
    one on every visit until it is confirmed, so that reloading the page does not change the QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _recovery_codes_create(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_device_confirm(*, user: User, token: str, request=None) -> tuple[TOTPDevice, list[str]] | None:
    """Finish the enrolment with the app's first code: the new authenticator replaces any old one and
    ten new recovery codes replace the old ones. Returns the device and the codes (to be shown once),
    or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not device.verify_token(_digits(token)):
        security_event_log(kind=SecurityEventKind.TWO_FACTOR_FAILED, request=request, user=user, detail="enrolment")
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_create(user)
    security_event_log(kind=SecurityEventKind.TWO_FACTOR_ENROLLED, request=request, user=user)
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: User, request=None) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not two_factor_enrolled(user):
        deny(_("Set up two-factor login first."))
    codes = _recovery_codes_create(user)
    security_event_log(kind=SecurityEventKind.RECOVERY_CODES_RENEWED, request=request, user=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _digits(token: str) -> str:
    return "".join((token or "").split())


@transaction.atomic
def two_factor_verify(*, user: User, token: str, request=None):
    """Check the second factor of ``user``: a code of their authenticator (each code once: the device
    remembers the last time step used, and the row lock makes two requests with one code take turns)
    or one of their recovery codes (deleted when used). Returns the device that matched, or None.
    Wrong codes slow the device down (django-otp's throttling doubles the wait after every failure)."""
    token = _digits(token)
    if token.isdigit() and len(token) == TOTP_DIGITS:
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token):
                security_event_log(kind=SecurityEventKind.TWO_FACTOR_PASSED, request=request, user=user)
                return device
    elif token:
        for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token.lower()):
                left = recovery_codes_left(user)
                security_event_log(
                    kind=SecurityEventKind.RECOVERY_CODE_USED,
                    request=request,
                    user=user,
                    detail=f"{left} recovery code(s) left",
                )
                return device
    security_event_log(kind=SecurityEventKind.TWO_FACTOR_FAILED, request=request, user=user)
    return None


def organisations_for_two_factor_policy(user):
    """The organisations whose two-factor rule ``user`` may set: as administrator or quality officer."""
    return organisations_for(user, Purpose.ACT, roles=(Role.ADMINISTRATOR, Role.QUALITY_OFFICER))


@transaction.atomic
def organisation_require_two_factor(
    *, actor: User, organisation: OrganisationUnit, required: bool, request=None
) -> OrganisationUnit:
    """Make two-factor login mandatory (or not) for everyone with a role in ``organisation``; the change
    is in the unit's history and the security log. People without an authenticator are sent to set one
    up at their next page."""
    organisation = OrganisationUnit.objects.select_for_update().get(pk=organisation.pk)
    if not organisations_for_two_factor_policy(actor).filter(pk=organisation.pk).exists():
        deny(_("Only an administrator or quality officer of %(unit)s can change this.") % {"unit": organisation})
    if organisation.two_factor_required == required:
        return organisation
    organisation.two_factor_required = required
    save_validated(organisation, actor=actor, reason="two-factor login " + ("required" if required else "optional"))
    security_event_log(
        kind=SecurityEventKind.TWO_FACTOR_POLICY_CHANGED,
        request=request,
        user=actor,
        detail=f"{organisation.name}: {'required' if required else 'optional'}"[:500],
    )
    return organisation
