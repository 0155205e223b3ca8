"""Forms of the non-conformities part: they validate input; the services in
``incidents.services.nonconformities`` save and hold every rule (gates, roles, the verifier)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import AnalysisMethod, NcSource, Verdict
from incidents.models import CauseCategory, NonConformity
from qms.choices import ActionKind
from qms.forms import Form, ModelForm
from qms.models import User

# Ids come from the query string or a hidden field: anything past a database integer is no record.
MAX_ID = 2**53


class NcCreateForm(ModelForm):
    """The short form anyone with a role in a unit fills in; the source record (an incident or a
    problem) comes with the link that opened it, in a hidden field."""

    incident = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID)
    problem = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID)

    class Meta:
        model = NonConformity
        fields = ["unit", "title", "kind", "severity", "source", "description", "correction", "owner"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "correction": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "unit": _("A unit where you have a role."),
            "severity": _("A major non-conformity starts a formal CAPA (analysis, action plan, effectiveness check)."),
            "owner": _("Leave empty: the unit's quality officer becomes the owner."),
        }


class NcEditForm(ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = NonConformity
        fields = ["title", "kind", "severity", "owner", "description", "correction"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "correction": forms.Textarea(attrs={"rows": 3}),
        }


class NcCorrectForm(Form):
    correction = forms.CharField(
        label=_("Immediate correction"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done at once to contain it."),
    )


class NcReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NcAnalysisForm(Form):
    root_cause = forms.CharField(label=_("Root cause"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    analysis_method = forms.ChoiceField(label=_("Analysis method"), choices=AnalysisMethod.choices)
    cause_category = forms.ModelChoiceField(
        label=_("Cause category"),
        queryset=CauseCategory.objects.none(),
        help_text=_("From the organisation's catalogue."),
    )


class NcVerifyForm(Form):
    due_date = forms.DateField(label=_("Check on"), help_text=_("The date the effect is checked."))
    verifier = forms.ModelChoiceField(
        label=_("Verifier"), queryset=User.objects.none(), help_text=_("Someone other than the owner.")
    )
    kpi = forms.ModelChoiceField(
        label=_("Measure on KPI"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: the KPI's values before and after the actions propose the verdict."),
    )


class NcActionForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (ActionKind.CORRECTIVE, ActionKind.CORRECTIVE.label),
            (ActionKind.PREVENTIVE, ActionKind.PREVENTIVE.label),
        ],
        help_text=_("Corrective: takes the cause away. Preventive: keeps it from happening again or elsewhere."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CheckRecordForm(Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows the verdict: figures, observations, documents."),
    )


class CauseCategoryForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)


SOURCE_PARAMETERS = {NcSource.INCIDENT: "incident", NcSource.PROBLEM: "problem"}
