"""Forms of the audits part: they validate input; ``audits.services.audits`` and
``audits.services.findings`` save and hold every rule (independence, the status gates, blind scoring, the
median rule of calibration, who responds and evaluates). The views limit the choices to what the
reader may pick."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.choices import LEVEL_MAX, LEVEL_MIN, FieldworkKind, FindingKind, Recognition
from audits.models import Audit, Finding, Principle
from qms.forms import Form, ModelForm, ModelMultipleChoiceField
from qms.models import OrganisationUnit, User

YEAR_MIN, YEAR_MAX = 2000, 2100
TEXT_MAX = 20_000


def level_choices(levels=None) -> list[tuple[int, str]]:
    """1-5, each with the organisation's name of the level when known (``levels``: {level: name})."""
    levels = levels or {}
    return [
        (level, f"{level} {levels[level]}" if levels.get(level) else str(level))
        for level in range(LEVEL_MIN, LEVEL_MAX + 1)
    ]


class AuditUnitForm(Form):
    """The first step of planning: which unit and year (the assessors who may assess it follow from it)."""

    unit = forms.ModelChoiceField(
        label=_("Unit to audit"),
        queryset=OrganisationUnit.objects.none(),
        help_text=_("A business unit (or team) of an organisation where you plan audits."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


class AuditForm(ModelForm):
    """Planning an audit (and changing it while planned or in fieldwork)."""

    unit = forms.ModelChoiceField(queryset=OrganisationUnit.objects.none(), widget=forms.HiddenInput)
    principles = ModelMultipleChoiceField(
        label=_("Principles"),
        queryset=Principle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Preset to the principles the organisation's cycle plans for the year; leave all empty for those."),
    )
    assessors = ModelMultipleChoiceField(
        label=_("Assessors"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "At least two, each an auditor in the organisation and no member of the audited unit, a unit "
            "below it or a unit above it."
        ),
    )
    lead_assessor = forms.ModelChoiceField(
        label=_("Lead assessor"), queryset=User.objects.none(), help_text=_("One of the assessors.")
    )

    class Meta:
        model = Audit
        fields = [
            "unit",
            "year",
            "principles",
            "assessors",
            "lead_assessor",
            "scope_note",
            "planned_start",
            "planned_end",
        ]
        widgets = {
            # Unit and year are chosen in the first step (the assessors and principles offered follow
            # from them); the form carries them along.
            "year": forms.HiddenInput,
            "scope_note": forms.Textarea(attrs={"rows": 3}),
            "planned_start": forms.DateInput(),
            "planned_end": forms.DateInput(),
        }


class AuditEditForm(AuditForm):
    """The same fields without unit and year (they name the audit); offered while the audit is planned
    or in fieldwork."""

    class Meta(AuditForm.Meta):
        fields = ["principles", "assessors", "lead_assessor", "scope_note", "planned_start", "planned_end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["unit"]


class FieldworkForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldworkKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput())
    subject = forms.CharField(
        label=_("Subject"), max_length=200, help_text=_("The document, or the interview's topic.")
    )
    interviewee = forms.ModelChoiceField(
        label=_("Interviewee"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A person of the audited unit; they are asked to confirm the record of the interview."),
    )
    interviewee_name = forms.CharField(
        label=_("Interviewee (name)"),
        max_length=200,
        required=False,
        help_text=_("Who was interviewed, when they are not a user of the system."),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScoreForm(Form):
    """An assessor's own score of one principle (one form per principle, prefixed with its id)."""

    score = forms.TypedChoiceField(label=_("Score"), choices=level_choices(), coerce=int, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this level: what you saw in the documents and heard in the interviews."),
    )
    design_note = forms.CharField(
        label=_("Design (opzet)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Is there a system on paper?"),
    )
    existence_note = forms.CharField(
        label=_("Existence (bestaan)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Is it applied in practice?"),
    )
    operation_note = forms.CharField(
        label=_("Operation (werking)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Does it make errors and waste visible and lead to improvement?"),
    )

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = level_choices(levels)


class CalibrationForm(Form):
    """The lead assessor's calibrated score of one principle (prefixed with its id)."""

    score = forms.TypedChoiceField(
        label=_("Calibrated score"), choices=level_choices(), coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the calibrated score differs from the assessors' median."),
    )

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = level_choices(levels)


class FindingForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    principle = forms.ModelChoiceField(label=_("Principle"), queryset=Principle.objects.none())
    theme = forms.CharField(
        label=_("Theme"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "audit-themes", "autocomplete": "off"}),
        help_text=_(
            "Pick one of the organisation's themes or name a new one; recurring themes are the common threads."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_theme(self):
        return " ".join(self.cleaned_data["theme"].split())


class ManagementResponseForm(Form):
    recognition = forms.ChoiceField(
        label=_("Do you recognise the findings?"), choices=Recognition.choices, widget=forms.RadioSelect
    )
    comments = forms.CharField(
        label=_("Comments"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The management's view of the findings and what it will do about them."),
    )


class EvaluationForm(Form):
    mark = forms.TypedChoiceField(
        label=_("Mark"),
        choices=[(mark, str(mark)) for mark in range(1, 11)],
        coerce=int,
        help_text=_("1 (very poor) to 10 (excellent): how the audit was done."),
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), help_text=_("Someone of the audited unit.")
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput())
    finding = forms.ModelChoiceField(
        label=_("Finding"),
        queryset=Finding.objects.none(),
        required=False,
        help_text=_("Optional: the finding or recommendation it follows up."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
