"""Pages of mandatory training: the courses with their completion per year, a course's assignments
of a year (assign, record and undo completions), one assignment with its history, and the person's
own trainings.

Every page starts from ``visible_to(user)`` (out of sight is a 404); every write goes to
``qms.services.training``.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView, View
from django_tables2 import RequestConfig

from qms.choices import Role
from qms.filtersets import CourseFilterSet
from qms.forms import CourseForm, TrainingAssignForm, TrainingCompleteForm, TrainingReopenForm
from qms.history import merge_histories, records_history
from qms.models import Course, Membership, OrganisationUnit, TrainingAssignment
from qms.periods import selected_year
from qms.scoping import Purpose, organisations_for, scope_for
from qms.selectors import (
    attach_units,
    completion_per_person,
    completion_summary,
    courses_with_completion,
    my_trainings,
    people_of_organisation,
)
from qms.services import training as services
from qms.tables import CourseTable, TrainingAssignmentTable
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    get_visible_or_404,
    safe_next,
)

COURSES = Course.objects.select_related("organisation")
ASSIGNMENTS = TrainingAssignment.objects.select_related("course__organisation", "user")


def manages_training_somewhere(user) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or bool(scope.roles() & {Role.ADMINISTRATOR, Role.QUALITY_OFFICER})


def default_completion_date(year: int) -> datetime.date:
    """Today, or the last day of an earlier year (a completion must fall in the assignment's year)."""
    return min(timezone.localdate(), datetime.date(year, 12, 31))


def with_rights(user, assignments) -> list[TrainingAssignment]:
    """The assignments with what ``user`` may do with each (one query at most, for the whole list)."""
    assignments = list(assignments)
    completable = services.completion_rights(user, assignments)
    organisations = {}
    for assignment in assignments:
        organisation = assignment.course.organisation
        if organisation.pk not in organisations:
            organisations[organisation.pk] = (
                services.can_manage_training(user, organisation),
                scope_for(user).has_role(organisation, Role.QUALITY_OFFICER),
            )
        manages, reopens = organisations[organisation.pk]
        assignment.can_complete = assignment.pk in completable and not assignment.is_completed
        assignment.can_reopen = reopens and assignment.is_completed
        assignment.can_unassign = manages and not assignment.is_completed
        assignment.default_completion = default_completion_date(assignment.year)
    return assignments


# --- courses ----------------------------------------------------------------------------------------


class CourseListView(ObjectListView):
    """The courses in sight with their completion in the chosen year (this year by default), counted
    over the assignments the user may see; exported as CSV or XLSX with the same columns."""

    queryset = COURSES
    filterset_class = CourseFilterSet
    table_class = CourseTable
    title = gettext_lazy("Courses")
    add_url_name = "qms:course_add"
    export_name = "courses"
    template_name = "qms/training/course_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.year = selected_year(request.GET.get("year"))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return courses_with_completion(super().get_queryset(), self.request.user, self.year)

    def get_table_kwargs(self):
        return {"year": self.year}

    def can_add(self):
        return manages_training_somewhere(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"year": self.year, "section": "courses"}


def course_assignments_context(request, course: Course, year: int, errors=None) -> dict:
    """What the assignments block of a course's page shows for ``year``: the table, the totals and
    what the user may do per row."""
    assignments = (
        ASSIGNMENTS.visible_to(request.user)
        .filter(course=course, year=year)
        .order_by("user__last_name", "user__first_name", "pk")
    )
    rows = attach_units(with_rights(request.user, assignments), request.user)
    for row in rows:
        row.error = (errors or {}).get(row.pk)
    table = TrainingAssignmentTable(rows, orderable=False)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    years = set(
        TrainingAssignment.objects.visible_to(request.user)
        .filter(course=course)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return {
        "object": course,
        "table": table,
        "year": year,
        "years": sorted(years | {year, timezone.localdate().year}, reverse=True),
        "summary": completion_summary(assignments),
        "can_manage": services.can_manage_training(request.user, course.organisation),
        "view": "course",
    }


class CourseDetailView(ObjectDetailView):
    queryset = COURSES
    template_name = "qms/training/course_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = selected_year(self.request.GET.get("year"))
        context.update(course_assignments_context(self.request, context["object"], year), section="courses")
        return context


class CourseHistoryView(ObjectHistoryView):
    """The course's changes and its assignments' (given, completed, taken back), each named after the
    person and year."""

    queryset = COURSES
    detail_template = "qms/training/course_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "courses", "year": timezone.localdate().year}

    def history(self, obj):
        user = self.request.user
        records = TrainingAssignment.history.filter(course_id=obj.pk)
        if not scope_for(user).can_see_unit(obj.organisation):
            # Who sees the course only through some of its trainings (their own, their team's) reads
            # the history of those, not of the others (a removed one cannot be checked: left out).
            records = records.filter(id__in=TrainingAssignment.objects.visible_to(user).values("pk"))
        assignments = records_history(
            records,
            reader=user,
            label=lambda record, show: _("%(person)s, %(year)s") % {"person": show("user_id"), "year": record.year},
            omit=["course_id"],
        )
        return merge_histories(super().history(obj), assignments)


class CourseEditView(ObjectEditView):
    queryset = COURSES
    form_class = CourseForm

    def has_permission(self):
        if self.object is not None:
            return services.can_manage_training(self.request.user, self.object.organisation)
        return manages_training_somewhere(self.request.user)

    def limit_choices(self, form):
        form.fields["organisation"].queryset = organisations_for(
            self.request.user, Purpose.ACT, roles=(Role.ADMINISTRATOR, Role.QUALITY_OFFICER)
        )
        if self.object is not None:
            form.fields["organisation"].disabled = True

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.object is None:
            return services.course_create(actor=self.request.user, **data)
        data.pop("organisation", None)
        return services.course_update(actor=self.request.user, course=self.object, **data)


class CourseAssignView(ServiceFormView):
    """Assign a course for a year to people, or to every active member of a unit and its units."""

    form_class = TrainingAssignForm
    template_name = "qms/training/course_assign.html"

    def dispatch(self, request, *args, **kwargs):
        self.course = get_visible_or_404(request, COURSES.visible_to(request.user), pk=kwargs["pk"])
        if not services.can_manage_training(request.user, self.course.organisation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"year": selected_year(self.request.GET.get("year"))}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        organisation = self.course.organisation
        form.fields["users"].queryset = people_of_organisation(organisation).visible_to(self.request.user)
        form.fields["unit"].queryset = OrganisationUnit.objects.visible_to(self.request.user).filter(
            path__startswith=organisation.path, is_active=True
        )
        return form

    def get_context_data(self, **kwargs):
        title = _("Assign %(course)s") % {"course": self.course}
        return super().get_context_data(**kwargs) | {"title": title, "object": self.course, "section": "courses"}

    def perform(self, form):
        data = form.cleaned_data
        result = services.training_assign(
            actor=self.request.user,
            course=self.course,
            year=data["year"],
            users=list(data["users"]),
            unit=data["unit"],
        )
        message = ngettext(
            "%(count)s person assigned for %(year)s.", "%(count)s people assigned for %(year)s.", len(result.created)
        ) % {"count": len(result.created), "year": data["year"]}
        if result.skipped:
            message += " " + ngettext("%(count)s had it already.", "%(count)s had it already.", result.skipped) % {
                "count": result.skipped
            }
        messages.success(self.request, message)
        self.year = data["year"]
        return self.course

    def get_success_url(self, result=None):
        return f"{self.course.get_absolute_url()}?year={self.year}"


# --- assignments ------------------------------------------------------------------------------------


def back_to(request, assignment: TrainingAssignment) -> str:
    """Where a form on an assignment returns to: the page it came from, else the course's year."""
    return safe_next(request, f"{assignment.course.get_absolute_url()}?year={assignment.year}")


def my_trainings_context(request, errors=None) -> dict:
    trainings = my_trainings(request.user)
    rows = with_rights(request.user, trainings)
    for row in rows:
        row.error = (errors or {}).get(row.pk)
    year = timezone.localdate().year
    this_year = [row for row in rows if row.year == year]
    return {
        "trainings": rows,
        "year": year,
        "summary": {
            "assigned": len(this_year),
            "completed": sum(1 for row in this_year if row.is_completed),
            "open_mandatory": sum(1 for row in this_year if not row.is_completed and row.course.is_mandatory),
        },
        "view": "mine",
    }


class TrainingCompleteView(View):
    """Record a completion in place (htmx: the list it came from is sent back) or from a form."""

    def post(self, request, pk):
        assignment = get_visible_or_404(request, ASSIGNMENTS.visible_to(request.user), pk=pk)
        form = TrainingCompleteForm(request.POST)
        error = None
        if form.is_valid():
            try:
                services.training_complete(
                    actor=request.user, assignment=assignment, completed_on=form.cleaned_data["completed_on"]
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
        if request.htmx:
            errors = {assignment.pk: error} if error else None
            if request.POST.get("view") == "mine":
                return render(request, "qms/training/_my_trainings.html", my_trainings_context(request, errors))
            context = course_assignments_context(request, assignment.course, assignment.year, errors)
            return render(request, "qms/training/_assignments.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Completion recorded."))
        return HttpResponseRedirect(back_to(request, assignment))


class TrainingUnassignView(View):
    def post(self, request, pk):
        assignment = get_visible_or_404(request, ASSIGNMENTS.visible_to(request.user), pk=pk)
        target = f"{assignment.course.get_absolute_url()}?year={assignment.year}"
        try:
            services.training_unassign(actor=request.user, assignment=assignment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(assignment.get_absolute_url())
        messages.success(request, _("%(person)s no longer has to follow this course.") % {"person": assignment.user})
        return HttpResponseRedirect(target)


class TrainingReopenView(ServiceFormView):
    """A quality officer undoes a completion, with a reason kept in the history."""

    form_class = TrainingReopenForm
    success_message = gettext_lazy("The training is open again.")

    def dispatch(self, request, *args, **kwargs):
        self.assignment = get_visible_or_404(request, ASSIGNMENTS.visible_to(request.user), pk=kwargs["pk"])
        if not services.can_reopen_training(request.user, self.assignment):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        title = _("Reopen %(training)s") % {"training": self.assignment}
        return super().get_context_data(**kwargs) | {"title": title, "object": self.assignment}

    def perform(self, form):
        return services.training_reopen(
            actor=self.request.user, assignment=self.assignment, reason=form.cleaned_data["reason"]
        )


class TrainingAssignmentDetailView(ObjectDetailView):
    queryset = ASSIGNMENTS
    template_name = "qms/training/assignment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assignment = attach_units(with_rights(self.request.user, [context["object"]]), self.request.user)[0]
        context.update(object=assignment, section="courses")
        return context


class TrainingAssignmentHistoryView(ObjectHistoryView):
    queryset = ASSIGNMENTS
    detail_template = "qms/training/assignment_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"section": "courses"}


# --- my trainings -----------------------------------------------------------------------------------


class MyTrainingListView(TemplateView):
    """The person's own trainings, this year's open ones first, each with a button to record it."""

    template_name = "qms/training/my_trainings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(my_trainings_context(self.request))
        context.update(title=_("My trainings"), section="mine")
        return context


class TrainingPeopleView(TemplateView):
    """Completion per person of the mandatory courses of a year, most behind first: for quality
    officers and team leads, over the trainings they may see (optionally the members of one unit)."""

    template_name = "qms/training/people.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = selected_year(self.request.GET.get("year"))
        assignments = TrainingAssignment.objects.visible_to(self.request.user).filter(
            year=year, course__is_mandatory=True
        )
        units = OrganisationUnit.objects.visible_to(self.request.user)
        unit = (
            units.filter(pk=self.request.GET.get("unit")).first()
            if self.request.GET.get("unit", "").isdigit()
            else None
        )
        if unit is not None:
            assignments = assignments.filter(
                user__in=Membership.objects.filter(unit__path__startswith=unit.path).values("user_id")
            )
        context.update(
            title=_("Training per person"),
            year=year,
            years=range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
            units=units,
            unit=unit,
            rows=completion_per_person(assignments),
            summary=completion_summary(assignments),
            section="people",
        )
        return context
