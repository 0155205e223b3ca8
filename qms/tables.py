"""Tables of the core app, and the base every app's tables share (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qms.models import Action, Membership, OrganisationUnit, User


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        template_name = "generic/table.html"
        per_page = 25


class StatusColumn(tables.Column):
    """A choice shown as a badge; exported as its label."""

    def render(self, value, record):
        return format_html('<span class="badge text-bg-light border">{}</span>', value)


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
        return format_html('<span style="padding-left:{}rem">{}</span>', record.depth * 1.25, value)


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
