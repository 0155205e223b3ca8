"""Reading measurement files (CSV or XLSX) into rows for ``measurements_record_many``.

Only reading happens here: which KPI a code names is looked up among the KPIs the user may see, and
every rule is the service's. A file is all or nothing.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kpis.choices import Frequency
from kpis.services import MeasurementRow

# Column names, in English and in Dutch.
COLUMNS = {
    "kpi": "kpi",
    "code": "kpi",
    "period": "period",
    "periode": "period",
    "value": "value",
    "waarde": "value",
    "note": "note",
    "toelichting": "note",
    "opmerking": "note",
}
MAX_ROWS = 5000


@dataclass
class ReadRow:
    line: int
    cells: dict


def _records(upload) -> list[list]:
    name = (upload.name or "").lower()
    content = upload.read()
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of errors for a file that is not a workbook
            raise ValidationError({"file": _("This is not a readable XLSX file.")}) from None
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    if name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return list(csv.reader(io.StringIO(text), dialect))
    raise ValidationError({"file": _("Upload a CSV or XLSX file.")})


def read_rows(upload) -> list[ReadRow]:
    """The data rows of the file, each with its line number and its cells by column."""
    records = [row for row in _records(upload) if any(cell not in (None, "") for cell in row)]
    if not records:
        raise ValidationError({"file": _("The file is empty.")})
    header = [COLUMNS.get(str(cell or "").strip().lower()) for cell in records[0]]
    missing = {"kpi", "period", "value"} - set(header)
    if missing:
        raise ValidationError(
            {
                "file": _("The first row must name the columns kpi, period and value (missing: %(missing)s).")
                % {"missing": ", ".join(sorted(missing))}
            }
        )
    if len(records) - 1 > MAX_ROWS:
        raise ValidationError({"file": _("At most %(max)s rows per file.") % {"max": MAX_ROWS}})
    return [
        ReadRow(line=line, cells={name: cell for name, cell in zip(header, row, strict=False) if name})
        for line, row in enumerate(records[1:], start=2)
    ]


def _period_text(cell, kpi) -> str:
    # Spreadsheets turn "2026-01" into a date: read it back as the month (or quarter) it means.
    if isinstance(cell, datetime.datetime | datetime.date):
        if kpi is not None and kpi.frequency == Frequency.QUARTERLY:
            return f"{cell.year}-Q{(cell.month - 1) // 3 + 1}"
        return f"{cell:%Y-%m}"
    return str(cell or "").strip()


def _value(cell):
    if isinstance(cell, float):
        return repr(cell)
    return cell if cell is not None else ""


def measurement_rows(read: list[ReadRow], kpis_by_code: dict) -> list[MeasurementRow]:
    """``read`` as rows for the service; an unknown code is an error on its row."""
    rows = []
    for row in read:
        code = str(row.cells.get("kpi") or "").strip().upper()
        kpi = kpis_by_code.get(code)
        errors = None if kpi else {"kpi": [_("No KPI with code %(code)s here.") % {"code": code or "—"}]}
        rows.append(
            MeasurementRow(
                kpi=kpi,
                period=_period_text(row.cells.get("period"), kpi),
                value=_value(row.cells.get("value")),
                note=str(row.cells.get("note") or "").strip(),
                errors=errors,
            )
        )
    return rows
