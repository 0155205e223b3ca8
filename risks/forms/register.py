"""Forms of the risk register (input validation only; services save)."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from qms.choices import UnitKind
from qms.forms import Form, ModelForm
from qms.models import Action
from risks.choices import DECIDER_DECISIONS, ApprovalBody, RiskLevel
from risks.filtersets.register import RiskFilterSet
from risks.models import Risk, RiskCategory

# The filters a heat map cell links with: kept as hidden fields in the register's filter form.
CELL_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def scale_field(label, steps, *, required=True, help_text=""):
    """A likelihood or impact choice showing the matrix's step labels ("3 – Possible")."""
    choices = [("", "---------")] + [(number, f"{number} – {step['label']}") for number, step in enumerate(steps, 1)]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, empty_value=None, required=required, help_text=help_text
    )


def use_matrix_scales(form, matrix, names):
    """Turn the integer fields ``names`` (likelihood, impact, residual_...) into choices of ``matrix``'s steps."""
    for name in names:
        if name not in form.fields:
            continue
        old = form.fields[name]
        steps = matrix.likelihood_steps if "likelihood" in name else matrix.impact_steps
        form.fields[name] = scale_field(old.label, steps, required=old.required, help_text=old.help_text)
        form.fields[name].widget.attrs["class"] = "form-select"


class RiskForm(ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the history of the risk."),
    )

    class Meta:
        model = Risk
        fields = [
            "title",
            "category",
            "unit",
            "owner",
            "description",
            "cause",
            "consequence",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
            "next_review",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "next_review": forms.DateInput(),
        }
        help_texts = {
            "likelihood": _("A step of the organisation's risk matrix (1 is the lowest)."),
            "impact": _("A step of the organisation's risk matrix (1 is the lowest)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["change_reason"]
            self.fields["next_review"].required = False
            self.fields["next_review"].help_text = _("Within a year; leave empty for one year from today.")
        else:
            self.fields["next_review"].help_text = _("At least once a year: within a year of the last review.")


class RiskReviewForm(Form):
    likelihood = forms.IntegerField(label=_("Likelihood"), min_value=1)
    impact = forms.IntegerField(label=_("Impact"), min_value=1)
    residual_likelihood = forms.IntegerField(label=_("Residual likelihood"), min_value=1, required=False)
    residual_impact = forms.IntegerField(label=_("Residual impact"), min_value=1, required=False)
    note = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    next_review = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=forms.DateInput(),
        help_text=_("Leave empty for one year from today."),
    )


class RiskCloseForm(Form):
    # Not required here: the service says why a reason is needed, in its own words.
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RiskSubmitForm(Form):
    note = forms.CharField(label=_("Note for the approvers"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(ModelForm):
    class Meta:
        model = Action
        fields = ["title", "owner", "due_date", "description"]
        widgets = {"due_date": forms.DateInput(), "description": forms.Textarea(attrs={"rows": 2})}


class MeasureRemoveForm(Form):
    # Not required here: the service says why a reason is needed, in its own words.
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RiskReopenForm(Form):
    # Not required here: the service says why a reason is needed, in its own words.
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ApprovalDecisionForm(Form):
    body = forms.ChoiceField(choices=ApprovalBody.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECIDER_DECISIONS)
    # The service requires a reason to reject or ask for changes, and says so in its message.
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CategoryForm(Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Short, lower case, no spaces (used in imports).")
    )
    name = forms.CharField(label=_("Name"), max_length=100)


class CategoryChangeForm(Form):
    """Rename one of the organisation's own categories, or stop or start using a category."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    active = forms.TypedChoiceField(
        label=_("Active"),
        choices=[("", ""), ("true", _("Yes")), ("false", _("No"))],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )


# How many steps a matrix may have per axis (``RiskMatrix.clean``).
MATRIX_SIZES = range(2, 11)


def asked_matrix_size(data, matrix) -> tuple[int, int]:
    """The size ``data`` asks for (``likelihood_count``, ``impact_count``; each one the model allows), else
    the matrix's."""
    size = list(matrix.size)
    for index, name in enumerate(("likelihood_count", "impact_count")):
        try:
            value = int(data.get(name, ""))
        except (TypeError, ValueError):
            continue
        if value in MATRIX_SIZES:
            size[index] = value
    return size[0], size[1]


class MatrixForm(Form):
    """A matrix as a form: the number of likelihood and impact steps, a label and a description per step,
    and the level of each cell as a select. Its size is ``size`` (another number of steps, chosen first),
    the one a bound form carries (``likelihood_count``, ``impact_count``), or the matrix's. A step the
    matrix does not have yet starts blank; a new cell at the level of the same place of the current matrix,
    scaled."""

    # Chosen with the size form above the matrix form (a GET), carried along here.
    likelihood_count = forms.TypedChoiceField(
        choices=[(n, n) for n in MATRIX_SIZES], coerce=int, widget=forms.HiddenInput
    )
    impact_count = forms.TypedChoiceField(choices=[(n, n) for n in MATRIX_SIZES], coerce=int, widget=forms.HiddenInput)

    def __init__(self, *args, matrix, size: tuple[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.columns = size or self.asked_size(matrix)
        self.fields["likelihood_count"].initial = self.rows
        self.fields["impact_count"].initial = self.columns
        for axis, steps, count in (
            ("likelihood", matrix.likelihood_steps, self.rows),
            ("impact", matrix.impact_steps, self.columns),
        ):
            for number in range(1, count + 1):
                step = steps[number - 1] if number <= len(steps) else {}
                self.fields[f"{axis}_{number}_label"] = forms.CharField(
                    label=_("Label"), max_length=60, initial=str(step.get("label", ""))
                )
                self.fields[f"{axis}_{number}_description"] = forms.CharField(
                    label=_("Description"), max_length=300, required=False, initial=str(step.get("description", ""))
                )
        rows, columns = matrix.size
        for likelihood in range(1, self.rows + 1):
            for impact in range(1, self.columns + 1):
                # A new cell starts like the cell at the same place of the current matrix, scaled.
                self.fields[f"band_{likelihood}_{impact}"] = forms.ChoiceField(
                    label=_("Level"),
                    choices=RiskLevel.choices,
                    initial=matrix.level(-(-likelihood * rows // self.rows), -(-impact * columns // self.columns)),
                )
        for field in self.fields.values():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            )

    def asked_size(self, matrix) -> tuple[int, int]:
        """The size a bound form asks for (when it is one the model allows), else the matrix's."""
        return asked_matrix_size(self.data, matrix) if self.is_bound else matrix.size

    def step_rows(self, axis):
        count = self.rows if axis == "likelihood" else self.columns
        return [
            (number, self[f"{axis}_{number}_label"], self[f"{axis}_{number}_description"])
            for number in range(1, count + 1)
        ]

    def likelihood_rows(self):
        return self.step_rows("likelihood")

    def impact_rows(self):
        return self.step_rows("impact")

    def impact_numbers(self):
        return range(1, self.columns + 1)

    def band_rows(self):
        """The band selects as drawn: highest likelihood first."""
        return [
            (likelihood, [self[f"band_{likelihood}_{impact}"] for impact in range(1, self.columns + 1)])
            for likelihood in range(self.rows, 0, -1)
        ]

    def matrix_data(self) -> dict:
        """What ``services.matrix_update`` takes."""
        data = self.cleaned_data

        def steps(axis, count):
            return [
                {"label": data[f"{axis}_{number}_label"], "description": data[f"{axis}_{number}_description"]}
                for number in range(1, count + 1)
            ]

        return {
            "likelihood_steps": steps("likelihood", self.rows),
            "impact_steps": steps("impact", self.columns),
            "bands": [
                [data[f"band_{likelihood}_{impact}"] for impact in range(1, self.columns + 1)]
                for likelihood in range(1, self.rows + 1)
            ],
        }


class RiskImportForm(Form):
    """The upload field; the file's kind, size and rows are checked by the import pipeline
    (``qms.imports.read_table``), the same for every import."""

    file = forms.FileField(
        label=_("File"), help_text=_("A CSV file (comma or semicolon separated, UTF-8) or an Excel workbook (.xlsx).")
    )


class RiskRegisterFilterSet(RiskFilterSet):
    """The register's filters (the API's own) with a form for people: categories as a choice and only
    organisations as organisations, and the heat map's cell filters kept as hidden fields (the page shows
    them as a removable chip). The filter bar (``qms_forms.filter_bar``) styles the widgets."""

    def __init__(self, data=None, *args, **kwargs):
        # Bound even without filters, so that the default below applies to a page opened as it is.
        super().__init__(data if data is not None else QueryDict(), *args, **kwargs)

    def filter_queryset(self, queryset):
        # The pages are about the risks being managed: closed ones only when the status filter asks.
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.open()
        return queryset

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            categories = RiskCategory.objects.visible_to(user).filter(is_active=True) if user else []
            choices = {category.code: str(category) for category in categories}
            form.fields["category"].widget = forms.Select(
                choices=[("", "---------"), *sorted(choices.items(), key=lambda item: item[1].lower())]
            )
            form.fields["organisation"].queryset = form.fields["organisation"].queryset.filter(
                kind=UnitKind.ORGANISATION
            )
            for name in CELL_FIELDS:
                form.fields[name].widget = forms.HiddenInput()
            form.fields["category"].label = _("Category")
            form.fields["status"].help_text = _("None ticked: every status but closed.")
        return self._form
