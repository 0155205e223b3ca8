"""Small generic views every app's pages are built from (NetBox style).

Every view starts from ``queryset.visible_to(request.user)``: what the user may not see is a 404.
Writes go through services; a service's ValidationError re-renders the form with field messages,
its PermissionDenied answers 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from qms.exports import EXPORT_FORMATS, export_response
from qms.history import history_entries
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for
from qms.services.probes import probe_log


def safe_url(request, url: str | None, default: str | None = None) -> str | None:
    """``url`` if it stays on this site (a relative path or this host, with a safe scheme), else
    ``default``: the one check before any redirect to an address the request or a record supplied."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def safe_next(request, default: str | None = None) -> str | None:
    """Where a form goes back to: its ``next`` field or parameter when safe, else ``default``."""
    return safe_url(request, request.POST.get("next") or request.GET.get("next"), default)


def get_visible_or_404(request, queryset, **lookup):
    """The one object of ``queryset`` (already ``visible_to(request.user)``) matching ``lookup``, else a
    404 that reads the same whether the record exists elsewhere or not; a record that exists out of
    sight is written to the security log (``probe_log``)."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        probe_log(request=request, model=queryset.model, lookup=lookup)
        raise Http404 from None


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for a page's message."""
    return " ".join(str(message) for message in error.messages)


def mark_saved_views(request, views: list[dict], ignore=("page", "sort", "export", "per_page")) -> list[dict]:
    """Saved views of a list (each a dict with its ``query``), the one the request shows marked
    ``active``: the same parameters in any order, paging, sorting and export aside."""
    query = request.GET.copy()
    for name in ignore:
        query.pop(name, None)
    current = sorted(query.urlencode().split("&")) if query else None
    for view in views:
        view["active"] = current == sorted(view["query"].split("&"))
    return views


def organisation_from_query(request, param: str = "organisation"):
    """The organisations the person sees (by name) and the one a report page shows: ``?organisation=<id>``
    among them (a malformed id, or one out of sight, is a 404, logged like any probe), else the first."""
    organisations = list(organisations_for(request.user, Purpose.SEE).order_by("name"))
    asked = request.GET.get(param)
    if not asked:
        return organisations, (organisations[0] if organisations else None)
    if not asked.isdigit() or len(asked) > 18:
        raise Http404
    for organisation in organisations:
        if organisation.pk == int(asked):
            return organisations, organisation
    get_visible_or_404(request, OrganisationUnit.objects.none(), pk=int(asked))


class ScopedQuerysetMixin:
    queryset = None

    def get_queryset(self):
        return self.queryset.all().visible_to(self.request.user)


class ObjectListView(ScopedQuerysetMixin, SingleTableMixin, FilterView):
    """A filtered, sortable, paginated table with CSV/XLSX export (``?export=csv|xlsx``).

    With htmx, only the table is sent back, so filtering does not reload the page.
    """

    template_name = "generic/object_list.html"
    title = ""
    add_url_name = None
    export_name = None

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["generic/_table_block.html"]
        return [self.template_name]

    def can_add(self) -> bool:
        return False

    def export(self, fmt):
        filterset = self.filterset_class(self.request.GET, queryset=self.get_queryset(), request=self.request)
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        table = self.table_class(queryset)
        RequestConfig(self.request, paginate=False).configure(table)
        return export_response(
            rows=table.as_values(), name=str(self.export_name or self.title), fmt=fmt, request=self.request
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title,
            can_add=self.can_add(),
            add_url_name=self.add_url_name,
            querystring=query.urlencode(),
            export_formats=EXPORT_FORMATS,
        )
        return context


class ObjectMixin(ScopedQuerysetMixin):
    """Fetches the object through the scoped queryset, so a guessed id of someone else's record is a 404
    (and a line in the security log)."""

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = get_visible_or_404(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        return self._object


class ObjectDetailView(ObjectMixin, TemplateView):
    tab = "details"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.get_object(), tab=self.tab)
        return context


class ObjectHistoryView(ObjectDetailView):
    """The History tab: every change with who, when, which fields, old and new values."""

    template_name = "generic/object_history.html"
    tab = "history"
    detail_template = "generic/object_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = self.history(context["object"])
        context["object_template"] = self.detail_template
        return context

    def history(self, obj):
        """The entries to show; a page whose record has parts (a unit's roles) merges theirs in."""
        return history_entries(obj, reader=self.request.user)


class ServiceFormView(FormView):
    """A form whose valid data goes to a service. Subclasses implement ``perform(form)`` (return the
    object to go to next) and may set ``success_message``."""

    template_name = "generic/object_edit.html"
    success_message = ""

    def perform(self, form):
        raise RuntimeError(f"{type(self).__name__} must implement perform()")

    def form_valid(self, form):
        try:
            with transaction.atomic():
                result = self.perform(form)
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url(result))

    def get_success_url(self, result=None):
        return result.get_absolute_url()


class ObjectEditView(ObjectMixin, ServiceFormView):
    """Add (no pk) or edit (pk) one object through its services."""

    form_class = None
    model_name = ""

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object() if "pk" in kwargs else None
        if request.user.is_authenticated and not self.has_permission():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def has_permission(self) -> bool:
        return False

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        self.limit_choices(form)
        return form

    def limit_choices(self, form):
        """Limit the form's choices to what the user may see (override per view)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, title=self.get_title())
        return context

    def get_title(self):
        if self.object is not None:
            return _("Edit %(object)s") % {"object": self.object}
        # capfirst: a Dutch title starts with the (lower-case) model name: "Doelstelling toevoegen".
        return capfirst(
            _("Add %(model)s") % {"model": self.model_name or self.form_class._meta.model._meta.verbose_name}
        )
