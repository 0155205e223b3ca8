"""Import of monthly risk scores from a CSV or XLSX file (one organisation per file): every row is
checked, and nothing is imported unless all rows are valid. The file is read by the register's
reader (``risks.imports.register.read_rows``) and each row goes through ``scores_enter``, so imported
scores follow the same rules (open months only, no month in the future, 0-100 with one decimal, no
derived area by hand) and get the same history as scores entered by hand."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms.models import OrganisationUnit
from qms.periods import month_label, parse_month, previous_month
from qms.services.base import deny
from risks.choices import ScoreSource
from risks.imports.register import RowError
from risks.models import ScoreArea
from risks.services.scoring import can_manage_scores, scores_enter

COLUMNS = ["month", "area", "score", "vasp", "visp"]
REQUIRED_COLUMNS = ("month", "area", "score")
# The service's field names, as the columns of the file.
SERVICE_FIELDS = {"month": "month", "areas": "area", "vasp_level": "vasp", "visp_level": "visp"}
# An Excel date cell is read as YYYY-MM-DD: its month is meant.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ScoreImportResult:
    scores: int = 0
    months: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def template_csv(organisation: OrganisationUnit) -> bytes:
    """The columns, and a row per area scored by hand for last month (to fill in)."""
    month = month_label(previous_month())
    areas = ScoreArea.objects.filter(organisation=organisation, is_active=True, source=ScoreSource.MANUAL)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for index, area in enumerate(areas):
        writer.writerow([month, area.code, "", "gold" if index == 0 else "", "silver" if index == 0 else ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _messages(error: ValidationError, area_code: str) -> list[tuple[str, str]]:
    """A service error as (column, message) pairs: a message about the area's value is the score's."""
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    result = []
    for key, messages in error.message_dict.items():
        column = "score" if key == area_code else SERVICE_FIELDS.get(key, "" if key == NON_FIELD_ERRORS else key)
        result.extend((column, message) for message in messages)
    return result


def _check_row(values: dict, seen: dict, levels: dict, number: int) -> tuple[dict, dict]:
    """The arguments for ``scores_enter`` from one row, and the errors found per column before the
    service is asked: missing columns, and what only the file as a whole can get wrong (the same
    area twice in a month, two different levels for one month)."""
    errors: dict[str, str] = {}
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            errors[column] = _("This column is required.")
    month = None
    if values.get("month"):
        try:
            text = values["month"]
            month = parse_month(text[:7] if ISO_DATE.match(text) else text)
        except ValidationError as error:
            errors["month"] = " ".join(error.messages)
    code = values.get("area", "").strip().lower()
    if month is not None and code:
        earlier = seen.setdefault((month, code), number)
        if earlier != number:
            errors["area"] = _("Row %(row)s has a score for this area and month already.") % {"row": earlier}
    data = {
        "month": month,
        # Dutch spreadsheets write 88,5.
        "scores": {code: values.get("score", "").replace(",", ".")},
    }
    for column, argument in (("vasp", "vasp_level"), ("visp", "visp_level")):
        level = values.get(column, "").strip().lower()
        if not level:
            continue
        data[argument] = level
        if month is not None:
            earlier_row, earlier_level = levels.setdefault((month, column), (number, level))
            if earlier_level != level:
                errors[column] = _("Row %(row)s gives another level for this month.") % {"row": earlier_row}
    return data, errors


def scores_import(*, actor, organisation: OrganisationUnit, rows: list[tuple[int, dict]]) -> ScoreImportResult:
    """Enter a score per row (``month``, ``area`` code, ``score``, optional ``vasp`` and ``visp``), all or
    nothing: one savepoint per row collects that row's errors, and if any row failed the whole
    transaction is rolled back."""
    if not can_manage_scores(actor, organisation):
        deny(_("You cannot enter scores for %(org)s.") % {"org": organisation})
    result = ScoreImportResult(rows=len(rows))
    seen: dict = {}
    levels: dict = {}
    months = set()
    with transaction.atomic():
        for number, values in rows:
            title = " ".join(part for part in (values.get("month", ""), values.get("area", "")) if part)
            data, errors = _check_row(values, seen, levels, number)
            if errors:
                result.errors.append(RowError(number, title, list(errors.items())))
                continue
            try:
                with transaction.atomic():
                    scores_enter(actor=actor, organisation=organisation, **data)
            except ValidationError as error:
                result.errors.append(RowError(number, title, _messages(error, next(iter(data["scores"])))))
            except PermissionDenied as error:
                result.errors.append(RowError(number, title, [("", str(error))]))
            else:
                result.scores += 1
                months.add(data["month"])
        if result.errors:
            transaction.set_rollback(True)
            result.scores = 0
        else:
            result.months = [month_label(month) for month in sorted(months)]
    return result
