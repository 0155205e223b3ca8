from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qms.models import Notification

# The main navigation: (label, url name, icon). Each app's start page.
NAVIGATION = [
    (_("Dashboard"), "dashboard", "speedometer2"),
    (_("Risks"), "risks:index", "shield-exclamation"),
    (_("KPIs"), "kpis:index", "graph-up"),
    (_("Incidents"), "incidents:index", "life-preserver"),
    (_("Audits"), "audits:index", "clipboard-check"),
    (_("My actions"), "qms:my_actions", "check2-square"),
]


def navigation(request):
    context = {"navigation": NAVIGATION, "site_name": settings.SITE_NAME, "languages": settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notification_count"] = Notification.objects.visible_to(user).unread().count()
    return context
