"""Pages of the effects of improvement actions: which measures worked, per unit; stating an intended
effect, and confirming the measured verdict."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from kpis import conf
from kpis.choices import EFFECT_ACTION_KINDS
from kpis.filtersets import IntendedEffectFilterSet
from kpis.forms import EffectConfirmForm, IntendedEffectForm
from kpis.models import IntendedEffect, Kpi
from kpis.selectors.effects import baseline_measurement_count, effects_per_unit
from kpis.services import effects as services
from kpis.tables import IntendedEffectTable
from kpis.views.kpis import contributes_somewhere
from qms.models import Action
from qms.views.generic import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView, get_visible_or_404

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
                self.action = get_visible_or_404(request, candidates, pk=action_id)
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
        effect = get_visible_or_404(request, EFFECTS.visible_to(request.user), pk=pk)
        form = EffectConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.effect_confirm(actor=request.user, effect=effect, **form.cleaned_data)
                messages.success(request, _("Thank you: the verdict is confirmed."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(effect.get_absolute_url())


def action_effect_panel(user, action) -> dict | None:
    """What an action's own page shows of its intended effect (the core action page asks through
    ``qms.views.actions.ACTION_PANELS``): the effect and its verdict, or, for an action that may
    state one and has none, whether ``user`` may state it. None for other kinds of action. One query."""
    if action.kind not in EFFECT_ACTION_KINDS:
        return None
    effect = IntendedEffect.objects.visible_to(user).filter(action=action).select_related("kpi").first()
    return {"effect": effect, "can_state": effect is None and services.can_state_effect(user, action)}
