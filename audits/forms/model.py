"""Forms of the model part: a level, a principle, its controls and questions (one per line, Dutch and
English side by side) and the three-year plan of a cycle (a year per principle). They validate input;
``audits.services.model`` saves and holds every rule (who manages the model, a cycle covering every
principle once)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.choices import CYCLE_YEARS, ControlKind
from audits.models import MaturityLevel, Principle
from qms.forms import Form, ModelForm

# A line of a control or question; a text field holds at most this many lines.
LINE_MAX_LENGTH = 2000
LINES_MAX = 50


class LevelForm(ModelForm):
    class Meta:
        model = MaturityLevel
        fields = ["name", "name_en", "description", "description_en"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "name": _("In Dutch, the language the organisation's texts are kept in."),
            "name_en": _("Shown to readers who use the English interface; empty: the Dutch name."),
        }


class PrincipleForm(ModelForm):
    """Add (with a code, which stays) or edit a principle; ``is_active`` only when editing."""

    class Meta:
        model = Principle
        fields = ["code", "name", "name_en", "definition", "definition_en", "position", "is_active"]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "definition_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "code": _("A short stable code (letters, digits, hyphens); it cannot be changed later."),
            "name": _("In Dutch, the language the organisation's texts are kept in."),
            "name_en": _("Shown to readers who use the English interface; empty: the Dutch name."),
            "position": _("Principles are listed by this number."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
        else:
            del self.fields["is_active"]


def _lines_field(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        # Not stripped: a blank first line keeps the lines below it in their places.
        strip=False,
        max_length=LINES_MAX * (LINE_MAX_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=help_text,
    )


def split_lines(value: str) -> list[str]:
    """The lines of a text field, stripped, blank ones kept (they keep the English beside the Dutch)."""
    return [line.strip() for line in (value or "").splitlines()]


def paired_lines(dutch: str, english: str) -> list[tuple[str, str]]:
    """(Dutch, English) per non-blank Dutch line; the English line is the one in the same place."""
    english_lines = split_lines(english)
    return [
        (text, english_lines[index] if index < len(english_lines) else "")
        for index, text in enumerate(split_lines(dutch))
        if text
    ]


class PrincipleTextsForm(Form):
    """The hard and soft controls and the questions of a principle, one per line; the English line
    in the same place as its Dutch one (an English field, or line, may be empty)."""

    # (Dutch field, English field, the kind of text)
    GROUPS = (
        ("hard_controls", "hard_controls_en", ControlKind.HARD),
        ("soft_controls", "soft_controls_en", ControlKind.SOFT),
        ("questions", "questions_en", None),
    )

    hard_controls = _lines_field(_("Hard controls"), _("One per line, in Dutch: procedures, structures, systems."))
    hard_controls_en = _lines_field(_("Hard controls (English)"), _("One per line, in the same order; may be empty."))
    soft_controls = _lines_field(_("Soft controls"), _("One per line, in Dutch: behaviour, culture, leadership."))
    soft_controls_en = _lines_field(_("Soft controls (English)"), _("One per line, in the same order; may be empty."))
    questions = _lines_field(_("Assessment questions"), _("One per line, in Dutch: what the assessors ask."))
    questions_en = _lines_field(
        _("Assessment questions (English)"), _("One per line, in the same order; may be empty.")
    )

    @classmethod
    def initial_for(cls, principle) -> dict:
        """The form's text from the principle's controls and questions (prefetched or not)."""
        initial = {}
        controls = list(principle.controls.all())
        for dutch, english, kind in cls.GROUPS:
            rows = list(principle.questions.all()) if kind is None else [c for c in controls if c.kind == kind]
            initial[dutch] = "\n".join(row.text for row in rows)
            initial[english] = "\n".join(row.text_en for row in rows).rstrip("\n")
        return initial

    def clean(self):
        cleaned = super().clean()
        for dutch, english, _kind in self.GROUPS:
            if dutch in self.errors or english in self.errors:
                continue
            dutch_lines = split_lines(cleaned.get(dutch))
            english_lines = split_lines(cleaned.get(english))
            if sum(1 for line in dutch_lines if line) > LINES_MAX:
                self.add_error(dutch, _("At most %(count)s lines.") % {"count": LINES_MAX})
            if any(
                line and (index >= len(dutch_lines) or not dutch_lines[index])
                for index, line in enumerate(english_lines)
            ):
                self.add_error(english, _("An English line has no Dutch line in the same place."))
            for name, lines in ((dutch, dutch_lines), (english, english_lines)):
                if any(len(line) > LINE_MAX_LENGTH for line in lines):
                    self.add_error(name, _("A line is at most %(count)s characters.") % {"count": LINE_MAX_LENGTH})
        return cleaned

    def texts(self) -> tuple[list[dict], list[dict]]:
        """The controls and questions for ``principle_set_texts``, in the order given."""
        controls, questions = [], []
        for dutch, english, kind in self.GROUPS:
            for text, text_en in paired_lines(self.cleaned_data[dutch], self.cleaned_data[english]):
                if kind is None:
                    questions.append({"text": text, "text_en": text_en})
                else:
                    controls.append({"kind": kind.value, "text": text, "text_en": text_en})
        return controls, questions


class CycleForm(Form):
    """A cycle's first year and, per principle, the year of the cycle it is assessed in (a radio per
    principle: ``principle_<id>`` = 0, 1 or 2 years after the first). A principle left out is the
    service's refusal (on ``plan``), shown above the grid."""

    first_year = forms.IntegerField(
        label=_("First year"),
        min_value=2000,
        max_value=2100,
        help_text=_("The cycle covers this year and the two after it."),
    )
    # Carries the service's refusal of the plan as a field message (the grid is drawn by the template).
    plan = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, principles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.principles = list(principles)
        choices = [(str(offset), str(offset)) for offset in range(CYCLE_YEARS)]
        for principle in self.principles:
            self.fields[self.field_name(principle)] = forms.TypedChoiceField(
                label=str(principle),
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(principle) -> str:
        return f"principle_{principle.pk}"

    def plan_for_service(self) -> dict[int, list[int]]:
        """``{year: [principle ids]}`` for ``cycle_save``; principles without a year are left out (the
        service refuses such a plan)."""
        first_year = self.cleaned_data["first_year"]
        plan = {first_year + offset: [] for offset in range(CYCLE_YEARS)}
        for principle in self.principles:
            offset = self.cleaned_data.get(self.field_name(principle))
            if offset is not None:
                plan[first_year + offset].append(principle.pk)
        return plan

    def years(self) -> list[dict]:
        """The grid's columns: per offset its year when the first year reads as one."""
        value = self["first_year"].value()
        first_year = int(value) if str(value or "").isdigit() and len(str(value)) == 4 else None
        return [
            {"offset": str(offset), "year": first_year + offset if first_year else None}
            for offset in range(CYCLE_YEARS)
        ]

    def rows(self) -> list[dict]:
        """The grid: per principle its radios, the one chosen and whether it is left out."""
        rows = []
        for principle in self.principles:
            bound = self[self.field_name(principle)]
            value = bound.value()
            chosen = str(value) if value not in (None, "") else ""
            rows.append({"principle": principle, "field": bound, "chosen": chosen, "missing": not chosen})
        return rows
