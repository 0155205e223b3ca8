import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.choices import Role, SecurityEventKind


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def valid(self):
        return self.filter(expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """An API token. Only its SHA-256 hash is stored; the token itself is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SecurityEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The log of the people in the units where ``user`` is an administrator or quality officer
        (and below): their events, and the events logged under their user names without a person (a
        failed login). Superusers read everything; nobody else reads anything.

        An event has no unit of its own: it belongs to the person, wherever they work now (a person in
        two organisations is in both logs)."""
        from qms.models.units import Membership
        from qms.models.users import User
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        if not user.is_authenticated:
            return self.none()
        if not scope.roles() & {Role.ADMINISTRATOR, Role.QUALITY_OFFICER}:
            return self.none()
        units = scope.units_with_role(Role.ADMINISTRATOR, Role.QUALITY_OFFICER)
        people = Membership.objects.filter(unit__in=units).values("user_id")
        usernames = User.objects.filter(pk__in=people).values("username")
        return self.filter(models.Q(user__in=people) | models.Q(user__isnull=True, username__in=usernames))


class SecurityEvent(models.Model):
    """The security log of SPEC 8: logins, failed logins, lockouts, permission denials (out-of-scope
    lookups included), exports, personal data downloads and erasures. Kept for
    ``RETENTION_DAYS["security_events"]``."""

    kind = models.CharField(_("kind"), max_length=30, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
