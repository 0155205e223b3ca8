"""Forms of the core app, and the Bootstrap rendering every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from qms.choices import ActionStatus
from qms.models import Action, ClosedDay, Course, Membership, OrganisationUnit, User
from qms.models.calendar import WEEKDAYS, default_hours, hours_problems, minutes_of


class BootstrapFormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


def add_css_class(widget, css: str) -> None:
    """Add ``css`` to the widget's classes, once."""
    classes = widget.attrs.get("class", "").split()
    widget.attrs["class"] = " ".join([*classes, *(name for name in css.split() if name not in classes)])


def bootstrap_widget(widget) -> None:
    """Give a widget its Bootstrap class (and dates a date picker): the one rule for every form, the
    filter bar's included."""
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = ""
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = "%Y-%m-%d"
    if css:
        add_css_class(widget, css)


class BootstrapMixin:
    """Gives widgets Bootstrap classes, dates a date picker, and fields with errors ``is-invalid``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bootstrap_widget(field.widget)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (or on the form as a whole)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class Form(BootstrapMixin, forms.Form):
    pass


class ModelForm(BootstrapMixin, forms.ModelForm):
    """Validates input only: views hand ``cleaned_data`` to the services, which save."""

    def _post_clean(self):
        # Model validation (clean(), constraints) runs in the service's full_clean(), once, with the
        # actor known; running it here too would validate the same rules twice.
        pass


def scope_form_querysets(form, user, fields):
    """Limit the choices of ``fields`` to what ``user`` may see."""
    for name in fields:
        if name in form.fields:
            form.fields[name].queryset = form.fields[name].queryset.visible_to(user)


class OrganisationUnitForm(ModelForm):
    class Meta:
        model = OrganisationUnit
        fields = ["name", "code", "kind", "parent", "description", "is_active"]


class UserForm(ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 12 characters. Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "manager", "language", "is_active"]


class MembershipForm(ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role"]


class ActionForm(ModelForm):
    class Meta:
        model = Action
        fields = ["title", "description", "kind", "unit", "owner", "due_date"]
        widgets = {"due_date": forms.DateInput(), "description": forms.Textarea(attrs={"rows": 4})}


class ActionStatusForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProfileForm(ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "email_notifications"]


class TokenCreateForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for."))


class CourseForm(ModelForm):
    class Meta:
        model = Course
        fields = ["organisation", "title", "description", "is_mandatory"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing ids no database column can hold before they reach the query (on SQLite a
    20-digit id is an OverflowError, a 500, instead of "not one of the choices")."""

    BIGGEST_ID = 2**63 - 1

    def _check_values(self, value):
        for pk in value:
            if str(pk).strip().isdigit() and int(str(pk).strip()) > self.BIGGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class TrainingAssignForm(Form):
    """Assign a course for a year to people, or to every active member of a unit and its units."""

    year = forms.IntegerField(label=_("Year"))
    users = ModelMultipleChoiceField(
        label=_("People"),
        queryset=User.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    unit = forms.ModelChoiceField(
        label=_("Or everyone in a unit"),
        queryset=OrganisationUnit.objects.all(),
        required=False,
        help_text=_("Every active member of the unit and of the units below it."),
    )


class TrainingCompleteForm(Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=forms.DateInput())


class TrainingReopenForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=100,
        help_text=_("Why the completion is undone; kept in the history."),
    )


# Two-factor login


class TwoFactorCodeForm(Form):
    """The second login step: a code of the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


class TwoFactorEnrolForm(Form):
    """Confirming a new authenticator with the first code it shows."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TwoFactorPolicyForm(Form):
    """An organisation's rule: two-factor login for everyone with a role in it, or only for administrators."""

    organisation = forms.IntegerField(widget=forms.HiddenInput)
    required = forms.BooleanField(label=_("Two-factor login required for everyone"), required=False)


# --- the service calendar -----------------------------------------------------------------------

WEEKDAY_CODES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class ServiceHoursForm(Form):
    """The week's service hours: an opening and closing time per weekday, both empty when closed."""

    def __init__(self, *args, hours=None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        for code, pair in zip(WEEKDAY_CODES, hours or default_hours(), strict=True):
            initial.setdefault(f"{code}_start", pair[0] if pair else "")
            initial.setdefault(f"{code}_end", pair[1] if pair else "")
        super().__init__(*args, initial=initial, **kwargs)

    def rows(self):
        """Per weekday: its name and its two fields, for the table of the page."""
        return [
            (WEEKDAYS[index], self[f"{code}_start"], self[f"{code}_end"]) for index, code in enumerate(WEEKDAY_CODES)
        ]

    def clean(self):
        cleaned = super().clean()
        hours = []
        for code in WEEKDAY_CODES:
            start, end = (cleaned.get(f"{code}_{part}", "").strip() for part in ("start", "end"))
            if not start and not end:
                hours.append(None)
                continue
            for part, value in (("start", start), ("end", end)):
                if not value:
                    self.add_error(f"{code}_{part}", _("Give both times, or neither when the day is closed."))
                elif minutes_of(value) is None or (part == "start" and value == "24:00"):
                    self.add_error(f"{code}_{part}", _("Give the time as HH:MM, e.g. 08:30."))
            hours.append([start, end])
        if not self.errors:
            for weekday, message in hours_problems(hours).items():
                self.add_error(f"{WEEKDAY_CODES[weekday]}_end" if weekday >= 0 else None, message)
        cleaned["hours"] = hours
        return cleaned


for _code in WEEKDAY_CODES:
    for _part, _label in (("start", _("opens")), ("end", _("closes"))):
        ServiceHoursForm.base_fields[f"{_code}_{_part}"] = forms.CharField(
            label=_label,
            required=False,
            max_length=5,
            widget=forms.TextInput(attrs={"placeholder": "08:30", "inputmode": "numeric", "size": 5}),
        )


class ClosedDayForm(ModelForm):
    class Meta:
        model = ClosedDay
        fields = ["date", "name"]
