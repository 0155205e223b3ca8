"""The service calendar of an organisation (SPEC 5.1): its service hours, its closed days and the public
holidays; kept by its quality officers and administrators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from qms.calendar import calendar_for, public_holidays
from qms.choices import UnitKind
from qms.forms import ClosedDayForm, ServiceHoursForm
from qms.history import merge_histories, records_history
from qms.models import ClosedDay, OrganisationUnit, ServiceCalendar
from qms.models.calendar import WEEKDAYS
from qms.periods import selected_year
from qms.services import calendar as services
from qms.views.generic import ObjectDetailView, ObjectHistoryView, ServiceFormView, get_visible_or_404

ORGANISATIONS = OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION)


def calendar_url(organisation) -> str:
    return reverse("qms:calendar_detail", args=[organisation.pk])


class CalendarDetailView(ObjectDetailView):
    """The week's service hours, the organisation's closed days and the public holidays of a year."""

    queryset = ORGANISATIONS
    template_name = "qms/calendar_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = context["object"]
        year = selected_year(self.request.GET.get("year"))
        calendar = calendar_for(organisation)
        closed_days = ClosedDay.objects.visible_to(self.request.user).filter(organisation=organisation, date__year=year)
        context.update(
            year=year,
            week=[(WEEKDAYS[index], pair) for index, pair in enumerate(calendar.hours)],
            closed_days=closed_days,
            holidays=sorted(public_holidays(year).items()),
            can_edit=services.can_edit_calendar(self.request.user, organisation),
            closed_day_form=ClosedDayForm(),
        )
        return context


class CalendarHistoryView(ObjectHistoryView):
    """Every change of the hours and of the closed days (removed ones included)."""

    queryset = ORGANISATIONS
    detail_template = "qms/calendar_detail.html"

    def history(self, obj):
        reader = self.request.user
        hours = records_history(
            ServiceCalendar.history.filter(organisation_id=obj.pk),
            reader=reader,
            label=lambda record, show: _("Service hours"),
            omit=["organisation_id"],
        )
        days = records_history(
            ClosedDay.history.filter(organisation_id=obj.pk),
            reader=reader,
            label=lambda record, show: _("Closed day %(date)s") % {"date": show("date")},
            omit=["organisation_id"],
        )
        return merge_histories(hours, days)


class CalendarOrganisationMixin:
    """The organisation in sight (else 404) whose calendar the user keeps (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        self.organisation = get_visible_or_404(request, ORGANISATIONS.visible_to(request.user), pk=kwargs["pk"])
        if not services.can_edit_calendar(request.user, self.organisation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.organisation
        return context

    def get_success_url(self, result=None):
        return calendar_url(self.organisation)


class CalendarHoursEditView(CalendarOrganisationMixin, ServiceFormView):
    form_class = ServiceHoursForm
    template_name = "qms/calendar_hours_edit.html"
    success_message = _("Service hours saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["hours"] = calendar_for(self.organisation).hours
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Service hours of %(organisation)s") % {"organisation": self.organisation}
        return context

    def perform(self, form):
        return services.calendar_set_hours(
            actor=self.request.user, organisation=self.organisation, hours=form.cleaned_data["hours"]
        )


class ClosedDayAddView(CalendarOrganisationMixin, ServiceFormView):
    form_class = ClosedDayForm
    success_message = _("Closed day added.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Add a closed day to %(organisation)s") % {"organisation": self.organisation}
        return context

    def perform(self, form):
        return services.closed_day_add(actor=self.request.user, organisation=self.organisation, **form.cleaned_data)


class ClosedDayRemoveView(View):
    def post(self, request, pk):
        closed_day = get_visible_or_404(
            request, ClosedDay.objects.visible_to(request.user).select_related("organisation"), pk=pk
        )
        services.closed_day_remove(actor=request.user, closed_day=closed_day)
        messages.success(request, _("Closed day removed."))
        return HttpResponseRedirect(f"{calendar_url(closed_day.organisation)}?year={closed_day.date.year}")
