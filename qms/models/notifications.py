from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        # A notification is personal: only its recipient ever sees it.
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def about(self, target):
        """The notifications whose target is ``target``."""
        return self.filter(target_content_type=ContentType.objects.get_for_model(target), target_object_id=target.pk)


class Notification(models.Model):
    """A message to one person, shown in the application and, if they want, sent by e-mail.

    Title and body are rendered in the recipient's language when the notification is created. A
    notification that asked for something (a decision) is resolved once that is done by anyone.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_content_type", "target_object_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when what the notification asked for was settled (the risk it asked to decide was decided): it
    # then reads as done, and is read.
    resolved_at = models.DateTimeField(_("done at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # Set when the e-mail is wanted; pushed forward while a sender holds it (a lease, so that a sender
    # killed between claiming and sending leaves it due again); cleared once sent. The periodic sweep
    # sends what is due and unsent (after Redis or a worker was down).
    email_due_at = models.DateTimeField(_("e-mail due at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            models.Index(
                fields=["email_due_at"], name="notification_email_due", condition=models.Q(email_due_at__isnull=False)
            ),
        ]

    def __str__(self):
        return self.title
