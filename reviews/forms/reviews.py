"""Forms of the management review: they validate input; ``reviews.services.reviews`` saves and holds
every rule (who prepares, no future year, one review per organisation and year, nothing changes once
finalised). The views limit the choices (organisations, people) to what the reader may pick."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from qms.forms import Form
from qms.models import OrganisationUnit, User
from reviews.choices import ReviewInput
from reviews.models.reviews import TEXT_MAX_LENGTH

YEAR_MIN, YEAR_MAX = 2000, 2100
# A decision is recorded with at most this many actions at once (more are added to the decision later).
ACTION_ROWS = 3


class ReviewForm(Form):
    """Preparing a review: the organisation (where the reader prepares reviews), the year, the meeting."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=OrganisationUnit.objects.none(),
        help_text=_("An organisation where you are a quality officer or administrator."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_("The year the review looks back on; not a year still to come."),
    )
    meeting_date = forms.DateField(
        label=_("Meeting date"), required=False, help_text=_("When the management meets to hold the review.")
    )


class MeetingForm(Form):
    meeting_date = forms.DateField(label=_("Meeting date"), required=False)
    conclusion = forms.CharField(
        label=_("Conclusion"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The review's conclusion on the suitability, adequacy and effectiveness of the QMS."),
    )


class CommentaryForm(Form):
    commentary = forms.CharField(
        label=_("Commentary"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the figures mean: the quality officer's reading for the management."),
        error_messages={"required": _("Write the commentary on this input.")},
    )


class AttendeeForm(Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Someone of the organisation; or give a guest's name instead."),
    )
    name = forms.CharField(label=_("Guest's name"), max_length=200, required=False)
    function = forms.CharField(label=_("Function"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("user") and not data.get("name", "").strip() and "user" not in self.errors:
            raise ValidationError(_("Choose a person or give a name."))
        if data.get("user") and data.get("name", "").strip():
            self.add_error("name", _("Either a person or a guest's name, not both."))
        return data


class DecisionForm(Form):
    input = forms.ChoiceField(label=_("Input"), choices=ReviewInput.choices)
    text = forms.CharField(
        label=_("Decision"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the decision.")},
    )


class DecisionActionForm(Form):
    """One action of a decision; a row left empty is no action, a row begun needs all three."""

    title = forms.CharField(label=_("Action"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"))


DecisionActionFormSet = formset_factory(DecisionActionForm, extra=ACTION_ROWS, max_num=ACTION_ROWS, validate_max=True)
