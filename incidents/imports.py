"""Import of incidents from a CSV or XLSX file (a service desk's log) on the shared pipeline
(``qms.imports``): reading the file safely, all or nothing and the report per row are the pipeline's.
Here are only the columns (English and Dutch headers), how a row's cells become the arguments of
``incidents.services.incidents.incident_create`` (so an imported incident gets its priority, due time,
breach protocol, P1 alerts and history as one entered by hand), and the problems of cells that cannot
be read. The data-breach answer is required on every row, as on every other way in.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.choices import Channel, Impact, IncidentCategory, Urgency
from incidents.services.incidents import incident_create
from qms.imports import ImportResult, Row, import_rows, read_table, template_csv
from qms.models import OrganisationUnit
from qms.scoping import scope_for

# Every name a header may use (lower case) -> the column.
COLUMNS = {
    "unit": "unit",
    "eenheid": "unit",
    "instelling": "unit",
    "title": "title",
    "titel": "title",
    "onderwerp": "title",
    "description": "description",
    "omschrijving": "description",
    "beschrijving": "description",
    "impact": "impact",
    "urgency": "urgency",
    "urgentie": "urgency",
    "breach suspected": "data_breach_suspected",
    "breach_suspected": "data_breach_suspected",
    "data_breach_suspected": "data_breach_suspected",
    "security or privacy": "data_breach_suspected",
    "datalek": "data_breach_suspected",
    "vermoeden datalek": "data_breach_suspected",
    "informatiebeveiliging of privacy": "data_breach_suspected",
    "reported at": "reported_at",
    "reported_at": "reported_at",
    "reported": "reported_at",
    "gemeld op": "reported_at",
    "melddatum": "reported_at",
    "gemeld": "reported_at",
    "channel": "channel",
    "kanaal": "channel",
    "category": "category",
    "categorie": "category",
    "reporter": "reporter_name",
    "reporter_name": "reporter_name",
    "reported by": "reporter_name",
    "melder": "reporter_name",
    "gemeld door": "reporter_name",
}
REQUIRED_COLUMNS = ("unit", "title", "impact", "urgency", "data_breach_suspected")
TEMPLATE_COLUMNS = [
    "unit",
    "title",
    "description",
    "impact",
    "urgency",
    "breach suspected",
    "reported at",
    "channel",
    "category",
    "reporter",
]
EXAMPLE_ROWS = [
    ["UNIT-CODE", "Enrolment form gives an error", "", "limited_group", "falters", "no", "2026-01-15 09:40", "phone"]
    + ["application", "J. Jansen"],
    ["UNIT-CODE", "Student data sent to the wrong school", "", "unit", "stops", "ja", "", "mail", "data_exchange", ""],
]

# The source's own Dutch words (seed 003 section 5), besides the codes and the labels in both languages.
SOURCE_WORDS = {
    "impact": {
        "één persoon": Impact.ONE_PERSON,
        "een persoon": Impact.ONE_PERSON,
        "one person": Impact.ONE_PERSON,
        "beperkt aantal personen": Impact.LIMITED_GROUP,
        "limited group": Impact.LIMITED_GROUP,
        "instelling": Impact.UNIT,
        "unit": Impact.UNIT,
        "meerdere instellingen": Impact.MULTIPLE_UNITS,
        "several units": Impact.MULTIPLE_UNITS,
    },
    "urgency": {
        "stopt": Urgency.STOPS,
        "proces stopt": Urgency.STOPS,
        "aanmeldproces stopt": Urgency.STOPS,
        "hapert": Urgency.FALTERS,
        "proces hapert": Urgency.FALTERS,
        "aanmeldproces hapert": Urgency.FALTERS,
        "gaat door": Urgency.CONTINUES,
        "proces gaat door": Urgency.CONTINUES,
        "aanmeldproces gaat door": Urgency.CONTINUES,
    },
}
YES = {"yes", "y", "ja", "j", "true", "1", "waar", "x"}
NO = {"no", "n", "nee", "false", "0", "onwaar"}
DATE_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def template_file() -> bytes:
    """The columns and two example rows, as a CSV file to fill in."""
    return template_csv(TEMPLATE_COLUMNS, EXAMPLE_ROWS)


def read_incidents(upload) -> list[Row]:
    """The data rows of an incident file (``ImportFileError`` for a file that cannot be imported)."""
    return read_table(upload, columns=COLUMNS, required=REQUIRED_COLUMNS)


def choice_lookup(choices, extra=None) -> dict[str, str]:
    """A choice by its code, its label in English or Dutch, or one of ``extra``'s words; lower case."""
    lookup = {}
    for language in ("en", "nl"):
        with translation.override(language):
            lookup.update({str(label).strip().lower(): value for value, label in choices.choices})
    lookup.update({value: value for value in choices.values})
    lookup.update({word: str(value) for word, value in (extra or {}).items()})
    return lookup


def reported_moment(cell) -> datetime.datetime | None:
    """A cell as a moment: a workbook's date(time) as it is, a text as ISO (YYYY-MM-DD HH:MM) or Dutch
    (DD-MM-YYYY HH:MM); without a time zone it is Amsterdam time. ValueError otherwise."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, datetime.datetime):
        moment = cell
    elif isinstance(cell, datetime.date):
        moment = datetime.datetime.combine(cell, datetime.time())
    else:
        text = str(cell).strip()
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            for fmt in DATE_FORMATS:
                try:
                    moment = datetime.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(text) from None
    if not 1 < moment.year < 9999:
        raise ValueError(cell)  # the time zone arithmetic overflows at the ends of the calendar
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class IncidentReader:
    """Turns a row into the arguments of ``incident_create``. A unit is named by its code or its name
    among the units the actor sees (the service refuses one where the actor may not register)."""

    def __init__(self, actor):
        self.impacts = choice_lookup(Impact, SOURCE_WORDS["impact"])
        self.urgencies = choice_lookup(Urgency, SOURCE_WORDS["urgency"])
        self.channels = choice_lookup(Channel)
        self.categories = choice_lookup(IncidentCategory)
        self.units: dict[str, OrganisationUnit] = {}
        for unit in scope_for(actor).visible_units().only("pk", "name", "code", "path", "kind", "parent_id"):
            self.units.setdefault(unit.name.strip().lower(), unit)
            if unit.code:
                self.units[unit.code.strip().lower()] = unit

    def choice(self, errors, fields, row, column, lookup, choices, *, default=None):
        text = row.text(column).strip().lower()
        if not text:
            if default is None:
                errors[column] = _("This column is required.")
            else:
                fields[column] = default
            return
        value = lookup.get(text)
        if value is None:
            errors[column] = _("Unknown %(column)s %(value)s: use one of %(choices)s.") % {
                "column": column,
                "value": row.text(column),
                "choices": ", ".join(choices.values),
            }
        else:
            fields[column] = value

    def fields(self, row: Row) -> dict:
        """The keyword arguments for ``incident_create``; ValidationError naming every cell that cannot
        be read."""
        errors: dict[str, str] = {}
        fields: dict = {
            "title": row.text("title"),
            "description": row.text("description"),
            "reporter_name": row.text("reporter_name"),
        }
        unit_text = row.text("unit")
        unit = self.units.get(unit_text.lower()) if unit_text else None
        if unit is None:
            errors["unit"] = (
                _("No unit %(unit)s here.") % {"unit": unit_text} if unit_text else _("This column is required.")
            )
        fields["unit"] = unit
        if not fields["title"]:
            errors["title"] = _("This column is required.")
        self.choice(errors, fields, row, "impact", self.impacts, Impact)
        self.choice(errors, fields, row, "urgency", self.urgencies, Urgency)
        self.choice(errors, fields, row, "channel", self.channels, Channel, default=Channel.MAIL)
        self.choice(errors, fields, row, "category", self.categories, IncidentCategory, default=IncidentCategory.OTHER)
        answer = row.text("data_breach_suspected").lower()
        if answer in YES or answer in NO:
            fields["data_breach_suspected"] = answer in YES
        else:
            errors["data_breach_suspected"] = (
                _("Answer yes or no: does this concern information security or privacy?")
                if not answer
                else _("Give yes or no, not %(value)s.") % {"value": row.text("data_breach_suspected")}
            )
        try:
            fields["reported_at"] = reported_moment(row.cells.get("reported_at"))
        except ValueError:
            errors["reported_at"] = _("%(value)s is not a moment: give YYYY-MM-DD HH:MM (Amsterdam time).") % {
                "value": row.text("reported_at")
            }
        if errors:
            raise ValidationError(errors)
        return fields


def incidents_import(*, actor, rows: Sequence[Row]) -> ImportResult:
    """Create an incident per row through ``incident_create``, all or nothing, in the order they were
    reported (then the file's order), so the problems they cluster into come up as they would have;
    the report keeps the file's row numbers and order. A unit where the actor may not register is a
    problem of its row (on the ``unit`` column)."""
    reader = IncidentReader(actor)
    read: dict[int, dict | ValidationError] = {}
    for row in rows:
        try:
            read[row.line] = reader.fields(row)
        except ValidationError as error:
            read[row.line] = error
    now = timezone.now()

    def reported(row: Row):
        fields = read[row.line]
        return ((fields.get("reported_at") if isinstance(fields, dict) else None) or now, row.line)

    def import_row(row: Row):
        fields = read[row.line]
        if isinstance(fields, ValidationError):
            raise fields
        try:
            return incident_create(actor=actor, **fields)
        except PermissionDenied as error:
            raise ValidationError({"unit": [str(error)]}) from error

    result = import_rows(sorted(rows, key=reported), import_row=import_row, title=lambda row: row.text("title"))
    result.errors.sort(key=lambda error: error.row)
    return result
