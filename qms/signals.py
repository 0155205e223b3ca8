"""Security-event logging on Django's and axes' auth signals, and the scopes' cache of unit ids kept
true when units are saved or deleted outside the unit services. (No business rules here.)"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qms.choices import SecurityEventKind
from qms.middleware import session_start
from qms.models import OrganisationUnit
from qms.scoping import units_changed
from qms.services.security import security_event_log


@receiver(post_save, sender=OrganisationUnit, dispatch_uid="qms_units_saved")
@receiver(post_delete, sender=OrganisationUnit, dispatch_uid="qms_units_deleted")
def forget_unit_ids(sender, **kwargs):
    units_changed()


@receiver(user_logged_in, dispatch_uid="qms_log_login")
def log_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request.session)
    security_event_log(kind=SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="qms_log_logout")
def log_logout(sender, request, user, **kwargs):
    if user is not None:
        expired = getattr(request, "session_expired", "")
        detail = f"session expired ({expired})" if expired else ""
        security_event_log(kind=SecurityEventKind.LOGOUT, request=request, user=user, detail=detail)


@receiver(user_login_failed, dispatch_uid="qms_log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    security_event_log(
        kind=SecurityEventKind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))
    )


@receiver(user_locked_out, dispatch_uid="qms_log_locked_out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    security_event_log(kind=SecurityEventKind.LOCKED_OUT, request=request, username=username or "")
