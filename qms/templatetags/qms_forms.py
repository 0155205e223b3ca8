"""The filter bar: any django-filter form, rendered the same way on every list.

The styling belongs to the widgets, set here once for every filterset (the apps' included): Bootstrap
classes, several choices as check boxes, yes/no as a plain choice. Technical fields (a content type,
a raw id) stay usable as query parameters for links and the API, but people do not see them: they are
carried along as hidden inputs while they have a value.
"""

from dataclasses import dataclass, field

from django import forms, template
from django.contrib.contenttypes.models import ContentType
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from qms.forms import add_css_class, bootstrap_widget

register = template.Library()

# The class of the check boxes of a multiple choice (on the wrapper and on each box: Django's template).
CHOICES_CSS = "filter-choices"
YES_NO = [("", "---------"), ("true", _("Yes")), ("false", _("No"))]


@dataclass
class FilterBar:
    fields: list[BoundField] = field(default_factory=list)
    hidden: list[BoundField] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def is_technical(filterset, name: str, form_field) -> bool:
    """A field people should not see: named so by the filterset, already hidden, a content type
    ("app.model") or a raw id."""
    if name in getattr(filterset, "technical_fields", ()) or form_field.widget.is_hidden:
        return True
    if isinstance(form_field, forms.ModelChoiceField) and form_field.queryset.model is ContentType:
        return True
    return name == "id" or name.endswith("_id")


def style(form_field) -> None:
    """The filter bar's widget for a field: Bootstrap classes, check boxes for several choices (as the
    risk register shows its levels and statuses), "---------/Yes/No" for yes/no."""
    widget = form_field.widget
    if isinstance(widget, forms.NullBooleanSelect):
        # Its blank choice is "" (a value the widget reads as "no filter") rather than "unknown".
        widget.choices = YES_NO
    elif isinstance(widget, forms.SelectMultiple) and not isinstance(widget, forms.CheckboxSelectMultiple):
        form_field.widget = widget = forms.CheckboxSelectMultiple(attrs=widget.attrs, choices=widget.choices)
    if isinstance(widget, forms.CheckboxSelectMultiple):
        add_css_class(widget, CHOICES_CSS)
    else:
        bootstrap_widget(widget)


def has_value(bound: BoundField) -> bool:
    value = bound.value()
    return value not in (None, "", [], ())


@register.simple_tag
def filter_bar(filterset) -> FilterBar:
    """The fields of ``filterset``'s form to show, those to carry along hidden, and the errors that no
    shown field can tell (the form's own, and those of hidden fields)."""
    form = filterset.form
    bar = FilterBar(errors=list(form.non_field_errors()))
    for name, form_field in form.fields.items():
        if is_technical(filterset, name, form_field):
            bound = form[name]
            if has_value(bound):
                bar.hidden.append(bound)
            bar.errors.extend(f"{bound.label}: {error}" for error in bound.errors)
            continue
        style(form_field)
        if form[name].errors and not isinstance(form_field.widget, forms.CheckboxSelectMultiple):
            add_css_class(form_field.widget, "is-invalid")
        bar.fields.append(form[name])
    return bar
