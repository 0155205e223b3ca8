from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qms.choices import Role
from qms.models import Notification
from qms.scoping import scope_for

# The main navigation: (label, url name, icon). Each app's start page.
NAVIGATION = [
    (_("Dashboard"), "dashboard", "speedometer2"),
    (_("Risks"), "risks:index", "shield-exclamation"),
    (_("KPIs"), "kpis:index", "graph-up"),
    (_("Incidents"), "incidents:index", "life-preserver"),
    (_("Audits"), "audits:index", "clipboard-check"),
    (_("Training"), "qms:my_trainings", "mortarboard"),
    (_("My actions"), "qms:my_actions", "check2-square"),
]


def navigation(request):
    # Once per request: every RequestContext runs the context processors again (django-tables2 renders
    # each TemplateColumn cell with one), and the counts below are queries.
    cached = getattr(request, "_qms_navigation", None)
    if cached is None:
        cached = request._qms_navigation = _navigation(request)
    return cached


def _navigation(request):
    context = {"navigation": NAVIGATION, "site_name": settings.SITE_NAME, "languages": settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notification_count"] = Notification.objects.visible_to(user).unread().count()
        if scope_for(user).roles() & {Role.BOARD_MEMBER, Role.GROUP_MANAGEMENT}:
            # Board members and group management see at once how many risks wait for their decision.
            from risks.selectors import queue_counts

            context["risk_queue_counts"] = queue_counts(user)
    return context
