"""Pages of the problems part: the problem list, a problem with its incidents, steps and history, the
create and edit forms, and the proposed problems the coordinators accept or dismiss.

Every page starts from ``visible_to(request.user)`` (out of sight is a 404); every write goes through
``incidents.services.problems`` (a ValidationError re-renders the form or becomes a message,
PermissionDenied is a 403).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from incidents.choices import ProposalStatus
from incidents.filtersets.problems import ProblemFilterSet, ProblemProposalFilterSet
from incidents.forms.problems import (
    ProblemCreateForm,
    ProblemForm,
    ProblemLinkForm,
    ProblemStepForm,
    ProposalAcceptForm,
    ProposalDismissForm,
)
from incidents.models import Incident, Problem, ProblemProposal
from incidents.selectors.problems import (
    LINKABLE_MAX,
    linkable_incidents,
    problem_incidents,
    problem_steps,
    problems_for,
    proposals_for,
)
from incidents.services import problems as services
from incidents.tables.problems import ProblemProposalTable, ProblemTable
from qms.choices import CONTRIBUTOR_ROLES, UnitKind
from qms.models import User
from qms.scoping import scope_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
)

PROBLEMS = Problem.objects.select_related("unit", "owner")
# The URL of each step, and the fields its form shows.
STEP_SLUGS = {
    "known-error": services.Step.KNOWN_ERROR,
    "resolve": services.Step.RESOLVE,
    "close": services.Step.CLOSE,
    "reopen": services.Step.REOPEN,
}
STEP_FIELDS = {
    services.Step.KNOWN_ERROR: ["workaround"],
    services.Step.RESOLVE: ["root_cause"],
    services.Step.CLOSE: [],
    services.Step.REOPEN: ["reason"],
}
STEP_INTROS = {
    services.Step.KNOWN_ERROR: _("A known error has a workaround that people can use until the root cause is fixed."),
    services.Step.RESOLVE: _("A problem is resolved when its root cause is known and taken away."),
    services.Step.CLOSE: _("Close the problem once the resolution is confirmed and the reporters are told."),
    services.Step.REOPEN: _("Reopen the problem when it comes back, saying why."),
}


def edits_problems(user) -> bool:
    """Whether the person may register problems somewhere."""
    return bool(scope_for(user).roles() & CONTRIBUTOR_ROLES) or scope_for(user).sees_everything


class ProblemNavMixin:
    """The problems' sub-navigation (problems, proposed problems)."""

    nav = "problems"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problem_nav"] = self.nav
        return context


class ProblemListView(ProblemNavMixin, ObjectListView):
    queryset = PROBLEMS
    filterset_class = ProblemFilterSet
    table_class = ProblemTable
    template_name = "incidents/problems/problem_list.html"
    title = _("Problems")
    export_name = "problems"
    add_url_name = "incidents:problem_add"

    def get_queryset(self):
        return problems_for(self.request.user)

    def can_add(self):
        return edits_problems(self.request.user)


class ProblemContextMixin:
    queryset = PROBLEMS
    template_name = "incidents/problems/problem_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problem = context["object"]
        user = self.request.user
        can_edit = services.can_edit_problems(user, problem.unit)
        steps = services.allowed_steps(user, problem)
        slugs = {step: slug for slug, step in STEP_SLUGS.items()}
        context.update(
            can_edit=can_edit and problem.status != "closed",
            step_links=[(slugs[step], services.STEP_LABELS[step]) for step in steps],
        )
        return context


class ProblemDetailView(ProblemContextMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problem = context["object"]
        user = self.request.user
        link_form = None
        if context["can_edit"]:
            link_form = ProblemLinkForm()
            link_form.fields["incidents"].queryset = linkable_choices(problem, user)
        context.update(
            incidents=list(problem_incidents(problem, user)),
            steps=problem_steps(problem),
            link_form=link_form,
        )
        return context


class ProblemHistoryView(ProblemContextMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "incidents/problems/problem_detail.html"


def linkable_choices(problem, user):
    """The link form's choices: the most recent linkable incidents (a list of ids keeps the form cheap)."""
    ids = list(linkable_incidents(problem, user).values_list("pk", flat=True)[:LINKABLE_MAX])
    return Incident.objects.filter(pk__in=ids).select_related("unit").order_by("-reported_at", "-pk")


def people_for(user):
    return User.objects.visible_to(user).filter(is_active=True)


class ProblemEditView(ObjectEditView):
    queryset = PROBLEMS
    template_name = "incidents/problems/problem_form.html"
    success_message = _("The problem is saved.")

    def get_form_class(self):
        return ProblemForm if self.object is not None else ProblemCreateForm

    def has_permission(self):
        if self.object is not None:
            return services.can_edit_problems(self.request.user, self.object.unit)
        return edits_problems(self.request.user)

    def get_initial(self):
        initial = super().get_initial()
        incident = self.from_incident()
        if incident is not None:
            initial.update(
                unit=incident.unit_id, category=incident.category, title=incident.title, incidents=[incident]
            )
        return initial

    def from_incident(self):
        """``?incident=<id>``: a problem started from an incident (its unit, category and itself)."""
        value = self.request.GET.get("incident", "")
        if self.object is not None or not value.isdigit():
            return None
        return Incident.objects.visible_to(self.request.user).filter(pk=int(value)).first()

    def limit_choices(self, form):
        user = self.request.user
        form.fields["owner"].queryset = people_for(user)
        if self.object is not None:
            form.fields["unit"].disabled = True
            form.fields["unit"].queryset = type(self.object.unit).objects.filter(pk=self.object.unit_id)
            return
        form.fields["unit"].queryset = (
            scope_for(user).units_with_role(*CONTRIBUTOR_ROLES).exclude(kind=UnitKind.GROUP).filter(is_active=True)
        )
        ids = list(
            Incident.objects.visible_to(user)
            .filter(problem__isnull=True)
            .order_by("-reported_at", "-pk")
            .values_list("pk", flat=True)[:LINKABLE_MAX]
        )
        incident = self.from_incident()
        if incident is not None:
            ids.append(incident.pk)
        form.fields["incidents"].queryset = Incident.objects.filter(pk__in=ids).order_by("-reported_at", "-pk")

    def get_title(self):
        if self.object is not None:
            return _("Edit %(object)s") % {"object": self.object}
        return _("Register a problem")

    def perform(self, form):
        data = dict(form.cleaned_data)
        user = self.request.user
        if self.object is None:
            data["incidents"] = list(data.get("incidents") or [])
            return services.problem_create(actor=user, **data)
        data.pop("unit", None)
        return services.problem_update(actor=user, problem=self.object, **data)


class ProblemWriteMixin:
    """A form or button on one problem, for those who may change it (404 out of sight, 403 for readers)."""

    template_name = "incidents/problems/problem_action_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.problem = get_visible_or_404(request, PROBLEMS.visible_to(request.user), pk=kwargs["pk"])
        if request.user.is_authenticated and not services.can_edit_problems(request.user, self.problem.unit):
            raise PermissionDenied(_("You cannot change this problem."))
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self, result=None):
        return self.problem.get_absolute_url()


class ProblemStepView(ProblemWriteMixin, ServiceFormView):
    form_class = ProblemStepForm
    success_message = _("The problem's status is changed.")

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("step") not in STEP_SLUGS:
            raise Http404
        self.step = STEP_SLUGS[kwargs["step"]]
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"workaround": self.problem.workaround, "root_cause": self.problem.root_cause}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for name in list(form.fields):
            if name not in STEP_FIELDS[self.step]:
                del form.fields[name]
        if self.step == services.Step.REOPEN:
            form.fields["reason"].required = True
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.problem,
            title=f"{services.STEP_LABELS[self.step]}: {self.problem}",
            intro=STEP_INTROS[self.step],
            submit_label=services.STEP_LABELS[self.step],
        )
        return context

    def perform(self, form):
        return services.problem_step(actor=self.request.user, problem=self.problem, step=self.step, **form.cleaned_data)


class ProblemLinkView(ProblemWriteMixin, View):
    def post(self, request, pk):
        form = ProblemLinkForm(request.POST)
        form.fields["incidents"].queryset = linkable_choices(self.problem, request.user)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(self.problem)
        try:
            services.problem_link_incidents(
                actor=request.user, problem=self.problem, incidents=list(form.cleaned_data["incidents"])
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The incidents are linked."))
        return redirect(self.problem)


class ProblemUnlinkView(ProblemWriteMixin, View):
    def post(self, request, pk, incident_pk):
        try:
            services.problem_unlink_incident(actor=request.user, problem=self.problem, incident=incident_pk)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The incident is no longer linked."))
        return redirect(self.problem)


# --- proposed problems -------------------------------------------------------------------------


class ProposalListView(ProblemNavMixin, ObjectListView):
    queryset = ProblemProposal.objects.select_related("unit", "problem")
    filterset_class = ProblemProposalFilterSet
    table_class = ProblemProposalTable
    template_name = "incidents/problems/proposal_list.html"
    title = _("Proposed problems")
    export_name = "proposed-problems"
    nav = "proposals"

    def get_queryset(self):
        # Whether the reader decides on each row's proposal, in the same query (no check per row).
        user = self.request.user
        units = scope_for(user).units_with_role(*services.COORDINATOR_ROLES)
        decidable = (
            ExpressionWrapper(Q(unit__in=units.values("pk")), output_field=BooleanField())
            if units.exists()
            else Value(False)
        )
        return proposals_for(user).annotate(decidable=decidable)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:
            kwargs["data"] = QueryDict(f"status={ProposalStatus.PROPOSED}")
        return kwargs


class ProposalMixin:
    def dispatch(self, request, *args, **kwargs):
        proposals = ProblemProposal.objects.visible_to(request.user).select_related("unit")
        self.proposal = get_visible_or_404(request, proposals, pk=kwargs["pk"])
        if request.user.is_authenticated and not services.can_coordinate_problems(request.user, self.proposal.unit):
            raise PermissionDenied(
                _("Only incident coordinators, quality officers and administrators decide on proposed problems.")
            )
        return super().dispatch(request, *args, **kwargs)


class ProposalAcceptView(ProposalMixin, View):
    def post(self, request, pk):
        form = ProposalAcceptForm(request.POST)
        title = form.cleaned_data["title"] if form.is_valid() else ""
        try:
            problem = services.proposal_accept(actor=request.user, proposal=self.proposal, title=title)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("incidents:proposal_list")
        messages.success(request, _("The problem is registered with its incidents; you own it."))
        return redirect(problem)


class ProposalDismissView(ProposalMixin, ServiceFormView):
    form_class = ProposalDismissForm
    template_name = "incidents/problems/problem_action_form.html"
    success_message = _("The proposed problem is dismissed.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Dismiss: %(proposal)s") % {"proposal": self.proposal},
            intro=_("Its incidents are not proposed again. Say why."),
            submit_label=_("Dismiss"),
            cancel_url=self.proposal.get_absolute_url(),
        )
        return context

    def perform(self, form):
        return services.proposal_dismiss(actor=self.request.user, proposal=self.proposal, **form.cleaned_data)

    def get_success_url(self, result=None):
        return self.proposal.get_absolute_url()
