"""Django admin for system administrators. Day-to-day work happens in the application's own pages.

The admin writes through the services, as every other path does, or not at all: a unit's path, an
action's transitions and the hooks of the apps (a risk's measures) hold whatever the admin is used for.

- ``ServiceAdmin``: adding and changing call the model's services (``create_object`` /
  ``update_object``) with the logged-in person as the actor. They run when the form is validated
  (inside the admin's transaction, in a savepoint of their own), so that a service's refusal shows on
  the form like any other error and nothing is saved; the admin's own ``save_model`` saves nothing.
- ``ReadOnlyAdmin``: records that only their workflow writes (notifications, escalations, the security
  log): to look at.
- History can be read, never reverted (``SIMPLE_HISTORY_REVERT_DISABLED``; a revert posted anyway is
  refused): an old version saved back would bypass the services.

Deleting is possible only where a service deletes (memberships, API tokens).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from qms.models import (
    Action,
    ApiToken,
    EscalationLog,
    Membership,
    Notification,
    OrganisationUnit,
    RetentionRun,
    SecurityEvent,
    User,
)
from qms.services.actions import ACTION_FIELDS, action_create, action_set_status, action_update
from qms.services.organisation import (
    UNIT_FIELDS,
    USER_FIELDS,
    membership_create,
    membership_delete,
    unit_create,
    unit_update,
    user_create,
    user_update,
)
from qms.services.security import token_revoke, tokens_revoke_all


def add_service_error(form, error: ValidationError) -> None:
    """A service's ValidationError on the fields it names, or on the form where the form has no such field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class HistoryAdmin(SimpleHistoryAdmin):
    """The history of a record, to read."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a posted old version whatever SIMPLE_HISTORY_REVERT_DISABLED says.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceAdmin(HistoryAdmin):
    """Adds and changes through the services (see the module's docstring)."""

    def create_object(self, request, data: dict):
        raise NotImplementedError

    def update_object(self, request, obj, data: dict):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    # One savepoint: a refusal of a later call undoes the earlier ones (action_update,
                    # then action_set_status).
                    with transaction.atomic():
                        if self.instance.pk is None:
                            self.instance = model_admin.create_object(request, self.cleaned_data)
                        else:
                            self.instance = model_admin.update_object(request, self.instance, self.cleaned_data)
                except ValidationError as error:
                    add_service_error(self, error)
                except PermissionDenied as error:
                    self.add_error(None, str(error) or _("You do not have permission to do this."))

        ServiceForm.__name__ = base.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        pass  # saved by the service when the form was validated


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only their workflow writes: no adding, changing or deleting here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganisationUnit)
class OrganisationUnitAdmin(ServiceAdmin):
    list_display = ["name", "kind", "parent", "code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "kind", "parent", "description", "is_active", "path", "depth"]
    readonly_fields = ["path", "depth"]

    def create_object(self, request, data):
        # unit_create gives the unit its path and a new organisation its defaults (score areas, KPI set).
        return unit_create(actor=request.user, **{name: data[name] for name in UNIT_FIELDS})

    def update_object(self, request, obj, data):
        # unit_update moves the subtree's paths along with a new parent.
        return unit_update(actor=request.user, unit=obj, **{name: data[name] for name in UNIT_FIELDS})

    def has_delete_permission(self, request, obj=None):
        return False  # no service removes a unit: deactivate it


class PasswordChangeForm(AdminPasswordChangeForm):
    """A new password ends every API token made with the old one, as in ``user_update``."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            tokens_revoke_all(user=user, reason="password set in the admin")
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ServiceAdmin):
    """People through ``user_create`` / ``user_update``; what only the admin knows (staff and superuser
    status, Django groups and permissions, which no service of the QMS reads) is saved by the admin
    after the service."""

    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        ("QMS", {"fields": ["is_active", "manager", "language", "email_notifications"]}),
        (_("Access to this administration"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = PasswordChangeForm
    admin_only_fields = ("is_staff", "is_superuser")

    def create_object(self, request, data):
        # Without a password (password-based authentication off) the person has an unusable one.
        password = data.get("password1") if data.get("set_usable_password", True) else None
        return user_create(actor=request.user, username=data["username"], password=password or None)

    def update_object(self, request, obj, data):
        user = user_update(actor=request.user, user=obj, **{name: data[name] for name in USER_FIELDS if name in data})
        changed = [name for name in self.admin_only_fields if name in data and getattr(user, name) != data[name]]
        for name in changed:
            setattr(user, name, data[name])
        if changed:
            user._history_user = request.user
            user.save(update_fields=changed)
        return user

    def has_delete_permission(self, request, obj=None):
        return False  # no service removes a person: deactivate them


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    """Roles are given (``membership_create``) and taken away (``membership_delete``), never changed."""

    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name"]
    fields = ["user", "unit", "role"]

    def create_object(self, request, data):
        return membership_create(actor=request.user, user=data["user"], unit=data["unit"], role=data["role"])

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        membership_delete(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for membership in queryset.select_related("unit", "user"):
                membership_delete(actor=request.user, membership=membership)


class ActionAdminForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Note on the status change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the action is cancelled; kept as its completion note."),
    )

    class Meta:
        model = Action
        fields = ["title", "description", "kind", "unit", "owner", "due_date", "status"]


@admin.register(Action)
class ActionAdmin(ServiceAdmin):
    """Actions through ``action_create``, ``action_update`` and ``action_set_status``: the transitions and
    the hooks of the apps whose records own actions (a risk's measures) hold here too."""

    form = ActionAdminForm
    list_display = ["title", "kind", "unit", "owner", "due_date", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    readonly_fields = [
        "completion_note",
        "completed_at",
        "source_content_type",
        "source_object_id",
        "created_by",
        "created_at",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:  # a new action is open
            return ["title", "description", "kind", "unit", "owner", "due_date"]
        return ["title", "description", "kind", "unit", "owner", "due_date", "status", "note", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # The unit of an action does not change (action_update does not move it).
        return [*self.readonly_fields, "unit"] if obj is not None else []

    def create_object(self, request, data):
        return action_create(
            actor=request.user,
            unit=data["unit"],
            owner=data["owner"],
            title=data["title"],
            due_date=data["due_date"],
            description=data["description"],
            kind=data["kind"],
        )

    def update_object(self, request, obj, data):
        action = action_update(actor=request.user, action=obj, **{name: data[name] for name in ACTION_FIELDS})
        if data["status"] != action.status:
            action = action_set_status(actor=request.user, action=action, status=data["status"], note=data["note"])
        return action

    def has_delete_permission(self, request, obj=None):
        return False  # no service removes an action: cancel it


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "verb", "title", "read_at", "resolved_at", "emailed_at"]
    list_filter = ["verb"]
    search_fields = ["title", "recipient__username"]


@admin.register(EscalationLog)
class EscalationLogAdmin(ReadOnlyAdmin):
    pass


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "total"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made by their owner in the application; the admin can only revoke one (``token_revoke``)."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request, obj):
        token_revoke(actor=request.user, token=obj, request=request)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for token in queryset:
                token_revoke(actor=request.user, token=token, request=request)
