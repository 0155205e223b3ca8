"""Forms of the KPI app (input validation only; services save)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.choices import EscalationStatus, Expectation
from kpis.models import Feedback, IntendedEffect, KeyResult, Kpi, Objective
from qms.forms import Form, ModelForm
from qms.models import OrganisationUnit


class KpiForm(ModelForm):
    class Meta:
        model = Kpi
        fields = [
            "org_unit",
            "code",
            "name",
            "description",
            "category",
            "measure_unit",
            "direction",
            "frequency",
            "owner",
            "target",
            "good_threshold",
            "acceptable_threshold",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        # A Dutch decimal comma ("99,9") is read and shown as such.
        localized_fields = ["target", "good_threshold", "acceptable_threshold"]


class MeasurementForm(Form):
    # Text, so that the service reads a Dutch decimal comma and explains a wrong value itself.
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("YYYY-MM, or YYYY-Qn for quarterly KPIs."))
    value = forms.CharField(label=_("Value"), max_length=30)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(Form):
    value = forms.CharField(label=_("Corrected value"), max_length=30)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=OrganisationUnit.objects.none(),
        help_text=_("The KPI codes in the file are those of this organisation."),
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Columns: kpi (the KPI's code), period, value and optionally note; the first row names them."),
    )


class FeedbackImportForm(Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrganisationUnit.objects.none(),
        required=False,
        help_text=_("For the rows that name no unit of their own."),
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns (the first row names them): unit (code or name), channel, category, score (1-5), "
            "negative (yes/no), comment, received_at (YYYY-MM-DD HH:MM) and customer_reference. Only "
            "a score or a comment is needed."
        ),
    )


class DefaultsForm(Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=OrganisationUnit.objects.none())


class FeedbackForm(ModelForm):
    class Meta:
        model = Feedback
        fields = ["unit", "channel", "category", "score", "negative", "comment", "received_at", "customer_reference"]
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 3}),
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].required = False  # empty: now


class ObjectiveForm(ModelForm):
    class Meta:
        model = Objective
        fields = ["unit", "parent", "title", "period", "owner", "specific", "achievable", "relevant", "deadline"]
        widgets = {
            "specific": forms.Textarea(attrs={"rows": 2}),
            "achievable": forms.Textarea(attrs={"rows": 2}),
            "relevant": forms.Textarea(attrs={"rows": 2}),
            "deadline": forms.DateInput(),
        }


class KeyResultForm(ModelForm):
    class Meta:
        model = KeyResult
        fields = ["kpi", "baseline", "target", "weight", "deadline"]
        widgets = {"deadline": forms.DateInput()}
        localized_fields = ["baseline", "target", "weight"]


class IntendedEffectForm(ModelForm):
    class Meta:
        model = IntendedEffect
        fields = [
            "action",
            "kpi",
            "expectation",
            "expected_change",
            "baseline_from",
            "baseline_to",
            "evaluation_from",
            "evaluation_to",
        ]
        localized_fields = ["expected_change"]
        help_texts = {
            "baseline_from": _("Periods as YYYY-MM (or YYYY-Qn for quarterly KPIs); empty: a default window."),
            "baseline_to": _("Before the period in which the action started."),
            "evaluation_from": _("The period in which the action is due or was completed, or later."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("baseline_from", "baseline_to", "evaluation_from", "evaluation_to"):
            self.fields[name].required = False
        self.fields["expectation"].initial = Expectation.CHANGE


class EffectConfirmForm(Form):
    explanation = forms.CharField(
        label=_("Confirmation or explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless the effect was reached."),
    )


class EscalationDecisionForm(Form):
    """The decision on a proposed escalation: the button pressed gives the status."""

    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (EscalationStatus.ESCALATED, EscalationStatus.ESCALATED.label),
            (EscalationStatus.DISMISSED, EscalationStatus.DISMISSED.label),
        ],
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to dismiss: why this is not a non-conformity. Kept in the history."),
    )


class KeyResultDeleteForm(Form):
    confirm = forms.BooleanField(
        label=_("Yes, remove this key result"),
        help_text=_("The objective's progress is computed without it from now on; the history keeps it."),
    )
