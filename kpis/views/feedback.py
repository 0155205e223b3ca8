"""Pages of customer feedback: the list, entry and import, and the decisions on proposed escalations
of recurring flagged feedback."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View

from kpis import imports
from kpis.choices import EscalationStatus
from kpis.filtersets import FeedbackFilterSet
from kpis.forms import EscalationDecisionForm, FeedbackForm, FeedbackImportForm
from kpis.models import Feedback, FeedbackEscalation
from kpis.services import feedback as services
from kpis.tables import FeedbackTable
from kpis.views.kpis import ImportView, contributes_somewhere
from qms.choices import CONTRIBUTOR_ROLES
from qms.scoping import scope_for
from qms.views.generic import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView, get_visible_or_404


class FeedbackImportView(ImportView):
    """Import feedback from a CSV or XLSX file (a survey tool's export): all or nothing, with a report
    of every bad row. Every row is flagged, assigned and escalated as feedback entered by hand is."""

    template_name = "kpis/feedback_import.html"
    form_class = FeedbackImportForm
    title = gettext_lazy("Import feedback")
    title_label = gettext_lazy("Unit")
    section = "feedback"
    success_url = reverse_lazy("kpis:feedback_list")

    def form(self, *args):
        form = FeedbackImportForm(*args)
        form.fields["unit"].queryset = scope_for(self.request.user).units_with_role(*CONTRIBUTOR_ROLES)
        return form

    def read(self, form):
        return imports.read_feedback(form.cleaned_data["file"])

    def run(self, form, rows):
        return imports.feedback_import(actor=self.request.user, rows=rows, default_unit=form.cleaned_data["unit"])

    def saved(self, count):
        return ngettext("%(count)s piece of feedback imported.", "%(count)s pieces of feedback imported.", count) % {
            "count": count
        }


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
        escalation = get_visible_or_404(request, ESCALATIONS.visible_to(request.user), pk=pk)
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
