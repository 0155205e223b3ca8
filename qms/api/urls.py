"""The one API router, under /api/v1/. The core's routes are here; every domain app lists its own
as ``routes`` in ``<app>/api/urls.py``."""

from importlib import import_module

from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter

from qms.api.views import (
    ActionViewSet,
    CourseViewSet,
    MembershipViewSet,
    OrganisationUnitViewSet,
    TokenView,
    TrainingAssignmentViewSet,
    UserViewSet,
)

DOMAIN_APPS = ["risks", "kpis", "incidents", "audits", "reviews"]

routes = [
    ("units", OrganisationUnitViewSet, "unit"),
    ("users", UserViewSet, "user"),
    ("memberships", MembershipViewSet, "membership"),
    ("actions", ActionViewSet, "action"),
    ("courses", CourseViewSet, "course"),
    ("training-assignments", TrainingAssignmentViewSet, "training-assignment"),
]

router = DefaultRouter()
router.include_format_suffixes = False
for app_routes in [routes, *(import_module(f"{app}.api.urls").routes for app in DOMAIN_APPS)]:
    for prefix, viewset, basename in app_routes:
        router.register(prefix, viewset, basename=basename)


@csrf_exempt  # whatever the method: a 404, not the CSRF failure page
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/ (``risks/1.5/``, ``risk/``) answers JSON like the API, not the site's
    HTML page. Only paths that end in a slash: Django redirects the others to theirs (APPEND_SLASH)."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    *router.urls,
    re_path(r"^[\s\S]*/$", not_found),  # [\s\S], not ".": a path with a newline in it is no exception
]
