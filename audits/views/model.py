"""Pages of the model part: an organisation's maturity model (its five levels and its management
principles with their controls and questions), a principle's pages (add, edit, texts, history), the
three-year cycles with the plan as a grid (a year per principle) and the organisation's themes. Also the
audits app's sub-navigation (``AuditNavMixin``, ``navigation_context``, ``templates/audits/_subnav.html``).

Everyone who belongs to an organisation reads its model (the assessors ask its questions; they come
from its units): ``organisations_for(user, Purpose.BELONG)``, an organisation out of that list is a 404.
Its quality officers and administrators change it (``can_manage_model``); every write goes through
``audits.services.model`` (a ValidationError re-renders the form with field messages, PermissionDenied
is a 403).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from audits.choices import CYCLE_YEARS, ControlKind
from audits.forms.model import CycleForm, LevelForm, PrincipleForm, PrincipleTextsForm
from audits.models import (
    Audit,
    AuditCycle,
    CyclePrinciple,
    MaturityLevel,
    Principle,
    PrincipleControl,
    PrincipleQuestion,
    Theme,
)
from audits.services import model as services
from qms.choices import Role
from qms.history import merge_histories, records_history
from qms.models import OrganisationUnit
from qms.scoping import Purpose, organisations_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectMixin,
    ServiceFormView,
    get_visible_or_404,
)

# Who manages an organisation's model and plans its audits (``can_manage_model`` decides per organisation).
MANAGER_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)


# --- the sub-navigation ------------------------------------------------------------------------


def navigation_context(request, scope) -> dict:
    """The audits app's sub-navigation: whether the person manages a maturity model somewhere (the
    links to change the model and plan cycles). From the scope's roles, loaded once per request: no
    query."""
    return {"manages_audit_model": request.user.is_superuser or bool(scope.roles() & set(MANAGER_ROLES))}


class AuditNavMixin:
    """The audits app's sub-navigation (``templates/audits/_subnav.html``) with ``nav`` active: one of
    audits, good_examples, model, cycle, themes, maturity_report."""

    nav = "model"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audit_nav"] = {"active": self.nav}
        return context


# --- which organisation ------------------------------------------------------------------------


def model_organisations(user):
    """The organisations whose model ``user`` reads: those they belong to."""
    return organisations_for(user, Purpose.BELONG).order_by("name")


def organisation_of_model(request, param: str = "organisation"):
    """The organisations the person reads the model of, and the one the page shows: ``?organisation=<id>``
    among them (a malformed id or one out of reach is a 404, logged like any probe), else the first.
    As ``qms.views.generic.organisation_from_query``, for the organisations one belongs to."""
    organisations = list(model_organisations(request.user))
    asked = request.GET.get(param)
    if not asked:
        return organisations, (organisations[0] if organisations else None)
    if not asked.isdigit() or len(asked) > 18:
        raise Http404
    for organisation in organisations:
        if organisation.pk == int(asked):
            return organisations, organisation
    get_visible_or_404(request, OrganisationUnit.objects.none(), pk=int(asked))


def manages(user, organisation) -> bool:
    """The page's courtesy (the forms offered); the services check again."""
    return organisation is not None and user.is_authenticated and services.can_manage_model(user, organisation)


def with_organisation(url_name: str, organisation, *args) -> str:
    return f"{reverse(url_name, args=args)}?organisation={organisation.pk}"


class OrganisationPageMixin(AuditNavMixin):
    """A page about one organisation's model, chosen with ``?organisation=``; with ``tabs`` (the url
    names of the page and of its History tab) it has both tabs."""

    title = ""
    tabs: tuple[str, str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisations, self.organisation = organisation_of_model(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            organisations=self.organisations,
            organisation=self.organisation,
            can_manage=manages(self.request.user, self.organisation),
        )
        if self.tabs and self.organisation is not None:
            context.update(
                details_url=with_organisation(self.tabs[0], self.organisation),
                history_url=with_organisation(self.tabs[1], self.organisation),
            )
        return context


MODEL_TABS = ("audits:model", "audits:model_history")
CYCLE_TABS = ("audits:cycle", "audits:cycle_history")


def principles_with_texts(queryset):
    return queryset.prefetch_related(
        Prefetch("controls", queryset=PrincipleControl.objects.order_by("kind", "position", "id")),
        Prefetch("questions", queryset=PrincipleQuestion.objects.order_by("position", "id")),
    )


def principle_texts(principle) -> dict:
    """A principle's definition, hard and soft controls and questions (prefetched) in the reader's
    language, for the templates (which cannot call ``localized`` with its field)."""
    controls = list(principle.controls.all())
    return {
        "principle": principle,
        "definition": principle.localized("definition"),
        "hard": [control.localized("text") for control in controls if control.kind == ControlKind.HARD],
        "soft": [control.localized("text") for control in controls if control.kind == ControlKind.SOFT],
        "questions": [question.localized("text") for question in principle.questions.all()],
    }


# --- the model: levels and principles ----------------------------------------------------------


class ModelHistoryView(OrganisationPageMixin, TemplateView):
    """The History tab of an organisation's model: who changed a level, a principle, its controls or
    its questions, when, from what to what."""

    template_name = "audits/model/model_history.html"
    title = _("Maturity model")
    tabs = MODEL_TABS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = []
        if self.organisation is not None:
            user, pk = self.request.user, self.organisation.pk
            own = {"principle_id": Principle.objects.filter(organisation_id=pk)}
            principle_ids = set(Principle.history.filter(organisation_id=pk).values_list("id", flat=True).distinct())
            entries = merge_histories(
                records_history(
                    MaturityLevel.history.filter(organisation_id=pk),
                    reader=user,
                    label=lambda record, show: _("Level %(level)s") % {"level": record.level},
                    omit=["organisation_id"],
                ),
                records_history(
                    Principle.history.filter(organisation_id=pk),
                    reader=user,
                    label=lambda record, show: _("Principle %(name)s") % {"name": record.name},
                    omit=["organisation_id"],
                ),
                records_history(
                    PrincipleControl.history.filter(principle_id__in=principle_ids),
                    reader=user,
                    label=lambda record, show: _("Control of %(principle)s") % {"principle": show("principle_id")},
                    visible=own,
                ),
                records_history(
                    PrincipleQuestion.history.filter(principle_id__in=principle_ids),
                    reader=user,
                    label=lambda record, show: _("Question of %(principle)s") % {"principle": show("principle_id")},
                    visible=own,
                ),
            )
        context.update(tab="history", entries=entries)
        return context


class ModelView(OrganisationPageMixin, TemplateView):
    """The organisation's five levels and its principles (definition, hard and soft controls,
    questions, active), in the reader's language."""

    template_name = "audits/model/model.html"
    title = _("Maturity model")
    tabs = MODEL_TABS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        levels, principles = [], []
        if self.organisation is not None:
            levels = [
                {"level": level, "name": level.localized("name"), "description": level.localized("description")}
                for level in MaturityLevel.objects.filter(organisation=self.organisation).order_by("level")
            ]
            principles = [
                principle_texts(principle)
                for principle in principles_with_texts(
                    Principle.objects.filter(organisation=self.organisation).order_by("position", "id")
                )
            ]
        context.update(levels=levels, principles=principles)
        return context


class ModelObjectMixin:
    """A level or principle of an organisation the reader belongs to (else a 404)."""

    def get_queryset(self):
        return self.queryset.filter(organisation__in=model_organisations(self.request.user))


class LevelEditView(AuditNavMixin, ModelObjectMixin, ObjectEditView):
    queryset = MaturityLevel.objects.select_related("organisation")
    form_class = LevelForm
    template_name = "audits/model/model_form.html"
    success_message = _("The level is changed.")

    def has_permission(self):
        return manages(self.request.user, self.object.organisation)

    def perform(self, form):
        return services.level_update(actor=self.request.user, level=self.object, **form.cleaned_data)

    def get_success_url(self, result=None):
        return with_organisation("audits:model", self.object.organisation)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.get_success_url()
        return context


class PrincipleAddView(AuditNavMixin, ObjectEditView):
    """A new principle of ``?organisation=`` (its quality officers and administrators)."""

    queryset = Principle.objects.all()
    form_class = PrincipleForm
    template_name = "audits/model/model_form.html"
    success_message = _("The principle is added.")

    def has_permission(self):
        self.organisations, self.organisation = organisation_of_model(self.request)
        if self.organisation is None:
            raise Http404
        return manages(self.request.user, self.organisation)

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.principle_create(
            actor=self.request.user,
            organisation=self.organisation,
            code=data.pop("code"),
            name=data.pop("name"),
            **data,
        )

    def get_success_url(self, result=None):
        return reverse("audits:principle_detail", args=[result.pk])

    def get_title(self):
        return _("Add a principle to %(organisation)s") % {"organisation": self.organisation}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = with_organisation("audits:model", self.organisation)
        return context


class PrincipleMixin(AuditNavMixin, ModelObjectMixin):
    queryset = principles_with_texts(Principle.objects.select_related("organisation"))

    def principle_tabs(self, principle) -> dict:
        return {
            "details_url": reverse("audits:principle_detail", args=[principle.pk]),
            "history_url": reverse("audits:principle_history", args=[principle.pk]),
        }


class PrincipleDetailView(PrincipleMixin, ObjectDetailView):
    template_name = "audits/model/principle_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        principle = context["object"]
        context.update(
            self.principle_tabs(principle),
            texts=principle_texts(principle),
            can_manage=manages(self.request.user, principle.organisation),
            planned=CyclePrinciple.objects.filter(principle=principle).select_related("cycle").order_by("-year"),
        )
        return context


class PrincipleHistoryView(PrincipleMixin, ObjectHistoryView):
    detail_template = "audits/model/principle_detail.html"

    def history(self, obj):
        # The organisation is the page's; the reader may not see it as a unit (a team's people).
        return records_history(obj.history.all(), reader=self.request.user, omit=["organisation_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.principle_tabs(context["object"]))
        return context


class PrincipleEditView(PrincipleMixin, ObjectEditView):
    form_class = PrincipleForm
    template_name = "audits/model/model_form.html"
    success_message = _("The principle is changed.")

    def has_permission(self):
        return manages(self.request.user, self.object.organisation)

    def perform(self, form):
        return services.principle_update(actor=self.request.user, principle=self.object, **form.cleaned_data)

    def get_success_url(self, result=None):
        return reverse("audits:principle_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.get_success_url()
        return context


class PrincipleTextsView(PrincipleMixin, ObjectMixin, ServiceFormView):
    """A principle's hard and soft controls and questions, one per line (Dutch and English)."""

    form_class = PrincipleTextsForm
    template_name = "audits/model/model_form.html"
    success_message = _("The controls and questions are saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
            if not manages(request.user, self.object.organisation):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return PrincipleTextsForm.initial_for(self.object)

    def perform(self, form):
        controls, questions = form.texts()
        return services.principle_set_texts(
            actor=self.request.user, principle=self.object, controls=controls, questions=questions
        )

    def get_success_url(self, result=None):
        return reverse("audits:principle_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            title=_("Controls and questions of %(principle)s") % {"principle": self.object},
            cancel_url=self.get_success_url(),
        )
        return context


# --- the three-year cycle ----------------------------------------------------------------------


def cycles_of(organisation) -> list[dict]:
    """The organisation's cycles, newest first, each with its principles per year (two queries)."""
    cycles = list(AuditCycle.objects.filter(organisation=organisation).order_by("-first_year"))
    entries = (
        CyclePrinciple.objects.filter(cycle__in=cycles)
        .select_related("principle")
        .order_by("year", "principle__position", "principle_id")
    )
    by_cycle = {cycle.pk: {cycle.first_year + offset: [] for offset in range(CYCLE_YEARS)} for cycle in cycles}
    for entry in entries:
        by_cycle[entry.cycle_id].setdefault(entry.year, []).append(entry.principle)
    return [{"cycle": cycle, "years": sorted(by_cycle[cycle.pk].items())} for cycle in cycles]


class CycleView(OrganisationPageMixin, TemplateView):
    """The organisation's cycles and, for its quality officers, the plan of a new cycle or of
    ``?cycle=<id>`` as a grid: a radio per principle choosing its year. ``cycle_save`` refuses a plan
    that leaves a principle out (the message shows above the grid; nothing is saved)."""

    template_name = "audits/model/cycle.html"
    nav = "cycle"
    title = _("Three-year cycle")
    tabs = CYCLE_TABS

    def get_cycle(self):
        value = self.request.GET.get("cycle") or self.request.POST.get("cycle")
        if not value or self.organisation is None:
            return None
        if not value.isdigit() or len(value) > 18:
            raise Http404
        return get_visible_or_404(
            self.request, AuditCycle.objects.filter(organisation=self.organisation), pk=int(value)
        )

    def active_principles(self):
        return list(Principle.objects.filter(organisation=self.organisation, is_active=True).order_by("position", "id"))

    def get_form(self, cycle, data=None):
        principles = self.active_principles()
        initial = {}
        if cycle is not None:
            initial["first_year"] = cycle.first_year
            for entry in cycle.entries.all():
                initial[f"principle_{entry.principle_id}"] = str(entry.year - cycle.first_year)
        else:
            latest = AuditCycle.objects.filter(organisation=self.organisation).order_by("-first_year").first()
            initial["first_year"] = latest.last_year + 1 if latest else timezone.localdate().year
        return CycleForm(data, initial=initial, principles=principles)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = kwargs["cycle"] if "cycle" in kwargs else self.get_cycle()
        form = kwargs.get("form")
        can_manage = context["can_manage"]
        if form is None and can_manage and self.organisation is not None:
            form = self.get_form(cycle)
        context.update(
            cycles=cycles_of(self.organisation) if self.organisation is not None else [],
            cycle=cycle,
            form=form,
            rows=form.rows() if form is not None else [],
            year_offsets=range(CYCLE_YEARS),
            current_year=timezone.localdate().year,
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.organisation is None:
            raise Http404
        if not manages(request.user, self.organisation):
            raise PermissionDenied
        cycle = self.get_cycle()
        form = self.get_form(cycle, data=request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = services.cycle_save(
                        actor=request.user,
                        organisation=self.organisation,
                        first_year=form.cleaned_data["first_year"],
                        plan=form.plan_for_service(),
                        cycle=cycle,
                    )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The cycle %(cycle)s is saved.") % {"cycle": saved})
                return HttpResponseRedirect(with_organisation("audits:cycle", self.organisation))
        return self.render_to_response(self.get_context_data(form=form, cycle=cycle))


class CycleHistoryView(OrganisationPageMixin, TemplateView):
    """The History tab of an organisation's cycles: who planned which principle in which year, when."""

    template_name = "audits/model/cycle_history.html"
    nav = "cycle"
    title = _("Three-year cycle")
    tabs = CYCLE_TABS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = []
        if self.organisation is not None:
            user, pk = self.request.user, self.organisation.pk
            cycle_ids = set(AuditCycle.history.filter(organisation_id=pk).values_list("id", flat=True).distinct())
            entries = merge_histories(
                records_history(
                    AuditCycle.history.filter(organisation_id=pk),
                    reader=user,
                    label=lambda record, show: _("Cycle %(cycle)s") % {"cycle": record.instance},
                    omit=["organisation_id"],
                ),
                records_history(
                    CyclePrinciple.history.filter(cycle_id__in=cycle_ids),
                    reader=user,
                    label=lambda record, show: _("Principle planned in %(year)s") % {"year": record.year},
                    omit=["cycle_id"],
                    visible={"principle_id": Principle.objects.filter(organisation_id=pk)},
                ),
            )
        context.update(tab="history", entries=entries)
        return context


# --- themes --------------------------------------------------------------------------------------


class ThemeListView(OrganisationPageMixin, TemplateView):
    """The organisation's themes with how many findings (of the audits the reader sees) carry each."""

    template_name = "audits/model/themes.html"
    nav = "themes"
    title = _("Themes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = []
        if self.organisation is not None:
            visible = Q(findings__audit__in=Audit.objects.visible_to(self.request.user).values("pk"))
            themes = (
                Theme.objects.filter(organisation=self.organisation)
                .annotate(finding_count=Count("findings", filter=visible))
                .order_by("name")
            )
        context["themes"] = themes
        return context
