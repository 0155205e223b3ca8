"""Forms of the breaches part (input validation only; ``incidents.services.breaches`` decides and saves)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import BreachRisk
from qms.forms import Form
from qms.models import OrganisationUnit, User

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def moment_field(label, *, help_text="", required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class BreachForm(Form):
    """A breach opened directly by a data-protection officer, quality officer or administrator."""

    organisation = forms.ModelChoiceField(queryset=OrganisationUnit.objects.none(), label=_("Organisation"))
    title = forms.CharField(label=_("Title"), max_length=200)
    discovered_at = moment_field(
        _("Discovered at"),
        help_text=_(
            "When the organisation became aware of the breach (Amsterdam time): the 72 hours to notify the "
            "authority run from here (GDPR article 33(1))."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, which systems and data; no more personal data than needed."),
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Owner"),
        required=False,
        help_text=_("Leave empty for the data-protection officer (else a quality officer) of the organisation."),
    )


class BreachAssessForm(Form):
    personal_data = forms.TypedChoiceField(
        label=_("Personal data involved?"),
        choices=YES_NO,
        coerce=yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether personal data is involved.")},
    )
    data_categories = forms.CharField(
        label=_("Categories of personal data"),
        max_length=500,
        required=False,
        help_text=_("E.g. names and addresses, student numbers, health data (special categories, GDPR art. 9)."),
    )
    people_affected = forms.IntegerField(
        label=_("Approximate number of people"), min_value=0, max_value=2_000_000_000, required=False
    )
    risk = forms.ChoiceField(
        label=_("Risk to the people concerned"),
        choices=BreachRisk.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "No risk: the authority need not be notified (GDPR art. 33(1)). High risk: the people concerned "
            "are notified too (GDPR art. 34(1))."
        ),
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this risk: the likely consequences for the people concerned (GDPR art. 33(3))."),
    )
    containment = forms.CharField(
        label=_("Containment measures"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done to stop the breach and limit its consequences."),
    )


class AuthorityNotifiedForm(Form):
    notified_at = moment_field(
        _("Notified at"),
        help_text=_("When the authority (Autoriteit Persoonsgegevens) was notified (Amsterdam time)."),
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("The authority's reference number.")
    )


class SubjectsNotifiedForm(Form):
    notified_at = moment_field(
        _("Notified at"), help_text=_("When the people concerned were notified (Amsterdam time).")
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
