"""Import of risks from a CSV or XLSX file on the shared pipeline (``qms.imports``): reading the file
safely, all or nothing and the report per row are the pipeline's. Here are only the columns, how a
row's cells become the arguments of ``risks.services.register.risk_create`` (so imported risks follow
the same rules, and get the same history and notifications, as risks entered by hand), and every
problem of a row that cannot be read completely at once: the cells that could not be read, and what
``risk_validate`` finds in the rest."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qms.imports import ImportResult, Row, error_messages, import_rows, read_table, template_csv
from qms.models import OrganisationUnit, User
from risks.models import RiskCategory
from risks.services.register import risk_create, risk_validate

# The columns are the arguments of ``risk_create``: the service's messages name them as they are.
COLUMNS = [
    "title",
    "description",
    "category",
    "unit",
    "owner",
    "cause",
    "consequence",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "next_review",
]
REQUIRED_COLUMNS = ("title", "category", "unit", "owner", "likelihood", "impact")
INTEGER_COLUMNS = ("likelihood", "impact", "residual_likelihood", "residual_impact")
EXAMPLE_ROW = [
    "Outage of the main data centre",
    "Both server rooms are in one building.",
    "security",
    "UNIT-CODE",
    "username",
    "Single location",
    "Services unavailable for days",
    "2",
    "5",
    "1",
    "4",
    "",
]


def template_file() -> bytes:
    """The columns and an example row, as a CSV file to fill in."""
    return template_csv(COLUMNS, [EXAMPLE_ROW])


def read_risks(upload) -> list[Row]:
    """The data rows of a risk file (``ImportFileError`` for a file that cannot be imported)."""
    return read_table(upload, columns=COLUMNS, required=REQUIRED_COLUMNS)


class _Lookups:
    """The units, people and categories the importer may use, each looked up once per file."""

    def __init__(self, actor):
        self.actor = actor
        self.units = {}
        self.people = {}
        self.categories = {}

    def unit(self, code):
        if code not in self.units:
            self.units[code] = OrganisationUnit.objects.visible_to(self.actor).filter(code__iexact=code).first()
        return self.units[code]

    def person(self, username):
        if username not in self.people:
            self.people[username] = User.objects.visible_to(self.actor).filter(username__iexact=username).first()
        return self.people[username]

    def category(self, code, organisation):
        key = (code, organisation.pk)
        if key not in self.categories:
            # The organisation's own category wins over a default one with the same code.
            found = RiskCategory.objects.for_organisation(organisation).filter(code__iexact=code)
            self.categories[key] = max(found, key=lambda category: category.organisation_id is not None, default=None)
        return self.categories[key]


def _review_date(cell) -> datetime.date:
    """A date cell of a workbook as it is, a text as YYYY-MM-DD (ValueError otherwise)."""
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    return datetime.date.fromisoformat(str(cell).strip())


def _parse_row(row: Row, lookups: _Lookups) -> tuple[dict, dict[str, str]]:
    """The arguments for ``risk_create`` from one row (None where a cell could not be read), and the
    errors found per column."""
    errors: dict[str, str] = {}
    data: dict = {
        "title": row.text("title"),
        "description": row.text("description"),
        "cause": row.text("cause"),
        "consequence": row.text("consequence"),
        "owner": None,
        "category": None,
        "likelihood": None,
        "impact": None,
    }
    for column in REQUIRED_COLUMNS:
        if not row.text(column):
            errors[column] = _("This column is required.")
    for column in INTEGER_COLUMNS:
        text = row.text(column)
        data[column] = None
        if not text:
            continue
        try:
            data[column] = int(text)
        except ValueError:
            errors[column] = _("%(value)s is not a whole number.") % {"value": text}
    if row.text("next_review"):
        try:
            data["next_review"] = _review_date(row.cells["next_review"])
        except ValueError:
            errors["next_review"] = _("Give the date as YYYY-MM-DD.")
    if code := row.text("unit"):
        data["unit"] = lookups.unit(code)
        if data["unit"] is None:
            errors["unit"] = _("No unit with code %(code)s.") % {"code": code}
    if username := row.text("owner"):
        data["owner"] = lookups.person(username)
        if data["owner"] is None:
            errors["owner"] = _("No person with username %(username)s.") % {"username": username}
    if (code := row.text("category")) and data.get("unit") is not None:
        data["category"] = lookups.category(code, data["unit"].organisation)
        if data["category"] is None:
            errors["category"] = _("No category with code %(code)s in this organisation.") % {"code": code}
    return data, errors


def _every_problem(actor, data: dict, errors: dict[str, str]) -> ValidationError:
    """Every problem of a row that could not be read completely: what could not be read, and what the
    service finds in the rest (``risk_validate``, which creates nothing), one message per column."""
    problems = {column: [message] for column, message in errors.items()}
    if data.get("unit") is None:
        return ValidationError(problems)  # without the unit there is no organisation, matrix or owner to check
    try:
        risk_validate(actor=actor, **data)
    except PermissionDenied as error:
        problems.setdefault("unit", []).append(str(error))
    except ValidationError as error:
        for column, message in error_messages(error):
            if column not in errors:
                problems.setdefault(column or NON_FIELD_ERRORS, []).append(message)
    return ValidationError(problems)


def risks_import(*, actor, rows: Sequence[Row]) -> ImportResult:
    """Create a risk per row through ``risk_create``, all or nothing, with every problem of every row.
    A unit where the actor may not register risks is a problem of its row (on the ``unit`` column)."""
    lookups = _Lookups(actor)

    def import_row(row: Row):
        data, errors = _parse_row(row, lookups)
        if errors:
            raise _every_problem(actor, data, errors)
        try:
            return risk_create(actor=actor, **data)
        except PermissionDenied as error:
            raise ValidationError({"unit": [str(error)]}) from error

    return import_rows(rows, import_row=import_row, title=lambda row: row.text("title"))
