"""Pages of SMART objectives: the goal tree, an objective's page, and its key results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import View
from django_filters.views import FilterView

from kpis.filtersets import ObjectiveFilterSet
from kpis.forms import KeyResultDeleteForm, KeyResultForm, ObjectiveForm
from kpis.models import KeyResult, Kpi, Objective
from kpis.selectors.objectives import objective_node, objective_tree
from kpis.services import objectives as services
from kpis.templatetags.kpi_tags import kpi_number
from kpis.views.kpis import contributes_somewhere
from qms.choices import CONTRIBUTOR_ROLES
from qms.forms import scope_form_querysets
from qms.history import merge_histories, records_history
from qms.scoping import scope_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ScopedQuerysetMixin,
    get_visible_or_404,
)


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
            objectives = Objective.objects.visible_to(request.user)
            self.objective = get_visible_or_404(request, objectives, pk=kwargs["objective"])
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
        self.key_result = get_visible_or_404(
            request,
            KeyResult.objects.visible_to(request.user).select_related("objective__unit", "kpi"),
            pk=kwargs["pk"],
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
