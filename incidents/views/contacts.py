"""Pages of the contacts part: a unit's escalation contacts in the source's four groups, with the forms
to add and remove them and to confirm them (the yearly request), and their history.

The unit is chosen with ``?unit=<id>`` among the units the person sees (out of sight is a 404); every
write goes through ``incidents.services.contacts``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from incidents.forms.contacts import ContactForm
from incidents.models import ContactConfirmation, EscalationContact
from incidents.selectors.contacts import contacts_by_group, last_confirmation, open_confirmation
from incidents.services import contacts as services
from qms.choices import UnitKind
from qms.history import merge_histories, records_history
from qms.models import OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import people_of_organisation
from qms.views.generic import error_text, get_visible_or_404


def contacts_url(unit) -> str:
    return reverse("incidents:contacts") + f"?unit={unit.pk}"


def contact_units(user):
    """The units whose contacts the person may look at: the ones they see, groups left out."""
    return scope_for(user).visible_units().exclude(kind=UnitKind.GROUP).filter(is_active=True).order_by("path")


class ContactUnitMixin:
    """The unit of the page: ``?unit=`` (or the URL's ``unit``) among the visible units, else the first."""

    def get_unit(self):
        if hasattr(self, "_unit"):
            return self._unit
        units = contact_units(self.request.user)
        value = self.kwargs.get("unit") or self.request.GET.get("unit", "")
        if str(value).isdigit():
            visible = OrganisationUnit.objects.visible_to(self.request.user)
            self._unit = get_visible_or_404(self.request, visible, pk=int(value))
        elif value:
            raise Http404
        else:
            self._unit = units.first()
        return self._unit

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.get_unit()
        context.update(
            unit=unit,
            units=contact_units(self.request.user),
            title=_("Escalation contacts"),
            details_url=contacts_url(unit) if unit else reverse("incidents:contacts"),
            details_label=_("Contacts"),
            history_url=(reverse("incidents:contacts_history") + f"?unit={unit.pk}") if unit else "",
        )
        return context


def contact_form(user, unit, data=None) -> ContactForm:
    form = ContactForm(data)
    people = User.objects.visible_to(user).filter(is_active=True)
    form.fields["user"].queryset = people.filter(pk__in=people_of_organisation(unit.organisation).values("pk"))
    return form


class ContactsView(ContactUnitMixin, TemplateView):
    template_name = "incidents/contacts/contacts.html"
    tab = "details"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = context["unit"]
        if unit is None:
            return context
        can_edit = services.can_edit_contacts(self.request.user, unit) and unit.kind != UnitKind.GROUP
        groups = contacts_by_group(unit)
        context.update(
            tab=self.tab,
            groups=groups,
            has_contacts=any(contacts for _code, _label, contacts in groups),
            can_edit=can_edit,
            form=contact_form(self.request.user, unit) if can_edit else None,
            last_confirmation=last_confirmation(unit),
            open_confirmation=open_confirmation(unit, timezone.localdate().year),
        )
        return context


class ContactsHistoryView(ContactUnitMixin, TemplateView):
    template_name = "incidents/contacts/contacts_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = context["unit"]
        context["tab"] = "history"
        if unit is None:
            context["entries"] = []
            return context
        user = self.request.user
        contacts = records_history(
            EscalationContact.history.filter(unit_id=unit.pk),
            reader=user,
            label=lambda record, show: str(record.instance),
            omit=["unit_id"],
        )
        confirmations = records_history(
            ContactConfirmation.history.filter(unit_id=unit.pk),
            reader=user,
            label=lambda record, show: _("Confirmation %(year)s") % {"year": record.year},
            omit=["unit_id"],
        )
        context["entries"] = merge_histories(contacts, confirmations)
        return context


class ContactWriteMixin(ContactUnitMixin):
    def dispatch(self, request, *args, **kwargs):
        unit = self.get_unit()
        if unit is None:
            return redirect("incidents:contacts")
        if request.user.is_authenticated and not services.can_edit_contacts(request.user, unit):
            raise PermissionDenied(_("You cannot change the escalation contacts of %(unit)s.") % {"unit": unit})
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect(contacts_url(self.get_unit()))


class ContactAddView(ContactWriteMixin, View):
    def post(self, request, unit):
        unit = self.get_unit()
        form = contact_form(request.user, unit, request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
            return redirect(contacts_url(unit))
        try:
            services.contact_add(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The contact is added."))
        return redirect(contacts_url(unit))


class ContactRemoveView(View):
    def post(self, request, pk):
        contacts = EscalationContact.objects.visible_to(request.user).select_related("unit")
        contact = get_visible_or_404(request, contacts, pk=pk)
        unit = contact.unit
        if not services.can_edit_contacts(request.user, unit):
            raise PermissionDenied(_("You cannot change the escalation contacts of %(unit)s.") % {"unit": unit})
        services.contact_remove(actor=request.user, contact=contact)
        messages.success(request, _("The contact is removed."))
        return redirect(contacts_url(unit))


class ContactsConfirmView(ContactWriteMixin, View):
    def post(self, request, unit):
        unit = self.get_unit()
        try:
            services.contacts_confirm(actor=request.user, unit=unit)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Thank you: the contacts are confirmed for this year."))
        return redirect(contacts_url(unit))
