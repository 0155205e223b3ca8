"""The security log in the application, and the responsible-disclosure page (SPEC 8)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from qms.choices import Role
from qms.filtersets import SecurityEventFilterSet
from qms.models import SecurityEvent
from qms.scoping import scope_for
from qms.services.retention import retention_days
from qms.tables import SecurityEventTable
from qms.views.generic import ObjectListView

LOG_READERS = {Role.ADMINISTRATOR, Role.QUALITY_OFFICER}


def reads_security_log(user) -> bool:
    """Administrators and quality officers read the log of their units' people; superusers all of it."""
    scope = scope_for(user)
    return scope.sees_everything or bool(scope.roles() & LOG_READERS)


class SecurityEventListView(ObjectListView):
    """The security log: read-only, filtered, paginated and exported like every list. Nobody else has
    this page (404)."""

    queryset = SecurityEvent.objects.select_related("user")
    filterset_class = SecurityEventFilterSet
    table_class = SecurityEventTable
    title = _("Security log")
    export_name = "security-log"
    template_name = "qms/security/event_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reads_security_log(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["retention_days"] = retention_days("security_events")
        return context


@login_not_required
@require_GET
def responsible_disclosure(request):
    """How to report a vulnerability, and what the reporter may expect (linked from security.txt)."""
    contact = settings.SECURITY_CONTACT
    address = contact.removeprefix("mailto:")
    return render(
        request,
        "qms/security/responsible_disclosure.html",
        {"contact": contact, "contact_address": address, "is_mail": contact.startswith("mailto:")},
    )
