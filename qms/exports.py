"""CSV and XLSX exports of any table, safe to open in a spreadsheet."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from qms.choices import SecurityEventKind

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = ("csv", "xlsx")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def rows_to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    # With a byte-order mark, Excel opens the file as UTF-8 (Dutch names keep their accents).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_xlsx(rows, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(*, rows, name: str, fmt: str, request) -> HttpResponse:
    """Answer with ``rows`` (the header first) as a CSV or XLSX download, and log the export."""
    from qms.services.security import security_event_log

    rows = list(rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{slugify(name)}-{stamp}.{fmt}"
    if fmt == "xlsx":
        content = rows_to_xlsx(rows, title=slugify(name))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = rows_to_csv(rows)
        content_type = "text/csv; charset=utf-8"
    security_event_log(
        kind=SecurityEventKind.EXPORT, request=request, detail=f"{name}: {max(len(rows) - 1, 0)} rows as {fmt}"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
