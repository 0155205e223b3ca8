"""Import of monthly risk scores from a CSV or XLSX file on the shared pipeline (``qms.imports``):
reading the file safely, all or nothing and the report per row are the pipeline's.

A file holds one organisation's months, a row per area score. The rows of a month are entered
together, one ``scores_enter`` call per month, so imported scores follow the same rules (open months
only, no month in the future, 0-100 with one decimal, a derived area only where there is no data to
derive it from) and get the same history as a month entered by hand. What only the file as a whole
can get wrong (the same area twice in a month, two levels for one month) is checked here, and every
problem is reported on its row."""

import datetime
import re
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms.imports import ImportResult, Row, RowError, error_messages, read_table, template_csv
from qms.models import OrganisationUnit
from qms.periods import month_label, parse_month, previous_month
from qms.services.base import deny
from risks.choices import ScoreSource
from risks.models import ScoreArea
from risks.services.scoring import can_manage_scores, scores_enter

COLUMNS = ["month", "area", "score", "vasp", "visp"]
REQUIRED_COLUMNS = ("month", "area", "score")
# The level columns, as the service's arguments.
LEVEL_ARGUMENTS = {"vasp": "vasp_level", "visp": "visp_level"}
# The service's field names, as the columns of the file (a message on an area code is the score's).
SERVICE_FIELDS = {"month": "month", "areas": "area", "vasp_level": "vasp", "visp_level": "visp"}
# An Excel date cell is read as YYYY-MM-DD: its month is meant.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def template_file(organisation: OrganisationUnit) -> bytes:
    """The columns, and a row per area scored by hand for last month (to fill in)."""
    month = month_label(previous_month())
    areas = ScoreArea.objects.filter(organisation=organisation, is_active=True, source=ScoreSource.MANUAL)
    return template_csv(
        COLUMNS,
        [
            [month, area.code, "", "gold" if index == 0 else "", "silver" if index == 0 else ""]
            for index, area in enumerate(areas)
        ],
    )


def read_scores(upload) -> list[Row]:
    """The data rows of a score file (``ImportFileError`` for a file that cannot be imported)."""
    return read_table(upload, columns=COLUMNS, required=REQUIRED_COLUMNS)


def _month(row: Row) -> datetime.date:
    cell = row.cells.get("month")
    if isinstance(cell, datetime.date):  # a workbook's date cell (a datetime is a date too)
        return parse_month(f"{cell:%Y-%m}")
    text = row.text("month")
    return parse_month(text[:7] if ISO_DATE.match(text) else text)


def _check_row(row: Row, seen: dict, levels: dict) -> tuple[dict, dict[str, str]]:
    """The arguments for ``scores_enter`` from one row, and the errors found per column before the
    service is asked: missing columns, and what only the file as a whole can get wrong (the same
    area twice in a month, two different levels for one month)."""
    errors: dict[str, str] = {}
    for column in REQUIRED_COLUMNS:
        if not row.text(column):
            errors[column] = _("This column is required.")
    month = None
    if row.text("month"):
        try:
            month = _month(row)
        except ValidationError as error:
            errors["month"] = " ".join(error.messages)
    code = row.text("area").lower()
    if month is not None and code:
        earlier = seen.setdefault((month, code), row.line)
        if earlier != row.line:
            errors["area"] = _("Row %(row)s has a score for this area and month already.") % {"row": earlier}
    # Dutch spreadsheets write 88,5.
    data = {"month": month, "scores": {code: row.text("score").replace(",", ".")}}
    for column, argument in LEVEL_ARGUMENTS.items():
        level = row.text(column).lower()
        if not level:
            continue
        data[argument] = level
        if month is not None:
            earlier_row, earlier_level = levels.setdefault((month, column), (row.line, level))
            if earlier_level != level:
                errors[column] = _("Row %(row)s gives another level for this month.") % {"row": earlier_row}
    return data, errors


def _column_of(codes):
    return lambda key: "score" if key in codes else SERVICE_FIELDS.get(key, key)


def _enter(actor, organisation, entries: list[tuple[Row, dict]]):
    """One ``scores_enter`` call for the rows of a month."""
    arguments = {"month": entries[0][1]["month"], "scores": {}}
    for _row, data in entries:
        arguments["scores"].update(data["scores"])
        arguments.update({argument: data[argument] for argument in LEVEL_ARGUMENTS.values() if argument in data})
    return scores_enter(actor=actor, organisation=organisation, **arguments)


def _problems_of_rows(actor, organisation, entries, error) -> dict[int, list[tuple[str, str]]]:
    """The problems of a month the service refused, on the rows that cause them: each row is entered
    on its own (in a savepoint that the refused file rolls back with the rest). A refusal that no
    single row causes is every row's."""
    problems = {}
    for row, data in entries:
        try:
            with transaction.atomic():
                _enter(actor, organisation, [(row, data)])
        except (ValidationError, PermissionDenied) as row_error:
            problems[row.line] = error_messages(row_error, _column_of(data["scores"]))
    if not problems:
        codes = {code for _row, data in entries for code in data["scores"]}
        problems = {row.line: error_messages(error, _column_of(codes)) for row, _data in entries}
    return problems


def scores_import(*, actor, organisation: OrganisationUnit, rows: Sequence[Row]) -> ImportResult:
    """Enter the scores of a file (``month``, ``area`` code, ``score``, optional ``vasp`` and ``visp``),
    one ``scores_enter`` call per month, all or nothing (``qms.imports.import_rows``' pattern: each
    month in a savepoint, so every month's problems are found, and any problem rolls the file back).
    ``created`` counts the scores, ``objects`` holds the months entered."""
    if not can_manage_scores(actor, organisation):
        deny(_("You cannot enter scores for %(org)s.") % {"org": organisation})
    problems: dict[int, list[tuple[str, str]]] = {}
    months: dict[datetime.date, list[tuple[Row, dict]]] = {}
    seen: dict = {}
    levels: dict = {}
    for row in rows:
        data, errors = _check_row(row, seen, levels)
        if errors:
            problems[row.line] = list(errors.items())
        else:
            months.setdefault(data["month"], []).append((row, data))
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        for entries in months.values():
            try:
                with transaction.atomic():
                    result.objects.append(_enter(actor, organisation, entries))
            except (ValidationError, PermissionDenied) as error:
                problems.update(_problems_of_rows(actor, organisation, entries, error))
        result.errors = [
            RowError(row.line, " ".join(filter(None, [row.text("month"), row.text("area")])), problems[row.line])
            for row in rows
            if row.line in problems
        ]
        if result.errors:
            transaction.set_rollback(True)
            result.objects = []
    result.created = sum(len(entries) for entries in months.values()) if result.ok else 0
    return result
