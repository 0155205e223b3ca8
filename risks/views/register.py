"""Pages of the risk register: the register and its heat map, a risk with its plan, approvals and
reviews, the review queues of the board and of group management, the board's overview, the board pack
(a PDF of the register's medium and higher risks), the import, and an organisation's matrix and categories.

Every page starts from ``visible_to(request.user)`` (out of sight is a 404); every write goes through
``risks.services.register`` (a ValidationError re-renders the form with its messages, PermissionDenied is a 403).
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.generic import FormView, RedirectView, TemplateView, View

from qms.choices import ActionStatus, SecurityEventKind, UnitKind
from qms.history import merge_histories, records_history
from qms.imports import ImportFileError, max_bytes, max_rows
from qms.models import Action, OrganisationUnit, User
from qms.pdf import render_pdf
from qms.scoping import Purpose, organisations_for, scope_for
from qms.selectors import people_of_organisation
from qms.services.security import security_event_log
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
    safe_next,
)
from risks.choices import (
    APPROVER_ROLES,
    BODY_ROLES,
    SUBMITTABLE_RISK_STATUSES,
    ApprovalBody,
    Decision,
    RiskLevel,
    RiskStatus,
)
from risks.forms.register import (
    CELL_FIELDS,
    MATRIX_SIZES,
    ApprovalDecisionForm,
    CategoryChangeForm,
    CategoryForm,
    MatrixForm,
    MeasureForm,
    MeasureRemoveForm,
    RiskCloseForm,
    RiskForm,
    RiskImportForm,
    RiskRegisterFilterSet,
    RiskReopenForm,
    RiskReviewForm,
    RiskSubmitForm,
    asked_matrix_size,
    use_matrix_scales,
)
from risks.imports.register import COLUMNS, read_risks, risks_import, template_file
from risks.models import Risk, RiskApproval, RiskCategory, RiskMatrix
from risks.selectors.register import (
    decidable_bodies,
    default_matrix,
    heat_maps,
    matrix_for,
    queue_counts,
    review_queue,
    risk_level_trend,
)
from risks.services import register as services
from risks.services.register import RISK_EDITOR_ROLES
from risks.tables.register import BoardRiskTable, RiskTable

RISKS = Risk.objects.select_related("unit", "owner", "category", "organisation")
SCALE_FIELDS = ["likelihood", "impact", "residual_likelihood", "residual_impact"]
# What a queue card shows of a risk's recent history.
HISTORY_FIELDS = ["title", "status", "level", "residual_level", "likelihood", "impact", "owner_id", "next_review"]
RECENT_HISTORY = 5
# The register's flags: the filter each one adds to the register's own.
FLAG_FILTERS = {
    "missing_plan": {"missing_plan": "true"},
    "measures_overdue": {"measures_overdue": "true"},
    "review_overdue": {"review_overdue": "true"},
    "awaiting": {"status": RiskStatus.AWAITING_APPROVAL},
}


def navigation_context(request, scope) -> dict:
    """The main navigation's count of the risks waiting for the person's decision, per body (registered
    with ``qms.context_processors.register_navigation_context`` in ``RisksConfig.ready``)."""
    if not scope.roles() & APPROVER_ROLES:
        return {}
    return {"risk_queue_counts": queue_counts(request.user)}


def registers_risks(user) -> bool:
    """Whether the person registers risks somewhere (the board and group management read and decide)."""
    return bool(scope_for(user).roles() & set(RISK_EDITOR_ROLES))


def people_for(user, organisation=None):
    """The active people ``user`` may pick as an owner (of ``organisation``, when known)."""
    people = User.objects.visible_to(user).filter(is_active=True)
    if organisation is not None:
        people = people.filter(pk__in=people_of_organisation(organisation).values("pk"))
    return people


class RiskNavMixin:
    """The register's sub-navigation: which pages the person has, and how many decisions wait for them."""

    nav = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = scope_for(self.request.user).roles()
        context["risk_nav"] = {
            "active": self.nav,
            "can_add": registers_risks(self.request.user),
            "board": BODY_ROLES[ApprovalBody.BOARD] in roles,
            "group": BODY_ROLES[ApprovalBody.GROUP] in roles,
        }
        return context


# --- the register ------------------------------------------------------------------------------


class IndexView(RedirectView):
    pattern_name = "risks:risk_list"


class RiskListView(RiskNavMixin, ObjectListView):
    queryset = RISKS
    filterset_class = RiskRegisterFilterSet
    table_class = RiskTable
    template_name = "risks/risk_list.html"
    title = _("Risk register")
    export_name = "risk-register"
    nav = "register"

    def base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        # Counting the plan in the same query keeps the page at a fixed number of queries.
        return self.base_queryset().with_plan_counts()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["risks/_register_table.html"]  # the table, and the flags out of band
        return [self.template_name]

    def flags(self, risks) -> dict:
        """Of the risks the filters select: how many lack a plan, have overdue measures or reviews, or wait
        for approval. Four counts rather than one aggregate with four filters: each gets its own plan (an
        anti-join, a semi-join from the few overdue measures, two index lookups) instead of probing every
        risk four times."""
        risks = risks.order_by()
        return {
            "missing_plan": risks.without_plan().count(),
            "measures_overdue": risks.with_overdue_measures().count(),
            "review_overdue": risks.review_overdue().count(),
            "awaiting": risks.filter(status=RiskStatus.AWAITING_APPROVAL).count(),
        }

    def flag_links(self) -> dict:
        """Each flag's link: the filters as they are, with the flag's own."""
        query = self.request.GET.copy()
        for name in ("page", "export"):
            query.pop(name, None)
        links = {}
        for flag, params in FLAG_FILTERS.items():
            linked = query.copy()
            for name, value in params.items():
                linked[name] = value
            links[flag] = f"{self.request.path}?{linked.urlencode()}"
        return links

    def can_add(self):
        return registers_risks(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        cell = {name: query.get(name) for name in CELL_FIELDS if query.get(name)}
        for name in (*CELL_FIELDS, "page", "sort", "export"):
            query.pop(name, None)
        context.update(
            cell_filter=cell,
            without_cell=query.urlencode(),
            flags=self.flags(self.object_list),
            flag_links=self.flag_links(),
        )
        return context


class BoardOverviewView(RiskListView):
    """All open risks at medium or higher of the organisations where the person sits on the board (or is
    group management): what they monitor regularly. Group management alone starts with the very high
    ones, which the SPEC has them monitor."""

    table_class = BoardRiskTable
    template_name = "risks/board_overview.html"
    title = _("Board overview")
    export_name = "board-overview"
    nav = "board_overview"

    def dispatch(self, request, *args, **kwargs):
        if not scope_for(request.user).roles() & APPROVER_ROLES:
            raise PermissionDenied(_("Only board members and group management have a board overview."))
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        organisations = organisations_for(self.request.user, Purpose.ACT, roles=tuple(APPROVER_ROLES))
        # Open risks unless the status filter asks for closed ones, as in the register.
        return super().base_queryset().filter(organisation__in=organisations.values("pk")).at_least(RiskLevel.MEDIUM)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        if len(organisations_for(self.request.user, Purpose.BELONG)[:2]) < 2:
            table.columns.hide("organisation")  # still exported
        return table

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        roles = scope_for(self.request.user).roles()
        if not self.request.GET and BODY_ROLES[ApprovalBody.BOARD] not in roles:
            kwargs["data"] = QueryDict("level=very_high")
        return kwargs

    def can_add(self):
        return False


# Levels of the board pack, highest first, with the colours of the register's level badges (qms.css).
BOARD_PACK_LEVELS = [
    (RiskLevel.VERY_HIGH, "#f8d7da", "#842029"),
    (RiskLevel.HIGH, "#ffd8b1", "#7a3a00"),
    (RiskLevel.MEDIUM, "#fff3cd", "#664d03"),
]
BOARD_PACK_BAR_WIDTH = 480


class RiskBoardPackView(RiskListView):
    """The register's medium and higher risks as a PDF for a board meeting: each with its plan (the
    measures with owner, due date and status), the approval rounds' decisions and the level's trend. The
    same filters and scope as the register and its export (``?<the register's query string>``): what the
    person cannot see is never in it; the filters applied are listed on the first page. A constant number
    of queries: measures and approvals prefetched, every risk's level history read in one query."""

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.GET, queryset=self.base_queryset(), request=request)
        risks = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        risks = list(self.pack_risks(risks))
        trends = level_trends([risk.pk for risk in risks])
        for risk in risks:
            risk.trend = [(level, RiskLevel(level).label) for level in trends.get(risk.pk, [risk.level])]
        organisations = sorted({risk.organisation.name for risk in risks}) or sorted(
            organisation.name for organisation in organisations_for(request.user, Purpose.BELONG)[:5]
        )
        context = {
            "title": _("Risk register board pack"),
            "organisations": organisations,
            "several_organisations": len({risk.organisation_id for risk in risks}) > 1,
            "risks": risks,
            "filters": applied_filters(filterset),
            "levels": level_bar(risks),
            "generated_at": timezone.localtime(),
            "today": timezone.localdate(),
        }
        pdf = render_pdf("risks/board_pack_pdf.html", context, request)
        security_event_log(
            kind=SecurityEventKind.EXPORT, request=request, detail=f"risk-board-pack: {len(risks)} risks as pdf"
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="risk-board-pack-{stamp}.pdf"'
        return response

    def pack_risks(self, risks):
        rank = Case(
            *[When(level=level, then=Value(number)) for number, (level, *_colours) in enumerate(BOARD_PACK_LEVELS)],
            output_field=IntegerField(),
        )
        measures = Action.objects.select_related("owner").order_by("status", "due_date", "id")
        approvals = RiskApproval.objects.select_related("decided_by", "submitted_by").order_by("-round", "body")
        return (
            risks.at_least(RiskLevel.MEDIUM)
            .prefetch_related(Prefetch("measures", queryset=measures), Prefetch("approvals", queryset=approvals))
            .order_by(rank, "organisation__name", "title", "id")
        )


def level_trends(pks) -> dict[int, list[str]]:
    """``risk_level_trend`` of many risks in one query: per risk the levels it has had, oldest first,
    without repeats."""
    trends: dict[int, list[str]] = defaultdict(list)
    if not pks:
        return trends
    rows = Risk.history.filter(id__in=pks).order_by("id", "history_date", "history_id").values_list("id", "level")
    for pk, level in rows:
        trend = trends[pk]
        if level and (not trend or trend[-1] != level):
            trend.append(level)
    return trends


def applied_filters(filterset) -> list[tuple[str, str]]:
    """The filters the register applied, as (label, value) for people: choices by their labels, records by
    their names; the register's default (open risks only) said when no status is asked."""
    if not filterset.is_valid():
        return [(str(_("Filters")), str(_("The filters are not valid: the pack is empty.")))]
    form = filterset.form
    shown = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = form.fields[name]
        if isinstance(value, bool):
            text = str(_("Yes") if value else _("No"))
        elif isinstance(value, list | tuple):
            labels = dict(getattr(field, "choices", None) or [])
            text = ", ".join(str(labels.get(item, item)) for item in value)
        elif isinstance(value, models.Model):
            text = str(value)
        else:
            labels = dict(getattr(field.widget, "choices", None) or [])
            text = str(labels.get(value, value))
        shown.append((str(field.label or name), text))
    if not form.cleaned_data.get("status"):
        shown.append((str(_("Status")), str(_("Every status but closed"))))
    shown.append((str(_("Level")), str(_("Medium or higher"))))
    return shown


def level_bar(risks) -> list[dict]:
    """The risks per level, highest first, as the segments of one SVG bar (x and width in points)."""
    counts = {level: 0 for level, *_colours in BOARD_PACK_LEVELS}
    for risk in risks:
        counts[risk.level] = counts.get(risk.level, 0) + 1
    total = sum(counts.values())
    segments, x = [], 0.0
    for level, background, foreground in BOARD_PACK_LEVELS:
        width = BOARD_PACK_BAR_WIDTH * counts[level] / total if total else 0
        segments.append(
            {
                "level": level,
                "label": RiskLevel(level).label,
                "count": counts[level],
                "x": f"{x:.1f}",
                "width": f"{width:.1f}",
                "middle": f"{x + width / 2:.1f}",
                "background": background,
                "foreground": foreground,
            }
        )
        x += width
    return segments


class HeatMapView(RiskNavMixin, TemplateView):
    """Likelihood x impact, inherent and residual, of the risks the register's filters select."""

    template_name = "risks/heatmap.html"
    nav = "heatmap"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["risks/_heatmap_grids.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        data = self.request.GET.copy()
        # A heat map of one cell says nothing: the cell filters are the map's own links.
        for name in (*CELL_FIELDS, "page", "sort", "export"):
            data.pop(name, None)
        filterset = RiskRegisterFilterSet(data, queryset=Risk.objects.visible_to(user), request=self.request)
        risks = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        matrix = self.matrix(filterset)
        query = data.urlencode()
        context.update(
            filter=filterset,
            matrix=matrix,
            level_choices=RiskLevel.choices,
            querystring=query,
            grids=[
                self.grid(counted, matrix, query, residual=residual)
                for residual, counted in heat_maps(risks, size=matrix.size).items()
            ],
        )
        return context

    def matrix(self, filterset):
        """The matrix of the filtered organisation (or unit's), else of the person's only organisation, else
        the default."""
        cleaned = getattr(filterset.form, "cleaned_data", {})
        organisation = cleaned.get("organisation") or (cleaned["unit"].organisation if cleaned.get("unit") else None)
        if organisation is None or organisation.kind != UnitKind.ORGANISATION:
            organisations = list(organisations_for(self.request.user, Purpose.BELONG)[:2])
            organisation = organisations[0] if len(organisations) == 1 else None
        return matrix_for(organisation) if organisation is not None else default_matrix(None)

    def grid(self, counted, matrix, query, *, residual):
        prefix = "residual_" if residual else ""
        base = reverse("risks:risk_list") + "?" + (query + "&" if query else "")
        cells, assessed = counted
        shown = 0
        grid_rows = []
        for row in cells:
            likelihood = row[0]["likelihood"]
            for cell in row:
                cell["level"] = matrix.level(cell["likelihood"], cell["impact"])
                cell["url"] = f"{base}{prefix}likelihood={cell['likelihood']}&{prefix}impact={cell['impact']}"
                shown += cell["count"]
            grid_rows.append({"step": matrix.likelihood_steps[likelihood - 1], "number": likelihood, "cells": row})
        return {
            "residual": residual,
            "title": _("Residual risk") if residual else _("Inherent risk"),
            "rows": grid_rows,
            "impact_steps": list(enumerate(matrix.impact_steps, 1)),
            "total": assessed,
            "outside": assessed - shown,
        }


# --- one risk ----------------------------------------------------------------------------------


class RiskContextMixin:
    """What the detail page's header (buttons, tabs) needs, on the detail and the history tab alike."""

    queryset = RISKS
    template_name = "risks/risk_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        risk = context["object"]
        can_edit = services.can_edit_risk(self.request.user, risk) and risk.status != RiskStatus.CLOSED
        can_submit = can_edit and risk.status in SUBMITTABLE_RISK_STATUSES
        context.update(
            can_edit=can_edit,
            can_submit=can_submit,
            can_reopen=risk.status == RiskStatus.CLOSED and services.can_reopen_risk(self.request.user, risk),
            has_plan=can_submit and services.measures_of(risk).exclude(status=ActionStatus.CANCELLED).exists(),
            required_bodies=[ApprovalBody(body).label for body in risk.required_approvals],
        )
        return context


class RiskDetailView(RiskContextMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        risk = context["object"]
        measures = list(services.measures_of(risk).select_related("owner").order_by("status", "due_date", "id"))
        active = [measure for measure in measures if measure.status != ActionStatus.CANCELLED]
        approvals = list(risk.approvals.select_related("submitted_by", "decided_by"))
        pending = [approval for approval in approvals if approval.is_pending]
        bodies = decidable_bodies(user, risk.organisation) if pending else set()
        decisions = [
            {
                "approval": approval,
                "form": ApprovalDecisionForm(initial={"body": approval.body}),
                # Who changed the risk or its plan in this round may reject it or ask for changes, not approve.
                "changed_by_you": user.pk in services.round_editors(risk, approval),
            }
            for approval in pending
            if approval.body in bodies and risk.owner_id != user.pk
        ]
        measure_form = None
        if context["can_edit"]:
            measure_form = MeasureForm(initial={"owner": risk.owner_id})
            measure_form.fields["owner"].queryset = people_for(user, risk.organisation)
        context.update(
            trend=level_trend(risk),
            measures=measures,
            active_measures=active,
            overdue_measures=[measure for measure in active if measure.is_overdue],
            approvals=approvals,
            pending=pending,
            decisions=decisions,
            reviews=list(risk.reviews.select_related("reviewed_by")[:20]),
            scales=scale_labels(risk, matrix_for(risk.organisation)),
            measure_form=measure_form,
            submit_form=RiskSubmitForm(),
        )
        return context


class RiskHistoryView(RiskContextMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "risks/risk_detail.html"


def scale_labels(risk, matrix) -> dict:
    """The matrix's label of each step the risk is assessed at ("Likely"), by field name."""

    def label(steps, number):
        return str(steps[number - 1].get("label", "")) if number and 0 < number <= len(steps) else ""

    return {
        name: label(matrix.likelihood_steps if "likelihood" in name else matrix.impact_steps, getattr(risk, name))
        for name in SCALE_FIELDS
    }


def level_trend(risk) -> list[tuple[str, str]]:
    return [(level, RiskLevel(level).label) for level in risk_level_trend(risk)]


class RiskEditView(ObjectEditView):
    queryset = RISKS
    form_class = RiskForm
    template_name = "risks/risk_form.html"
    success_message = _("The risk is saved.")

    def has_permission(self):
        if self.object is not None:
            return services.can_edit_risk(self.request.user, self.object)
        return registers_risks(self.request.user)

    def limit_choices(self, form):
        user = self.request.user
        if self.object is not None:
            organisation = self.object.organisation
            form.fields["unit"].disabled = True
            form.fields["unit"].queryset = OrganisationUnit.objects.filter(pk=self.object.unit_id)
            # A risk keeps a category the organisation no longer uses (the service checks only a new one).
            form.fields["category"].queryset = RiskCategory.objects.for_organisation(organisation) | (
                RiskCategory.objects.filter(pk=self.object.category_id)
            )
            form.fields["owner"].queryset = people_for(user, organisation)
            self.matrix = matrix_for(organisation)
        else:
            form.fields["unit"].queryset = (
                scope_for(user).units_with_role(*RISK_EDITOR_ROLES).exclude(kind=UnitKind.GROUP).filter(is_active=True)
            )
            form.fields["category"].queryset = RiskCategory.objects.visible_to(user).filter(is_active=True)
            form.fields["owner"].queryset = people_for(user)
            organisations = list(organisations_for(user, Purpose.BELONG)[:2])
            # One organisation: its matrix's step labels. Several: plain numbers, checked by the service
            # against the matrix of the unit's organisation.
            self.matrix = matrix_for(organisations[0]) if len(organisations) == 1 else None
        if self.matrix is not None:
            use_matrix_scales(form, self.matrix, SCALE_FIELDS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matrix = context["matrix"] = getattr(self, "matrix", None)
        if matrix is not None:
            # For the form's live preview of the levels (static/js/risk-form.js); the service decides.
            context["level_preview"] = {
                "bands": matrix.bands,
                "labels": {code: str(label) for code, label in RiskLevel.choices},
            }
        return context

    def get_title(self):
        if self.object is not None:
            return _("Edit %(object)s") % {"object": self.object}
        return _("Register a risk")

    def perform(self, form):
        data = dict(form.cleaned_data)
        user = self.request.user
        if self.object is None:
            return services.risk_create(actor=user, **data)
        data.pop("unit", None)
        reason = data.pop("change_reason", "")
        return services.risk_update(actor=user, risk=self.object, reason=reason, **data)


class RiskWriteMixin:
    """A form on one risk, for those who may change it (a 404 out of sight, a 403 for readers)."""

    template_name = "risks/risk_action_form.html"
    intro = ""

    def dispatch(self, request, *args, **kwargs):
        self.risk = get_visible_or_404(request, RISKS.visible_to(request.user), pk=kwargs["pk"])
        self.check_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self, user):
        if not services.can_edit_risk(user, self.risk):
            raise PermissionDenied(_("You cannot change this risk."))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.risk, title=self.get_title(), intro=self.intro)
        return context

    def get_success_url(self, result=None):
        return self.risk.get_absolute_url()


class RiskReviewView(RiskWriteMixin, ServiceFormView):
    form_class = RiskReviewForm
    success_message = _("The review is recorded.")
    intro = _("Reassess the risk as it is now. The next review is due within a year.")

    def get_title(self):
        return _("Review %(risk)s") % {"risk": self.risk}

    def get_initial(self):
        return {name: getattr(self.risk, name) for name in SCALE_FIELDS}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        use_matrix_scales(form, matrix_for(self.risk.organisation), SCALE_FIELDS)
        return form

    def perform(self, form):
        return services.risk_review(actor=self.request.user, risk=self.risk, **form.cleaned_data)


class RiskCloseView(RiskWriteMixin, ServiceFormView):
    form_class = RiskCloseForm
    success_message = _("The risk is closed.")
    intro = _("Close a risk that no longer applies. Approvals still pending are withdrawn.")

    def get_title(self):
        return _("Close %(risk)s") % {"risk": self.risk}

    def perform(self, form):
        return services.risk_close(actor=self.request.user, risk=self.risk, reason=form.cleaned_data["reason"])


class RiskReopenView(RiskWriteMixin, ServiceFormView):
    form_class = RiskReopenForm
    success_message = _("The risk is reopened as a draft.")
    intro = _(
        "The risk becomes a draft again: bring its assessment and plan up to date, then submit it. "
        "A risk at medium or higher goes to the board again."
    )

    def check_permission(self, user):
        if not services.can_reopen_risk(user, self.risk):
            raise PermissionDenied(_("Only quality officers and administrators reopen a risk."))

    def get_title(self):
        return _("Reopen %(risk)s") % {"risk": self.risk}

    def perform(self, form):
        return services.risk_reopen(actor=self.request.user, risk=self.risk, reason=form.cleaned_data["reason"])


class RiskSubmitView(RiskWriteMixin, View):
    def post(self, request, pk):
        form = RiskSubmitForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            risk = services.risk_submit(actor=request.user, risk=self.risk, note=note)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if risk.status == RiskStatus.ACCEPTED:
                messages.success(request, _("Accepted: a low risk needs no approval."))
            else:
                messages.success(request, _("Submitted: the risk waits for the approval of the board."))
        return redirect(self.risk)


class MeasureAddView(RiskWriteMixin, ServiceFormView):
    form_class = MeasureForm
    success_message = _("The measure is added to the plan.")

    def get_title(self):
        return _("Add a measure to %(risk)s") % {"risk": self.risk}

    def get_initial(self):
        return {"owner": self.risk.owner_id}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["owner"].queryset = people_for(self.request.user, self.risk.organisation)
        return form

    def perform(self, form):
        return services.measure_create(actor=self.request.user, risk=self.risk, **form.cleaned_data)

    def get_success_url(self, result=None):
        return self.risk.get_absolute_url() + "#plan"


class MeasureRemoveView(RiskWriteMixin, ServiceFormView):
    form_class = MeasureRemoveForm
    success_message = _("The measure is taken out of the plan.")
    intro = _(
        "The measure is cancelled and kept with its history. Say why: a plan that was approved, or is "
        "waiting for approval, goes to the board again."
    )

    def dispatch(self, request, *args, **kwargs):
        measures = Action.objects.visible_to(request.user).filter(
            source_content_type=ContentType.objects.get_for_model(Risk)
        )
        self.measure = get_visible_or_404(request, measures, pk=kwargs["pk"])
        kwargs["pk"] = self.measure.source_object_id
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return _("Remove %(measure)s from the plan") % {"measure": self.measure}

    def perform(self, form):
        return services.measure_remove(actor=self.request.user, measure=self.measure, **form.cleaned_data)

    def get_success_url(self, result=None):
        return self.risk.get_absolute_url() + "#plan"


# --- approvals ---------------------------------------------------------------------------------


class ApprovalDecideView(View):
    """Approve, reject or ask for changes. With htmx, the queue card is swapped for the outcome (or for
    itself with the messages); otherwise back to where the form was, with a message."""

    def post(self, request, pk):
        risk = get_visible_or_404(request, RISKS.visible_to(request.user), pk=pk)
        if not decidable_bodies(request.user, risk.organisation):
            raise PermissionDenied(_("Only the board and group management decide on risks."))
        form = ApprovalDecisionForm(request.POST)
        approval = None
        if form.is_valid():
            try:
                approval = services.approval_decide(
                    actor=request.user,
                    risk=risk,
                    body=form.cleaned_data["body"],
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_service_error(error)
        if request.htmx:
            context = decided_card(request.user, risk, form, approval)
            roles = scope_for(request.user).roles()
            context.update(
                next_url=safe_next(request, ""),
                # The queue's heading and the navigation's counts follow, out of band.
                queue_count=queue_counts(request.user).get(form.data.get("body") or "", 0),
                risk_nav={body: role in roles for body, role in BODY_ROLES.items()},
                oob=True,
            )
            return render(request, "risks/_decided.html", context)
        if approval is not None:
            messages.success(request, outcome_text(approval))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(safe_next(request, risk.get_absolute_url()))


def outcome_text(approval) -> str:
    texts = {
        Decision.APPROVED: _("You approved %(risk)s."),
        Decision.REJECTED: _("You rejected %(risk)s."),
        Decision.CHANGES_REQUESTED: _("You asked for changes to %(risk)s."),
    }
    return texts[approval.decision] % {"risk": approval.risk}


def decided_card(user, risk, form, approval) -> dict:
    """The card after a decision: its outcome, or the card again with the form and its messages."""
    body = form.data.get("body") or ""
    if approval is not None:
        risk = RISKS.get(pk=risk.pk)
        next_body = RiskApproval.objects.filter(risk=risk).pending().first()
        return {
            "card": {"risk": risk, "body": approval.body, "approval": approval},
            "outcome": outcome_text(approval),
            "next_body": next_body.get_body_display().lower() if next_body else "",
        }
    pending = (
        RiskApproval.objects.filter(risk=risk, body=body)
        .pending()
        .select_related("risk__unit", "risk__owner", "risk__category", "risk__organisation", "submitted_by")
    )
    cards = queue_cards(user, list(pending), forms={risk.pk: form})
    if cards:
        return {"card": cards[0]}
    # Nothing waits any more (decided by someone else meanwhile): say so in place of the card.
    return {"card": {"risk": risk, "body": body, "form": form}, "gone": True}


def queue_cards(user, approvals, forms=None) -> list[dict]:
    """Everything a decider needs per pending approval, in a fixed number of queries: the risk, its plan,
    the levels it has had, its recent history and the earlier decisions."""
    forms = forms or {}
    ids = [approval.risk_id for approval in approvals]
    measures = defaultdict(list)
    for measure in (
        Action.objects.filter(source_content_type=ContentType.objects.get_for_model(Risk), source_object_id__in=ids)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("owner")
        .order_by("due_date", "id")
    ):
        measures[measure.source_object_id].append(measure)
    records = defaultdict(list)
    for record in Risk.history.filter(id__in=ids).select_related("history_user").order_by("history_date", "history_id"):
        records[record.id].append(record)
    decided = defaultdict(list)
    for approval in RiskApproval.objects.filter(risk_id__in=ids).exclude(decision="").select_related("decided_by"):
        decided[approval.risk_id].append(approval)
    cards = []
    for approval in approvals:
        risk = approval.risk
        history = records[risk.pk]
        cards.append(
            {
                "approval": approval,
                "risk": risk,
                "body": approval.body,
                "measures": measures[risk.pk],
                "overdue": sum(1 for measure in measures[risk.pk] if measure.is_overdue),
                "trend": _trend(history),
                "history": _recent(history),
                "decided": decided[risk.pk][:3],
                "form": forms.get(risk.pk) or ApprovalDecisionForm(initial={"body": approval.body}),
                "own": risk.owner_id == user.pk,
            }
        )
    return cards


def _trend(records) -> list[tuple[str, str]]:
    trend = []
    for record in records:
        if record.level and (not trend or trend[-1][0] != record.level):
            trend.append((record.level, RiskLevel(record.level).label))
    return trend


def _recent(records) -> list[dict]:
    """The newest entries of a risk's history, each with what changed (and the new status or level)."""
    fields = {name: Risk._meta.get_field(name.removesuffix("_id")) for name in HISTORY_FIELDS}
    entries = []
    previous = None
    for record in records:
        changed = []
        for name in HISTORY_FIELDS if previous is not None else ():
            new = getattr(record, name)
            if new == getattr(previous, name):
                continue
            field = fields[name]
            if field.choices:
                changed.append(f"{field.verbose_name}: {dict(field.flatchoices).get(new, new) or '—'}")
            else:
                changed.append(str(field.verbose_name))
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "created": record.history_type == "+",
                "reason": record.history_change_reason or "",
                "changed": changed,
            }
        )
        previous = record
    return entries[::-1][:RECENT_HISTORY]


class ReviewQueueView(RiskNavMixin, TemplateView):
    """The risks waiting for the person's decision, for the board or for group management."""

    template_name = "risks/review_queue.html"
    body = ApprovalBody.BOARD

    def dispatch(self, request, *args, **kwargs):
        self.roles = scope_for(request.user).roles()
        if not self.roles & APPROVER_ROLES:
            raise PermissionDenied(_("Only board members and group management have a review queue."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def nav(self):
        return f"{self.body}_queue"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        has_role = BODY_ROLES[self.body] in self.roles
        approvals = list(review_queue(self.request.user, self.body)) if has_role else []
        context.update(
            body=self.body,
            has_role=has_role,
            queue_count=len(approvals),
            title=_("Review queue of the board")
            if self.body == ApprovalBody.BOARD
            else _("Review queue of group management"),
            cards=queue_cards(self.request.user, approvals),
            next_url=self.request.path,
        )
        return context


# --- import ------------------------------------------------------------------------------------


class RiskImportView(RiskNavMixin, FormView):
    template_name = "risks/risk_import.html"
    form_class = RiskImportForm
    nav = "import"

    def dispatch(self, request, *args, **kwargs):
        if not registers_risks(request.user):
            raise PermissionDenied(_("Your role does not allow registering risks."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(columns=COLUMNS, import_max_rows=max_rows(), import_max_bytes=max_bytes())
        return context

    def form_valid(self, form):
        try:
            rows = read_risks(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        if not rows:
            form.add_error("file", _("The file has no rows to import."))
            return self.form_invalid(form)
        result = risks_import(actor=self.request.user, rows=rows)
        if result.errors:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        messages.success(
            self.request,
            ngettext("%(count)s risk imported.", "%(count)s risks imported.", result.created)
            % {"count": result.created},
        )
        return redirect("risks:risk_list")


@require_GET
def risk_import_template(request):
    response = HttpResponse(template_file(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="risk-import-template.csv"'
    return response


# --- matrix and categories ---------------------------------------------------------------------


class MatrixIndexView(RiskNavMixin, TemplateView):
    """The matrix of the person's organisation, or a choice when they belong to several."""

    template_name = "risks/matrix_index.html"
    nav = "matrix"

    def get(self, request, *args, **kwargs):
        self.organisations = list(organisations_for(request.user, Purpose.BELONG))
        if len(self.organisations) == 1:
            return redirect("risks:matrix", self.organisations[0].pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisations"] = self.organisations
        return context


MATRIX_ERROR_LABELS = {
    "likelihood_steps": _("Likelihood steps"),
    "impact_steps": _("Impact steps"),
    "bands": _("Level bands"),
}


class MatrixView(RiskNavMixin, TemplateView):
    """An organisation's matrix and categories; its administrators and quality officers change them."""

    template_name = "risks/matrix.html"
    nav = "matrix"

    def dispatch(self, request, *args, **kwargs):
        organisations = organisations_for(request.user, Purpose.BELONG)
        self.organisation = get_visible_or_404(request, organisations, pk=kwargs["organisation"])
        self.can_configure = services.can_configure_risks(request.user, self.organisation)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matrix = matrix_for(self.organisation)
        rows, columns = matrix.size
        context.update(
            organisation=self.organisation,
            matrix=matrix,
            is_default=matrix.pk is None,
            band_rows=[
                {
                    "number": likelihood,
                    "step": matrix.likelihood_steps[likelihood - 1],
                    "cells": [matrix.level(likelihood, impact) for impact in range(1, columns + 1)],
                }
                for likelihood in range(rows, 0, -1)
            ],
            impact_steps=list(enumerate(matrix.impact_steps, 1)),
            likelihood_steps=list(enumerate(matrix.likelihood_steps, 1)),
            categories=self.categories(),
            can_configure=self.can_configure,
            title=_("Risk matrix of %(organisation)s") % {"organisation": self.organisation},
            tab="details",
        )
        if self.can_configure:
            # Another number of steps is chosen first (``?likelihood_count=4&impact_count=4``): the form
            # then has the steps and cells to fill in, nothing saved until it is.
            size = asked_matrix_size(self.request.GET, matrix)
            matrix_form = kwargs.get("matrix_form") or MatrixForm(matrix=matrix, size=size)
            context.update(matrix_sizes=MATRIX_SIZES, resizing=(matrix_form.rows, matrix_form.columns) != matrix.size)
            context.update(
                matrix_form=matrix_form,
                matrix_form_steps=[
                    (_("Likelihood steps"), matrix_form.likelihood_rows()),
                    (_("Impact steps"), matrix_form.impact_rows()),
                ],
                category_form=kwargs.get("category_form") or CategoryForm(),
            )
        context["level_choices"] = RiskLevel.choices
        return context

    def categories(self) -> list:
        """The defaults and the organisation's own categories, each saying whether the organisation uses it."""
        hidden = set(self.organisation.hidden_risk_categories.values_list("pk", flat=True))
        categories = list(
            RiskCategory.objects.filter(Q(organisation__isnull=True) | Q(organisation=self.organisation)).order_by(
                "organisation_id", "code"
            )
        )
        for category in categories:
            category.in_use = category.is_active and category.pk not in hidden
        return categories

    def post(self, request, *args, **kwargs):
        if not self.can_configure:
            raise PermissionDenied(_("Only administrators and quality officers change the risk matrix."))
        form = MatrixForm(request.POST, matrix=matrix_for(self.organisation))
        if form.is_valid():
            try:
                services.matrix_update(actor=request.user, organisation=self.organisation, **form.matrix_data())
            except ValidationError as error:
                items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
                for field, errors in items:
                    label = MATRIX_ERROR_LABELS.get(field)
                    for message in errors:
                        form.add_error(None, f"{label}: {message}" if label else message)
            else:
                messages.success(request, _("The matrix is saved; the levels of open risks follow it."))
                return redirect("risks:matrix", self.organisation.pk)
        return self.render_to_response(self.get_context_data(matrix_form=form))


def bands_text(bands) -> str:
    """A matrix's level bands in one line: per likelihood (lowest first), the level of each impact."""
    labels = dict(RiskLevel.choices)
    if not isinstance(bands, list):
        return str(bands)
    return "; ".join(
        f"{number}: " + ", ".join(str(labels.get(level, level)) for level in (row if isinstance(row, list) else [row]))
        for number, row in enumerate(bands, 1)
    )


class MatrixHistoryView(RiskNavMixin, TemplateView):
    """The History tab of an organisation's matrix and categories: who changed the steps, the bands or
    a category of the organisation's own, when, from what to what."""

    template_name = "risks/matrix_history.html"
    nav = "matrix"

    def dispatch(self, request, *args, **kwargs):
        organisations = organisations_for(request.user, Purpose.BELONG)
        self.organisation = get_visible_or_404(request, organisations, pk=kwargs["organisation"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        matrix = records_history(
            RiskMatrix.history.filter(organisation_id=self.organisation.pk),
            reader=user,
            label=lambda record, show: _("Risk matrix"),
            omit=["organisation_id"],
            formats={"bands": bands_text},
        )
        categories = records_history(
            RiskCategory.history.filter(organisation_id=self.organisation.pk),
            reader=user,
            label=lambda record, show: _("Category %(name)s") % {"name": record.instance},
            omit=["organisation_id"],
        )
        context.update(
            organisation=self.organisation,
            title=_("Risk matrix of %(organisation)s") % {"organisation": self.organisation},
            tab="history",
            entries=merge_histories(matrix, categories),
        )
        return context


class CategoryAddView(MatrixView):
    def get(self, request, *args, **kwargs):
        return redirect("risks:matrix", self.organisation.pk)

    def post(self, request, *args, **kwargs):
        if not self.can_configure:
            raise PermissionDenied(_("Only administrators and quality officers add risk categories."))
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_create(actor=request.user, organisation=self.organisation, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The category is added."))
                return redirect("risks:matrix", self.organisation.pk)
        return self.render_to_response(self.get_context_data(category_form=form))


class CategoryChangeView(MatrixView):
    """Rename one of the organisation's own categories, or stop or start using a category."""

    def get(self, request, *args, **kwargs):
        return redirect("risks:matrix", self.organisation.pk)

    def post(self, request, *args, **kwargs):
        if not self.can_configure:
            raise PermissionDenied(_("Only administrators and quality officers change risk categories."))
        category = get_object_or_404(
            RiskCategory.objects.filter(Q(organisation__isnull=True) | Q(organisation=self.organisation)),
            pk=kwargs["pk"],
        )
        form = CategoryChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["active"] is not None:
                    services.category_set_active(
                        actor=request.user, category=category, organisation=self.organisation, active=data["active"]
                    )
                    message = (
                        _("The category is in use again.") if data["active"] else _("The category is no longer used.")
                    )
                else:
                    services.category_rename(
                        actor=request.user, category=category, organisation=self.organisation, name=data["name"]
                    )
                    message = _("The category is renamed.")
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, message)
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("risks:matrix", self.organisation.pk)
