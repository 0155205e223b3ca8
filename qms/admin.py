"""Django admin for system administrators. Day-to-day work happens in the application's own pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from qms.models import Action, ApiToken, EscalationLog, Membership, Notification, OrganisationUnit, SecurityEvent, User


@admin.register(OrganisationUnit)
class OrganisationUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]

    def has_add_permission(self, request):
        # The path of a unit is kept by qms.services.organisation: add units in the application.
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("QMS", {"fields": ["manager", "language", "email_notifications"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "unit", "owner", "due_date", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Notification)
admin.site.register(EscalationLog)
admin.site.register(ApiToken, list_display=["prefix", "user", "name", "created_at", "expires_at", "last_used_at"])
