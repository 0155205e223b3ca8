from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.choices import Language, Role


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People who share a visible unit with ``user``, ``user`` themselves, and, for an
        administrator, the people they provisioned who have no membership yet (waiting for a role).
        Someone else's unassigned people (a superuser made with createsuperuser, say) stay out of sight."""
        from qms.models.units import Membership
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        if not user.is_authenticated:
            return self.none()
        in_scope = Membership.objects.visible_to(user).values("user_id")
        condition = models.Q(pk__in=in_scope) | models.Q(pk=user.pk)
        if scope.roles() & {Role.ADMINISTRATOR}:
            condition |= models.Q(provisioned_by=user) & ~models.Q(pk__in=Membership.objects.values("user_id"))
        return self.filter(condition)


class QmsUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person. What they may see and do follows from their memberships (unit + role)."""

    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text=_("Receives the escalations of this person's overdue actions."),
    )
    provisioned_by = models.ForeignKey(
        "self",
        verbose_name=_("provisioned by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The administrator who added this person; they manage them until they have a role."),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.DUTCH)
    email_notifications = models.BooleanField(
        _("e-mail notifications"),
        default=True,
        help_text=_("Also send notifications by e-mail, not only in the application."),
    )

    # Password hashes and login times stay out of the audit trail.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = QmsUserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("qms:user_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A person cannot be their own manager.")})
