"""Forms of the contacts part: they validate input; ``incidents.services.contacts`` saves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import ContactGroup
from qms.forms import Form
from qms.models import User


class ContactForm(Form):
    group = forms.ChoiceField(label=_("Group"), choices=ContactGroup.choices)
    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, help_text=_("A user of the system.")
    )
    mailbox = forms.EmailField(
        label=_("Group mailbox"), required=False, help_text=_("Or a group mailbox, such as a service desk.")
    )
    name = forms.CharField(label=_("Name of the mailbox"), required=False, max_length=200)
