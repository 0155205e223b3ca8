"""Pages of the audits part: the audit list (filters, "my audits to score", export), planning an audit
(first the unit and year, then the principles and the independent assessors eligible for that unit),
and one audit in tabs: the overview with its status flow and the steps the reader may take, the
fieldwork log, the assessor's own scores, calibration, findings, the management response with the
auditees' evaluation, the follow-up actions and the history.

Every page starts from ``Audit.objects.visible_to(request.user)`` (out of sight is a 404; assessors
see the audits they assess). Every write goes through ``audits.services.audits`` or
``audits.services.findings``: a ValidationError re-renders the tab with the form's messages (or
becomes a message for a button), PermissionDenied is a 403. Which forms and buttons a page offers is a
courtesy; the services decide again.

**Blind scoring.** Before calibration the scoring tab reads the reader's own scores only (filtered on
the reader, whoever they are), and the calibration tab shows nothing but a note; scores of others are
read through ``AuditScore.objects.visible_to``, which keeps them hidden until calibration.
"""

from collections import defaultdict
from functools import cached_property

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from audits.choices import AUDIT_FLOW, SCORING_STATUSES, AuditStatus, FindingKind
from audits.filtersets.audits import AuditFilterSet
from audits.forms.audits import (
    AuditEditForm,
    AuditForm,
    AuditUnitForm,
    CalibrationForm,
    EvaluationForm,
    FieldworkForm,
    FindingForm,
    FollowUpForm,
    ManagementResponseForm,
    ScoreForm,
)
from audits.models import (
    Audit,
    AuditCalibration,
    AuditEvaluation,
    AuditScore,
    CyclePrinciple,
    FieldworkItem,
    Finding,
    ManagementResponse,
    MaturityLevel,
    Principle,
    PrincipleControl,
    PrincipleQuestion,
    Theme,
)
from audits.services import audits as services
from audits.services import findings as finding_services
from audits.tables.audits import AuditTable
from incidents.models import NonConformity
from incidents.services.nonconformities import can_register_nc
from qms.choices import Role, UnitKind
from qms.history import history_entries, merge_histories, records_history
from qms.models import Action, Membership, OrganisationUnit, User
from qms.scoping import Purpose, organisations_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
    mark_saved_views,
)

AUDITS = Audit.objects.select_related("unit", "organisation", "lead_assessor", "cycle")
PLANNER_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
# The audit itself (principles, assessors) changes while planned or in fieldwork.
EDITABLE_STATUSES = (AuditStatus.PLANNED, AuditStatus.FIELDWORK)
RESPONSE_STATUSES = (AuditStatus.DRAFT_REPORT, AuditStatus.MANAGEMENT_RESPONSE)
AFTER_DRAFT = tuple(AUDIT_FLOW[AUDIT_FLOW.index(AuditStatus.DRAFT_REPORT) :])
FIELDWORK_STATUSES = (AuditStatus.PLANNED, AuditStatus.FIELDWORK, AuditStatus.SCORING)

STEP_LABELS = {
    "start-fieldwork": _("Start the fieldwork"),
    "start-scoring": _("Start scoring"),
    "start-calibration": _("Start calibration"),
    "complete-calibration": _("Calibration done: draft report"),
    "request-response": _("Ask for the management response"),
    "finalise": _("Finalise the report"),
    "start-follow-up": _("Start the follow-up"),
}
STEP_MESSAGES = {
    "start-fieldwork": _("The fieldwork has started."),
    "start-scoring": _("The assessors can score now."),
    "start-calibration": _("Calibration has started: every assessor now sees all scores."),
    "complete-calibration": _("The calibration is done; the draft report is ready."),
    "request-response": _("The unit's management is asked for its response."),
    "finalise": _("The report is final."),
    "start-follow-up": _("The follow-up has started."),
}

# The tabs of an audit: (key, label, URL name); "details" is the overview (the model's URL).
TABS = [
    ("fieldwork", _("Fieldwork"), "audits:audit_fieldwork"),
    ("scoring", _("Scoring"), "audits:audit_scoring"),
    ("calibration", _("Calibration"), "audits:audit_calibration"),
    ("findings", _("Findings"), "audits:audit_findings"),
    ("response", _("Response and evaluation"), "audits:audit_response"),
    ("follow_up", _("Follow-up"), "audits:audit_follow_up"),
]


# --- who may (the page's courtesy; the services decide) ----------------------------------------


def planning_organisations(user):
    return organisations_for(user, Purpose.ACT, roles=PLANNER_ROLES)


def plannable_units(user):
    """Active business units and teams of the organisations where ``user`` plans audits."""
    condition = Q()
    for organisation in planning_organisations(user):
        condition |= Q(path__startswith=organisation.path)
    if not condition:
        return OrganisationUnit.objects.none()
    return (
        OrganisationUnit.objects.filter(condition, is_active=True)
        .filter(kind__in=(UnitKind.BUSINESS_UNIT, UnitKind.TEAM))
        .order_by("path")
    )


class Rights:
    """What the reader may do on one audit, each asked once per request."""

    def __init__(self, user, audit):
        self.user, self.audit = user, audit

    @cached_property
    def assessor(self) -> bool:
        return self.user.is_authenticated and services.is_assessor(self.user, self.audit)

    @cached_property
    def lead(self) -> bool:
        return self.user.pk == self.audit.lead_assessor_id

    @cached_property
    def run(self) -> bool:
        return self.user.is_authenticated and services.can_run(self.user, self.audit)

    @cached_property
    def plan(self) -> bool:
        return self.user.is_authenticated and services.can_plan(self.user, self.audit.organisation)

    @cached_property
    def respond(self) -> bool:
        return self.user.is_authenticated and services.can_respond(self.user, self.audit)

    @cached_property
    def evaluate(self) -> bool:
        return self.user.is_authenticated and services.can_evaluate(self.user, self.audit)

    @cached_property
    def edit(self) -> bool:
        return self.audit.status in EDITABLE_STATUSES and self.plan

    @cached_property
    def record_findings(self) -> bool:
        return self.audit.status in finding_services.FINDING_STATUSES and finding_services.can_record_findings(
            self.user, self.audit
        )

    @cached_property
    def start_nonconformity(self) -> bool:
        # Those who run the audit or manage the unit, where they may register a non-conformity in the
        # audited unit (so not the assessors from elsewhere; nor a viewer, though the service would let
        # anyone with a role in the unit: the step belongs to the audit's owners).
        return (self.run or self.plan or self.respond) and can_register_nc(self.user, self.audit.unit)

    @cached_property
    def add_follow_up(self) -> bool:
        return self.audit.status in AFTER_DRAFT and finding_services.can_follow_up(self.user, self.audit)

    @cached_property
    def steps(self) -> list[dict]:
        """The steps the reader may take from the audit's status (the service's table and roles)."""
        if not self.user.is_authenticated:
            return []
        return [{"name": step, "label": STEP_LABELS[step]} for step in services.allowed_steps(self.user, self.audit)]


def stepper(audit) -> list[dict]:
    """The eight statuses with the current one marked."""
    current = AUDIT_FLOW.index(audit.status) if audit.status in AUDIT_FLOW else -1
    return [
        {
            "status": status.value,
            "label": status.label,
            "number": index + 1,
            "state": "done" if index < current else "current" if index == current else "todo",
        }
        for index, status in enumerate(AUDIT_FLOW)
    ]


def line_members(unit, *, above: bool = True):
    """Active people with a role in ``unit``, below it, and (``above``) in the units above it up to its
    organisation: whom the assessors interview; without ``above``, who owns the unit's follow-up."""
    condition = Q(unit__path__startswith=unit.path)
    if above:
        ids = unit.ancestor_ids
        organisation_ids = set(
            OrganisationUnit.objects.filter(pk__in=ids, kind=UnitKind.ORGANISATION).values_list("pk", flat=True)
        )
        start = next((index for index, pk in enumerate(ids) if pk in organisation_ids), len(ids) - 1)
        condition |= Q(unit_id__in=ids[start:])
    members = Membership.objects.filter(condition).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("last_name", "first_name", "username")


def level_names(audit) -> dict[int, str]:
    return {
        level.level: level.localized("name")
        for level in MaturityLevel.objects.filter(organisation=audit.organisation_id)
    }


def audit_principles(audit, *, help_texts: bool = False):
    queryset = audit.principles.order_by("position", "id")
    if help_texts:
        queryset = queryset.prefetch_related(
            Prefetch("controls", queryset=PrincipleControl.objects.order_by("kind", "position", "id")),
            Prefetch("questions", queryset=PrincipleQuestion.objects.order_by("position", "id")),
        )
    return list(queryset)


def render_tab(request, view_class, audit, **context):
    """A tab of the audit again with a form's messages (status 200, nothing saved)."""
    view = view_class()
    view.setup(request, pk=audit.pk)
    return render(request, view.template_name, view.get_context_data(**context))


# --- the list ----------------------------------------------------------------------------------


def saved_views() -> list[dict]:
    """The list's tabs, in the filters of ``AuditFilterSet`` (``mine``: the audits the reader assesses)."""
    to_score = "&".join(f"status={status}" for status in SCORING_STATUSES)
    return [
        {
            "key": "to_score",
            "label": _("My audits to score"),
            "query": f"mine=true&{to_score}",
            "icon": "pencil-square",
        },
        {"key": "mine", "label": _("Audits I assess"), "query": "mine=true", "icon": "person"},
        {"key": "in_progress", "label": _("In progress"), "query": "in_progress=true", "icon": "hourglass-split"},
    ]


class AuditNavMixin:
    """The audits app's sub-navigation (``templates/audits/_subnav.html``) with the audits active."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audit_nav"] = {"active": "audits"}
        return context


class AuditListView(AuditNavMixin, ObjectListView):
    queryset = AUDITS
    filterset_class = AuditFilterSet
    table_class = AuditTable
    template_name = "audits/audits/audit_list.html"
    title = _("Audits")
    export_name = "audits"
    # The page has its own "Plan an audit" button (no generic "Add").
    add_url_name = None

    def get_queryset(self):
        # Assessors in one prefetch and the principles counted in the query: the same queries for 1
        # row as for 50.
        return (
            super()
            .get_queryset()
            .annotate(principle_count=Count("principles", distinct=True))
            .prefetch_related(Prefetch("assessors", queryset=User.objects.order_by("last_name", "first_name")))
        )

    def can_add(self):
        return planning_organisations(self.request.user).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["saved_views"] = mark_saved_views(self.request, saved_views())
        return context


# --- planning ------------------------------------------------------------------------------------


class AuditAddView(AuditNavMixin, ServiceFormView):
    """Planning an audit in two steps: ``?unit=&year=`` (a GET form) and then the audit's form, whose
    assessors are the people eligible for that unit."""

    form_class = AuditForm
    template_name = "audits/audits/audit_form.html"
    success_message = _("The audit is planned; the assessors are told.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.units = plannable_units(request.user)
            if not self.units.exists():
                raise PermissionDenied(_("Only the organisation's quality officers and administrators plan audits."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        data = request.GET if "unit" in request.GET else None
        self.unit_form = AuditUnitForm(data, initial={"year": timezone.localdate().year})
        self.unit_form.fields["unit"].queryset = self.units
        if self.unit_form.is_bound and self.unit_form.is_valid():
            self.unit = self.unit_form.cleaned_data["unit"]
            self.year = self.unit_form.cleaned_data["year"]
            return super().get(request, *args, **kwargs)
        return render(
            request,
            self.template_name,
            {"unit_form": self.unit_form, "title": _("Plan an audit"), "audit_nav": {"active": "audits"}},
        )

    def post(self, request, *args, **kwargs):
        value = request.POST.get("unit", "")
        self.unit = self.units.filter(pk=int(value)).first() if value.isdigit() and len(value) < 19 else None
        self.year = None
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        initial = {}
        if self.unit is not None and self.year is not None:
            planned = CyclePrinciple.objects.filter(
                cycle__organisation=self.unit.organisation, year=self.year, principle__is_active=True
            ).values_list("principle_id", flat=True)
            initial = {"unit": self.unit.pk, "year": self.year, "principles": list(planned)}
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["unit"].queryset = self.units
        if self.unit is not None:
            organisation = self.unit.organisation
            form.fields["principles"].queryset = Principle.objects.filter(organisation=organisation, is_active=True)
            eligible = services.eligible_assessors(organisation, self.unit).order_by("last_name", "first_name")
            form.fields["assessors"].queryset = eligible
            form.fields["lead_assessor"].queryset = eligible
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("Plan an audit"), unit=self.unit)
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.audit_create(
            actor=self.request.user,
            unit=data["unit"],
            year=data["year"],
            assessors=list(data["assessors"]),
            lead_assessor=data["lead_assessor"],
            principles=list(data["principles"]) or None,
            scope_note=data.get("scope_note") or "",
            planned_start=data.get("planned_start"),
            planned_end=data.get("planned_end"),
        )


class AuditEditView(AuditNavMixin, ObjectEditView):
    queryset = AUDITS
    form_class = AuditEditForm
    template_name = "audits/audits/audit_form.html"
    success_message = _("The audit is saved.")

    def has_permission(self):
        return Rights(self.request.user, self.object).edit

    def limit_choices(self, form):
        audit = self.object
        form.fields["principles"].queryset = Principle.objects.filter(
            organisation=audit.organisation_id, is_active=True
        )
        form.fields["principles"].required = True
        eligible = services.eligible_assessors(audit.organisation, audit.unit).order_by("last_name", "first_name")
        form.fields["assessors"].queryset = eligible
        form.fields["lead_assessor"].queryset = eligible

    def perform(self, form):
        data = dict(form.cleaned_data)
        data["principles"] = list(data["principles"])
        data["assessors"] = list(data["assessors"])
        return services.audit_update(actor=self.request.user, audit=self.object, **data)


# --- one audit -----------------------------------------------------------------------------------


class AuditPageMixin(AuditNavMixin):
    queryset = AUDITS
    tab = "details"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        context.update(
            rights=Rights(self.request.user, audit),
            stepper=stepper(audit),
            audit_tabs=[(key, label, reverse(name, args=[audit.pk])) for key, label, name in TABS],
        )
        return context


class AuditDetailView(AuditPageMixin, ObjectDetailView):
    """The overview: the status flow, the steps, the audit's facts, progress and a summary of findings."""

    template_name = "audits/audits/audit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        assessors = list(audit.assessors.order_by("last_name", "first_name"))
        principles = audit_principles(audit)
        progress = None
        if rights.run or rights.assessor:
            # How many principles each assessor scored (counts, never a score): the lead sees when
            # calibration may start.
            counts = dict(
                AuditScore.objects.filter(audit=audit).values_list("assessor").annotate(number=Count("id")).order_by()
            )
            progress = [
                {"assessor": person, "scored": counts.get(person.pk, 0), "total": len(principles)}
                for person in assessors
            ]
        findings = list(Finding.objects.filter(audit=audit).select_related("principle", "theme"))
        context.update(
            assessors=assessors,
            principles=principles,
            progress=progress,
            findings_by_kind=[
                (kind, [finding for finding in findings if finding.kind == kind]) for kind in FindingKind
            ],
        )
        return context


class FieldworkView(AuditPageMixin, ObjectDetailView):
    template_name = "audits/audits/audit_fieldwork.html"
    tab = "fieldwork"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        form = None
        if rights.assessor and audit.status in FIELDWORK_STATUSES:
            form = kwargs.get("fieldwork_form") or FieldworkForm(initial={"date": timezone.localdate()})
            form.fields["interviewee"].queryset = line_members(audit.unit)
        context.update(
            items=FieldworkItem.objects.filter(audit=audit).select_related(
                "interviewee", "confirmed_by", "recorded_by"
            ),
            fieldwork_form=form,
        )
        return context


class ScoringView(AuditPageMixin, ObjectDetailView):
    """The reader's own scores, one form per principle, with the principle's definition, controls and
    questions as help. Others' scores are never read here."""

    template_name = "audits/audits/audit_scoring.html"
    tab = "scoring"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        user = self.request.user
        own = {score.principle_id: score for score in AuditScore.objects.filter(audit=audit, assessor=user)}
        bound = kwargs.get("score_forms") or {}
        may_score = rights.assessor and audit.status in SCORING_STATUSES
        levels = level_names(audit)
        rows = []
        for principle in audit_principles(audit, help_texts=True):
            score = own.get(principle.pk)
            form = None
            if may_score:
                form = bound.get(principle.pk)
                if form is None:
                    initial = {}
                    if score is not None:
                        initial = {
                            field: getattr(score, field)
                            for field in ("score", "rationale", "design_note", "existence_note", "operation_note")
                        }
                    form = ScoreForm(prefix=f"p{principle.pk}", initial=initial, levels=levels)
            rows.append(
                {
                    "principle": principle,
                    "definition": principle.localized("definition"),
                    "controls": [
                        (control.get_kind_display(), control.localized("text")) for control in principle.controls.all()
                    ],
                    "questions": [question.localized("text") for question in principle.questions.all()],
                    "score": score,
                    "form": form,
                    "open": principle.pk in bound,
                }
            )
        context.update(rows=rows, may_score=may_score, scored=len(own), levels=levels)
        return context


def spread(values: list[int]) -> dict:
    if not values:
        return {"min": None, "max": None, "spread": None}
    return {"min": min(values), "max": max(values), "spread": max(values) - min(values)}


class CalibrationView(AuditPageMixin, ObjectDetailView):
    """All scores side by side per principle (once the audit is out of its blind statuses), their
    spread and median, the calibrated score and, for the lead assessor in calibration, its form."""

    template_name = "audits/audits/audit_calibration.html"
    tab = "calibration"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        rows = []
        if not audit.is_blind:
            scores = defaultdict(list)
            visible = AuditScore.objects.visible_to(self.request.user).filter(audit=audit).select_related("assessor")
            for score in visible.order_by("assessor__last_name", "assessor__first_name", "assessor_id"):
                scores[score.principle_id].append(score)
            calibrations = {
                calibration.principle_id: calibration
                for calibration in AuditCalibration.objects.filter(audit=audit).select_related("calibrated_by")
            }
            bound = kwargs.get("calibration_forms") or {}
            may_calibrate = rights.lead and audit.status == AuditStatus.CALIBRATION
            levels = level_names(audit)
            for principle in audit_principles(audit):
                given = scores.get(principle.pk, [])
                calibration = calibrations.get(principle.pk)
                # The scores are all in sight once out of the blind statuses: their median, no query.
                median = services.median_of([score.score for score in given])
                form = None
                if may_calibrate:
                    form = bound.get(principle.pk)
                    if form is None:
                        initial = (
                            {"score": calibration.score, "reason": calibration.reason}
                            if calibration is not None
                            else ({"score": int(median)} if median is not None and median == int(median) else {})
                        )
                        form = CalibrationForm(prefix=f"c{principle.pk}", initial=initial, levels=levels)
                rows.append(
                    {
                        "principle": principle,
                        "scores": given,
                        "median": median,
                        **spread([score.score for score in given]),
                        "calibration": calibration,
                        "form": form,
                        "open": principle.pk in bound,
                    }
                )
        context.update(rows=rows)
        return context


class FindingsView(AuditPageMixin, ObjectDetailView):
    template_name = "audits/audits/audit_findings.html"
    tab = "findings"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        user = self.request.user
        findings = list(Finding.objects.filter(audit=audit).select_related("principle", "theme", "created_by"))
        # The non-conformities started from these findings, where the reader sees them.
        started = {}
        if findings:
            started = {
                nc.source_object_id: nc
                for nc in NonConformity.objects.visible_to(user).filter(
                    source_content_type=ContentType.objects.get_for_model(Finding),
                    source_object_id__in=[finding.pk for finding in findings],
                )
            }
        for finding in findings:
            finding.nonconformity = started.get(finding.pk)
        form = None
        themes = []
        if rights.record_findings:
            form = kwargs.get("finding_form") or FindingForm()
            form.fields["principle"].queryset = audit.principles.order_by("position", "id")
            themes = list(Theme.objects.filter(organisation=audit.organisation_id).values_list("name", flat=True))
        context.update(
            findings_by_kind=[
                (kind, [finding for finding in findings if finding.kind == kind]) for kind in FindingKind
            ],
            finding_form=form,
            themes=themes,
        )
        return context


class ResponseView(AuditPageMixin, ObjectDetailView):
    """The management response (its form for the unit's management) and the auditees' evaluations
    (their form, and the average mark)."""

    template_name = "audits/audits/audit_response.html"
    tab = "response"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        user = self.request.user
        response = ManagementResponse.objects.filter(audit=audit).select_related("given_by").first()
        response_form = kwargs.get("response_form")
        if response_form is None and audit.status in RESPONSE_STATUSES and rights.respond:
            initial = {"recognition": response.recognition, "comments": response.comments} if response else {}
            response_form = ManagementResponseForm(initial=initial)
        evaluations = list(AuditEvaluation.objects.filter(audit=audit))
        average = AuditEvaluation.objects.filter(audit=audit).aggregate(average=Avg("mark"))["average"]
        own = next((evaluation for evaluation in evaluations if evaluation.evaluator_id == user.pk), None)
        evaluation_form = kwargs.get("evaluation_form")
        if evaluation_form is None and own is None and audit.status in AFTER_DRAFT and rights.evaluate:
            evaluation_form = EvaluationForm()
        context.update(
            response=response,
            response_form=response_form,
            evaluations=evaluations,
            average=average,
            own_evaluation=own,
            evaluation_form=evaluation_form,
        )
        return context


class FollowUpView(AuditPageMixin, ObjectDetailView):
    template_name = "audits/audits/audit_follow_up.html"
    tab = "follow_up"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = context["object"]
        rights = context["rights"]
        form = None
        if rights.add_follow_up:
            form = kwargs.get("follow_up_form") or FollowUpForm()
            form.fields["owner"].queryset = line_members(audit.unit, above=False)
            form.fields["finding"].queryset = Finding.objects.filter(audit=audit).exclude(kind=FindingKind.GOOD_EXAMPLE)
        # The follow-up is part of the audit: whoever sees the audit sees its actions listed (the lead
        # assessor from another unit too); each links to its page where the core lets the reader see it.
        actions = list(Action.objects.for_source(audit).select_related("owner").order_by("due_date", "id"))
        linked = (
            set(Action.objects.visible_to(self.request.user).for_source(audit).values_list("pk", flat=True))
            if actions
            else set()
        )
        for action in actions:
            action.linked = action.pk in linked
        context.update(actions=actions, follow_up_form=form)
        return context


class AuditHistoryView(AuditPageMixin, ObjectHistoryView):
    """The audit's history with its calibrations, findings, fieldwork and response; the scores' only once
    they are no longer blind."""

    template_name = "generic/object_history.html"
    detail_template = "audits/audits/_base.html"
    tab = "history"

    def history(self, audit):
        reader = self.request.user

        def principle_label(record, show):
            return f"{_('Calibrated score')}: {show('principle_id')}"

        parts = [
            history_entries(audit, reader=reader),
            records_history(AuditCalibration.history.filter(audit_id=audit.pk), reader=reader, label=principle_label),
            records_history(
                Finding.history.filter(audit_id=audit.pk), reader=reader, label=lambda record, show: record.title
            ),
            records_history(
                FieldworkItem.history.filter(audit_id=audit.pk),
                reader=reader,
                label=lambda record, show: record.subject,
            ),
            records_history(
                ManagementResponse.history.filter(audit_id=audit.pk),
                reader=reader,
                label=lambda record, show: str(_("Management response")),
            ),
        ]
        if not audit.is_blind:
            parts.append(
                records_history(
                    AuditScore.history.filter(audit_id=audit.pk),
                    reader=reader,
                    label=lambda record, show: f"{_('Score')}: {show('principle_id')}, {show('assessor_id')}",
                )
            )
        return merge_histories(*parts)


# --- writes --------------------------------------------------------------------------------------


class AuditWriteView(View):
    """A POST on one audit: a 404 out of sight; ``allowed`` is the page's courtesy check (a 403)."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.audit = get_visible_or_404(request, AUDITS.visible_to(request.user), pk=kwargs["pk"])
            self.rights = Rights(request.user, self.audit)
            if not self.allowed(self.rights):
                raise PermissionDenied(_("You cannot do this on this audit."))
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, rights) -> bool:
        return False

    def principle(self, principle_pk):
        principle = self.audit.principles.filter(pk=principle_pk).first()
        if principle is None:
            raise Http404
        return principle


class AuditStepView(AuditWriteView):
    """A step of ``AUDIT_STEPS``, ``<pk>/step/<step>/``; a refusal (a gate not met) is a message."""

    def allowed(self, rights):
        return rights.run

    def post(self, request, pk, step):
        if step not in services.AUDIT_STEPS:
            raise Http404
        try:
            with transaction.atomic():
                services.audit_step(actor=request.user, audit=self.audit, step=step)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(self.audit)
        messages.success(request, STEP_MESSAGES[step])
        return redirect(self.audit)


class FieldworkAddView(AuditWriteView):
    def allowed(self, rights):
        return rights.assessor

    def post(self, request, pk):
        form = FieldworkForm(request.POST)
        form.fields["interviewee"].queryset = line_members(self.audit.unit)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.fieldwork_add(actor=request.user, audit=self.audit, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_tab(request, FieldworkView, self.audit, fieldwork_form=form)
        messages.success(request, _("The fieldwork log is updated."))
        return redirect("audits:audit_fieldwork", pk=self.audit.pk)


class FieldworkConfirmView(View):
    """The interviewee confirms the record of their interview."""

    http_method_names = ["post"]

    def post(self, request, pk):
        items = FieldworkItem.objects.visible_to(request.user).select_related("audit")
        item = get_visible_or_404(request, items, pk=pk)
        if item.interviewee_id != request.user.pk:
            raise PermissionDenied(_("Only the interviewee confirms the record of an interview."))
        try:
            with transaction.atomic():
                services.fieldwork_confirm(actor=request.user, item=item)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("You confirmed the record of the interview."))
        return redirect("audits:audit_fieldwork", pk=item.audit_id)


class ScoreSaveView(AuditWriteView):
    """An assessor's own score of one principle (``<pk>/scores/<principle_pk>/``)."""

    def allowed(self, rights):
        return rights.assessor

    def post(self, request, pk, principle_pk):
        principle = self.principle(principle_pk)
        form = ScoreForm(request.POST, prefix=f"p{principle.pk}", levels=level_names(self.audit))
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.score_save(actor=request.user, audit=self.audit, principle=principle, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_tab(request, ScoringView, self.audit, score_forms={principle.pk: form})
        messages.success(request, _("Your score of %(principle)s is saved.") % {"principle": principle})
        return redirect(reverse("audits:audit_scoring", args=[self.audit.pk]) + f"#principle-{principle.pk}")


class CalibrateView(AuditWriteView):
    """The lead assessor's calibrated score of one principle."""

    def allowed(self, rights):
        return rights.lead

    def post(self, request, pk, principle_pk):
        principle = self.principle(principle_pk)
        form = CalibrationForm(request.POST, prefix=f"c{principle.pk}", levels=level_names(self.audit))
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.calibration_save(
                        actor=request.user, audit=self.audit, principle=principle, **form.cleaned_data
                    )
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_tab(request, CalibrationView, self.audit, calibration_forms={principle.pk: form})
        messages.success(request, _("The calibrated score of %(principle)s is saved.") % {"principle": principle})
        return redirect(reverse("audits:audit_calibration", args=[self.audit.pk]) + f"#principle-{principle.pk}")


class FindingAddView(AuditWriteView):
    def allowed(self, rights):
        return finding_services.can_record_findings(rights.user, rights.audit)

    def post(self, request, pk):
        form = FindingForm(request.POST)
        form.fields["principle"].queryset = self.audit.principles.all()
        if form.is_valid():
            try:
                with transaction.atomic():
                    finding_services.finding_create(actor=request.user, audit=self.audit, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_tab(request, FindingsView, self.audit, finding_form=form)
        messages.success(request, _("The finding is recorded."))
        return redirect("audits:audit_findings", pk=self.audit.pk)


class FindingStartNcView(View):
    """ "Start a non-conformity" from a finding: one POST, then the non-conformity (or, when it lies
    out of the reader's sight, back to the findings with a message)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        findings = Finding.objects.visible_to(request.user).select_related(
            "audit", "audit__unit", "audit__organisation"
        )
        finding = get_visible_or_404(request, findings, pk=pk)
        if not Rights(request.user, finding.audit).start_nonconformity:
            raise PermissionDenied(_("You cannot start a non-conformity from this finding."))
        try:
            with transaction.atomic():
                nc = finding_services.finding_start_nonconformity(actor=request.user, finding=finding)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("audits:audit_findings", pk=finding.audit_id)
        if NonConformity.objects.visible_to(request.user).filter(pk=nc.pk).exists():
            messages.success(request, _("The non-conformity is registered from the finding."))
            return redirect(nc)
        messages.success(request, _("The non-conformity is registered for the audited unit."))
        return redirect("audits:audit_findings", pk=finding.audit_id)


class ResponseGiveView(AuditWriteView):
    """The management response. The people of the audit (its assessors and planners, the unit's people)
    who are not its management are told why by the service, on the form; anyone else is a 403."""

    def allowed(self, rights):
        return rights.respond or rights.evaluate or rights.assessor or rights.plan

    def post(self, request, pk):
        form = ManagementResponseForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.management_response_give(actor=request.user, audit=self.audit, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            messages.error(request, _("The management response is not saved."))
            return render_tab(request, ResponseView, self.audit, response_form=form)
        messages.success(request, _("The management response is saved."))
        return redirect("audits:audit_response", pk=self.audit.pk)


class EvaluationGiveView(AuditWriteView):
    def allowed(self, rights):
        return True

    def post(self, request, pk):
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.evaluation_give(actor=request.user, audit=self.audit, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_tab(request, ResponseView, self.audit, evaluation_form=form)
        messages.success(request, _("Thank you: your evaluation is saved."))
        return redirect("audits:audit_response", pk=self.audit.pk)


class FollowUpAddView(AuditWriteView):
    def allowed(self, rights):
        return finding_services.can_follow_up(rights.user, rights.audit)

    def post(self, request, pk):
        form = FollowUpForm(request.POST)
        form.fields["owner"].queryset = line_members(self.audit.unit, above=False)
        form.fields["finding"].queryset = Finding.objects.filter(audit=self.audit)
        if form.is_valid():
            try:
                with transaction.atomic():
                    finding_services.follow_up_create(actor=request.user, audit=self.audit, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_tab(request, FollowUpView, self.audit, follow_up_form=form)
        messages.success(request, _("The follow-up action is added; its owner finds it in their actions."))
        return redirect("audits:audit_follow_up", pk=self.audit.pk)
