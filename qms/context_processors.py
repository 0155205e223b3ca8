from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qms.models import Notification
from qms.scoping import scope_for
from qms.views.security import reads_security_log

# The main navigation: (label, url name, icon). Each app's start page.
NAVIGATION = [
    (_("Dashboard"), "dashboard", "speedometer2"),
    (_("Risks"), "risks:index", "shield-exclamation"),
    (_("KPIs"), "kpis:index", "graph-up"),
    (_("Incidents"), "incidents:index", "life-preserver"),
    (_("Audits"), "audits:index", "clipboard-check"),
    (_("Management review"), "reviews:review_list", "journal-check"),
    (_("Training"), "qms:my_trainings", "mortarboard"),
    (_("My actions"), "qms:my_actions", "check2-square"),
]

# What the apps add to the navigation of a signed-in person (the risks waiting for their decision...):
# each app registers ``func(request, scope)`` in its AppConfig.ready, returning extra context (or {}).
# The core never imports an app for this.
NavigationContext = Callable[..., dict]
_NAVIGATION_CONTEXT: list[NavigationContext] = []


def register_navigation_context(func: NavigationContext) -> NavigationContext:
    """Register ``func(request, scope)``: its dict is added to every page's context for a signed-in person."""
    if func not in _NAVIGATION_CONTEXT:
        _NAVIGATION_CONTEXT.append(func)
    return func


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
        scope = scope_for(user)
        context["reads_security_log"] = reads_security_log(user)
        for extra in _NAVIGATION_CONTEXT:
            context.update(extra(request, scope))
    return context
