"""Forms of the changes part (input validation only; ``incidents.services.changes`` saves)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import ImpactRating, TestResult
from incidents.models import Change
from qms.forms import Form, ModelForm
from qms.periods import FIRST_YEAR, LAST_YEAR
from risks.models import Risk

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
YES_NO = [("", "---------"), ("yes", _("Yes")), ("no", _("No"))]
DECISIONS = [("approve", _("Approve")), ("reject", _("Reject"))]


class MomentField(forms.DateTimeField):
    """A moment in the product's years (2000-2100): year 1 or 9999 overflow in a time zone."""

    def to_python(self, value):
        try:
            moment = super().to_python(value)
        except OverflowError:
            moment = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a moment between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return moment


def datetime_field(label, *, required=True, help_text=""):
    """A date and time picked in the browser, read as Europe/Amsterdam time."""
    return MomentField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def yes_no(value):
    return {"yes": True, "no": False}.get(value)


class ChangeForm(ModelForm):
    class Meta:
        model = Change
        fields = ["kind", "title", "unit", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "kind": _("A change to an existing service, or a wish for something new."),
            "owner": _("The product owner. Leave empty for the organisation's incident coordinator."),
            "description": _("What should change, and why."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].required = False


class ChangeAssessForm(Form):
    privacy_impact = forms.ChoiceField(
        label=_("Privacy impact"), choices=ImpactRating.choices, widget=forms.RadioSelect
    )
    privacy_note = forms.CharField(
        label=_("Privacy note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    security_impact = forms.ChoiceField(
        label=_("Security impact"), choices=ImpactRating.choices, widget=forms.RadioSelect
    )
    security_note = forms.CharField(
        label=_("Security note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    governance_impact = forms.ChoiceField(
        label=_("Governance impact"), choices=ImpactRating.choices, widget=forms.RadioSelect
    )
    governance_note = forms.CharField(
        label=_("Governance note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    architecture_impact = forms.ChoiceField(
        label=_("Architecture impact"), choices=ImpactRating.choices, widget=forms.RadioSelect
    )
    architecture_note = forms.CharField(
        label=_("Architecture note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    dpia_required = forms.TypedChoiceField(
        label=_("DPIA required"),
        choices=[("", _("Only when privacy is high")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=yes_no,
        empty_value=None,
        required=False,
        help_text=_(
            "Always required when the privacy impact is high: the data-protection officer then records its "
            "outcome before release."
        ),
    )
    fits_requirements = forms.TypedChoiceField(
        label=_("Fits the current requirements"), choices=YES_NO, coerce=yes_no, empty_value=None
    )
    risk_likelihood = forms.IntegerField(label=_("Risk likelihood"), min_value=1)
    risk_impact = forms.IntegerField(label=_("Risk impact"), min_value=1)
    risk = forms.ModelChoiceField(
        label=_("Register risk"),
        queryset=Risk.objects.none(),
        required=False,
        help_text=_(
            "At high or above the change is linked to a risk of the register: choose it, or leave empty to "
            "register a new one."
        ),
    )


class ChangeDecisionForm(Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def cleaned(self) -> dict:
        return {"approved": self.cleaned_data["decision"] == "approve", "reason": self.cleaned_data["reason"]}


class ChangePlanForm(Form):
    planned_start = datetime_field(_("Planned start"), help_text=_("Amsterdam time."))
    planned_end = datetime_field(_("Planned end"), help_text=_("Amsterdam time."))
    outside_window_reason = forms.CharField(
        label=_("Reason outside the maintenance window"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for a moment outside the window (an emergency): the contacts of the units are warned at once."
        ),
    )


class ChangeTestForm(Form):
    tested_at = datetime_field(_("Tested at"))
    result = forms.ChoiceField(label=_("Result"), choices=TestResult.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the test failed: the change stays planned."),
    )


class ChangeDpiaForm(Form):
    outcome = forms.CharField(label=_("DPIA outcome"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))


class ChangeReleaseForm(Form):
    released_at = datetime_field(_("Released at"), required=False, help_text=_("Leave empty for now."))


class ChangeCloseForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ChangeWithdrawForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
