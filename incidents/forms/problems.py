"""Forms of the problems part: they validate input; the services in ``incidents.services.problems`` save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, Problem
from qms.forms import Form, ModelForm


class ProblemForm(ModelForm):
    class Meta:
        model = Problem
        fields = ["unit", "title", "category", "owner", "description", "root_cause", "workaround", "faq_published"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "workaround": forms.Textarea(attrs={"rows": 3}),
        }


class ProblemCreateForm(ProblemForm):
    """A new problem names what it is about; root cause and workaround come later (edit or steps)."""

    incidents = forms.ModelMultipleChoiceField(
        label=_("Incidents"),
        queryset=Incident.objects.none(),
        required=False,
        help_text=_("The incidents this problem groups (of the same organisation)."),
    )

    class Meta(ProblemForm.Meta):
        fields = ["unit", "title", "category", "owner", "description"]


class ProblemStepForm(Form):
    """A status step: the workaround or root cause it needs may come with it; reopening needs a reason."""

    workaround = forms.CharField(label=_("Workaround"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProblemLinkForm(Form):
    incidents = forms.ModelMultipleChoiceField(
        label=_("Incidents to link"),
        queryset=Incident.objects.none(),
        help_text=_("Incidents of the same organisation."),
    )


class ProposalAcceptForm(Form):
    title = forms.CharField(
        label=_("Title of the problem"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for a title made up for you."),
    )


class ProposalDismissForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
