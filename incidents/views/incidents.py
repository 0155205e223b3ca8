"""Pages of the incidents part: the incident list (the app's start page) with its saved views and
export, the quick entry of a service desk with the live priority preview, an incident with its SLA bar,
timeline, steps and updates, its edit and history pages, the import, and the SLA report per month.

Every page starts from ``visible_to(request.user)`` (out of sight is a 404); every write goes through
``incidents.services.incidents`` (a ValidationError re-renders the form with its messages,
PermissionDenied is a 403).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.generic import FormView, TemplateView, View

from incidents.choices import OPEN_INCIDENT_STATUSES, Channel, Impact, IncidentStatus, Priority, Urgency
from incidents.filtersets.incidents import IncidentFilterSet
from incidents.forms.incidents import (
    IncidentEditForm,
    IncidentForm,
    IncidentHoldForm,
    IncidentImportForm,
    IncidentPreviewForm,
    IncidentReopenForm,
    IncidentResolveForm,
    IncidentUpdatePostForm,
)
from incidents.imports import COLUMNS, TEMPLATE_COLUMNS, incidents_import, read_incidents, template_file
from incidents.models import DataBreach, Incident, IncidentUpdate
from incidents.models.breaches import BREACH_READER_ROLES
from incidents.selectors.reports import default_period, report_month, sla_report
from incidents.services import incidents as services
from incidents.tables.incidents import IncidentTable
from qms.calendar import calendar_for
from qms.choices import CONTRIBUTOR_ROLES, UnitKind
from qms.exports import export_response
from qms.imports import ImportFileError, max_bytes, max_rows
from qms.models import User
from qms.scoping import scope_for
from qms.selectors import people_of_organisation
from qms.views.generic import (
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
    mark_saved_views,
    organisation_from_query,
)

INCIDENTS = Incident.objects.select_related("unit", "owner", "organisation")
# Who registers incidents in a unit, and works on them: every contributing role (viewers and auditors read).
REGISTER_ROLES = tuple(CONTRIBUTOR_ROLES)
HOUR = datetime.timedelta(hours=1)

# The forms of the workflow's steps on the detail page (None: a button without questions); which step
# starts from which status is the service's table (``services.TRANSITIONS``), which also decides.
STEPS = {
    "start": (None, _("Start work")),
    "hold": (IncidentHoldForm, _("Put on hold")),
    "resume": (None, _("Resume")),
    "resolve": (IncidentResolveForm, _("Resolve")),
    "close": (None, _("Close")),
    "reopen": (IncidentReopenForm, _("Reopen")),
}
STEP_MESSAGES = {
    "start": _("Work on the incident has started."),
    "hold": _("The incident is on hold: the SLA clock stands still."),
    "resume": _("The incident is resumed: the SLA clock runs again."),
    "resolve": _("The incident is resolved."),
    "close": _("The incident is closed."),
    "reopen": _("The incident is reopened."),
}


def register_units(user):
    """The active units (not groups) where ``user`` may register incidents (``can_register_incidents``:
    a contributing role there or above)."""
    return scope_for(user).units_with_role(*REGISTER_ROLES).exclude(kind=UnitKind.GROUP).filter(is_active=True)


def registers_incidents(user) -> bool:
    return bool(scope_for(user).roles() & set(REGISTER_ROLES)) or user.is_superuser


def navigation_context(request, scope) -> dict:
    """The incidents app's sub-navigation: whether the person registers incidents (the import), and
    whether they read the data-breach register (its readers: data-protection officers, quality officers,
    administrators). From the scope's roles, loaded once per request: no query."""
    roles = scope.roles()
    superuser = request.user.is_superuser
    return {
        "registers_incidents": superuser or bool(roles & set(REGISTER_ROLES)),
        "reads_breach_register": superuser or bool(roles & set(BREACH_READER_ROLES)),
    }


def works_on(user, incident) -> bool:
    """Whether the page offers ``user`` the steps and the update form (the services check again)."""
    return services.can_handle_incident(user, incident)


class IncidentNavMixin:
    """The incidents app's sub-navigation (incidents, SLA report, import; the other parts add theirs)."""

    nav = "incidents"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["incident_nav"] = {"active": self.nav, "can_add": registers_incidents(self.request.user)}
        return context


# --- the list ----------------------------------------------------------------------------------


def saved_views(user) -> list[dict]:
    """The list's saved views: links with their filters in the query string."""
    open_statuses = "&".join(f"status={status}" for status in OPEN_INCIDENT_STATUSES)
    return [
        {"key": "mine", "label": _("My incidents"), "query": "mine=true&" + open_statuses, "icon": "person"},
        {"key": "p1", "label": _("P1 open"), "query": f"priority={Priority.P1}&" + open_statuses, "icon": "fire"},
        {"key": "at_risk", "label": _("SLA at risk"), "query": "sla=at_risk", "icon": "hourglass-split"},
        {"key": "breached", "label": _("SLA breached"), "query": "sla=breached&" + open_statuses, "icon": "alarm"},
    ]


class IncidentListView(IncidentNavMixin, ObjectListView):
    queryset = INCIDENTS
    filterset_class = IncidentFilterSet
    table_class = IncidentTable
    template_name = "incidents/incidents/incident_list.html"
    title = _("Incidents")
    export_name = "incidents"

    def can_add(self):
        return registers_incidents(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["saved_views"] = mark_saved_views(self.request, saved_views(self.request.user))
        return context


IndexView = IncidentListView


# --- quick entry and the live preview ---------------------------------------------------------


class IncidentAddView(IncidentNavMixin, ServiceFormView):
    """The quick entry of a service desk: the data-breach question first, then impact and urgency in
    the source's words, with the resulting priority and due time shown as they are chosen."""

    form_class = IncidentForm
    template_name = "incidents/incidents/incident_form.html"
    success_message = _("The incident is registered.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not registers_incidents(request.user):
            raise PermissionDenied(_("Your role does not allow registering incidents."))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        units = register_units(self.request.user)
        form.fields["unit"].queryset = units
        form.fields["affected_units"].queryset = (
            scope_for(self.request.user).visible_units().exclude(kind=UnitKind.GROUP)
        )
        if len(units[:2]) == 1:
            form.fields["unit"].initial = units[0].pk
        return form

    def get_initial(self):
        return {"reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "channel": Channel.PHONE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("Register an incident"), preview_url=reverse("incidents:incident_preview"))
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        incident = services.incident_create(actor=self.request.user, **data)
        if incident.data_breach_suspected:
            messages.warning(self.request, _("A possible data breach: the data-protection protocol has been started."))
        return incident


@require_GET
def incident_preview(request):
    """The quick entry's live preview (an htmx GET as unit, impact, urgency or the report time change):
    the priority and the restore due time, or what is still missing."""
    form = IncidentPreviewForm(request.GET)
    form.fields["unit"].queryset = scope_for(request.user).visible_units()
    context = {"preview": None, "problem": ""}
    if form.is_valid():
        data = form.cleaned_data
        try:
            context["preview"] = services.incident_preview(
                organisation=data["unit"].organisation,
                impact=data["impact"],
                urgency=data["urgency"],
                reported_at=data.get("reported_at"),
            )
        except ValidationError as error:
            context["problem"] = error_text(error)
    elif form.data.get("unit") and "unit" in form.errors:
        context["problem"] = _("Choose one of your units.")
    return render(request, "incidents/incidents/_preview.html", context)


# --- one incident ------------------------------------------------------------------------------


def sla_bar(incident, now=None) -> dict:
    """Service time used and left of the restore target (on hold the clock stands at the hold's start;
    resolved, at the resolution), in hours and per cent of the target."""
    now = now or timezone.now()
    target = float(incident.restore_target_hours)
    clock = incident.resolved_at or incident.on_hold_since or now
    used = calendar_for(incident.organisation).between(incident.reported_at, clock) - (
        incident.held_for or datetime.timedelta()
    )
    used_hours = max(used / HOUR, 0.0)
    percent = round(100 * used_hours / target, 1) if target else 0.0
    if incident.sla_met is False or (incident.is_open and clock > incident.restore_due):
        state = "breached"
    elif incident.sla_warn_at and incident.is_open and clock >= incident.sla_warn_at:
        state = "at_risk"
    else:
        state = "on_time"
    return {
        "target": incident.restore_target_hours,
        "used": round(used_hours, 2),
        "left": round(target - used_hours, 2),
        "percent": percent,
        "width": min(percent, 100),
        "state": state,
        "colour": {"breached": "danger", "at_risk": "warning"}.get(state, "success"),
        "running": incident.status in (IncidentStatus.NEW, IncidentStatus.IN_PROGRESS),
    }


def timeline(incident) -> list[dict]:
    """The incident's updates and its changes of status and priority (from the history), newest first;
    two queries."""
    entries = []
    for update in IncidentUpdate.objects.filter(incident=incident).select_related("posted_by"):
        entries.append({"kind": "update", "date": update.posted_at, "user": update.posted_by, "update": update})
    previous = None
    records = (
        Incident.history.filter(id=incident.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    for record in records:
        if previous is None:
            entries.append({"kind": "created", "date": record.history_date, "user": record.history_user})
        else:
            if record.status != previous.status:
                entries.append(
                    {
                        "kind": "status",
                        "date": record.history_date,
                        "user": record.history_user,
                        "old": IncidentStatus(previous.status).label,
                        "new": IncidentStatus(record.status).label,
                        "reason": record.history_change_reason or "",
                    }
                )
            if record.priority != previous.priority:
                entries.append(
                    {
                        "kind": "priority",
                        "date": record.history_date,
                        "user": record.history_user,
                        "old": f"P{previous.priority}",
                        "new": f"P{record.priority}",
                        "reason": record.history_change_reason or "",
                    }
                )
        previous = record
    entries.sort(key=lambda entry: entry["date"], reverse=True)
    return entries


class IncidentContextMixin(IncidentNavMixin):
    """What the header of an incident's pages needs (the detail and the history tab alike)."""

    queryset = INCIDENTS.select_related("problem")
    template_name = "incidents/incidents/incident_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = context["object"]
        user = self.request.user
        context["can_work"] = works_on(user, incident)
        context["affected_units"] = list(incident.affected_units.all())
        return context


class IncidentDetailView(IncidentContextMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = context["object"]
        user = self.request.user
        step_forms = kwargs.get("step_forms") or {}
        steps = []
        if context["can_work"]:
            for name, (form_class, label) in STEPS.items():
                if incident.status in services.TRANSITIONS[name][0]:
                    form = step_forms.get(name) or (form_class() if form_class else None)
                    steps.append({"name": name, "label": label, "form": form, "open": name in step_forms})
        late = IncidentUpdate.objects.filter(incident=incident, late=True).count() if incident.p1_since else 0
        context.update(
            sla=sla_bar(incident),
            breach=DataBreach.objects.visible_to(user).filter(incident=incident).first(),
            steps=steps,
            update_form=(kwargs.get("update_form") or IncidentUpdatePostForm())
            if context["can_work"] and incident.is_open
            else None,
            late_updates=late,
            timeline=timeline(incident),
            now=timezone.now(),
        )
        return context


class IncidentHistoryView(IncidentContextMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "incidents/incidents/incident_detail.html"


class IncidentWriteMixin:
    """A write on one incident, for those who work on it (a 404 out of sight, a 403 for readers)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.incident = get_visible_or_404(request, INCIDENTS.visible_to(request.user), pk=kwargs["pk"])
        if not works_on(request.user, self.incident):
            raise PermissionDenied(_("You cannot change this incident."))
        return super().dispatch(request, *args, **kwargs)

    def detail_again(self, request, **context):
        """The detail page again with a form's messages (status 200, nothing changed)."""
        view = IncidentDetailView()
        view.setup(request, pk=self.incident.pk)
        return render(request, view.template_name, view.get_context_data(**context))


class IncidentStepView(IncidentWriteMixin, View):
    """A step of the workflow (``start``, ``hold``, ``resume``, ``resolve``, ``close``, ``reopen``)."""

    def post(self, request, pk, step):
        if step not in STEPS:
            raise Http404
        form_class = STEPS[step][0]
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            return self.detail_again(request, step_forms={step: form})
        data = form.cleaned_data if form is not None else {}
        actor, incident = request.user, self.incident
        try:
            services.INCIDENT_STEPS[step](actor=actor, incident=incident, **data)
        except ValidationError as error:
            if form is None:
                messages.error(request, error_text(error))
                return redirect(incident)
            form.add_service_error(error)
            return self.detail_again(request, step_forms={step: form})
        messages.success(request, STEP_MESSAGES[step])
        return redirect(incident)


class IncidentPostUpdateView(IncidentWriteMixin, View):
    """Post an update (each hour 07:00-22:00 while P1): sent to the contacts, kept on the timeline."""

    def post(self, request, pk):
        form = IncidentUpdatePostForm(request.POST)
        if form.is_valid():
            try:
                services.incident_post_update(
                    actor=request.user, incident=self.incident, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return self.detail_again(request, update_form=form)
        messages.success(request, _("The update is posted."))
        return HttpResponseRedirect(self.incident.get_absolute_url() + "#timeline")


class IncidentEditView(IncidentWriteMixin, IncidentNavMixin, ServiceFormView):
    """Change an incident; a new impact or urgency re-derives its priority and due time (the page shows
    what it becomes before saving)."""

    form_class = IncidentEditForm
    template_name = "incidents/incidents/incident_edit.html"
    success_message = _("The incident is saved.")

    def get_initial(self):
        incident = self.incident
        return {
            "title": incident.title,
            "description": incident.description,
            "category": incident.category,
            "impact": incident.impact,
            "urgency": incident.urgency,
            "affected_units": list(incident.affected_units.values_list("pk", flat=True)),
            "owner": incident.owner_id,
        }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        form.fields["affected_units"].queryset = scope_for(user).visible_units().exclude(kind=UnitKind.GROUP)
        form.fields["owner"].queryset = User.objects.visible_to(user).filter(
            is_active=True, pk__in=people_of_organisation(self.incident.organisation).values("pk")
        )
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.incident,
            title=_("Edit %(incident)s") % {"incident": self.incident},
            preview_url=reverse("incidents:incident_preview"),
        )
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        return services.incident_update(actor=self.request.user, incident=self.incident, reason=reason, **data)


# --- import ------------------------------------------------------------------------------------


class IncidentImportView(IncidentNavMixin, FormView):
    """Import incidents from a CSV or XLSX file: all or nothing, with a report of every bad row."""

    template_name = "incidents/incidents/incident_import.html"
    form_class = IncidentImportForm
    nav = "import"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not registers_incidents(request.user):
            raise PermissionDenied(_("Your role does not allow registering incidents."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        headers = sorted({name for name, column in COLUMNS.items()})
        context.update(
            title=_("Import incidents"),
            columns=TEMPLATE_COLUMNS,
            headers=headers,
            import_max_rows=max_rows(),
            import_max_bytes=max_bytes(),
        )
        return context

    def form_valid(self, form):
        try:
            rows = read_incidents(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        if not rows:
            form.add_error("file", _("The file has no rows to import."))
            return self.form_invalid(form)
        result = incidents_import(actor=self.request.user, rows=rows)
        if result.errors:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        messages.success(
            self.request,
            ngettext("%(count)s incident imported.", "%(count)s incidents imported.", result.created)
            % {"count": result.created},
        )
        return redirect("incidents:incident_list")


@require_GET
def incident_import_template(request):
    response = HttpResponse(template_file(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="incident-import-template.csv"'
    return response


# --- the SLA report ----------------------------------------------------------------------------


class SlaReportView(IncidentNavMixin, TemplateView):
    """Per month (``?month=YYYY-MM``) or year (``?month=YYYY``) and organisation (``?organisation=``):
    the share met per priority, mean and p90 time to restore, counts and breaches, a chart and the trend
    of twelve months; ``?export=csv`` downloads the figures."""

    template_name = "incidents/incidents/sla_report.html"
    nav = "sla_report"

    def get(self, request, *args, **kwargs):
        self.organisations, self.organisation = organisation_from_query(request)
        self.month_problem = ""
        period = report_month(request.GET.get("month")) if request.GET.get("month") else default_period()
        if period is None:
            self.month_problem = _("Give the month as YYYY-MM or a year as YYYY; this month is shown.")
            period = default_period()
        self.year, self.month = period
        self.report = None
        if self.organisation is not None:
            self.report = sla_report(
                incidents=Incident.objects.visible_to(request.user),
                organisation=self.organisation,
                year=self.year,
                month=self.month,
            )
            if request.GET.get("export") == "csv":
                return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        report = self.report
        header = [
            str(_("Period")),
            str(_("Priority")),
            str(_("Target (service hours)")),
            str(_("Reported")),
            str(_("Resolved")),
            str(_("Met")),
            str(_("Breached")),
            str(_("Share met (%)")),
            str(_("Mean time to restore (service hours)")),
            str(_("p90 time to restore (service hours)")),
        ]
        rows = [header]
        for row in [*report["rows"], report["total"]]:
            rows.append(
                [
                    report["label"],
                    f"P{row.priority}" if row.priority else str(_("All")),
                    row.target_hours if row.target_hours is not None else "",
                    row.reported,
                    row.resolved,
                    row.met,
                    row.breached,
                    row.share_met if row.share_met is not None else "",
                    row.mean_hours if row.mean_hours is not None else "",
                    row.p90_hours if row.p90_hours is not None else "",
                ]
            )
        for month in report["trend"]:
            for row in [*month["rows"], month["total"]]:
                rows.append(
                    [
                        month["label"],
                        f"P{row.priority}" if row.priority else str(_("All")),
                        "",
                        "",
                        row.resolved,
                        row.met,
                        row.breached,
                        row.share_met if row.share_met is not None else "",
                        "",
                        "",
                    ]
                )
        return export_response(
            rows=rows, name=f"sla-report-{self.organisation.name}-{report['label']}", fmt="csv", request=self.request
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        first = datetime.date(self.year, self.month or 1, 1)
        context.update(
            title=_("SLA report"),
            organisations=self.organisations,
            organisation=self.organisation,
            report=self.report,
            period=period,
            month_problem=self.month_problem,
            period_name=date_format(first, "F Y") if self.month else str(self.year),
            impact_choices=Impact.choices,
            urgency_choices=Urgency.choices,
        )
        return context
