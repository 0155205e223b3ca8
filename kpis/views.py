"""Pages of the KPI app: the overview of KPIs and a KPI's page with its chart, measurements (entered,
corrected, imported), feedback, the goal tree of objectives, and the effects of improvement actions.

Every page starts from ``visible_to(user)`` (out of sight is a 404); every write goes to a service.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from django_filters.views import FilterView
from django_tables2 import RequestConfig

from kpis import conf, imports, services
from kpis.choices import EFFECT_ACTION_KINDS, STATUS_COLOURS, Direction, EscalationStatus, KpiStatus
from kpis.filtersets import (
    FeedbackFilterSet,
    IntendedEffectFilterSet,
    KpiFilterSet,
    ObjectiveFilterSet,
)
from kpis.forms import (
    CorrectionForm,
    DefaultsForm,
    EffectConfirmForm,
    EscalationDecisionForm,
    FeedbackForm,
    FeedbackImportForm,
    ImportForm,
    IntendedEffectForm,
    KeyResultDeleteForm,
    KeyResultForm,
    KpiForm,
    MeasurementForm,
    ObjectiveForm,
)
from kpis.models import Feedback, FeedbackEscalation, IntendedEffect, KeyResult, Kpi, KpiMeasurement, Objective
from kpis.selectors import (
    baseline_measurement_count,
    chart_series,
    effects_per_unit,
    kpi_detail,
    kpi_tiles,
    new_organisations_of,
    next_period_to_measure,
    objective_node,
    objective_tree,
)
from kpis.tables import FeedbackTable, IntendedEffectTable, KpiMeasurementTable, KpiTable
from kpis.templatetags.kpi_tags import kpi_number
from qms.choices import CONTRIBUTOR_ROLES, Role, UnitKind
from qms.exports import EXPORT_FORMATS, export_response
from qms.forms import scope_form_querysets
from qms.history import merge_histories, records_history
from qms.models import Action, OrganisationUnit
from qms.scoping import scope_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedQuerysetMixin,
    ServiceFormView,
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
        if not getattr(request, "htmx", False):
            self.give_new_organisations_the_default_set()
        return super().get(request, *args, **kwargs)

    def give_new_organisations_the_default_set(self):
        """A new organisation gets the default KPI set of SPEC 4 the first time one of its quality
        officers or administrators opens the overview (they own the KPIs until they hand them over)."""
        for organisation in new_organisations_of(self.request.user):
            created = services.kpi_defaults_ensure(actor=self.request.user, organisation=organisation)
            if created:
                messages.info(
                    self.request,
                    ngettext(
                        "%(organisation)s had no KPIs yet: it has the default set now (%(count)s KPI), owned by "
                        "you. Give each KPI its owner on its page.",
                        "%(organisation)s had no KPIs yet: it has the default set now (%(count)s KPIs), owned by "
                        "you. Give each KPI its owner on its page.",
                        len(created),
                    )
                    % {"organisation": organisation, "count": len(created)},
                )

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
    """Give an organisation the default KPI set of SPEC 4."""

    form_class = DefaultsForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not configures_kpis_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["organisation"].queryset = (
            scope_for(self.request.user)
            .units_with_role(Role.ADMINISTRATOR, Role.QUALITY_OFFICER)
            .filter(kind=UnitKind.ORGANISATION)
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
        self.kpi = get_object_or_404(KPIS.visible_to(request.user), pk=kwargs["pk"])
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
        self.measurement = get_object_or_404(
            KpiMeasurement.objects.visible_to(request.user).select_related("kpi__org_unit"), pk=kwargs["pk"]
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
    """Import a CSV or XLSX file: all or nothing, with a report of every bad row. Subclasses read the
    file into rows and hand them to their service (``save``)."""

    template_name = ""
    form_class = None
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not contributes_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form(self, *args):
        return self.form_class(*args)

    def render(self, form, **context):
        context = {"form": form, "title": self.title, "section": "import", **context}
        return render(self.request, self.template_name, context)

    def get(self, request):
        return self.render(self.form())

    def save(self, form, read) -> list:
        raise NotImplementedError

    def saved(self, count: int) -> str:
        raise NotImplementedError

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        read = []
        try:
            with transaction.atomic():
                saved = self.save(form, read)
        except services.RowsInvalid as error:
            report = [
                {"line": read[index].line, "cells": read[index].cells, "errors": errors}
                for index, errors in sorted(error.rows.items())
            ]
            return self.render(form, report=report, row_count=len(read))
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render(form)
        except ValidationError as error:
            form.add_service_error(error)
            return self.render(form)
        messages.success(request, self.saved(len(saved)))
        return HttpResponseRedirect(self.success_url)


class MeasurementImportView(ImportView):
    """Import measurements from a CSV or XLSX file: all or nothing, with a report of every bad row."""

    template_name = "kpis/measurement_import.html"
    form_class = ImportForm
    title = gettext_lazy("Import measurements")
    success_url = reverse_lazy("kpis:index")

    def form(self, *args):
        form = ImportForm(*args)
        organisations = Kpi.objects.visible_to(self.request.user).values("organisation")
        form.fields["organisation"].queryset = OrganisationUnit.objects.filter(pk__in=organisations)
        return form

    def save(self, form, read):
        kpis = Kpi.objects.visible_to(self.request.user).filter(organisation=form.cleaned_data["organisation"])
        read.extend(imports.read_rows(form.cleaned_data["file"]))
        rows = imports.measurement_rows(read, {kpi.code: kpi for kpi in kpis.select_related("org_unit")})
        return services.measurements_record_many(actor=self.request.user, rows=rows)

    def saved(self, count):
        return ngettext("%(count)s measurement imported.", "%(count)s measurements imported.", count) % {"count": count}


class FeedbackImportView(ImportView):
    """Import feedback from a CSV or XLSX file (a survey tool's export): all or nothing, with a report
    of every bad row. Every row is flagged, assigned and escalated as feedback entered by hand is."""

    template_name = "kpis/feedback_import.html"
    form_class = FeedbackImportForm
    title = gettext_lazy("Import feedback")
    success_url = reverse_lazy("kpis:feedback_list")

    def form(self, *args):
        form = FeedbackImportForm(*args)
        form.fields["unit"].queryset = scope_for(self.request.user).units_with_role(*CONTRIBUTOR_ROLES)
        return form

    def render(self, form, **context):
        return super().render(form, section="feedback", **context)

    def save(self, form, read):
        read.extend(imports.read_rows(form.cleaned_data["file"], imports.FEEDBACK_COLUMNS, required=()))
        # A unit is named by its code or its name, among the units the user may see (the service
        # refuses a unit the user may not register feedback for).
        units_by_key = {}
        for unit in scope_for(self.request.user).visible_units().only("pk", "name", "code", "path"):
            units_by_key.setdefault(unit.name.strip().lower(), unit)
            if unit.code:
                units_by_key[unit.code.strip().lower()] = unit
        rows = imports.feedback_rows(read, units_by_key, default_unit=form.cleaned_data["unit"])
        return services.feedback_receive_many(actor=self.request.user, rows=rows)

    def saved(self, count):
        return ngettext("%(count)s piece of feedback imported.", "%(count)s pieces of feedback imported.", count) % {
            "count": count
        }


# --- feedback -----------------------------------------------------------------------------------


class FeedbackListView(ObjectListView):
    queryset = Feedback.objects.select_related("unit", "assigned_to", "follow_up")
    filterset_class = FeedbackFilterSet
    table_class = FeedbackTable
    template_name = "kpis/feedback_list.html"
    title = gettext_lazy("Customer feedback")
    export_name = "feedback"
    add_url_name = "kpis:feedback_add"

    def can_add(self):
        return contributes_somewhere(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["escalations"] = (
            FeedbackEscalation.objects.visible_to(self.request.user)
            .filter(status=EscalationStatus.PROPOSED)
            .select_related("unit")
            .order_by("-created_at")[:10]
        )
        context["section"] = "feedback"
        return context


class FeedbackDetailView(ObjectDetailView):
    queryset = Feedback.objects.select_related("unit", "assigned_to", "follow_up", "escalation", "created_by")
    template_name = "kpis/feedback_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "feedback"}


ESCALATIONS = FeedbackEscalation.objects.select_related("unit", "decided_by")


class FeedbackEscalationDetailView(ObjectDetailView):
    """A proposed escalation of recurring feedback: its items, and the quality officer's decision
    (escalate to a non-conformity, or dismiss with a reason)."""

    queryset = ESCALATIONS
    template_name = "kpis/feedback_escalation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        escalation = context["object"]
        can_decide = escalation.is_open and services.can_decide_escalation(self.request.user, escalation)
        context.update(
            items=escalation.items.visible_to(self.request.user).select_related("unit", "assigned_to", "follow_up"),
            can_decide=can_decide,
            decision_form=(kwargs.get("decision_form") or EscalationDecisionForm()) if can_decide else None,
            section="feedback",
        )
        return context


class FeedbackEscalationHistoryView(ObjectHistoryView):
    queryset = ESCALATIONS
    detail_template = "kpis/feedback_escalation_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "feedback"}


class FeedbackEscalationDecideView(View):
    """Escalate or dismiss a proposed escalation (the button pressed names the decision)."""

    def post(self, request, pk):
        escalation = get_object_or_404(ESCALATIONS.visible_to(request.user), pk=pk)
        form = EscalationDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_escalation_decide(
                    actor=request.user,
                    escalation=escalation,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            view = FeedbackEscalationDetailView()
            view.setup(request, pk=pk)
            context = view.get_context_data(decision_form=form)
            return render(request, view.template_name, context, status=200)
        messages.success(request, _("Decision recorded."))
        return HttpResponseRedirect(escalation.get_absolute_url())


class FeedbackHistoryView(ObjectHistoryView):
    queryset = Feedback.objects.all()
    detail_template = "kpis/feedback_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "feedback"}


class FeedbackAddView(ObjectEditView):
    queryset = Feedback.objects.all()
    form_class = FeedbackForm
    model_name = gettext_lazy("feedback")

    def has_permission(self):
        return contributes_somewhere(self.request.user)

    def get_initial(self):
        return {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}

    def limit_choices(self, form):
        form.fields["unit"].queryset = scope_for(self.request.user).units_with_role(*CONTRIBUTOR_ROLES)

    def perform(self, form):
        feedback = services.feedback_receive(actor=self.request.user, **form.cleaned_data)
        if feedback.flagged and feedback.assigned_to:
            messages.warning(
                self.request,
                _("Flagged: a follow-up action was assigned to %(person)s.") % {"person": feedback.assigned_to},
            )
        return feedback


# --- objectives ---------------------------------------------------------------------------------


class ObjectiveTreeView(ScopedQuerysetMixin, FilterView):
    """The goal tree: objectives from the organisation down to teams, each with its progress and the
    SMART properties it still misses."""

    queryset = Objective.objects.all()
    filterset_class = ObjectiveFilterSet
    template_name = "kpis/objective_tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Objectives"),
            nodes=objective_tree(context["object_list"]),
            can_add=contributes_somewhere(self.request.user),
            section="objectives",
        )
        return context


class ObjectiveDetailView(ObjectDetailView):
    queryset = Objective.objects.select_related("unit", "parent", "owner")
    template_name = "kpis/objective_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objective = context["object"]
        context.update(
            node=objective_node(objective),
            children=objective.children.visible_to(self.request.user),
            can_edit=services.can_manage_objectives(self.request.user, objective.unit),
            section="objectives",
        )
        return context


class ObjectiveHistoryView(ObjectHistoryView):
    """The objective's changes and those of its key results (removed ones too), each named after its KPI."""

    queryset = Objective.objects.select_related("unit")
    detail_template = "kpis/objective_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "objectives"}

    def history(self, obj):
        key_results = records_history(
            KeyResult.history.filter(objective_id=obj.pk),
            reader=self.request.user,
            label=lambda record, show: _("Key result %(kpi)s") % {"kpi": show("kpi_id")},
            omit=["objective_id"],
            formats=dict.fromkeys(["baseline", "target", "weight"], kpi_number),
        )
        return merge_histories(super().history(obj), key_results)


class ObjectiveEditView(ObjectEditView):
    queryset = Objective.objects.select_related("unit")
    form_class = ObjectiveForm

    def has_permission(self):
        if self.object is not None:
            return services.can_manage_objectives(self.request.user, self.object.unit)
        return contributes_somewhere(self.request.user)

    def get_initial(self):
        initial = super().get_initial()
        for name in ("parent", "unit"):
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        return initial

    def limit_choices(self, form):
        form.fields["unit"].queryset = scope_for(self.request.user).units_with_role(*CONTRIBUTOR_ROLES)
        scope_form_querysets(form, self.request.user, ["owner", "parent"])
        if self.object is not None:
            form.fields["unit"].disabled = True
            form.fields["parent"].queryset = form.fields["parent"].queryset.exclude(pk=self.object.pk)

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.object is None:
            return services.objective_create(actor=self.request.user, **data)
        data.pop("unit", None)
        return services.objective_update(actor=self.request.user, objective=self.object, **data)


class KeyResultEditView(ObjectEditView):
    """Add a key result to the objective of ``objective`` (or edit the key result of ``pk``)."""

    queryset = KeyResult.objects.select_related("objective__unit", "kpi")
    form_class = KeyResultForm

    def dispatch(self, request, *args, **kwargs):
        if "objective" in kwargs:
            self.objective = get_object_or_404(Objective.objects.visible_to(request.user), pk=kwargs["objective"])
        return super().dispatch(request, *args, **kwargs)

    def get_objective(self):
        return self.object.objective if self.object is not None else self.objective

    def has_permission(self):
        return services.can_manage_objectives(self.request.user, self.get_objective().unit)

    def limit_choices(self, form):
        organisation = self.get_objective().unit.organisation
        form.fields["kpi"].queryset = Kpi.objects.visible_to(self.request.user).filter(organisation=organisation)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is None:
            context["title"] = _("Add a key result to %(objective)s") % {"objective": self.get_objective()}
            context["object"] = self.get_objective()
        return context

    def perform(self, form):
        if self.object is None:
            return services.key_result_create(actor=self.request.user, objective=self.objective, **form.cleaned_data)
        return services.key_result_update(actor=self.request.user, key_result=self.object, **form.cleaned_data)


class KeyResultDeleteView(View):
    """Remove a key result, after a confirmation: the page asks first, and a post without the
    confirmation only shows the question again."""

    template_name = "kpis/key_result_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.key_result = get_object_or_404(
            KeyResult.objects.visible_to(request.user).select_related("objective__unit", "kpi"), pk=kwargs["pk"]
        )
        if not services.can_manage_objectives(request.user, self.key_result.objective.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, form):
        objective = self.key_result.objective
        context = {
            "form": form,
            "object": self.key_result,
            "objective": objective,
            "title": _("Remove the key result %(key_result)s?") % {"key_result": self.key_result},
            "section": "objectives",
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render(KeyResultDeleteForm())

    def post(self, request, pk):
        form = KeyResultDeleteForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        services.key_result_delete(actor=request.user, key_result=self.key_result)
        messages.success(request, _("Key result removed."))
        return HttpResponseRedirect(self.key_result.objective.get_absolute_url())


# --- effects of improvement actions -------------------------------------------------------------

EFFECTS = IntendedEffect.objects.select_related("action__unit", "action__owner", "kpi", "follow_up", "confirmed_by")


class EffectListView(ObjectListView):
    """Which measures worked: the improvement actions with an intended effect, per unit, with the
    effect measured after each one."""

    queryset = EFFECTS
    filterset_class = IntendedEffectFilterSet
    table_class = IntendedEffectTable
    template_name = "kpis/effect_list.html"
    title = gettext_lazy("Effects of improvement actions")
    export_name = "effects"
    add_url_name = "kpis:effect_add"

    def can_add(self):
        return contributes_somewhere(self.request.user)

    def get_template_names(self):
        # With htmx the table and the summary per unit both follow the filters.
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["kpis/_effect_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(per_unit=effects_per_unit(self.object_list), section="effects")
        return context


class EffectDetailView(ObjectDetailView):
    queryset = EFFECTS
    template_name = "kpis/effect_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        effect = context["object"]
        can_state = services.can_state_effect(self.request.user, effect.action)
        pending = not effect.verdict
        context.update(
            can_edit=can_state and pending,
            can_confirm=bool(effect.verdict)
            and effect.confirmed_at is None
            and services.can_confirm_effect(self.request.user, effect),
            confirm_form=EffectConfirmForm(initial={"explanation": effect.explanation}),
            baseline_count=baseline_measurement_count(effect) if pending else None,
            window_problems=list(services.window_errors(effect).values()) if pending else [],
            measured_by=effect.evaluate_after + datetime.timedelta(days=conf.measurement_grace_days() + 1),
            evaluation_over=pending and effect.evaluate_after < timezone.localdate(),
            on_behalf=effect.confirmed_by_id is not None and effect.confirmed_by_id != effect.action.owner_id,
            section="effects",
        )
        return context


class EffectHistoryView(ObjectHistoryView):
    queryset = EFFECTS
    detail_template = "kpis/effect_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "effects"}


class EffectEditView(ObjectEditView):
    """State the intended effect of an action (``?action=<id>``), or change it until it is measured."""

    queryset = EFFECTS
    form_class = IntendedEffectForm
    model_name = gettext_lazy("intended effect")

    def dispatch(self, request, *args, **kwargs):
        self.action = None
        if "pk" not in kwargs and request.user.is_authenticated:
            candidates = Action.objects.visible_to(request.user).select_related("unit", "owner")
            action_id = request.POST.get("action") or request.GET.get("action")
            if action_id and str(action_id).isdigit():
                self.action = get_object_or_404(candidates, pk=action_id)
        return super().dispatch(request, *args, **kwargs)

    def has_permission(self):
        if self.object is not None:
            return services.can_state_effect(self.request.user, self.object.action) and not self.object.verdict
        if self.action is not None:
            return services.can_state_effect(self.request.user, self.action)
        return contributes_somewhere(self.request.user)

    def limit_choices(self, form):
        if self.object is not None:
            del form.fields["action"]
        else:
            form.fields["action"].queryset = (
                Action.objects.visible_to(self.request.user)
                .filter(kind__in=EFFECT_ACTION_KINDS, intended_effect__isnull=True)
                .select_related("unit")
            )
            if self.action is not None:
                form.fields["action"].initial = self.action.pk
        form.fields["kpi"].queryset = Kpi.objects.visible_to(self.request.user).active()

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.object is None:
            effect = services.effect_create(actor=self.request.user, **data)
        else:
            effect = services.effect_update(actor=self.request.user, effect=self.object, **data)
        if not baseline_measurement_count(effect):
            messages.warning(
                self.request,
                _(
                    "%(kpi)s has no measurements in the baseline window (%(baseline)s) yet: without them, the "
                    "effect cannot be measured. Enter them on the KPI's page."
                )
                % {"kpi": effect.kpi.display_name, "baseline": f"{effect.baseline_from} – {effect.baseline_to}"},
            )
        return effect


class EffectConfirmView(View):
    def post(self, request, pk):
        effect = get_object_or_404(EFFECTS.visible_to(request.user), pk=pk)
        form = EffectConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.effect_confirm(actor=request.user, effect=effect, **form.cleaned_data)
                messages.success(request, _("Thank you: the verdict is confirmed."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(effect.get_absolute_url())
