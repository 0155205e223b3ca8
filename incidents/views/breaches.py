"""Pages of the breaches part: the breach register, a breach with its 72-hour clock and the steps of
the protocol (assess, notify the authority or record why not, notify the people concerned or record why
not, close), its history, and opening a breach directly.

Every page starts from ``DataBreach.objects.visible_to(request.user)``: out of sight is a 404, for people
who see the incident too. Writes go through ``incidents.services.breaches``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from incidents.choices import BreachStatus
from incidents.filtersets.breaches import DataBreachFilterSet
from incidents.forms.breaches import (
    AuthorityNotifiedForm,
    BreachAssessForm,
    BreachForm,
    ReasonForm,
    SubjectsNotifiedForm,
)
from incidents.models import DataBreach
from incidents.models.breaches import BREACH_READER_ROLES
from incidents.services import breaches as services
from incidents.tables.breaches import DataBreachTable
from qms.choices import UnitKind
from qms.models import User
from qms.scoping import scope_for
from qms.views.generic import (
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
)

BREACHES = DataBreach.objects.select_related("organisation", "owner", "incident")


def opens_breaches(user) -> bool:
    """Data-protection officers, quality officers and administrators open breach records directly."""
    return bool(scope_for(user).roles() & set(BREACH_READER_ROLES)) or scope_for(user).sees_everything


class BreachListView(ObjectListView):
    queryset = BREACHES
    filterset_class = DataBreachFilterSet
    table_class = DataBreachTable
    template_name = "incidents/breaches/breach_list.html"
    title = _("Data breach register")
    export_name = "data-breach-register"
    add_url_name = "incidents:breach_add"

    def get_table_kwargs(self):
        return {"now": timezone.now()}

    def can_add(self):
        return opens_breaches(self.request.user)


class BreachContextMixin:
    """What the detail page's header and tabs need, on the details and the history tab alike."""

    queryset = BREACHES
    template_name = "incidents/breaches/breach_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach = context["object"]
        user = self.request.user
        now = timezone.now()
        is_open = breach.status != BreachStatus.CLOSED
        can_handle = is_open and services.can_handle_breach(user, breach)
        context.update(
            now=now,
            hours_left=breach.hours_left(now),
            is_overdue=breach.is_overdue(now),
            can_handle=can_handle,
            blockers=services.close_blockers(breach) if can_handle else [],
        )
        return context


class BreachDetailView(BreachContextMixin, ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach = context["object"]
        if context["can_handle"]:
            context.update(
                assess_form=BreachAssessForm(
                    initial={
                        "personal_data": {True: "yes", False: "no"}.get(breach.personal_data),
                        "risk": breach.risk or None,
                        "data_categories": breach.data_categories,
                        "people_affected": breach.people_affected,
                        "assessment": breach.assessment,
                        "containment": breach.containment,
                    }
                ),
                # Two forms of each kind on one page: their fields get ids of their own.
                authority_form=AuthorityNotifiedForm(auto_id="id_authority_%s"),
                authority_reason_form=ReasonForm(auto_id="id_authority_reason_%s"),
                subjects_form=SubjectsNotifiedForm(auto_id="id_subjects_%s"),
                subjects_reason_form=ReasonForm(auto_id="id_subjects_reason_%s"),
            )
        return context


class BreachHistoryView(BreachContextMixin, ObjectHistoryView):
    template_name = "generic/object_history.html"
    detail_template = "incidents/breaches/breach_detail.html"


class BreachAddView(ServiceFormView):
    form_class = BreachForm
    template_name = "incidents/breaches/breach_form.html"
    success_message = _("The breach is recorded; its owner is told.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not opens_breaches(request.user):
            raise PermissionDenied(
                _("Only data-protection officers, quality officers and administrators open a breach record.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        form.fields["organisation"].queryset = (
            scope_for(user).units_with_role(*BREACH_READER_ROLES).filter(kind=UnitKind.ORGANISATION, is_active=True)
        )
        form.fields["owner"].queryset = User.objects.visible_to(user).filter(is_active=True)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Record a data breach")
        return context

    def perform(self, form):
        return services.breach_create(actor=self.request.user, **form.cleaned_data)


class BreachStepMixin:
    """A step of the protocol on one breach, for whoever handles it (a 404 out of sight, a 403 for the
    administrators, who see it but leave the handling to the data-protection and quality officers)."""

    template_name = "incidents/breaches/breach_step_form.html"
    intro = ""
    title = ""

    def dispatch(self, request, *args, **kwargs):
        self.breach = get_visible_or_404(request, BREACHES.visible_to(request.user), pk=kwargs["pk"])
        if not services.can_handle_breach(request.user, self.breach):
            raise PermissionDenied(
                _("Only the owner, data-protection officers and quality officers handle this breach.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.breach, title=self.title, intro=self.intro)
        return context

    def get_success_url(self, result=None):
        return self.breach.get_absolute_url()


class BreachAssessView(BreachStepMixin, ServiceFormView):
    form_class = BreachAssessForm
    title = _("Assess the breach")
    success_message = _("The assessment is recorded.")
    intro = _(
        "Assess the risk to the people concerned. Unless there is no risk, the authority is notified within 72 "
        "hours of discovery (GDPR article 33); at a high risk the people concerned are told too (article 34)."
    )

    def perform(self, form):
        return services.breach_assess(actor=self.request.user, breach=self.breach, **form.cleaned_data)


class BreachNotifyAuthorityView(BreachStepMixin, ServiceFormView):
    form_class = AuthorityNotifiedForm
    title = _("Record the notification of the authority")
    success_message = _("The notification of the authority is recorded.")
    intro = _("When the Autoriteit Persoonsgegevens was notified (GDPR article 33), and its reference.")

    def perform(self, form):
        return services.breach_notify_authority(actor=self.request.user, breach=self.breach, **form.cleaned_data)


class BreachAuthorityNotNotifiedView(BreachStepMixin, ServiceFormView):
    form_class = ReasonForm
    title = _("Record why the authority is not notified")
    success_message = _("The reason is recorded.")
    intro = _(
        "Only a breach unlikely to result in a risk to the people concerned needs no notification (GDPR "
        "article 33(1)); the reason is documented (article 33(5))."
    )

    def perform(self, form):
        return services.breach_record_authority_not_notified(
            actor=self.request.user, breach=self.breach, **form.cleaned_data
        )


class BreachNotifySubjectsView(BreachStepMixin, ServiceFormView):
    form_class = SubjectsNotifiedForm
    title = _("Record the notification of the people concerned")
    success_message = _("The notification of the people concerned is recorded.")
    intro = _("At a high risk the people concerned are told without undue delay (GDPR article 34(1)).")

    def perform(self, form):
        return services.breach_notify_subjects(actor=self.request.user, breach=self.breach, **form.cleaned_data)


class BreachSubjectsNotNotifiedView(BreachStepMixin, ServiceFormView):
    form_class = ReasonForm
    title = _("Record why the people concerned are not notified")
    success_message = _("The reason is recorded.")
    intro = _(
        "GDPR article 34(3): for example, the data was encrypted, measures taken since make the high risk "
        "unlikely, or a public communication is made instead."
    )

    def perform(self, form):
        return services.breach_record_subjects_not_notified(
            actor=self.request.user, breach=self.breach, **form.cleaned_data
        )


class BreachCloseView(BreachStepMixin, View):
    def post(self, request, pk):
        try:
            services.breach_close(actor=request.user, breach=self.breach)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The breach is closed; it stays in the register."))
        return redirect(self.breach)
