"""Personal data (SPEC 8): a person's own download, and an administrator's erasure of a person."""

import json

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from qms.forms import Form
from qms.models import User
from qms.permissions import can_manage_user
from qms.services.privacy import is_erased, open_work_of, open_work_text, personal_data_export, user_erase
from qms.views.generic import ServiceFormView, get_visible_or_404


@require_GET
def personal_data_download(request):
    """Everything the system holds about the person asking, as a JSON file."""
    data = personal_data_export(user=request.user, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{request.user.pk}-{stamp}.json"'
    return response


class UserEraseForm(Form):
    successor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Successor"),
        help_text=_("Takes over the person's open work (required when they own any)."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the name, user name and e-mail address are erased for good."), required=True
    )


class UserEraseView(ServiceFormView):
    """Erase a person (administrators who manage them): records stay, under a pseudonym."""

    form_class = UserEraseForm
    template_name = "qms/privacy/user_erase.html"
    success_message = _("The person is erased.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = get_visible_or_404(request, User.objects.visible_to(request.user), pk=kwargs["pk"])
            if not can_manage_user(request.user, self.person) or self.person.pk == request.user.pk:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["successor"].queryset = (
            User.objects.visible_to(self.request.user).filter(is_active=True).exclude(pk=self.person.pk)
        )
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        open_work = open_work_of(self.person)
        context.update(
            object=self.person,
            title=_("Erase %(person)s") % {"person": self.person},
            open_work=open_work_text(open_work),
            erased=is_erased(self.person),
        )
        return context

    def perform(self, form):
        return user_erase(
            actor=self.request.user, user=self.person, successor=form.cleaned_data["successor"], request=self.request
        )

    def get_success_url(self, result=None):
        return reverse("qms:user_detail", args=[self.person.pk])
