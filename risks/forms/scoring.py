"""Forms of the monthly risk score pages (input validation only; ``risks.services.scoring`` saves and
holds the rules: weights adding up to 100, open and closed months, the correction's reason...)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qms.choices import UnitKind
from qms.forms import Form
from risks.choices import ProgrammeLevel, ScoreSource
from risks.filtersets.scoring import InvestigationFilterSet
from risks.forms.register import MeasureForm, RiskImportForm
from risks.models import ScoreArea

LEVEL_CHOICES = [("", "—"), *ProgrammeLevel.choices]


def score_field(label, *, required=False, help_text=""):
    """A score from 0 to 100 with one decimal. A number input, so the browser sends 88.5 whatever the
    page's language (a Dutch keyboard types 88,5)."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100", "inputmode": "decimal"}),
    )


class MonthScoresForm(Form):
    """A month's grid: a score per area scored by hand (``area_<code>``), the VASP and VISP levels, and
    for a closed month the reason of the correction (and whether to compute its derived areas again).
    Derived areas have no field while there is data to compute their score from (``derivable``); without
    it, they are entered like the others. A score once entered can be changed but not emptied."""

    vasp_level = forms.ChoiceField(
        label=_("VASP level"), choices=LEVEL_CHOICES, required=False, help_text=_("Application security programme.")
    )
    visp_level = forms.ChoiceField(
        label=_("VISP level"),
        choices=LEVEL_CHOICES,
        required=False,
        help_text=_("Infrastructure security programme."),
    )
    # Not required here: the service says why a correction needs a reason, in its own words.
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The month is closed: the correction is recorded with this reason and compared again."),
    )
    recompute_derived = forms.BooleanField(
        label=_("Compute the derived areas again from today's data"),
        required=False,
        help_text=_("Without this, a correction keeps the derived scores the month closed with."),
    )

    def __init__(self, *args, areas, scores, correcting=False, derivable=True, **kwargs):
        self.areas = [area for area in areas if area.is_active and (area.source == ScoreSource.MANUAL or not derivable)]
        initial = kwargs.setdefault("initial", {})
        for area in self.areas:
            if area.pk in scores:
                initial.setdefault(self.field_name(area), scores[area.pk].score)
        super().__init__(*args, **kwargs)
        for area in reversed(self.areas):
            field = score_field(str(area), required=area.pk in scores)
            field.widget.attrs["class"] = "form-control text-end score-input"
            field.widget.attrs["aria-describedby"] = f"weight-{area.code}"
            self.fields = {self.field_name(area): field, **self.fields}
        if not correcting:
            del self.fields["reason"]
        if not correcting or not any(area.is_active and area.source != ScoreSource.MANUAL for area in areas):
            del self.fields["recompute_derived"]

    @staticmethod
    def field_name(area) -> str:
        return f"area_{area.code}"

    def area_fields(self) -> dict:
        """The bound score field per area id (for the grid)."""
        return {area.pk: self[self.field_name(area)] for area in self.areas}

    def scores(self) -> dict:
        """{area code: score} of the areas given a score."""
        return {
            area.code: self.cleaned_data[self.field_name(area)]
            for area in self.areas
            if self.cleaned_data.get(self.field_name(area)) is not None
        }

    def service_field(self, key: str) -> str | None:
        """The field a service error's key belongs to: an area's code is its score field."""
        if key in self.fields:
            return key
        name = f"area_{key}"
        return name if name in self.fields else None


class AreaForm(Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Used in imports and the API."))
    name = forms.CharField(label=_("Name"), max_length=100)
    weight = forms.DecimalField(
        label=_("Weight (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "class": "area-weight"}),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        help_text=_("Investigates when the area's score drops."),
    )
    description = forms.CharField(
        label=_("How the score is obtained"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    source = forms.ChoiceField(label=_("Source"), choices=ScoreSource.choices, initial=ScoreSource.MANUAL)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "area-active"})
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if self.initial.get("code"):
            # A new code would be a new area (and the old one left out): codes of existing areas stay.
            self.fields["code"].disabled = True

    def area(self) -> dict:
        return {name: self.cleaned_data[name] for name in AREA_FIELDS}


AREA_FIELDS = ["code", "name", "weight", "owner", "description", "source", "is_active"]


class BaseAreaFormSet(forms.BaseFormSet):
    """The organisation's areas as one set: ``areas()`` is what ``areas_set`` takes."""

    def areas(self) -> list[dict]:
        return [form.area() for form in self.forms if form.cleaned_data and not self._is_blank_extra(form)]

    def _is_blank_extra(self, form) -> bool:
        return form.empty_permitted and not form.has_changed()

    def add_service_error(self, error) -> None:
        """A service's messages on the set as a whole (weights that do not add up, a stranger as owner)."""
        self._non_form_errors.extend(error.messages)


AreaFormSet = forms.formset_factory(AreaForm, formset=BaseAreaFormSet, extra=1)


def plain_number(value) -> str:
    """25.00 as "25", 12.50 as "12.5" (a number input shows what it is given)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def area_initial(areas) -> list[dict]:
    return [
        {
            "code": area.code,
            # A default area's name in the reader's language (saved so, it is still the default).
            "name": str(area),
            "weight": plain_number(area.weight),
            "owner": area.owner_id,
            "description": area.description,
            "source": area.source,
            "is_active": area.is_active,
        }
        for area in areas
    ]


class ScoreImportForm(RiskImportForm):
    """The register's upload field."""


class StepForm(MeasureForm):
    """A specific step of an investigation's plan: an action with an owner and a due date."""


class InvestigationCloseForm(Form):
    # Not required here: the service says what is missing (the cause, or a plan), in its own words.
    cause = forms.CharField(
        label=_("Cause of the drop"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What made the score drop, as found by the investigation."),
    )


class InvestigationReassignForm(Form):
    """Another owner for an open investigation (someone of its organisation), and why."""

    owner = forms.ModelChoiceField(label=_("New owner"), queryset=None)
    reason = forms.CharField(
        label=_("Why"), required=False, max_length=500, help_text=_("Kept in the history; the new owner reads it.")
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class InvestigationListFilterSet(InvestigationFilterSet):
    """The API's investigation filters with a form for people: organisations and areas as choices (the
    filter bar styles the widgets)."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            form.fields["organisation"].queryset = form.fields["organisation"].queryset.filter(
                kind=UnitKind.ORGANISATION
            )
            areas = ScoreArea.objects.visible_to(user).order_by("position", "code") if user else []
            choices = {}
            for area in areas:
                choices.setdefault(area.code, str(area))
            form.fields["area"].widget = forms.Select(choices=[("", "---------"), *choices.items()])
            form.fields["area"].label = _("Area")
            del form.fields["month"]
        return self._form
