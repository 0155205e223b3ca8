"""Pages of the changes part: the change list, a change with its steps, the request form, the roadmap.

Every page starts from ``Change.objects.visible_to(request.user)`` (out of sight is a 404); every
write goes through ``incidents.services.changes`` (a ValidationError re-renders the form with its
messages, PermissionDenied is a 403).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from incidents.choices import ChangeStatus
from incidents.filtersets.changes import ChangeFilterSet, RoadmapFilterSet
from incidents.forms.changes import (
    DATETIME_FORMAT,
    ChangeAssessForm,
    ChangeCloseForm,
    ChangeDecisionForm,
    ChangeDpiaForm,
    ChangeForm,
    ChangePlanForm,
    ChangeReleaseForm,
    ChangeTestForm,
    ChangeWithdrawForm,
)
from incidents.models import Change, ChangeDecision
from incidents.selectors.changes import AMSTERDAM, CHANGES, MaintenanceWindow, roadmap
from incidents.services import changes as services
from incidents.tables.changes import ChangeTable
from qms.choices import CONTRIBUTOR_ROLES, UnitKind
from qms.exports import EXPORT_FORMATS, export_response
from qms.history import history_entries, merge_histories, records_history
from qms.models import OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import people_of_organisation
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    get_visible_or_404,
)
from risks.choices import RiskStatus
from risks.forms.register import use_matrix_scales
from risks.models import Risk
from risks.selectors.register import matrix_for

WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]

DECISION_RULE = _(
    "Each stakeholder (board members, quality officers, incident coordinators and administrators of the "
    "organisation, not the requester or the owner) records their decision with a reason. The owner, or an "
    "incident coordinator, then concludes: approved or rejected, with a reason. Approval needs at least one "
    "stakeholder who approved."
)


def window_text(window: MaintenanceWindow) -> str:
    return _("%(day)s %(start)s-%(end)s (Amsterdam time)") % {
        "day": WEEKDAYS[window.weekday],
        "start": window.start.strftime("%H:%M"),
        "end": window.end.strftime("%H:%M"),
    }


def submits_changes(user) -> bool:
    return bool(scope_for(user).roles() & CONTRIBUTOR_ROLES) or scope_for(user).sees_everything


def people_for(user, organisation=None):
    people = User.objects.visible_to(user).filter(is_active=True)
    if organisation is not None:
        people = people.filter(pk__in=people_of_organisation(organisation).values("pk"))
    return people


class ChangeNavMixin:
    nav = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["incident_nav"] = {"active": self.nav}
        return context


# --- the list ----------------------------------------------------------------------------------


class ChangeListView(ChangeNavMixin, ObjectListView):
    queryset = CHANGES
    filterset_class = ChangeFilterSet
    table_class = ChangeTable
    template_name = "incidents/changes/change_list.html"
    title = _("Changes and new wishes")
    export_name = "changes"
    add_url_name = "incidents:change_add"
    nav = "changes"

    def can_add(self):
        return submits_changes(self.request.user)


# --- one change --------------------------------------------------------------------------------


def _local_input(value) -> str:
    return timezone.localtime(value, AMSTERDAM).strftime(DATETIME_FORMAT) if value else ""


def step_forms(user, change: Change, steps: set[str]) -> dict:
    """The forms of the steps ``user`` may take now, filled with what the change holds."""
    forms = {}
    if "assess" in steps:
        forms["assess"] = assess_form(user, change)
    if "decide" in steps:
        mine = ChangeDecision.objects.filter(change=change, stakeholder=user).first()
        initial = {"decision": "approve" if mine.approved else "reject", "reason": mine.reason} if mine else {}
        forms["decide"] = ChangeDecisionForm(initial=initial, prefix="decide")
    if "conclude" in steps:
        forms["conclude"] = ChangeDecisionForm(prefix="conclude")
    if "plan" in steps:
        forms["plan"] = ChangePlanForm(initial=plan_initial(change))
    if "record_test" in steps:
        forms["record_test"] = ChangeTestForm(initial={"tested_at": _local_input(timezone.now())})
    if "record_dpia" in steps:
        forms["record_dpia"] = ChangeDpiaForm(initial={"outcome": change.dpia_outcome})
    if "release" in steps:
        forms["release"] = ChangeReleaseForm()
    if "close" in steps:
        forms["close"] = ChangeCloseForm()
    if "withdraw" in steps:
        forms["withdraw"] = ChangeWithdrawForm()
    return forms


def plan_initial(change: Change) -> dict:
    """The planned moment as it is, or else the next maintenance window."""
    if change.planned_start:
        return {
            "planned_start": _local_input(change.planned_start),
            "planned_end": _local_input(change.planned_end),
            "outside_window_reason": change.outside_window_reason,
        }
    opens, closes = MaintenanceWindow.of(change.organisation).next_after()
    return {"planned_start": _local_input(opens), "planned_end": _local_input(closes)}


def assess_form(user, change: Change, data=None) -> ChangeAssessForm:
    initial = {}
    if change.assessed_at:
        initial = {
            name: getattr(change, name)
            for name in (
                "privacy_impact",
                "privacy_note",
                "security_impact",
                "security_note",
                "governance_impact",
                "governance_note",
                "architecture_impact",
                "architecture_note",
                "risk_likelihood",
                "risk_impact",
            )
        }
        initial.update(
            dpia_required="yes" if change.dpia_required else "no",
            fits_requirements={True: "yes", False: "no"}.get(change.fits_requirements, ""),
            risk=change.risk_id,
        )
    form = ChangeAssessForm(data, initial=initial)
    use_matrix_scales(form, matrix_for(change.organisation), ["risk_likelihood", "risk_impact"])
    form.fields["risk"].queryset = (
        Risk.objects.visible_to(user)
        .filter(organisation=change.organisation)
        .exclude(status=RiskStatus.CLOSED)
        .order_by("title")
    )
    return form


class ChangeContextMixin:
    queryset = CHANGES
    template_name = "incidents/changes/change_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        change = context["object"]
        user = self.request.user
        steps = services.allowed_steps(user, change)
        context.update(
            steps=steps,
            can_edit="update" in steps,
            incident_nav={"active": "changes"},
        )
        return context


class ChangeDetailView(ChangeContextMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        change = context["object"]
        user = self.request.user
        window = MaintenanceWindow.of(change.organisation)
        risk_visible = bool(change.risk_id) and Risk.objects.visible_to(user).filter(pk=change.risk_id).exists()
        decisions = list(change.decisions.select_related("stakeholder"))
        context.update(
            decisions=decisions,
            approvals=sum(1 for decision in decisions if decision.approved),
            rejections=sum(1 for decision in decisions if not decision.approved),
            forms=step_forms(user, change, context["steps"]),
            window=window_text(window),
            release_blockers=services.release_blockers(change)
            if change.status in services.OPEN_CHANGE_STATUSES
            else [],
            risk_visible=risk_visible,
            decision_rule=DECISION_RULE,
            impacts=[
                (_("Privacy"), change.privacy_impact, change.get_privacy_impact_display(), change.privacy_note),
                (_("Security"), change.security_impact, change.get_security_impact_display(), change.security_note),
                (
                    _("Governance"),
                    change.governance_impact,
                    change.get_governance_impact_display(),
                    change.governance_note,
                ),
                (
                    _("Architecture"),
                    change.architecture_impact,
                    change.get_architecture_impact_display(),
                    change.architecture_note,
                ),
            ],
        )
        return context


class ChangeHistoryView(ChangeContextMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "incidents/changes/change_detail.html"

    def history(self, obj):
        reader = self.request.user
        decisions = records_history(
            ChangeDecision.history.filter(change_id=obj.pk),
            reader=reader,
            label=lambda record, show: _("Decision of %(person)s") % {"person": show("stakeholder_id")},
        )
        return merge_histories(history_entries(obj, reader=reader), decisions)


class ChangeEditView(ObjectEditView):
    queryset = CHANGES
    form_class = ChangeForm
    template_name = "incidents/changes/change_form.html"
    success_message = _("The request is saved.")

    def has_permission(self):
        if self.object is not None:
            return "update" in services.allowed_steps(self.request.user, self.object)
        return submits_changes(self.request.user)

    def limit_choices(self, form):
        user = self.request.user
        if self.object is not None:
            form.fields["unit"].disabled = True
            form.fields["unit"].queryset = OrganisationUnit.objects.filter(pk=self.object.unit_id)
            form.fields["owner"].queryset = people_for(user, self.object.organisation)
            form.fields["owner"].required = True
            if not services.can_manage_change(user, self.object):
                form.fields["owner"].disabled = True
        else:
            form.fields["unit"].queryset = (
                scope_for(user).units_with_role(*CONTRIBUTOR_ROLES).exclude(kind=UnitKind.GROUP).filter(is_active=True)
            )
            form.fields["owner"].queryset = people_for(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["incident_nav"] = {"active": "changes"}
        return context

    def get_title(self):
        if self.object is not None:
            return _("Edit %(object)s") % {"object": self.object}
        return _("Request a change or new wish")

    def perform(self, form):
        data = dict(form.cleaned_data)
        user = self.request.user
        if self.object is None:
            return services.change_create(actor=user, **data)
        data.pop("unit", None)
        if data.get("owner") is None or not services.can_manage_change(user, self.object):
            data.pop("owner", None)
        return services.change_update(actor=user, change=self.object, **data)


class ChangeStepView(ServiceFormView):
    """One step on a change (a form posted from the detail page; its own page to show errors)."""

    template_name = "incidents/changes/change_step.html"
    step = ""
    form_class = None
    prefix = None
    title = ""
    intro = ""
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        self.change = get_visible_or_404(request, CHANGES.visible_to(request.user), pk=kwargs["pk"])
        if request.user.is_authenticated and not services.STEP_PERMISSIONS[self.step](request.user, self.change):
            raise PermissionDenied(_("You cannot take this step on this change."))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return self.form_class(**self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.change,
            title=self.title % {"change": self.change} if "%(change)s" in str(self.title) else self.title,
            intro=self.intro,
            incident_nav={"active": "changes"},
        )
        return context

    def get_success_url(self, result=None):
        return self.change.get_absolute_url()

    def service_kwargs(self, form) -> dict:
        return dict(form.cleaned_data)

    def perform(self, form):
        service = getattr(services, f"change_{self.step}")
        service(actor=self.request.user, change=self.change, **self.service_kwargs(form))
        return self.change


class ChangeAssessView(ChangeStepView):
    step = "assess"
    form_class = ChangeAssessForm
    title = _("Assess %(change)s")
    intro = _(
        "Rate the impact on privacy, security, governance and architecture. A high privacy impact requires "
        "a DPIA. A risk level of high or above links the change to a risk of the register."
    )
    success_message = _("The impact assessment is recorded.")

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return assess_form(self.request.user, self.change, data)


class ChangeDecideView(ChangeStepView):
    step = "decide"
    form_class = ChangeDecisionForm
    prefix = "decide"
    title = _("Your decision on %(change)s")
    intro = DECISION_RULE
    success_message = _("Your decision is recorded.")

    def service_kwargs(self, form):
        return form.cleaned()


class ChangeConcludeView(ChangeDecideView):
    step = "conclude"
    prefix = "conclude"
    title = _("Conclude the decision on %(change)s")
    success_message = _("The decision is concluded.")


class ChangePlanView(ChangeStepView):
    step = "plan"
    form_class = ChangePlanForm
    title = _("Plan %(change)s")
    success_message = _("The change is planned.")

    @property
    def intro(self):
        return _(
            "Plan it in the maintenance window: %(window)s. A moment outside it needs a reason, and the "
            "escalation contacts of the units are warned at once."
        ) % {"window": window_text(MaintenanceWindow.of(self.change.organisation))}


class ChangeTestView(ChangeStepView):
    step = "record_test"
    form_class = ChangeTestForm
    title = _("Record the test of %(change)s")
    intro = _("Passed: the change is tested. Failed: it stays planned, with your notes.")
    success_message = _("The test is recorded.")


class ChangeDpiaView(ChangeStepView):
    step = "record_dpia"
    form_class = ChangeDpiaForm
    title = _("Record the DPIA of %(change)s")
    intro = _("The change cannot be released before the outcome of its DPIA is recorded.")
    success_message = _("The DPIA outcome is recorded.")


class ChangeReleaseView(ChangeStepView):
    step = "release"
    form_class = ChangeReleaseForm
    title = _("Release %(change)s")
    intro = _("Only a tested change whose DPIA (where required) has its outcome recorded is released.")
    success_message = _("The change is released.")


class ChangeCloseView(ChangeStepView):
    step = "close"
    form_class = ChangeCloseForm
    title = _("Close %(change)s")
    success_message = _("The change is closed.")


class ChangeWithdrawView(ChangeStepView):
    step = "withdraw"
    form_class = ChangeWithdrawForm
    title = _("Withdraw %(change)s")
    intro = _("A withdrawn change stays on record with the reason.")
    success_message = _("The change is withdrawn.")


# --- the roadmap -------------------------------------------------------------------------------


ROADMAP_COLUMNS = [
    ("month", _("Month")),
    ("id", "#"),
    ("title", _("Title")),
    ("kind", _("Kind")),
    ("unit", _("Unit")),
    ("owner", _("Owner")),
    ("status", _("Status")),
    ("planned_start", _("Planned start")),
    ("planned_end", _("Planned end")),
    ("in_window", _("In the maintenance window")),
    ("dpia", _("DPIA")),
]


class RoadmapView(ChangeNavMixin, TemplateView):
    """The requests of the organisation by planned month and status (SPEC 5.4), for everyone who sees
    them; the year's months, then what is not planned yet. Exported as CSV or XLSX."""

    template_name = "incidents/changes/roadmap.html"
    nav = "roadmap"

    def get(self, request, *args, **kwargs):
        self.filterset = RoadmapFilterSet(
            request.GET or None, queryset=CHANGES.visible_to(request.user), request=request
        )
        valid = self.filterset.is_valid()
        changes = self.filterset.qs if valid else self.filterset.queryset.none()
        cleaned = getattr(self.filterset.form, "cleaned_data", {}) if valid else {}
        self.year = cleaned.get("year") or timezone.localdate().year
        self.roadmap_data = roadmap(changes, year=self.year)
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            return export_response(rows=self.rows(), name=f"roadmap-{self.year}", fmt=fmt, request=request)
        return super().get(request, *args, **kwargs)

    def rows(self):
        yield [str(label) for _name, label in ROADMAP_COLUMNS]
        entries = [
            (month.strftime("%Y-%m"), change) for month, items in self.roadmap_data["months"] for change in items
        ]
        entries += [(str(_("Unplanned")), change) for change in self.roadmap_data["unplanned"]]

        def moment(value):
            return timezone.localtime(value, AMSTERDAM).isoformat(timespec="minutes") if value else ""

        for month, change in entries:
            yield [
                month,
                change.pk,
                change.title,
                str(change.get_kind_display()),
                str(change.unit),
                str(change.owner or ""),
                str(change.get_status_display()),
                moment(change.planned_start),
                moment(change.planned_end),
                ""
                if change.in_maintenance_window is None
                else str(_("yes") if change.in_maintenance_window else _("no")),
                (str(_("pending")) if change.is_dpia_pending else str(_("recorded"))) if change.dpia_required else "",
            ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("export", None)
        other_years = query.copy()
        other_years.pop("year", None)
        status_counts = [
            (code, label, self.roadmap_data["counts"].get(code, 0))
            for code, label in ChangeStatus.choices
            if self.roadmap_data["counts"].get(code)
        ]
        today = timezone.localdate()
        context.update(
            filter=self.filterset,
            year=self.year,
            months=self.roadmap_data["months"],
            unplanned=self.roadmap_data["unplanned"],
            total=self.roadmap_data["total"],
            status_counts=status_counts,
            this_month=datetime.date(today.year, today.month, 1),
            querystring=query.urlencode(),
            year_query=other_years.urlencode(),
            export_formats=EXPORT_FORMATS,
            previous_year=self.year - 1,
            next_year=self.year + 1,
        )
        return context
