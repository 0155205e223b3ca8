"""Tables of the core app, and the base every app's tables share (django-tables2)."""

import django_tables2 as tables
from django.template import Context
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qms.models import Action, Course, Membership, OrganisationUnit, SecurityEvent, TrainingAssignment, User


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        template_name = "generic/table.html"
        per_page = 25


class StatusColumn(tables.Column):
    """A choice shown as a badge; exported as its label."""

    def render(self, value, record):
        return format_html('<span class="badge text-bg-light border">{}</span>', value)

    def value(self, value):
        return str(value)


class OrganisationUnitTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"))
    parent = tables.Column(linkify=True, verbose_name=_("Parent"))
    code = tables.Column(verbose_name=_("Code"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta(BaseTable.Meta):
        model = OrganisationUnit
        fields = ["name", "kind", "parent", "code", "is_active"]
        order_by = ["path"]

    def render_name(self, value, record):
        # The indent is set by static/js/qms.js from data-indent: the CSP allows no style attribute.
        return format_html('<span data-indent="{}">{}</span>', record.depth * 1.25, value)

    def value_name(self, value):
        return value


class UserTable(BaseTable):
    username = tables.Column(linkify=True, verbose_name=_("Username"))
    first_name = tables.Column(verbose_name=_("First name"))
    last_name = tables.Column(verbose_name=_("Last name"))
    email = tables.EmailColumn(verbose_name=_("E-mail"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta(BaseTable.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_active"]


class MembershipTable(BaseTable):
    user = tables.Column(linkify=True, verbose_name=_("Person"))
    unit = tables.Column(linkify=True, verbose_name=_("Unit"))
    role = tables.Column(verbose_name=_("Role"))
    actions = tables.TemplateColumn(
        template_name="qms/membership_actions_cell.html", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ["user", "unit", "role"]


class ActionTable(BaseTable):
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Type"))
    unit = tables.Column(verbose_name=_("Unit"))
    owner = tables.Column(verbose_name=_("Owner"))
    due_date = tables.TemplateColumn(
        template_name="qms/action_due_cell.html", verbose_name=_("Due date"), order_by="due_date"
    )
    status = StatusColumn(verbose_name=_("Status"))

    class Meta(BaseTable.Meta):
        model = Action
        fields = ["title", "kind", "unit", "owner", "due_date", "status"]

    def value_due_date(self, record):
        return record.due_date.isoformat()


class PageContextTemplateColumn(tables.TemplateColumn):
    """A template column rendered with the page's context as it is: given the request, django-tables2
    would run the context processors again for every cell, a query or two each."""

    def render(self, record, table, value, bound_column, **kwargs):
        page_context = getattr(table, "context", None) or Context()
        context = self.get_context_data(record=record, table=table, value=value, bound_column=bound_column, **kwargs)
        with page_context.update(context):
            return get_template(self.template_name).render(page_context.flatten())


class CourseTable(BaseTable):
    """Courses with their completion in the year the list is about (annotated by
    ``qms.selectors.courses_with_completion``)."""

    title = tables.Column(verbose_name=_("Title"))
    organisation = tables.Column(verbose_name=_("Organisation"))
    is_mandatory = tables.BooleanColumn(verbose_name=_("Mandatory"))
    assigned = tables.Column(verbose_name=_("Assigned"))
    completed = tables.Column(verbose_name=_("Completed"))
    completion = tables.Column(verbose_name=_("Completion"), default="—")

    class Meta(BaseTable.Meta):
        model = Course
        fields = ["title", "organisation", "is_mandatory", "assigned", "completed", "completion"]
        order_by = ["title"]

    def __init__(self, *args, year=None, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def render_title(self, value, record):
        url = record.get_absolute_url() + (f"?year={self.year}" if self.year else "")
        return format_html('<a href="{}">{}</a>', url, value)

    def value_title(self, value):
        return value

    def render_completion(self, value, record):
        return format_html('<span data-testid="completion">{} %</span>', round(value))

    def value_completion(self, value, record):
        return None if value is None else round(value, 1)


class TrainingAssignmentTable(BaseTable):
    """The assignments of a course in a year: who, in which units, and whether they completed it."""

    user = tables.Column(verbose_name=_("Person"), order_by=("user__last_name", "user__first_name"))
    units = tables.Column(verbose_name=_("Unit"), empty_values=(), orderable=False)
    completed_on = PageContextTemplateColumn(
        template_name="qms/training/_completion_cell.html", verbose_name=_("Completed on"), order_by="completed_on"
    )
    status = tables.Column(verbose_name=_("Status"), empty_values=(), order_by="completed_on")
    actions = PageContextTemplateColumn(
        template_name="qms/training/_assignment_actions_cell.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = TrainingAssignment
        fields = ["user", "units", "completed_on", "status"]
        row_attrs = {"id": lambda record: f"assignment-{record.pk}"}

    def render_user(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def value_user(self, value, record):
        return str(value)

    def render_units(self, record):
        return ", ".join(unit.name for unit in record.units) or "—"

    def value_units(self, record):
        return self.render_units(record)

    def render_status(self, record):
        if record.is_completed:
            return format_html('<span class="badge text-bg-success">{}</span>', _("Completed"))
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Open"))

    def value_status(self, record):
        return str(_("Completed") if record.is_completed else _("Open"))

    def value_completed_on(self, record):
        return record.completed_on.isoformat() if record.completed_on else ""


class SecurityEventTable(BaseTable):
    """The security log: newest first; the person as logged (a failed login has only a user name)."""

    created_at = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i:s")
    kind = tables.Column(verbose_name=_("Event"))
    username = tables.Column(verbose_name=_("Person"), order_by=("username",))
    ip_address = tables.Column(verbose_name=_("Address"))
    path = tables.Column(verbose_name=_("Path"))
    detail = tables.Column(verbose_name=_("Detail"))

    class Meta(BaseTable.Meta):
        model = SecurityEvent
        fields = ["created_at", "kind", "username", "ip_address", "path", "detail"]
        order_by = ["-created_at"]

    def render_username(self, value, record):
        if record.user_id and str(record.user) != value:
            return format_html('{} <span class="text-body-secondary">({})</span>', record.user, value)
        return value

    def value_username(self, value, record):
        return value

    def value_created_at(self, value):
        return value.isoformat(timespec="seconds")
