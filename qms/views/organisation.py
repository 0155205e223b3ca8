"""Pages of the organisation: units, people and their roles."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from qms.filtersets import OrganisationUnitFilterSet, UserFilterSet
from qms.forms import MembershipForm, OrganisationUnitForm, UserForm, scope_form_querysets
from qms.history import merge_histories, records_history
from qms.models import Membership, OrganisationUnit, User
from qms.permissions import can_administer, can_manage_user, is_administrator_anywhere
from qms.scoping import scope_for
from qms.services import organisation as services
from qms.tables import MembershipTable, OrganisationUnitTable, UserTable
from qms.views.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    get_visible_or_404,
)


class UnitListView(ObjectListView):
    queryset = OrganisationUnit.objects.select_related("parent")
    filterset_class = OrganisationUnitFilterSet
    table_class = OrganisationUnitTable
    title = _("Organisation units")
    add_url_name = "qms:unit_add"

    def can_add(self):
        return is_administrator_anywhere(self.request.user)


class UnitDetailView(ObjectDetailView):
    queryset = OrganisationUnit.objects.select_related("parent")
    template_name = "qms/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = context["object"]
        memberships = Membership.objects.visible_to(self.request.user).filter(unit=unit).select_related("user", "unit")
        context.update(
            children=unit.children.visible_to(self.request.user),
            ancestors=unit.ancestors(include_self=False).visible_to(self.request.user),
            membership_table=MembershipTable(memberships, orderable=False),
            can_administer=can_administer(self.request.user, unit),
        )
        return context


# A membership is given and removed, never changed: its history reads as roles given and removed.
ROLE_KINDS = {"+": _("Role given"), "-": _("Role removed")}
MEMBERSHIP_FIELDS = ["user_id", "unit_id", "role"]


def roles_history(records, *, reader, label, visible=None):
    """Who gave or removed which role when (removed memberships too), named by ``label``."""
    return records_history(
        records, reader=reader, label=label, kinds=ROLE_KINDS, omit=MEMBERSHIP_FIELDS, visible=visible
    )


class UnitHistoryView(ObjectHistoryView):
    """The unit's changes and the roles given and removed in it."""

    queryset = OrganisationUnit.objects.all()
    detail_template = "qms/unit_detail.html"

    def history(self, obj):
        records = Membership.history.filter(unit_id=obj.pk)
        roles = roles_history(
            records,
            reader=self.request.user,
            label=lambda record, show: _("%(role)s: %(person)s") % {"role": show("role"), "person": show("user_id")},
            # Who held a role in a unit in sight was in sight: their name stays in its history after they left.
            visible={"user_id": User.objects.filter(pk__in=records.values("user_id"))},
        )
        return merge_histories(super().history(obj), roles)


class UnitEditView(ObjectEditView):
    queryset = OrganisationUnit.objects.all()
    form_class = OrganisationUnitForm

    def has_permission(self):
        if self.object is not None:
            return can_administer(self.request.user, self.object)
        return is_administrator_anywhere(self.request.user)

    def get_initial(self):
        initial = super().get_initial()
        if self.object is None and "parent" in self.request.GET:
            initial["parent"] = self.request.GET["parent"]
        return initial

    def limit_choices(self, form):
        from qms.choices import Role
        from qms.scoping import scope_for

        form.fields["parent"].queryset = scope_for(self.request.user).units_with_role(Role.ADMINISTRATOR)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.object is None:
            del form.fields["is_active"]  # a new unit is active
        return form

    def perform(self, form):
        if self.object is None:
            return services.unit_create(actor=self.request.user, **form.cleaned_data)
        return services.unit_update(actor=self.request.user, unit=self.object, **form.cleaned_data)


class UserListView(ObjectListView):
    queryset = User.objects.all()
    filterset_class = UserFilterSet
    table_class = UserTable
    title = _("People")
    add_url_name = "qms:user_add"

    def can_add(self):
        return is_administrator_anywhere(self.request.user)


class UserDetailView(ObjectDetailView):
    queryset = User.objects.select_related("manager")
    template_name = "qms/user_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = context["object"]
        memberships = (
            Membership.objects.visible_to(self.request.user).filter(user=person).select_related("user", "unit")
        )
        context.update(
            membership_table=MembershipTable(memberships, orderable=False, exclude=["user"]),
            can_manage=can_manage_user(self.request.user, person),
        )
        return context


class UserHistoryView(ObjectHistoryView):
    """The person's changes and the roles they were given and lost, in the units the reader sees."""

    queryset = User.objects.all()
    detail_template = "qms/user_detail.html"

    def history(self, obj):
        units = scope_for(self.request.user).visible_unit_pks()
        roles = roles_history(
            Membership.history.filter(user_id=obj.pk, unit_id__in=units),
            reader=self.request.user,
            label=lambda record, show: _("%(role)s in %(unit)s") % {"role": show("role"), "unit": show("unit_id")},
        )
        return merge_histories(super().history(obj), roles)


class UserEditView(ObjectEditView):
    queryset = User.objects.all()
    form_class = UserForm

    def has_permission(self):
        if self.object is not None:
            return can_manage_user(self.request.user, self.object)
        return is_administrator_anywhere(self.request.user)

    def limit_choices(self, form):
        scope_form_querysets(form, self.request.user, ["manager"])

    def perform(self, form):
        data = dict(form.cleaned_data)
        password = data.pop("password", "") or None
        if self.object is None:
            return services.user_create(actor=self.request.user, password=password, **data)
        return services.user_update(actor=self.request.user, user=self.object, password=password, **data)


class MembershipAddView(ServiceFormView):
    """Give a person a role in a unit (administrators of the unit)."""

    form_class = MembershipForm

    def dispatch(self, request, *args, **kwargs):
        self.unit = get_visible_or_404(request, OrganisationUnit.objects.visible_to(request.user), pk=kwargs["pk"])
        if not can_administer(request.user, self.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        scope_form_querysets(form, self.request.user, ["user"])
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.unit, title=_("Add a role in %(unit)s") % {"unit": self.unit})
        return context

    def perform(self, form):
        return services.membership_create(actor=self.request.user, unit=self.unit, **form.cleaned_data)


class MembershipDeleteView(View):
    def post(self, request, pk):
        membership = get_visible_or_404(
            request, Membership.objects.visible_to(request.user).select_related("unit", "user"), pk=pk
        )
        try:
            services.membership_delete(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Role removed."))
        return HttpResponseRedirect(membership.unit.get_absolute_url())
