from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.choices import ALLOWED_PARENT_KINDS, ROLE_UNIT_KINDS, Role, UnitKind
from qms.querysets import ScopedQuerySet


class OrganisationUnitQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        return self.filter(pk__in=scope.visible_unit_pks())

    def active(self):
        return self.filter(is_active=True)


class OrganisationUnit(models.Model):
    """A node of the organisation tree: group -> organisation -> business unit -> team.

    ``path`` ("/1/4/9/") is the chain of ids from the root, kept by the unit services, so that a
    subtree is one indexed prefix query.
    """

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=50,
        blank=True,
        help_text=_("Optional short code used by other systems (for example the HR system's unit code)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    two_factor_required = models.BooleanField(
        _("two-factor login required"),
        default=False,
        editable=False,
        help_text=_("Everyone with a role in this organisation logs in with a code from an authenticator app."),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, blank=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["path", "depth", "updated_at"])
    objects = OrganisationUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="unit_code_unique",
                violation_error_message=_("Another unit already has this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values),
                name="unit_kind_valid",
                violation_error_message=_("Unknown unit kind."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("qms:unit_detail", args=[self.pk])

    def clean(self):
        parent_kind = self.parent.kind if self.parent_id else None
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, set())
        if self.kind and parent_kind not in allowed:
            if parent_kind is None:
                message = _("A %(kind)s must have a parent unit.") % {"kind": self.get_kind_display().lower()}
            else:
                message = _("A %(kind)s cannot be placed under a %(parent)s.") % {
                    "kind": self.get_kind_display().lower(),
                    "parent": self.parent.get_kind_display().lower(),
                }
            raise ValidationError({"parent": message})
        if self.pk and self.parent_id and f"/{self.pk}/" in self.parent.path:
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own units.")})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, this unit included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self, include_self=True):
        ids = self.ancestor_ids if include_self else self.ancestor_ids[:-1]
        return OrganisationUnit.objects.filter(pk__in=ids).order_by("depth")

    def descendants(self, include_self=True):
        qs = OrganisationUnit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: "OrganisationUnit") -> bool:
        """True if this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    @property
    def organisation(self) -> "OrganisationUnit":
        """The organisation this unit belongs to (itself for an organisation, itself for a group)."""
        if self.kind in (UnitKind.ORGANISATION, UnitKind.GROUP):
            return self
        for unit in self.ancestors(include_self=False).order_by("-depth"):
            if unit.kind in (UnitKind.ORGANISATION, UnitKind.GROUP):
                return unit
        return self


class MembershipQuerySet(ScopedQuerySet):
    pass


class Membership(models.Model):
    """A person's role in a unit. A person may hold several roles in several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        OrganisationUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__path", "user__last_name", "user__first_name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="membership_unique",
                violation_error_message=_("This person already has this role in this unit."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="membership_role_valid",
                violation_error_message=_("Unknown role."),
            ),
        ]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.unit}"

    def get_absolute_url(self):
        return reverse("qms:unit_detail", args=[self.unit_id])

    def clean(self):
        kinds = ROLE_UNIT_KINDS.get(self.role)
        if kinds and self.unit_id and self.unit.kind not in kinds:
            raise ValidationError(
                {
                    "role": _("The role %(role)s can only be held in a unit of kind: %(kinds)s.")
                    % {
                        "role": self.get_role_display(),
                        "kinds": ", ".join(str(UnitKind(kind).label).lower() for kind in sorted(kinds)),
                    }
                }
            )
