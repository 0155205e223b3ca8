"""Pages of the non-conformities part: the list with its saved views and export, the short form
(reachable from every page, and from an incident or a problem with the source filled in), a
non-conformity with its stage bar, actions per round, effectiveness checks, a form for each step the
reader may take and its PDCA trace, the edit and history pages, the CAPA overview of an organisation,
and the cause-category catalogue of its quality officers.

Every page starts from ``visible_to(request.user)`` (out of sight is a 404); every write goes through
``incidents.services.nonconformities`` (a ValidationError re-renders the form or becomes a message,
PermissionDenied is a 403). Which step the page offers is a courtesy: the service decides again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from incidents.choices import OPEN_NC_STATUSES, NcSource, NcStatus, Severity, Verdict
from incidents.filtersets.nonconformities import NonConformityFilterSet
from incidents.forms.nonconformities import (
    CauseCategoryForm,
    CheckRecordForm,
    NcActionForm,
    NcAnalysisForm,
    NcCorrectForm,
    NcCreateForm,
    NcEditForm,
    NcReasonForm,
    NcVerifyForm,
)
from incidents.models import CauseCategory, EffectivenessCheck, Incident, NonConformity, Problem
from incidents.selectors.nonconformities import capa_overview, cause_categories_for, nc_trace
from incidents.services import nonconformities as services
from incidents.tables.nonconformities import NonConformityTable
from kpis.models import Kpi
from qms.choices import ActionStatus, Role, UnitKind
from qms.models import User
from qms.scoping import Purpose, organisations_for, scope_for
from qms.selectors import people_of_organisation
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
    mark_saved_views,
    organisation_from_query,
)

NCS = NonConformity.objects.select_related("unit", "organisation", "owner", "reporter", "cause_category")
# Anyone with a role in a unit registers a non-conformity for it (SPEC 5.6).
ALL_ROLES = tuple(Role.values)

CAPA_STAGES = [
    NcStatus.REGISTERED,
    NcStatus.ANALYSIS,
    NcStatus.ACTION_PLAN,
    NcStatus.IMPLEMENTATION,
    NcStatus.EFFECTIVENESS_CHECK,
    NcStatus.CLOSED,
]
SHORT_STAGES = [NcStatus.REGISTERED, NcStatus.CLOSED]

# The forms of the steps on the detail page (None: a button without questions), in the order of the
# workflow; the service's table decides which step starts from which status and who takes it.
STEPS = {
    "correct": (NcCorrectForm, _("Record the correction")),
    "promote": (NcReasonForm, _("Promote to CAPA")),
    "analyse": (None, _("Start the analysis")),
    "record-analysis": (NcAnalysisForm, _("Record the analysis")),
    "plan": (None, _("Analysis done: to the action plan")),
    "implement": (None, _("Plan complete: implement")),
    "verify": (NcVerifyForm, _("Actions done: plan the effectiveness check")),
    "close": (None, _("Close")),
    "cancel": (NcReasonForm, _("Cancel")),
}
STEP_MESSAGES = {
    "correct": _("The correction is recorded."),
    "promote": _("The non-conformity is now a CAPA."),
    "analyse": _("The analysis has started."),
    "record-analysis": _("The analysis is recorded."),
    "plan": _("The CAPA is in the action plan."),
    "implement": _("The actions are being implemented."),
    "verify": _("The effectiveness check is planned; the verifier is told."),
    "close": _("The non-conformity is closed."),
    "cancel": _("The non-conformity is cancelled."),
}
STEP_INTROS = {
    "correct": _("What was done at once to contain it."),
    "promote": _("A formal CAPA analyses the root cause and plans corrective and preventive actions. Say why."),
    "record-analysis": _("The root cause, how it was found and its category from the catalogue."),
    "verify": _("A verifier who is not the owner checks the effect at a set date; a KPI may propose the verdict."),
    "cancel": _("Say why: a cancelled non-conformity is kept with its reason."),
}


def register_units(user):
    """The active units (not groups) where ``user`` has a role: where they may register one."""
    return scope_for(user).units_with_role(*ALL_ROLES).exclude(kind=UnitKind.GROUP).filter(is_active=True)


def registers_nonconformities(user) -> bool:
    return bool(scope_for(user).roles()) or user.is_superuser


def is_quality(user, unit) -> bool:
    return user.is_superuser or services.is_steward(user, unit)


def works_on(user, nc) -> bool:
    """The owner and the organisation's quality officers and administrators take the steps (the
    page's courtesy; the service checks again)."""
    return user.is_authenticated and services.can_run_nc(user, nc)


def offered_steps(user, nc) -> list[str]:
    """The steps the page offers, in the workflow's order (the service's table and roles decide)."""
    allowed = set(services.allowed_steps(user, nc))
    return [step for step in STEPS if step in allowed]


def people_for(user, organisation):
    return User.objects.visible_to(user).filter(
        is_active=True, pk__in=people_of_organisation(organisation).values("pk")
    )


def stage_bar(nc) -> list[dict]:
    """The stages of the workflow with the current one marked: CAPA or correction -> closed."""
    stages = CAPA_STAGES if nc.capa else SHORT_STAGES
    current = stages.index(nc.status) if nc.status in stages else -1
    bar = []
    for index, stage in enumerate(stages):
        label = stage.label
        if not nc.capa and stage == NcStatus.REGISTERED:
            label = _("Correction")
        state = "done" if index < current or nc.status == NcStatus.CLOSED else "current" if index == current else "todo"
        bar.append({"status": stage.value, "label": label, "state": state})
    return bar


class NcNavMixin:
    """The incidents app's sub-navigation, with its non-conformity items active."""

    nav = "nonconformities"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["incident_nav"] = {"active": self.nav}
        return context


# --- the list ----------------------------------------------------------------------------------


def saved_views(user) -> list[dict]:
    open_statuses = "&".join(f"status={status}" for status in OPEN_NC_STATUSES)
    return [
        {
            "key": "mine",
            "label": _("My non-conformities"),
            "query": f"owner={user.pk}&" + open_statuses,
            "icon": "person",
        },
        {"key": "capa", "label": _("Open CAPAs"), "query": "capa=true&" + open_statuses, "icon": "arrow-repeat"},
        {"key": "overdue", "label": _("Overdue"), "query": "overdue=true", "icon": "alarm"},
    ]


class NcListView(NcNavMixin, ObjectListView):
    queryset = NCS
    filterset_class = NonConformityFilterSet
    table_class = NonConformityTable
    template_name = "incidents/nonconformities/nc_list.html"
    title = _("Non-conformities")
    export_name = "nonconformities"
    add_url_name = "incidents:nc_add"

    def can_add(self):
        return registers_nonconformities(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["saved_views"] = mark_saved_views(self.request, saved_views(self.request.user))
        context["manages_categories"] = organisations_for(
            self.request.user, Purpose.ACT, roles=services.STEWARD_ROLES
        ).exists()
        return context


# --- registering one ---------------------------------------------------------------------------


def source_from(user, source: str, record_id):
    """The incident or problem of ``source`` with ``record_id`` when the user sees it, else None."""
    model = {NcSource.INCIDENT: Incident, NcSource.PROBLEM: Problem}.get(source)
    if model is None or not record_id:
        return None
    return model.objects.visible_to(user).select_related("unit").filter(pk=record_id).first()


class NcAddView(NcNavMixin, ServiceFormView):
    """The short form; ``?source=incident&incident=<id>`` or ``?source=problem&problem=<id>`` fills in
    the source, its link, the unit and the title."""

    form_class = NcCreateForm
    template_name = "incidents/nonconformities/nc_form.html"
    success_message = _("The non-conformity is registered.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not registers_nonconformities(request.user):
            raise PermissionDenied(_("You have no role in a unit, so you cannot register a non-conformity."))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = {"source": NcSource.INTERNAL, "severity": Severity.MINOR}
        source = self.request.GET.get("source", "")
        if source in (NcSource.INCIDENT, NcSource.PROBLEM):
            initial["source"] = source
            value = self.request.GET.get(source, "")
            record = source_from(self.request.user, source, int(value)) if value.isdigit() and len(value) < 16 else None
            if record is not None:
                initial.update({source: record.pk, "title": record.title})
                if register_units(self.request.user).filter(pk=record.unit_id).exists():
                    initial["unit"] = record.unit_id
            elif value:
                self.source_problem = _("That record is not one you can see; register without the link or go back.")
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        units = register_units(user)
        form.fields["unit"].queryset = units
        if len(units[:2]) == 1:
            form.fields["unit"].initial = units[0].pk
        form.fields["owner"].queryset = User.objects.visible_to(user).filter(is_active=True)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        source = form["source"].value()
        record = None
        if source in (NcSource.INCIDENT, NcSource.PROBLEM):
            value = str(form[source].value() or "")
            record = source_from(self.request.user, source, int(value)) if value.isdigit() and len(value) < 16 else None
        context.update(
            title=_("Register a non-conformity"),
            source_record=record,
            source_problem=getattr(self, "source_problem", "") if not form.is_bound else "",
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        source = data["source"]
        record_id = data.pop("incident", None), data.pop("problem", None)
        record_id = (
            record_id[0] if source == NcSource.INCIDENT else record_id[1] if source == NcSource.PROBLEM else None
        )
        data["source_record"] = None
        if record_id:
            record = source_from(self.request.user, source, record_id)
            if record is None:
                form.add_error("source", _("The linked record is not one you can see."))
                return self.form_invalid(form)
            data["source_record"] = record
        return super().form_valid(form)

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("incident", None)
        data.pop("problem", None)
        return services.nc_create(actor=self.request.user, **data)


# --- one non-conformity ------------------------------------------------------------------------


class NcContextMixin(NcNavMixin):
    queryset = NCS
    template_name = "incidents/nonconformities/nc_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nc = context["object"]
        user = self.request.user
        context.update(
            can_edit=works_on(user, nc) and nc.is_open,
            stage_bar=stage_bar(nc),
        )
        return context


def trace_rows(nc, user) -> dict:
    """The PDCA trace for the page (``nc_trace``), with the links and counts the page shows: whether
    each round's actions are done, and whether the cycle is closed (closed on an effective last check)."""
    trace = nc_trace(nc, user)
    record = trace["signal"]["record"]
    trace["signal"]["url"] = (
        record.get_absolute_url() if record is not None and hasattr(record, "get_absolute_url") else ""
    )
    trace["signal"]["hidden"] = record is None and nc.source_object_id is not None
    rounds = [entry for entry in trace["rounds"] if entry["actions"] or entry["check"]]
    for entry in rounds:
        entry["done_count"] = sum(1 for action in entry["actions"] if action.status == ActionStatus.DONE)
        entry["done"] = bool(entry["actions"]) and entry["done_count"] == len(entry["actions"])
    trace["rounds"] = rounds
    last = trace["checks"][-1] if trace["checks"] else None
    trace["closed_loop"] = trace["closed"] and last is not None and last.verdict == Verdict.EFFECTIVE
    return trace


class NcDetailView(NcContextMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nc = context["object"]
        user = self.request.user
        step_forms = kwargs.get("step_forms") or {}
        steps = []
        for name in offered_steps(user, nc):
            form_class, label = STEPS[name]
            form = step_forms.get(name) or (self.step_form(name, nc) if form_class else None)
            steps.append(
                {"name": name, "label": label, "form": form, "open": name in step_forms, "intro": STEP_INTROS.get(name)}
            )
        trace = trace_rows(nc, user)
        action_form = None
        if works_on(user, nc) and nc.status in (NcStatus.ANALYSIS, NcStatus.ACTION_PLAN):
            action_form = kwargs.get("action_form") or NcActionForm()
            action_form.fields["owner"].queryset = people_for(user, nc.organisation)
        check_forms = []
        for check in trace["checks"]:
            pending = not check.verdict and check.round == nc.round and nc.status == NcStatus.EFFECTIVENESS_CHECK
            if pending and services.can_record_check(user, check):
                form = (kwargs.get("check_forms") or {}).get(check.pk) or CheckRecordForm(
                    initial={"verdict": check.proposed_verdict or None}
                )
                check_forms.append({"check": check, "form": form})
        context.update(
            steps=steps,
            buttons=[step for step in steps if step["form"] is None and step["name"] != "cancel"],
            trace=trace,
            source_record=trace["signal"]["record"],
            action_form=action_form,
            check_forms=check_forms,
        )
        return context

    def step_form(self, name, nc, data=None):
        form_class = STEPS[name][0]
        initial = {}
        if name == "correct":
            initial = {"correction": nc.correction}
        elif name == "record-analysis":
            initial = {
                "root_cause": nc.root_cause,
                "analysis_method": nc.analysis_method,
                "cause_category": nc.cause_category_id,
            }
        form = form_class(data, initial=initial) if data is not None else form_class(initial=initial)
        user = self.request.user
        if name == "record-analysis":
            form.fields["cause_category"].queryset = cause_categories_for(nc.organisation_id)
        elif name == "verify":
            form.fields["verifier"].queryset = people_for(user, nc.organisation).exclude(pk=nc.owner_id)
            form.fields["kpi"].queryset = Kpi.objects.visible_to(user).filter(organisation=nc.organisation_id)
        return form


class NcHistoryView(NcContextMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "incidents/nonconformities/nc_detail.html"


class NcTraceView(NcContextMixin, ObjectDetailView):
    """The PDCA trace on one screen: signal -> analysis -> actions -> effect."""

    template_name = "incidents/nonconformities/nc_trace.html"
    tab = "trace"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["trace"] = trace_rows(context["object"], self.request.user)
        return context


class NcWriteMixin:
    """A write on one non-conformity: a 404 out of sight; the service refuses what the role does not
    allow (a 403), and the page shows why."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.nc = get_visible_or_404(request, NCS.visible_to(request.user), pk=kwargs["pk"])
        if not works_on(request.user, self.nc) and not self.may_write(request.user):
            raise PermissionDenied(_("You cannot change this non-conformity."))
        return super().dispatch(request, *args, **kwargs)

    def may_write(self, user) -> bool:
        return False

    def detail_again(self, request, **context):
        """The detail page again with a form's messages (status 200, nothing changed)."""
        view = NcDetailView()
        view.setup(request, pk=self.nc.pk)
        return render(request, view.template_name, view.get_context_data(**context))


class NcStepView(NcWriteMixin, View):
    """A step of the workflow, ``<pk>/<step>/`` (see ``STEPS``)."""

    def post(self, request, pk, step):
        if step not in STEPS:
            raise Http404
        nc = self.nc
        form = None
        if STEPS[step][0] is not None:
            helper = NcDetailView()
            helper.setup(request, pk=nc.pk)
            form = helper.step_form(step, nc, data=request.POST)
            if not form.is_valid():
                return self.detail_again(request, step_forms={step: form})
        data = dict(form.cleaned_data) if form is not None else {}
        try:
            with transaction.atomic():
                services.nc_step(actor=request.user, nc=nc, step=step, **data)
        except ValidationError as error:
            if form is None:
                messages.error(request, error_text(error))
                return redirect(nc)
            form.add_service_error(error)
            return self.detail_again(request, step_forms={step: form})
        messages.success(request, STEP_MESSAGES[step])
        return redirect(nc)


class NcAddActionView(NcWriteMixin, View):
    """A corrective or preventive action of the current round (a core action: in the owner's list, and
    escalated when overdue)."""

    def post(self, request, pk):
        nc = self.nc
        form = NcActionForm(request.POST)
        form.fields["owner"].queryset = people_for(request.user, nc.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.nc_add_action(actor=request.user, nc=nc, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return self.detail_again(request, action_form=form)
        messages.success(request, _("The action is added; its owner finds it in their actions."))
        return redirect(nc.get_absolute_url() + "#actions")


class CheckRecordView(View):
    """The verifier's (or a quality officer's) verdict with evidence; the service decides who may."""

    def post(self, request, pk):
        checks = EffectivenessCheck.objects.visible_to(request.user).select_related("nonconformity")
        check = get_visible_or_404(request, checks, pk=pk)
        nc = check.nonconformity
        user = request.user
        if not services.can_record_check(user, check):
            raise PermissionDenied(_("Only the verifier or a quality officer records this check."))
        form = CheckRecordForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.check_record(actor=user, check=check, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            writer = NcWriteMixin()
            writer.nc = get_visible_or_404(request, NCS.visible_to(user), pk=nc.pk)
            return NcWriteMixin.detail_again(writer, request, check_forms={check.pk: form})
        messages.success(request, _("The check is recorded."))
        return redirect(nc)


class NcEditView(NcNavMixin, ObjectEditView):
    queryset = NCS
    form_class = NcEditForm
    template_name = "incidents/nonconformities/nc_form.html"
    success_message = _("The non-conformity is saved.")

    def has_permission(self):
        return works_on(self.request.user, self.object)

    def limit_choices(self, form):
        form.fields["owner"].queryset = people_for(self.request.user, self.object.organisation)

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        return services.nc_update(actor=self.request.user, nc=self.object, reason=reason, **data)


# --- the CAPA overview -------------------------------------------------------------------------

BAR_WIDTH = 300  # the longest bar, in SVG units
BAR_HEIGHT = 18
LABEL_WIDTH = 150


def stage_chart(rows: list[dict]) -> dict:
    """Horizontal bars (inline SVG, no script) of the open non-conformities per stage."""
    top = max([row["count"] for row in rows] + [1])
    bars = []
    for index, row in enumerate(rows):
        width = round(BAR_WIDTH * row["count"] / top, 1)
        y = index * (BAR_HEIGHT + 8)
        bars.append(
            {**row, "x": LABEL_WIDTH, "y": y, "width": width, "text_x": LABEL_WIDTH + width + 4, "text_y": y + 13}
        )
    return {
        "bars": bars,
        "width": LABEL_WIDTH + BAR_WIDTH + 40,
        "height": len(rows) * (BAR_HEIGHT + 8),
        "bar_height": BAR_HEIGHT,
    }


def rate_chart(quarters: list[dict]) -> dict:
    """Vertical bars of the effectiveness rate (0-100 %) per quarter."""
    height, width, gap = 100, 34, 10
    bars = []
    for index, quarter in enumerate(quarters):
        rate = quarter.get("rate")
        value = float(rate) if rate is not None else None
        bar_height = round(height * (value or 0) / 100, 1)
        x = gap + index * (width + gap)
        bars.append(
            {
                **quarter,
                "value": value,
                "empty": value is None,
                "x": x,
                "y": height - bar_height,
                "width": width,
                "height": bar_height,
                "text_x": x + width / 2,
                "text_y": max(height - bar_height - 3, 10),
            }
        )
    return {"bars": bars, "width": gap + len(quarters) * (width + gap), "height": height + 20, "base": height}


class CapaOverviewView(NcNavMixin, TemplateView):
    """Per organisation (``?organisation=``): open by stage, overdue actions, effectiveness rate per
    quarter, mean days to close, in a fixed number of queries."""

    template_name = "incidents/nonconformities/capa_overview.html"
    nav = "capa_overview"

    def get(self, request, *args, **kwargs):
        self.organisations, self.organisation = organisation_from_query(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = None
        if self.organisation is not None:
            queryset = NonConformity.objects.visible_to(self.request.user).filter(organisation=self.organisation)
            overview = capa_overview(queryset, self.organisation)
            overview["by_stage"] = [
                {"status": status, "label": label, "count": count} for status, label, count in overview["open_by_stage"]
            ]
            overview["quarters"] = [{**row, "label": row["quarter"]} for row in overview["effectiveness"]]
            overview["stage_chart"] = stage_chart(overview["by_stage"])
            overview["rate_chart"] = rate_chart(overview["quarters"])
        context.update(
            title=_("CAPA overview"),
            organisations=self.organisations,
            organisation=self.organisation,
            overview=overview,
        )
        return context


# --- the cause-category catalogue --------------------------------------------------------------


class CauseCategoryView(NcNavMixin, TemplateView):
    """The cause categories of the organisations where the reader is a quality officer: add, rename,
    deactivate (through the services)."""

    template_name = "incidents/nonconformities/cause_categories.html"
    nav = "nonconformities"

    def organisations(self):
        return organisations_for(self.request.user, Purpose.ACT, roles=services.STEWARD_ROLES).order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisations = list(self.organisations())
        categories = CauseCategory.objects.filter(organisation__in=organisations).order_by("organisation__name", "name")
        by_organisation = {organisation.pk: [] for organisation in organisations}
        for category in categories:
            by_organisation[category.organisation_id].append(category)
        context.update(
            title=_("Cause categories"),
            catalogues=[(organisation, by_organisation[organisation.pk]) for organisation in organisations],
            form=kwargs.get("form") or CauseCategoryForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        organisations = self.organisations()
        form = CauseCategoryForm(request.POST)
        try:
            with transaction.atomic():
                self.perform(request, organisations, form)
        except ValidationError as error:
            messages.error(request, error_text(error))
        except LookupError:
            raise Http404 from None
        return redirect("incidents:cause_categories")

    def perform(self, request, organisations, form):
        value = request.POST.get("category", "")
        user = request.user
        if value:
            if not value.isdigit() or len(value) > 18:
                raise LookupError
            category = CauseCategory.objects.filter(organisation__in=organisations, pk=int(value)).first()
            if category is None:
                raise LookupError
            if "deactivate" in request.POST or "activate" in request.POST:
                services.cause_category_update(actor=user, category=category, is_active="activate" in request.POST)
                messages.success(request, _("The cause category is changed."))
                return
            if not form.is_valid():
                raise ValidationError(form.errors["name"])
            services.cause_category_update(actor=user, category=category, name=form.cleaned_data["name"])
            messages.success(request, _("The cause category is renamed."))
            return
        value = request.POST.get("organisation", "")
        organisation = organisations.filter(pk=int(value)).first() if value.isdigit() and len(value) < 19 else None
        if organisation is None:
            raise LookupError
        if not form.is_valid():
            raise ValidationError(form.errors["name"])
        name = form.cleaned_data["name"]
        code = slugify(name)[:40] or "category"
        taken = set(CauseCategory.objects.filter(organisation=organisation).values_list("code", flat=True))
        base, number = code, 2
        while code in taken:
            code, number = f"{base[:36]}-{number}", number + 1
        services.cause_category_add(actor=user, organisation=organisation, code=code, name=name)
        messages.success(request, _("The cause category is added."))
