"""Pages of KPIs and their measurements: the overview of KPIs, a KPI's page with its chart, its
measurements (entered, corrected, imported), and the default KPI set.

Every page starts from ``visible_to(user)`` (out of sight is a 404); every write goes to a service.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from django_filters.views import FilterView
from django_tables2 import RequestConfig

from kpis import imports
from kpis.choices import STATUS_COLOURS, Direction, KpiStatus
from kpis.filtersets import KpiFilterSet
from kpis.forms import CorrectionForm, DefaultsForm, ImportForm, KpiForm, MeasurementForm
from kpis.models import Kpi, KpiMeasurement
from kpis.selectors.kpis import chart_series, kpi_detail, kpi_tiles, next_period_to_measure
from kpis.services import kpis as services
from kpis.tables import KpiMeasurementTable, KpiTable
from kpis.templatetags.kpi_tags import kpi_number
from qms.choices import CONTRIBUTOR_ROLES, Role
from qms.exports import EXPORT_FORMATS, export_response
from qms.forms import scope_form_querysets
from qms.imports import ImportFileError, ImportResult, Row, import_limits
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for, scope_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ScopedQuerysetMixin,
    ServiceFormView,
    get_visible_or_404,
)

KPIS = Kpi.objects.select_related("org_unit", "organisation", "owner")


def configures_kpis_somewhere(user) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or bool(scope.roles() & {Role.ADMINISTRATOR, Role.QUALITY_OFFICER})


def contributes_somewhere(user) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or bool(scope.roles() & CONTRIBUTOR_ROLES)


# --- KPIs ---------------------------------------------------------------------------------------


class KpiOverviewView(ScopedQuerysetMixin, FilterView):
    """A tile per KPI: latest value and status, a sparkline, the trend and the missing periods,
    filtered by unit and category; ``?export=csv|xlsx`` exports the filtered KPIs as a table."""

    queryset = KPIS.with_latest()
    filterset_class = KpiFilterSet
    template_name = "kpis/kpi_overview.html"
    paginate_by = 48

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
            table = KpiTable(filterset.qs if filterset.is_valid() else Kpi.objects.none())
            RequestConfig(request, paginate=False).configure(table)
            return export_response(rows=table.as_values(), name="kpis", fmt=fmt, request=request)
        return super().get(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:
            kwargs["data"] = {"is_active": "true"}
        return kwargs

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["kpis/_kpi_tiles.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=_("KPIs"),
            tiles=kpi_tiles(context["object_list"]),
            can_configure=configures_kpis_somewhere(self.request.user),
            can_import=contributes_somewhere(self.request.user),
            querystring=query.urlencode(),
            export_formats=EXPORT_FORMATS,
            section="kpis",
        )
        return context


def chart_data(kpi: Kpi, measurements) -> dict:
    """What the chart script draws: the series, the norm bands and the labels, in the page's language.
    Every period is on the axis: one without a measurement has no value (a gap in the line)."""
    series = chart_series(kpi, list(measurements))
    return {
        "periods": [str(period) for period, _measurement in series],
        "values": [None if measurement is None else float(measurement.value) for _period, measurement in series],
        "statuses": [None if measurement is None else measurement.status for _period, measurement in series],
        "target": float(kpi.target),
        "good": float(kpi.good_threshold),
        "acceptable": float(kpi.acceptable_threshold),
        "higherIsBetter": kpi.direction == Direction.HIGHER_IS_BETTER,
        "unit": kpi.display_measure_unit,
        "labels": {
            "value": str(kpi.display_name),
            "target": _("Target"),
            "missing": _("No measurement"),
            KpiStatus.GREEN: str(KpiStatus.GREEN.label),
            KpiStatus.AMBER: str(KpiStatus.AMBER.label),
            KpiStatus.RED: str(KpiStatus.RED.label),
        },
    }


class KpiDetailView(ObjectDetailView):
    queryset = KPIS.with_latest()
    template_name = "kpis/kpi_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpi = context["object"]
        detail = kpi_detail(kpi)
        table = KpiMeasurementTable(list(reversed(detail["measurements"])), orderable=False)
        RequestConfig(self.request, paginate={"per_page": 24}).configure(table)
        can_enter = services.can_enter_measurements(self.request.user, kpi)
        measured = {measurement.period for measurement in detail["measurements"]}
        suggested = next_period_to_measure(kpi, measured) if can_enter else None
        context.update(
            detail=detail,
            trend=detail["trend"],
            missing=detail["missing"],
            table=table,
            chart=chart_data(kpi, detail["measurements"]),
            can_enter=can_enter,
            can_configure=services.can_configure_kpis(self.request.user, kpi.org_unit),
            measurement_form=MeasurementForm(initial={"period": str(suggested or "")}) if can_enter else None,
            effects=kpi.intended_effects.visible_to(self.request.user).select_related("action"),
            key_results=kpi.key_results.visible_to(self.request.user).select_related("objective"),
            status_colour=STATUS_COLOURS.get(kpi.latest_status, "secondary"),
            section="kpis",
        )
        return context


class KpiHistoryView(ObjectHistoryView):
    queryset = KPIS.with_latest()
    detail_template = "kpis/kpi_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "kpis"}


class KpiEditView(ObjectEditView):
    queryset = KPIS
    form_class = KpiForm

    def has_permission(self):
        if self.object is not None:
            return services.can_configure_kpis(self.request.user, self.object.org_unit)
        return configures_kpis_somewhere(self.request.user)

    def limit_choices(self, form):
        form.fields["org_unit"].queryset = scope_for(self.request.user).units_with_role(
            Role.ADMINISTRATOR, Role.QUALITY_OFFICER
        )
        scope_form_querysets(form, self.request.user, ["owner"])
        if self.object is not None:
            form.fields["org_unit"].disabled = True

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.object is None:
            return services.kpi_create(actor=self.request.user, **data)
        data.pop("org_unit", None)
        return services.kpi_update(actor=self.request.user, kpi=self.object, **data)


class KpiDefaultsView(ServiceFormView):
    """Give an organisation the default KPI set of SPEC 4: one created before organisations got it as
    they were created, or one whose creator could not own its KPIs (a POST; adds only missing codes)."""

    form_class = DefaultsForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not configures_kpis_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["organisation"].queryset = organisations_for(
            self.request.user, Purpose.ACT, roles=(Role.ADMINISTRATOR, Role.QUALITY_OFFICER)
        )
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("Add the default KPI set")}

    def perform(self, form):
        created = services.kpi_defaults_create(actor=self.request.user, organisation=form.cleaned_data["organisation"])
        messages.success(
            self.request,
            ngettext("%(count)s KPI added.", "%(count)s KPIs added.", len(created)) % {"count": len(created)},
        )
        return created

    def get_success_url(self, result=None):
        return reverse("kpis:index")


class KpiMixin:
    """The KPI of the URL, through the scoped queryset; only those who may measure it get further."""

    def dispatch(self, request, *args, **kwargs):
        self.kpi = get_visible_or_404(request, KPIS.visible_to(request.user), pk=kwargs["pk"])
        if not services.can_enter_measurements(request.user, self.kpi):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MeasurementAddView(KpiMixin, ServiceFormView):
    form_class = MeasurementForm
    template_name = "kpis/measurement_form.html"

    def get_initial(self):
        period = self.request.GET.get("period", "")
        if not period:
            measured = set(self.kpi.measurements.values_list("period", flat=True))
            period = str(next_period_to_measure(self.kpi, measured) or "")
        return {"period": period}

    def existing_measurement(self, form):
        """The measurement of the period the form names, if it has one: the page links to its
        correction instead of accepting a second value."""
        if not form.is_bound:
            return None
        try:
            period = self.kpi.period(form.data.get("period"))
        except ValidationError:
            return None
        return self.kpi.measurements.filter(period=str(period)).first()

    def get_context_data(self, **kwargs):
        title = _("Add a measurement of %(kpi)s") % {"kpi": self.kpi}
        context = super().get_context_data(**kwargs)
        return context | {"title": title, "object": self.kpi, "existing": self.existing_measurement(context["form"])}

    def perform(self, form):
        return services.measurement_record(actor=self.request.user, kpi=self.kpi, **form.cleaned_data)

    def get_success_url(self, result=None):
        messages.success(self.request, _("Measurement of %(period)s saved.") % {"period": result.period})
        return self.kpi.get_absolute_url()


class MeasurementCorrectView(ServiceFormView):
    form_class = CorrectionForm

    def dispatch(self, request, *args, **kwargs):
        self.measurement = get_visible_or_404(
            request, KpiMeasurement.objects.visible_to(request.user).select_related("kpi__org_unit"), pk=kwargs["pk"]
        )
        if not services.can_enter_measurements(request.user, self.measurement.kpi):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"value": kpi_number(self.measurement.value), "note": self.measurement.note}

    def get_context_data(self, **kwargs):
        title = _("Correct the measurement of %(kpi)s for %(period)s") % {
            "kpi": self.measurement.kpi,
            "period": self.measurement.period,
        }
        return super().get_context_data(**kwargs) | {"title": title, "object": self.measurement.kpi}

    def perform(self, form):
        return services.measurement_correct(actor=self.request.user, measurement=self.measurement, **form.cleaned_data)

    def get_success_url(self, result=None):
        messages.success(self.request, _("Measurement corrected."))
        return self.measurement.kpi.get_absolute_url()


class MeasurementHistoryView(ObjectHistoryView):
    queryset = KpiMeasurement.objects.select_related("kpi")
    detail_template = "kpis/measurement_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "kpis"}


class ImportView(View):
    """Import a CSV or XLSX file on the shared pipeline (``qms.imports``): all or nothing, with a report
    of every bad row (``generic/_import_report.html``). Subclasses read the file (``read``) and import
    its rows through their service (``run``)."""

    template_name = ""
    form_class = None
    title = ""
    title_label = ""  # the heading of the report's column that names each row
    section = "import"
    success_url = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not contributes_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form(self, *args):
        return self.form_class(*args)

    def render(self, form, **context):
        context = {
            "form": form,
            "title": self.title,
            "title_label": self.title_label,
            "section": self.section,
            **import_limits(),
            **context,
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        return self.render(self.form())

    def read(self, form) -> list[Row]:
        raise NotImplementedError

    def run(self, form, rows: list[Row]) -> ImportResult:
        raise NotImplementedError

    def saved(self, count: int) -> str:
        raise NotImplementedError

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        try:
            rows = self.read(form)
        except ImportFileError as error:
            form.add_service_error(error)
            return self.render(form)
        if not rows:
            form.add_error("file", _("The file has no rows to import."))
            return self.render(form)
        result = self.run(form, rows)
        if not result.ok:
            return self.render(form, result=result)
        messages.success(request, self.saved(result.created))
        return HttpResponseRedirect(self.success_url)


class MeasurementImportView(ImportView):
    """Import measurements from a CSV or XLSX file: all or nothing, with a report of every bad row."""

    template_name = "kpis/measurement_import.html"
    form_class = ImportForm
    title = gettext_lazy("Import measurements")
    title_label = gettext_lazy("KPI")
    success_url = reverse_lazy("kpis:index")

    def form(self, *args):
        form = ImportForm(*args)
        organisations = Kpi.objects.visible_to(self.request.user).values("organisation")
        form.fields["organisation"].queryset = OrganisationUnit.objects.filter(pk__in=organisations)
        return form

    def read(self, form):
        return imports.read_measurements(form.cleaned_data["file"])

    def run(self, form, rows):
        return imports.measurements_import(
            actor=self.request.user, organisation=form.cleaned_data["organisation"], rows=rows
        )

    def saved(self, count):
        return ngettext("%(count)s measurement imported.", "%(count)s measurements imported.", count) % {"count": count}
