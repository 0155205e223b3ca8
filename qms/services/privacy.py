"""Personal data (SPEC 8): a person downloads everything the system holds about them; an administrator
erases a person.

Erasing keeps the records and their history intact under a pseudonym ("Verwijderde persoon 17"): the
person's name, user name and e-mail address go, in their record and in every history row of it; their
sessions, API tokens and two-factor devices end; their own notifications go; the erasure is in the
security log. It is refused while they still own open work, unless a successor takes it over in the same
step. Apps say what they hold about a person (``register_personal_data``) and what open work a person
can own there (``register_open_work``), in their ``AppConfig.ready``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.choices import OPEN_ACTION_STATUSES, SecurityEventKind
from qms.models import Action, ApiToken, Membership, Notification, SecurityEvent, TrainingAssignment, User
from qms.permissions import can_manage_user
from qms.services.actions import action_update
from qms.services.base import deny, save_validated, system_note
from qms.services.security import security_event_log, tokens_revoke_all

EXPORT_FORMAT = "qms-personal-data/1"
ERASED_USERNAME = "erased-{pk}"
PSEUDONYM = gettext_lazy("Erased person %(number)s")

# --- what apps hold about a person ------------------------------------------------------------------

PersonalData = Callable[..., object]
_PERSONAL_DATA: dict[str, PersonalData] = {}


def register_personal_data(name: str):
    """Register ``func(*, user) -> JSON-serialisable`` (lists of dicts): the section ``name`` of a
    person's download."""

    def decorator(func: PersonalData) -> PersonalData:
        _PERSONAL_DATA[name] = func
        return func

    return decorator


@dataclass(frozen=True)
class OpenWork:
    """A kind of open work a person can own: ``count(*, user) -> int`` says how much they own,
    ``reassign(*, user, successor, actor) -> int`` gives it to ``successor`` (through the app's services,
    with history) and may raise ValidationError when the successor cannot take it."""

    name: str
    label: str
    count: Callable[..., int]
    reassign: Callable[..., int]


_OPEN_WORK: dict[str, OpenWork] = {}


def register_open_work(name: str, *, label, count: Callable[..., int], reassign: Callable[..., int]) -> None:
    """Register a kind of open work (``label``: a lazy translation with ``%(count)s``)."""
    _OPEN_WORK[name] = OpenWork(name=name, label=label, count=count, reassign=reassign)


def open_work_of(user: User) -> list[tuple[OpenWork, int]]:
    """The kinds of open work ``user`` owns, with how much of each (only those with any)."""
    return [(work, n) for work in _OPEN_WORK.values() if (n := work.count(user=user))]


def open_work_text(open_work: list[tuple[OpenWork, int]]) -> str:
    return ", ".join(str(work.label) % {"count": n} for work, n in open_work)


# --- the core's own ----------------------------------------------------------------------------------


def _rows(queryset, *fields) -> list[dict]:
    return list(queryset.values(*fields))


@register_personal_data("memberships")
def _memberships(*, user):
    return _rows(Membership.objects.filter(user=user), "unit_id", "unit__name", "role", "created_at")


@register_personal_data("notifications")
def _notifications(*, user):
    return _rows(Notification.objects.filter(recipient=user), "verb", "title", "body", "url", "created_at", "read_at")


@register_personal_data("actions")
def _actions(*, user):
    fields = ("id", "title", "description", "kind", "unit__name", "owner_id", "created_by_id", "status")
    return _rows(Action.objects.filter(Q(owner=user) | Q(created_by=user)), *fields, "due_date", "completed_at")


@register_personal_data("trainings")
def _trainings(*, user):
    return _rows(
        TrainingAssignment.objects.filter(user=user),
        "course__title",
        "course__organisation__name",
        "year",
        "completed_on",
    )


@register_personal_data("api_tokens")
def _api_tokens(*, user):
    return _rows(ApiToken.objects.filter(user=user), "name", "prefix", "created_at", "expires_at", "last_used_at")


@register_personal_data("security_events")
def _security_events(*, user):
    events = SecurityEvent.objects.filter(Q(user=user) | Q(user__isnull=True, username=user.username))
    return _rows(events, "created_at", "kind", "username", "ip_address", "path", "detail")


@register_personal_data("profile_history")
def _profile_history(*, user):
    return _rows(
        User.history.filter(id=user.pk),
        "history_date",
        "history_type",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "language",
    )


def _open_actions(user):
    return Action.objects.filter(owner=user, status__in=OPEN_ACTION_STATUSES)


def _reassign_actions(*, user, successor, actor) -> int:
    actions = list(_open_actions(user).select_related("unit"))
    for action in actions:
        action_update(actor=actor, action=action, check_permission=False, owner=successor)
    return len(actions)


def _reassign_reports(*, user, successor, actor) -> int:
    """The people the person managed get the successor as their manager (escalations go there)."""
    reports = list(User.objects.filter(manager=user).exclude(pk=successor.pk))
    for person in reports:
        person.manager = successor
        save_validated(person, actor=actor, exclude=["password"], reason=system_note(gettext_lazy("Manager erased")))
    User.objects.filter(manager=user, pk=successor.pk).update(manager=None)
    return len(reports)


register_open_work(
    "actions",
    label=gettext_lazy("%(count)s open action(s)"),
    count=lambda *, user: _open_actions(user).count(),
    reassign=_reassign_actions,
)
register_open_work(
    "reports",
    label=gettext_lazy("manager of %(count)s person(s)"),
    count=lambda *, user: User.objects.filter(manager=user).count(),
    reassign=_reassign_reports,
)


# --- the services ------------------------------------------------------------------------------------


def personal_data_export(*, user: User, request=None) -> dict:
    """Everything the system holds about ``user``, as JSON-serialisable data (dates as ISO text by the
    caller's encoder); the download is written to the security log."""
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "person": {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "language": user.language,
            "email_notifications": user.email_notifications,
            "is_active": user.is_active,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "manager": str(user.manager) if user.manager_id else None,
        },
    }
    for name, func in _PERSONAL_DATA.items():
        data[name] = func(user=user)
    security_event_log(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED, request=request, user=user)
    return data


def is_erased(user: User) -> bool:
    return user.username == ERASED_USERNAME.format(pk=user.pk)


def _end_sessions(user: User) -> int:
    """Delete the person's sessions (the unusable password ends them anyway at their next request)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _end_devices(user: User) -> int:
    if not apps.is_installed("django_otp"):
        return 0
    from django_otp import devices_for_user

    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)


@transaction.atomic
def user_erase(*, actor: User, user: User, successor: User | None = None, request=None) -> User:
    """Erase ``user`` (SPEC 8): anonymise them under a pseudonym and end their access, keeping every
    record they took part in. Refused while they own open work, unless ``successor`` takes it over."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_manage_user(actor, user):
        deny(_("You cannot erase this person: they also belong to units you do not administer."))
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot erase yourself."))
    if is_erased(user):
        raise ValidationError(_("This person has been erased already."))
    open_work = open_work_of(user)
    reassigned = ""
    if open_work:
        if successor is None:
            raise ValidationError(
                {
                    "successor": _("%(person)s still owns open work: %(work)s. Choose who takes it over.")
                    % {"person": user, "work": open_work_text(open_work)}
                }
            )
        if successor.pk == user.pk or not successor.is_active:
            raise ValidationError({"successor": _("Choose another, active person to take the work over.")})
        if not User.objects.visible_to(actor).filter(pk=successor.pk).exists():
            raise ValidationError({"successor": _("Choose a person you can see.")})
        for work, _count in open_work:
            work.reassign(user=user, successor=successor, actor=actor)
        reassigned = f"; open work to person #{successor.pk}: {open_work_text(open_work)}"

    old_username = user.username
    pseudonym = system_note(PSEUDONYM, number=user.pk)
    personal = {"username": ERASED_USERNAME.format(pk=user.pk), "first_name": pseudonym, "last_name": "", "email": ""}
    for field, value in personal.items():
        setattr(user, field, value)
    user.is_active = False
    user.email_notifications = False
    user.manager = None
    user.set_unusable_password()
    user._history_user = actor
    user._change_reason = system_note(gettext_lazy("Erased"))
    user.save()
    # The person's own history shows the pseudonym only; who changed what keeps pointing at this row.
    User.history.filter(id=user.pk).update(**personal)
    SecurityEvent.objects.filter(Q(user=user) | Q(user__isnull=True, username=old_username)).update(
        username=personal["username"]
    )
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username=old_username).update(username=personal["username"])
    Notification.objects.filter(recipient=user).delete()
    tokens_revoke_all(user=user, reason="person erased", request=request)
    _end_sessions(user)
    _end_devices(user)
    security_event_log(
        kind=SecurityEventKind.PERSON_ERASED,
        request=request,
        user=actor,
        detail=f"person #{user.pk} erased as {pseudonym}{reassigned}"[:500],
    )
    return user
