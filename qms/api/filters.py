"""The API's filter backend (the app's FilterSet, as in the UI: django-filter), and the check that a
request names only query parameters its operation takes."""

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filters: building the filter
    form (a copy of every filter, a form field each) costs milliseconds per request, and an empty form
    filters nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not set(request.query_params) & set(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


def ordering_param(view) -> str | None:
    """The name of the ordering parameter of the view's list, if it has one."""
    for backend in getattr(view, "filter_backends", []):
        if issubclass(backend, filters.OrderingFilter):
            return backend.ordering_param
    return None


def query_params_allowed(view) -> set[str]:
    """The query parameters the view's current operation takes: what its OpenAPI schema documents
    (``qms/api/schema.py``; ``tests/test_api_schema.py`` keeps the two in step), and DRF's ``format``.

    A list takes its filters, ``ordering`` and the page's ``limit`` and ``offset``; every operation
    takes the view's ``query_parameters`` (e.g. ``year`` of courses)."""
    allowed = {parameter.name for parameter in getattr(view, "query_parameters", [])}
    if api_settings.URL_FORMAT_OVERRIDE:
        allowed.add(api_settings.URL_FORMAT_OVERRIDE)
    if getattr(view, "action", None) == "list":
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        if ordering_param(view):
            allowed.add(ordering_param(view))
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            allowed |= {
                getattr(paginator, name)
                for name in ("limit_query_param", "offset_query_param", "page_query_param", "page_size_query_param")
                if getattr(paginator, name, None)
            }
    return allowed


def query_params_check(view, request) -> None:
    """A 400 naming every query parameter the operation does not take, and every field ``ordering``
    cannot sort by: a misspelt filter that is ignored answers rows the caller did not ask for."""
    allowed = query_params_allowed(view)
    errors = {
        name: [_("Unknown query parameter. This request takes: %(known)s.") % {"known": ", ".join(sorted(allowed))}]
        for name in sorted(set(request.query_params) - allowed)
    }
    param = ordering_param(view) if getattr(view, "action", None) == "list" else None
    fields = getattr(view, "ordering_fields", None)
    if param and isinstance(fields, list | tuple) and request.query_params.get(param):
        terms = [term.strip() for term in request.query_params[param].split(",")]
        wrong = [term for term in terms if term.lstrip("-") not in fields]
        if wrong:
            errors[param] = [
                _("Cannot order by %(wrong)s. Order by %(known)s (with - in front for descending).")
                % {"wrong": ", ".join(wrong), "known": ", ".join(fields)}
            ]
    if getattr(view, "action", None) == "list":
        errors.update(booleans_check(view, request))
        errors.update(empty_choices_check(view, request))
    if errors:
        raise ValidationError(errors)


BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0", ""}


def booleans_check(view, request) -> dict:
    """django-filter's yes/no filters read anything but true/false as "no filter": ``?is_active=h``
    answered every row. The API takes true or false (1 or 0) only, as the schema says."""
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:
        return {}
    return {
        name: [_("Give true or false.")]
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, django_filters.BooleanFilter)
        and any(value not in BOOLEAN_VALUES for value in request.query_params.getlist(name))
    }


def empty_choices_check(view, request) -> dict:
    """An empty value of a choice filter (``?awaiting=``) means "no filter" to django-filter, which the
    filter bar of the pages relies on; the API's schema lists the choices, so there it is a 400."""
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:
        return {}
    return {
        name: [_("Choose one of the listed values.")]
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter)
        and "" in request.query_params.getlist(name)
    }
