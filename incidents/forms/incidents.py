"""Forms of the incidents part (input validation only; ``incidents.services.incidents`` decides and saves)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import Channel, Impact, IncidentCategory, Urgency
from qms.forms import Form, ModelMultipleChoiceField
from qms.models import OrganisationUnit, User

DATETIME_WIDGET = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
BREACH_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def breach_answer(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def datetime_field(label, *, required=False, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"],
    )


class IncidentForm(Form):
    """The quick entry of a service desk: the data-breach question first (required, no default), impact
    and urgency in the source's words, the units, and when it was reported (now when left empty)."""

    data_breach_suspected = forms.TypedChoiceField(
        label=_("Does this concern information security or privacy?"),
        choices=BREACH_CHOICES,
        coerce=breach_answer,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_("Yes opens the data-breach protocol at once: the data-protection officer is told."),
        error_messages={"required": _("Answer whether this concerns information security or privacy.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Reporting unit"), queryset=OrganisationUnit.objects.none(), help_text=_("Who reports the disruption.")
    )
    impact = forms.ChoiceField(
        label=_("Impact"),
        choices=Impact.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_("Who is affected?"),
        error_messages={"invalid_choice": _("Choose one of the impacts listed.")},
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_("What does it do to the work?"),
        error_messages={"invalid_choice": _("Choose one of the urgencies listed.")},
    )
    affected_units = ModelMultipleChoiceField(
        label=_("Affected units"),
        queryset=OrganisationUnit.objects.none(),
        required=False,
        help_text=_("Their escalation contacts are told of a P1."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=IncidentCategory.choices, initial=IncidentCategory.OTHER)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    reporter_name = forms.CharField(
        label=_("Reported by"), max_length=200, required=False, help_text=_("Who called or wrote in.")
    )
    reported_at = datetime_field(
        _("Reported at"), help_text=_("Amsterdam time; empty is now. Earlier when it was reported before.")
    )


class IncidentEditForm(Form):
    """What changes on an incident; a change of impact or urgency re-derives its priority and due time."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=IncidentCategory.choices)
    impact = forms.ChoiceField(
        label=_("Impact"), choices=Impact.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    affected_units = ModelMultipleChoiceField(
        label=_("Affected units"), queryset=OrganisationUnit.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("Recorded in the history of the incident."),
    )


class IncidentPreviewForm(Form):
    """The live preview's input (a GET from the quick entry or the edit page): unknown values are no error,
    only no preview."""

    unit = forms.ModelChoiceField(queryset=OrganisationUnit.objects.none())
    impact = forms.ChoiceField(choices=Impact.choices)
    urgency = forms.ChoiceField(choices=Urgency.choices)
    reported_at = datetime_field(_("Reported at"))


class IncidentHoldForm(Form):
    # Not required here: the service says why a reason is needed, in its own words.
    reason = forms.CharField(
        label=_("Reason on hold"),
        max_length=500,
        required=False,
        help_text=_("Waiting for whom or what? The SLA clock stops until it is resumed."),
    )


class IncidentResolveForm(Form):
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    resolved_at = datetime_field(_("Resolved at"), help_text=_("Amsterdam time; empty is now."))


class IncidentReopenForm(Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class IncidentUpdatePostForm(Form):
    text = forms.CharField(
        label=_("Update"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the escalation contacts of the affected units, and kept on the timeline."),
    )


class IncidentImportForm(Form):
    """The upload field; the file's kind, size and rows are checked by the import pipeline."""

    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns (the first row names them, in English or Dutch): unit (code or name), title, description, "
            "impact, urgency, breach suspected (yes/no, required on every row), reported at (YYYY-MM-DD HH:MM), "
            "channel, category and reporter."
        ),
    )
