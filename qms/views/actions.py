"""Pages of actions: my open actions, all actions in my units, one action."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from qms.choices import CONTRIBUTOR_ROLES
from qms.filtersets import ActionFilterSet
from qms.forms import ActionForm, ActionStatusForm, scope_form_querysets
from qms.models import Action
from qms.permissions import can_change_action_status, can_edit_action
from qms.scoping import scope_for
from qms.services import actions as services
from qms.tables import ActionTable
from qms.views.generic import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView, get_visible_or_404

ACTIONS_QUERYSET = Action.objects.select_related("unit", "owner", "created_by", "source_content_type")

# Panels other apps add to an action's page, registered in their AppConfig.ready(): (template,
# function(user, action) returning the panel's context, or None to show nothing). The core app
# knows no app; the KPI app shows an improvement action's intended effect this way.
ACTION_PANELS: list[tuple[str, Callable]] = []


class ActionListView(ObjectListView):
    queryset = ACTIONS_QUERYSET
    filterset_class = ActionFilterSet
    table_class = ActionTable
    title = _("Actions")
    add_url_name = "qms:action_add"

    def can_add(self):
        return bool(scope_for(self.request.user).roles() & CONTRIBUTOR_ROLES)


class MyActionListView(ActionListView):
    """My open actions, soonest due first: one list of all my work, whatever it came from."""

    title = _("My actions")
    export_name = "my-actions"

    def get_queryset(self):
        return super().get_queryset().filter(owner=self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:
            kwargs["data"] = {"open": "true"}
        return kwargs


class ActionDetailView(ObjectDetailView):
    queryset = ACTIONS_QUERYSET
    template_name = "qms/action_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = context["object"]
        context.update(
            can_edit=can_edit_action(self.request.user, action),
            can_change_status=can_change_action_status(self.request.user, action),
            status_form=kwargs.get("status_form") or ActionStatusForm(initial={"status": action.status}),
            transitions=services.ACTION_TRANSITIONS[action.status],
            panels=[
                {"template": template, "context": panel}
                for template, panel_for in ACTION_PANELS
                if (panel := panel_for(self.request.user, action)) is not None
            ],
        )
        return context


class ActionHistoryView(ObjectHistoryView):
    queryset = ACTIONS_QUERYSET
    detail_template = "qms/action_detail.html"


class ActionEditView(ObjectEditView):
    queryset = Action.objects.select_related("unit")
    form_class = ActionForm

    def has_permission(self):
        if self.object is not None:
            return can_edit_action(self.request.user, self.object)
        return bool(scope_for(self.request.user).roles() & CONTRIBUTOR_ROLES)

    def limit_choices(self, form):
        form.fields["unit"].queryset = scope_for(self.request.user).units_with_role(*CONTRIBUTOR_ROLES)
        scope_form_querysets(form, self.request.user, ["owner"])
        if self.object is not None:
            form.fields["unit"].disabled = True

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.object is None:
            return services.action_create(actor=self.request.user, **data)
        data.pop("unit", None)
        return services.action_update(actor=self.request.user, action=self.object, **data)


class ActionStatusView(View):
    """Change an action's status in place (htmx) or from the detail page."""

    def post(self, request, pk):
        action = get_visible_or_404(request, Action.objects.visible_to(request.user), pk=pk)
        form = ActionStatusForm(request.POST)
        if form.is_valid():
            try:
                action = services.action_set_status(
                    actor=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
        if request.htmx:
            action = ACTIONS_QUERYSET.get(pk=action.pk)
            return render(
                request,
                "qms/_action_status.html",
                {
                    "object": action,
                    "status_form": form if form.errors else ActionStatusForm(initial={"status": action.status}),
                    "transitions": services.ACTION_TRANSITIONS[action.status],
                    "can_change_status": True,
                },
            )
        if form.errors:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            messages.success(request, _("Status changed."))
        return HttpResponseRedirect(action.get_absolute_url())
