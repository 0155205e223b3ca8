"""Pages of the monthly weighted risk score (SPEC 3): the organisations' scores, an organisation's
dashboard (trend, contributions, drops and their investigations), the month grid with its correction,
the areas and their weights, the import, the investigations and the group comparison.

Every page starts from what the person sees (``visible_to``; out of sight is a 404) and every write
goes through ``risks.services.scoring`` (a ValidationError re-renders the form with its messages,
PermissionDenied is a 403).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from qms.choices import UnitKind
from qms.history import merge_histories, records_history
from qms.imports import ImportFileError, max_bytes, max_rows
from qms.models import Action, OrganisationUnit
from qms.periods import FIRST_YEAR, month_label, month_shift, parse_month, this_month
from qms.scoping import Purpose, organisations_for
from qms.views.generic import ObjectDetailView, ObjectHistoryView, ObjectListView, get_visible_or_404
from risks.choices import DEFAULT_SCORE_AREAS, InvestigationStatus, ProgrammeLevel, ScoreSource
from risks.forms.scoring import (
    AreaFormSet,
    InvestigationCloseForm,
    InvestigationListFilterSet,
    InvestigationReassignForm,
    MonthScoresForm,
    ScoreImportForm,
    StepForm,
    area_initial,
)
from risks.imports import scoring as imports
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea
from risks.models.scoring import TRAINING_FORMULA
from risks.selectors.scoring import (
    group_comparison,
    investigation_follow_up,
    latest_totals,
    score_trend,
    training_years,
)
from risks.services import scoring as services
from risks.tables.scoring import InvestigationTable
from risks.views.register import RiskNavMixin, people_for

TREND_MONTHS = 24
GROUP_MONTHS = 12
INVESTIGATIONS = Investigation.objects.select_related("organisation", "area", "owner")


def month_or_404(text: str):
    """The month of the URL (``qms.periods.parse_month``); a 404 when it is not one."""
    try:
        return parse_month(text)
    except ValidationError:
        raise Http404(_("Give the month as YYYY-MM, e.g. 2026-01.")) from None


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's messages on the form's fields (an area's code is its score field), the rest on
    the form as a whole, and mark the fields invalid."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = form.service_field(key)
        form.add_error(name, errors)
        if name:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def chart_colour(index: int) -> str:
    palette = ["#0d6efd", "#198754", "#d63384", "#fd7e14", "#6f42c1", "#20c997", "#b58105", "#6c757d", "#dc3545"]
    return palette[index % len(palette)]


def number(value):
    return float(value) if value is not None else None


class ScoreNavMixin(RiskNavMixin):
    """The risks sub-navigation with "Risk score" active, and the score pages' own tabs."""

    nav = "scores"
    score_tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(score_tab=self.score_tab, this_month=this_month())
        return context


class OrganisationScoreMixin(ScoreNavMixin):
    """An organisation of the URL that the person sees (else 404), and whether they may enter its scores."""

    def dispatch(self, request, *args, **kwargs):
        organisations = organisations_for(request.user, Purpose.SEE)
        self.organisation = get_visible_or_404(request, organisations, pk=kwargs["organisation"])
        self.can_manage = services.can_manage_scores(request.user, self.organisation)
        return super().dispatch(request, *args, **kwargs)

    def require_manage(self):
        if not self.can_manage:
            raise PermissionDenied(
                _("Only administrators and quality officers of %(org)s enter its scores.") % {"org": self.organisation}
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(organisation=self.organisation, can_manage=self.can_manage)
        return context


# --- the organisations' scores ---------------------------------------------------------------------


class ScoreIndexView(ScoreNavMixin, TemplateView):
    """Each organisation the person sees: its latest complete month, the change from the month before,
    its open investigations and its VASP/VISP levels; and the groups they can compare."""

    template_name = "risks/scores/index.html"
    score_tab = "index"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organisations = list(organisations_for(user, Purpose.SEE))
        ids = [organisation.pk for organisation in organisations]
        latest = latest_totals(ids)
        open_counts = dict(
            Investigation.objects.filter(organisation_id__in=ids, status=InvestigationStatus.OPEN)
            .values_list("organisation_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        context.update(
            title=_("Risk score"),
            rows=[
                {
                    "organisation": organisation,
                    "latest": latest.get(organisation.pk, {}).get("latest"),
                    "change": latest.get(organisation.pk, {}).get("change"),
                    "open_investigations": open_counts.get(organisation.pk, 0),
                    "can_manage": services.can_manage_scores(user, organisation),
                }
                for organisation in organisations
            ],
            groups=OrganisationUnit.objects.visible_to(user).filter(kind=UnitKind.GROUP),
        )
        return context


# --- an organisation's dashboard ---------------------------------------------------------------


class ScoreDashboardView(OrganisationScoreMixin, TemplateView):
    """24 months of an organisation's total and area scores (chart and table), each area's contribution
    to the latest complete month, the drops and their investigations, VASP/VISP and incomplete months."""

    template_name = "risks/scores/dashboard.html"
    score_tab = "dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trend = score_trend(self.organisation, TREND_MONTHS)
        calendar, months, series = trend["calendar"], trend["months"], trend["series"]
        areas = [
            area for area in trend["areas"] if area.is_active or any(value is not None for value in series[area.code])
        ]
        years = None
        rows = []
        for index, (month, monthly) in enumerate(zip(calendar, months, strict=True)):
            missing = (
                [area for area in areas if area.is_active and series[area.code][index] is None]
                if monthly and monthly.total is None
                else []
            )
            no_training = None
            if any(area.source == ScoreSource.TRAINING for area in missing):
                years = training_years(self.organisation) if years is None else years
                no_training = str(month.year) if month.year not in years else None
            rows.append(
                {
                    "month": month,
                    "label": month_label(month),
                    "monthly": monthly,
                    "scores": [series[area.code][index] for area in areas],
                    "missing": missing,
                    "no_training_data": no_training,
                }
            )
        stored = [monthly for monthly in months if monthly]
        latest = trend["latest"]
        contributions = (
            list(AreaScore.objects.filter(monthly=latest).select_related("area").order_by("area__position"))
            if latest
            else []
        )
        colours = {area.pk: chart_colour(index) for index, area in enumerate(areas)}
        for score in contributions:
            score.colour = colours.get(score.area_id, chart_colour(0))
        first_month = calendar[0] if calendar else this_month()
        investigations = list(
            INVESTIGATIONS.filter(organisation=self.organisation, month__gte=first_month)
            .annotate(step_count=Count("steps"))
            .order_by("-month", "area__position")
        )
        context.update(
            title=_("Risk score of %(org)s") % {"org": self.organisation},
            months=stored,
            calendar=calendar,
            areas=areas,
            rows=rows,
            incomplete=[row for row in rows if row["monthly"] and row["monthly"].total is None],
            latest=latest,
            change=trend["change"],
            contributions=contributions,
            investigations=investigations,
            open_investigations=sum(1 for item in investigations if item.status == InvestigationStatus.OPEN),
            chart=self.chart(calendar, months, areas, series),
            groups=OrganisationUnit.objects.visible_to(self.request.user).filter(
                kind=UnitKind.GROUP, pk__in=self.organisation.ancestor_ids
            ),
        )
        return context

    def chart(self, calendar, months, areas, series) -> dict:
        datasets = [
            {
                "label": _("Total"),
                "data": [number(monthly.total) if monthly else None for monthly in months],
                "colour": "#212529",
                "width": 3,
            }
        ]
        datasets += [
            {"label": str(area), "data": [number(value) for value in series[area.code]], "colour": chart_colour(index)}
            for index, area in enumerate(areas)
        ]
        return {"labels": [month_label(month) for month in calendar], "datasets": datasets}


# --- a month -----------------------------------------------------------------------------------


class ScoreMonthView(OrganisationScoreMixin, TemplateView):
    """A month's grid: each active area with its weight and score, the VASP/VISP levels and the total.
    An open month is entered (``scores_enter``); a closed one is read-only and corrected with a reason
    (``scores_correct``). Derived areas show their computed score and formula."""

    template_name = "risks/scores/month.html"
    score_tab = "month"

    def dispatch(self, request, *args, **kwargs):
        self.month = month_or_404(kwargs["month"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        target = request.GET.get("go")
        if target:
            try:
                month = parse_month(target)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return redirect("risks:score_month", self.organisation.pk, month_label(month))
        return super().get(request, *args, **kwargs)

    def load(self):
        self.monthly = MonthlyScore.objects.filter(organisation=self.organisation, month=self.month).first()
        self.scores = (
            {score.area_id: score for score in self.monthly.area_scores.select_related("area")} if self.monthly else {}
        )
        self.areas = [
            area
            for area in ScoreArea.objects.filter(organisation=self.organisation).order_by("position", "id")
            if area.is_active or area.pk in self.scores
        ]
        self.is_closed = bool(self.monthly and self.monthly.is_closed)
        self.is_future = self.month > this_month()
        # The training area's score from the data, or None when there is none for the month's year (then
        # a score entered for it counts, like a manual one).
        self.derived = None
        if any(area.source != ScoreSource.MANUAL for area in self.areas) and not self.is_future:
            self.derived = services.training_scores([self.organisation.pk], self.month).get(self.organisation.pk)

    def make_form(self, data=None):
        initial = {}
        if self.monthly:
            initial = {"vasp_level": self.monthly.vasp_level, "visp_level": self.monthly.visp_level}
        return MonthScoresForm(
            data,
            areas=self.areas,
            scores=self.scores,
            correcting=self.is_closed,
            derivable=self.derived is not None,
            initial=initial,
        )

    def get_context_data(self, **kwargs):
        if not hasattr(self, "monthly"):
            self.load()
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form")
        if form is None and self.can_manage and not self.is_future:
            form = self.make_form()
        fields = form.area_fields() if form else {}
        derived = self.derived
        active = [area for area in self.areas if area.is_active]
        rows = []
        for area in self.areas:
            score = self.scores.get(area.pk)
            rows.append(
                {
                    "area": area,
                    "score": score,
                    # An open month counts with the areas' current weights (what closing freezes); a closed
                    # one with its own.
                    "weight": score.weight if score and self.is_closed else services.current_weight(area),
                    "field": fields.get(area.pk),
                    "derived": area.source != ScoreSource.MANUAL,
                    "derived_now": derived if area.source != ScoreSource.MANUAL and score is None else None,
                    # Why the training area has no score: no mandatory course with people assigned that year.
                    "no_training_data": area.is_active
                    and area.source == ScoreSource.TRAINING
                    and score is None
                    and derived is None
                    and not self.is_future,
                }
            )
        missing = (
            services.missing_areas(self.monthly, areas=active, scores=self.scores.values()) if self.monthly else []
        )
        context.update(
            title=_("Risk score of %(org)s, %(month)s") % {"org": self.organisation, "month": month_label(self.month)},
            month=self.month,
            month_label=month_label(self.month),
            monthly=self.monthly,
            rows=rows,
            weight_sum=sum((area.weight for area in active), 0),
            missing=missing,
            form=form,
            is_closed=self.is_closed,
            is_future=self.is_future,
            previous_month=month_label(month_shift(self.month, -1))
            if self.month.year > FIRST_YEAR or self.month.month > 1
            else None,
            next_month=month_label(month_shift(self.month, 1)) if month_shift(self.month, 1) <= this_month() else None,
            formula=TRAINING_FORMULA,
            no_training_data=any(row["no_training_data"] for row in rows),
            investigations=INVESTIGATIONS.filter(organisation=self.organisation, month=self.month),
            tab="details",
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_manage()
        self.load()
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            arguments = {
                "actor": request.user,
                "organisation": self.organisation,
                "month": self.month,
                "scores": form.scores(),
                "vasp_level": data["vasp_level"],
                "visp_level": data["visp_level"],
            }
            try:
                with transaction.atomic():
                    if self.is_closed:
                        monthly = services.scores_correct(
                            reason=data["reason"], recompute_derived=data.get("recompute_derived", False), **arguments
                        )
                    else:
                        monthly = services.scores_enter(**arguments)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if self.is_closed:
                    text = _("The correction of %(month)s is saved and compared again.")
                elif monthly.total is None:
                    text = _("The scores of %(month)s are saved; the month is incomplete until every area has one.")
                else:
                    text = _("The scores of %(month)s are saved.")
                messages.success(request, text % {"month": monthly.month_label})
                for notice in monthly.notices:
                    messages.warning(request, notice)
                return redirect("risks:score_month", self.organisation.pk, monthly.month_label)
        return self.render_to_response(self.get_context_data(form=form))


class ScoreMonthHistoryView(OrganisationScoreMixin, TemplateView):
    """The History tab of a month: who entered, corrected or closed what, when, from which value to
    which and why: the month itself (VASP/VISP, total, closing) and each of its area scores."""

    template_name = "risks/scores/month_history.html"
    score_tab = "month"

    def dispatch(self, request, *args, **kwargs):
        self.month = month_or_404(kwargs["month"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        monthly = MonthlyScore.objects.filter(organisation=self.organisation, month=self.month).first()
        months = MonthlyScore.history.filter(organisation_id=self.organisation.pk, month=self.month)
        month_entries = records_history(
            months,
            reader=user,
            label=lambda record, show: _("The month"),
            omit=["organisation_id", "month"],
        )
        score_entries = records_history(
            AreaScore.history.filter(monthly_id__in=months.values("id")),
            reader=user,
            label=lambda record, show: _("Score of %(area)s") % {"area": show("area_id")},
            omit=["monthly_id", "area_id"],
        )
        context.update(
            title=_("Risk score of %(org)s, %(month)s") % {"org": self.organisation, "month": month_label(self.month)},
            month=self.month,
            month_label=month_label(self.month),
            monthly=monthly,
            is_closed=bool(monthly and monthly.is_closed),
            tab="history",
            entries=merge_histories(month_entries, score_entries),
        )
        return context


# --- areas -------------------------------------------------------------------------------------


class ScoreAreasView(OrganisationScoreMixin, TemplateView):
    """The organisation's areas and weights, changed as one set (``areas_set``): the active weights add
    up to 100, or nothing changes."""

    template_name = "risks/scores/areas.html"
    score_tab = "areas"

    def formset(self, data=None):
        areas = list(ScoreArea.objects.filter(organisation=self.organisation).order_by("position", "id"))
        if areas:
            initial = area_initial(areas)
        else:
            initial = [
                {"code": code, "name": str(name), "weight": weight, "source": source, "is_active": True}
                for code, name, weight, source in DEFAULT_SCORE_AREAS
            ]
        owners = people_for(self.request.user, self.organisation)
        return AreaFormSet(data, initial=initial, form_kwargs={"owners": owners}, prefix="areas")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        areas = list(ScoreArea.objects.filter(organisation=self.organisation).select_related("owner"))
        if self.can_manage:
            context["formset"] = kwargs.get("formset") or self.formset()
        context.update(
            title=_("Areas of %(org)s") % {"org": self.organisation},
            tab="details",
            areas=areas,
            weight_sum=sum((area.weight for area in areas if area.is_active), 0),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_manage()
        formset = self.formset(request.POST)
        if formset.is_valid():
            try:
                with transaction.atomic():
                    services.areas_set(actor=request.user, organisation=self.organisation, areas=formset.areas())
            except ValidationError as error:
                formset.add_service_error(error)
            else:
                messages.success(request, _("The areas of %(org)s are saved.") % {"org": self.organisation})
                return redirect("risks:score_areas", self.organisation.pk)
        return self.render_to_response(self.get_context_data(formset=formset))


class ScoreAreasHistoryView(OrganisationScoreMixin, TemplateView):
    """The History tab of the areas: who added, renamed, reweighted, gave to another owner or stopped
    which area, when, from what to what."""

    template_name = "risks/scores/areas_history.html"
    score_tab = "areas"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Areas of %(org)s") % {"org": self.organisation},
            tab="history",
            entries=records_history(
                ScoreArea.history.filter(organisation_id=self.organisation.pk),
                reader=self.request.user,
                label=lambda record, show: _("Area %(area)s") % {"area": record.instance},
                omit=["organisation_id"],
            ),
        )
        return context


# --- import ------------------------------------------------------------------------------------


class ScoreImportView(OrganisationScoreMixin, TemplateView):
    """Month scores from a CSV or XLSX file: every row checked, nothing imported if any row fails."""

    template_name = "risks/scores/import.html"
    score_tab = "import"

    def get(self, request, *args, **kwargs):
        self.require_manage()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ScoreImportForm())
        context.update(
            title=_("Import scores of %(org)s") % {"org": self.organisation},
            columns=imports.COLUMNS,
            areas=ScoreArea.objects.filter(organisation=self.organisation, is_active=True),
            levels=ProgrammeLevel.values,
            import_max_rows=max_rows(),
            import_max_bytes=max_bytes(),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_manage()
        form = ScoreImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            rows = imports.read_scores(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_service_error(error)
            return self.render_to_response(self.get_context_data(form=form))
        if not rows:
            form.add_error("file", _("The file has no rows to import."))
            return self.render_to_response(self.get_context_data(form=form))
        result = imports.scores_import(actor=request.user, organisation=self.organisation, rows=rows)
        if result.errors:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        months = sorted(result.objects, key=lambda monthly: monthly.month)
        count = result.created
        messages.success(
            request,
            ngettext("%(count)s score imported (%(months)s).", "%(count)s scores imported (%(months)s).", count)
            % {"count": count, "months": ", ".join(monthly.month_label for monthly in months)},
        )
        for monthly in months:
            for notice in monthly.notices:
                messages.warning(request, notice)
        return redirect("risks:score_dashboard", self.organisation.pk)


@require_GET
def score_import_template(request, organisation):
    organisation = get_visible_or_404(request, organisations_for(request.user, Purpose.SEE), pk=organisation)
    response = HttpResponse(imports.template_file(organisation), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="risk-score-import-template.csv"'
    return response


# --- investigations ----------------------------------------------------------------------------


class InvestigationListView(ScoreNavMixin, ObjectListView):
    queryset = INVESTIGATIONS
    filterset_class = InvestigationListFilterSet
    table_class = InvestigationTable
    template_name = "risks/scores/investigation_list.html"
    title = gettext_lazy("Investigations of score drops")
    export_name = "investigations"
    score_tab = "investigations"

    def get_queryset(self):
        # Counting the plan in the same query keeps the page at a fixed number of queries.
        return (
            Investigation.objects.visible_to(self.request.user)
            .select_related("organisation", "area", "owner")
            .annotate(step_count=Count("steps"))
        )


class InvestigationMixin(ScoreNavMixin):
    """One investigation that the person sees (or owns), and what they may do with it."""

    queryset = INVESTIGATIONS
    template_name = "risks/scores/investigation_detail.html"
    score_tab = "investigations"

    def get_queryset(self):
        return Investigation.objects.visible_to(self.request.user).select_related("organisation", "area", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        investigation = context["object"]
        user = self.request.user
        is_open = investigation.status == InvestigationStatus.OPEN
        context.update(
            can_work=is_open and services.can_work_on_investigation(user, investigation),
            is_owner=investigation.owner_id == user.pk,
            is_open=is_open,
            sees_organisation=organisations_for(user, Purpose.SEE).filter(pk=investigation.organisation_id).exists(),
        )
        return context


class InvestigationDetailView(InvestigationMixin, ObjectDetailView):
    """The drop, the owner and due date, the plan's steps, the forms to add a step and to close with
    the cause, and the follow-up: the area's scores in the months after and whether it recovered."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        investigation = context["object"]
        step_form = kwargs.get("step_form")
        if step_form is None and context["can_work"]:
            step_form = self.step_form(initial={"owner": investigation.owner_id})
        close_form = kwargs.get("close_form")
        if close_form is None and context["is_open"] and context["is_owner"]:
            close_form = InvestigationCloseForm()
        reassign_form = kwargs.get("reassign_form")
        if reassign_form is None and context["can_work"]:
            reassign_form = self.reassign_form()
        steps = list(Action.objects.for_source(investigation).select_related("owner").order_by("due_date", "id"))
        context.update(
            steps=steps,
            follow_up=investigation_follow_up(investigation),
            step_form=step_form,
            close_form=close_form,
            reassign_form=reassign_form,
            drop=investigation.previous_score - investigation.score,
        )
        return context

    def step_form(self, data=None, **kwargs):
        form = StepForm(data, **kwargs)
        form.fields["owner"].queryset = people_for(self.request.user, self.get_object().organisation) | (
            people_for(self.request.user).filter(pk=self.get_object().owner_id)
        )
        return form

    def reassign_form(self, data=None):
        investigation = self.get_object()
        people = people_for(self.request.user, investigation.organisation).exclude(pk=investigation.owner_id)
        return InvestigationReassignForm(data, owners=people)


class InvestigationHistoryView(InvestigationMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "risks/scores/investigation_detail.html"


class InvestigationStepAddView(InvestigationDetailView):
    """Add a step to the plan (``investigation_add_step``): the owner or a quality officer."""

    def get(self, request, *args, **kwargs):
        return redirect(self.get_object())

    def post(self, request, *args, **kwargs):
        investigation = self.get_object()
        if not services.can_work_on_investigation(request.user, investigation):
            raise PermissionDenied(_("Only the owner or a quality officer works on this investigation."))
        form = self.step_form(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.investigation_add_step(
                        actor=request.user, investigation=investigation, **form.cleaned_data
                    )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The step is added to the plan."))
                return redirect(reverse("risks:investigation_detail", args=[investigation.pk]) + "#plan")
        return self.render_to_response(self.get_context_data(step_form=form))


class InvestigationReassignView(InvestigationDetailView):
    """Give the investigation to another owner (``investigation_reassign``): its owner or a quality
    officer."""

    def get(self, request, *args, **kwargs):
        return redirect(self.get_object())

    def post(self, request, *args, **kwargs):
        investigation = self.get_object()
        if not services.can_work_on_investigation(request.user, investigation):
            raise PermissionDenied(_("Only the owner or a quality officer reassigns this investigation."))
        form = self.reassign_form(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.investigation_reassign(
                        actor=request.user, investigation=investigation, **form.cleaned_data
                    )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                owner = form.cleaned_data["owner"]
                messages.success(request, _("%(person)s now owns the investigation.") % {"person": owner})
                if self.get_queryset().filter(pk=investigation.pk).exists():
                    return redirect(investigation)
                return redirect("risks:investigation_list")  # given away, out of the person's sight
        return self.render_to_response(self.get_context_data(reassign_form=form))


class InvestigationCloseView(InvestigationDetailView):
    """Close with the cause (``investigation_close``): only the owner, only with a plan."""

    def get(self, request, *args, **kwargs):
        return redirect(self.get_object())

    def post(self, request, *args, **kwargs):
        investigation = self.get_object()
        if investigation.owner_id != request.user.pk:
            raise PermissionDenied(_("Only the owner closes an investigation."))
        form = InvestigationCloseForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.investigation_close(actor=request.user, investigation=investigation, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The investigation is closed."))
                return redirect(investigation)
        return self.render_to_response(self.get_context_data(close_form=form))


# --- the group ---------------------------------------------------------------------------------


class GroupComparisonView(ScoreNavMixin, TemplateView):
    """The organisations of a group side by side: latest total, 12 months of totals, VASP/VISP."""

    template_name = "risks/scores/group.html"
    score_tab = "group"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        group = get_visible_or_404(
            self.request, OrganisationUnit.objects.visible_to(user).filter(kind=UnitKind.GROUP), pk=kwargs["group"]
        )
        organisations = organisations_for(user, Purpose.SEE).filter(path__startswith=group.path)
        comparison = group_comparison(organisations, GROUP_MONTHS)
        labels = [month_label(month) for month in comparison["months"]]
        context.update(
            title=_("Risk scores of %(group)s") % {"group": group},
            group=group,
            comparison=comparison,
            month_labels=labels,
            table_rows=[
                {"month": label, "cells": [entry["series"][index] for entry in comparison["organisations"]]}
                for index, label in enumerate(labels)
            ],
            chart={
                "labels": labels,
                "datasets": [
                    {
                        "label": entry["organisation"].name,
                        "data": [number(monthly.total) if monthly else None for monthly in entry["series"]],
                        "colour": chart_colour(index),
                    }
                    for index, entry in enumerate(comparison["organisations"])
                ],
            },
        )
        return context
