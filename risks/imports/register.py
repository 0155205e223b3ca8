"""Import of risks from a CSV or XLSX file: every row is checked, and nothing is imported unless all
rows are valid. Each row goes through ``risks.services.register.risk_create``, so imported risks follow the same
rules (and get the same history and notifications) as risks entered by hand."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from qms.models import OrganisationUnit, User
from risks.models import RiskCategory
from risks.services import register as services

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
MAX_ROWS = 5000
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


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a table, no header, wrong columns)."""


@dataclass
class RowError:
    row: int
    title: str
    messages: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE_ROW)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def read_rows(upload, *, columns=COLUMNS, required=REQUIRED_COLUMNS) -> list[tuple[int, dict]]:
    """The data rows of an uploaded file as (row number in the file, {column: text}), empty rows left out.
    ``columns`` and ``required`` name the columns of the import (by default the register's)."""
    name = upload.name.lower()
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise ImportFileError(_("This is not an Excel workbook (.xlsx).")) from error
        sheet = workbook.worksheets[0]
        table = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        first_line = text.split("\n", 1)[0]
        # Dutch Excel saves CSV with semicolons.
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [str(cell).strip().lower() for cell in table[0]]
    missing = [column for column in required if column not in header]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {column: _text(cells[index]) if index < len(cells) else "" for index, column in enumerate(header)}
        if any(values.get(column) for column in columns):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(max)s rows can be imported at once.") % {"max": MAX_ROWS})
    return rows


def _text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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


def _parse_row(values: dict, lookups: _Lookups) -> tuple[dict, dict]:
    """The arguments for ``risk_create`` from one row (None where a cell could not be read), and the
    errors found per column."""
    errors: dict[str, str] = {}
    data: dict = {
        "title": values.get("title", ""),
        "description": values.get("description", ""),
        "cause": values.get("cause", ""),
        "consequence": values.get("consequence", ""),
        "owner": None,
        "category": None,
        "likelihood": None,
        "impact": None,
    }
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            errors[column] = _("This column is required.")
    for column in INTEGER_COLUMNS:
        text = values.get(column, "")
        if not text:
            data[column] = None
            continue
        try:
            data[column] = int(text)
        except ValueError:
            data[column] = None
            errors[column] = _("%(value)s is not a whole number.") % {"value": text}
    if values.get("next_review"):
        try:
            data["next_review"] = datetime.date.fromisoformat(values["next_review"])
        except ValueError:
            errors["next_review"] = _("Give the date as YYYY-MM-DD.")
    if values.get("unit"):
        data["unit"] = lookups.unit(values["unit"])
        if data["unit"] is None:
            errors["unit"] = _("No unit with code %(code)s.") % {"code": values["unit"]}
    if values.get("owner"):
        data["owner"] = lookups.person(values["owner"])
        if data["owner"] is None:
            errors["owner"] = _("No person with username %(username)s.") % {"username": values["owner"]}
    if values.get("category") and data.get("unit") is not None:
        data["category"] = lookups.category(values["category"], data["unit"].organisation)
        if data["category"] is None:
            errors["category"] = _("No category with code %(code)s in this organisation.") % {
                "code": values["category"]
            }
    return data, errors


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            ("" if column == NON_FIELD_ERRORS else column, message)
            for column, errors in error.message_dict.items()
            for message in errors
        ]
    return [("", message) for message in error.messages]


def _check_row(actor, data: dict, errors: dict) -> list[tuple[str, str]]:
    """Every problem of a row that could not be read completely: what could not be read, and what the
    service finds in the rest (``risk_validate``, which creates nothing), one message per column."""
    messages = list(errors.items())
    if data.get("unit") is None:
        return messages  # without the unit there is no organisation, matrix or owner to check against
    try:
        services.risk_validate(actor=actor, **data)
    except ValidationError as error:
        messages += [(column, message) for column, message in _messages(error) if column not in errors]
    except PermissionDenied as error:
        messages.append(("unit", str(error)))
    return messages


def risks_import(*, actor, rows: list[tuple[int, dict]]) -> ImportResult:
    """Create a risk per row, all or nothing: one savepoint per row collects that row's errors (all of
    them: the cells that could not be read and what the service says about the others), and if any row
    failed the whole transaction is rolled back."""
    result = ImportResult(rows=len(rows))
    lookups = _Lookups(actor)
    with transaction.atomic():
        for number, values in rows:
            data, errors = _parse_row(values, lookups)
            if errors:
                result.errors.append(RowError(number, values.get("title", ""), _check_row(actor, data, errors)))
                continue
            try:
                with transaction.atomic():
                    services.risk_create(actor=actor, **data)
            except ValidationError as error:
                result.errors.append(RowError(number, values.get("title", ""), _messages(error)))
            except PermissionDenied as error:
                result.errors.append(RowError(number, values.get("title", ""), [("unit", str(error))]))
            else:
                result.created += 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = 0
    return result
