"""Notifications: in the application at once, by e-mail through the Celery worker after commit."""

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import formats, timezone, translation

from qms.models import Notification, User

logger = logging.getLogger(__name__)

# How long a sender holds a claimed e-mail before the sweep may take it again: a sender killed between
# claiming and sending leaves it due once this has passed (so a crash may, rarely, send one twice; a
# lost e-mail is worse). Much longer than one SMTP exchange.
EMAIL_CLAIM_SECONDS = 600


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
    now = timezone.now()
    for notification in notifications:
        if notification.recipient.email and notification.recipient.email_notifications:
            notification.email_due_at = now
    created = Notification.objects.bulk_create(notifications)
    to_email = [n.pk for n in created if n.email_due_at is not None]
    if to_email:
        transaction.on_commit(lambda: _enqueue_emails(to_email))
    return created


def _enqueue_emails(notification_ids: list[int]) -> None:
    """Hand the e-mails to the worker; if the broker is down, leave them to the periodic sweep
    (``notifications_send_due``): the change is committed and must not fail because Redis is away."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    from qms.tasks import send_notification_emails

    try:
        send_notification_emails.delay(notification_ids)
    except (OperationalError, RedisError, OSError) as exc:
        # No personal data: ids and the kind of error only.
        logger.warning(
            "broker unavailable (%s): %d notification e-mail(s) left to the periodic sweep",
            type(exc).__name__,
            len(notification_ids),
        )


def notifications_send_emails(*, notification_ids: list[int]) -> int:
    """E-mail the given notifications that are due and not e-mailed yet; return how many were sent.

    Each one is claimed with a conditional update first (its due time pushed ``EMAIL_CLAIM_SECONDS``
    ahead), so a retried, duplicated or concurrent task or sweep sends nothing twice; a sender killed
    after claiming leaves it due again once the claim has expired.
    """
    sent = 0
    connection = get_connection()
    now = timezone.now()
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True, email_due_at__lte=now
    ).select_related("recipient")
    for notification in pending:
        now = timezone.now()
        claimed = Notification.objects.filter(
            pk=notification.pk, emailed_at__isnull=True, email_due_at=notification.email_due_at
        ).update(email_due_at=now + datetime.timedelta(seconds=EMAIL_CLAIM_SECONDS))
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
            # Give the claim back so that the task's retry (or the sweep) sends it.
            Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(email_due_at=now)
            raise
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now(), email_due_at=None)
        sent += 1
    return sent


def notifications_send_due(*, limit: int = 500) -> int:
    """E-mail every notification whose e-mail is due and unsent (the oldest first, at most ``limit`` per
    run): those the broker never received while Redis was down, or whose sender died. Returns how many
    were sent."""
    due = Notification.objects.filter(emailed_at__isnull=True, email_due_at__lte=timezone.now()).order_by(
        "email_due_at", "pk"
    )
    ids = list(due.values_list("pk", flat=True)[:limit])
    return notifications_send_emails(notification_ids=ids) if ids else 0


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


def mail_mailboxes(*, addresses: Iterable[str], subject: str, body: str, url: str = "") -> None:
    """E-mail plain addresses (group mailboxes, which are no users and get no in-app notification) after
    the transaction commits, one message each. Written in the stored language by the caller. A mail server
    that is away is logged, not raised: the change is committed already."""
    addresses = [address for address in dict.fromkeys(addresses) if address]
    if not addresses:
        return
    if url:
        body = f"{body}\n\n{settings.SITE_URL}{url}".strip()
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"[:300]

    def send():
        connection = get_connection()
        for address in addresses:
            try:
                EmailMessage(subject=subject, body=body, to=[address], connection=connection).send()
            except Exception as exc:  # noqa: BLE001 - one mailbox failing must not stop the others
                logger.warning("group mailbox e-mail not sent (%s)", type(exc).__name__)

    transaction.on_commit(send)
