"""Notifications: in the application at once, by e-mail through the Celery worker after commit."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import formats, timezone, translation

from qms.models import Notification, User


def _format(value):
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (Decimal, float)):
        return formats.number_format(value)  # 88,4 in Dutch, 88.4 in English
    return str(value)


def _render(template, params: dict | None) -> str:
    if not template:
        return ""
    if not params:
        return str(template)
    return str(template) % {key: _format(value) for key, value in params.items()}


def notify(
    *,
    recipients: Iterable[User],
    verb: str,
    title,
    params: dict | None = None,
    body=None,
    body_params: dict | None = None,
    target=None,
    url: str = "",
    exclude: Iterable[User] = (),
) -> list[Notification]:
    """Notify each active recipient once, in their own language.

    ``title`` and ``body`` are (lazy) translatable templates filled with ``params``/``body_params``.
    E-mails go out after the transaction commits, so a rolled-back change sends nothing.
    """
    excluded = {user.pk for user in exclude}
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in excluded:
            unique.setdefault(user.pk, user)
    if not unique:
        return []
    if not url and target is not None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    notifications = []
    for user in unique.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            notifications.append(
                Notification(
                    recipient=user,
                    verb=verb,
                    title=_render(title, params)[:300],
                    body=_render(body, body_params),
                    url=url,
                    target=target,
                )
            )
    created = Notification.objects.bulk_create(notifications)
    to_email = [n.pk for n in created if n.recipient.email and n.recipient.email_notifications]
    if to_email:
        from qms.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(to_email))
    return created


def notifications_send_emails(*, notification_ids: list[int]) -> int:
    """E-mail the given notifications that have not been e-mailed yet; return how many were sent.

    Each one is claimed with a conditional update first, so a retried or duplicated task sends nothing twice.
    """
    sent = 0
    connection = get_connection()
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    for notification in pending:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.SITE_URL}{notification.url}".strip()
        message = EmailMessage(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{notification.title}",
            body=body,
            to=[notification.recipient.email],
            connection=connection,
        )
        try:
            message.send()
        except Exception:
            # Give the claim back so that the task's retry sends it.
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


def notification_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Mark one notification, or all of ``user``'s unread ones, as read."""
    unread = Notification.objects.visible_to(user).unread()
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())


def notifications_resolve(*, target, verbs: Iterable[str]) -> int:
    """Mark the unread notifications about ``target`` with one of ``verbs`` as done (and so read): what
    they asked for was settled, by their reader or by someone else (a risk that awaited a decision was
    decided). Returns how many were resolved. Call it in the transaction that settles ``target``, before
    notifying anew with the same verb (a next round's request stays unread)."""
    now = timezone.now()
    return Notification.objects.about(target).unread().filter(verb__in=list(verbs)).update(read_at=now, resolved_at=now)
