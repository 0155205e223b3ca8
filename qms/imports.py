"""The one import pipeline: read a CSV or XLSX file safely, hand every row to the app's service, import
all rows or none, and report every problem per row.

An app's importer supplies its columns (the names a header may use for each), a function that turns
one row into a call of its service, and a title per row for the report. Everything else is here:

- **Reading** (``read_table``): the file's size is checked before it is read, an XLSX workbook is read
  row by row (openpyxl's read-only mode) and a CSV line by line, and reading stops at the row limit, so
  a small file that unpacks to a million rows costs no more than the limit. CSV: UTF-8 (with or
  without BOM) or Windows-1252, comma, semicolon (Dutch Excel) or tab, any line ending (old Excel for
  Mac writes CR only).
- **Importing** (``import_rows``): one transaction; each row in a savepoint, so one row's failure
  does not hide the next row's problems; any problem rolls the whole file back.
- **Reporting**: ``ImportResult.errors`` lists (row, title, [(column, message)]) for the template
  partial ``generic/_import_report.html``.
"""

import csv
import datetime
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook

CSV_DELIMITERS = ",;\t"


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def import_limits() -> dict:
    """The limits, for the upload form's promise (``generic/_import_form.html``)."""
    return {"import_max_rows": max_rows(), "import_max_bytes": max_bytes()}


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported (not a table, too large, no header, missing columns).
    A ValidationError on the form's ``file`` field."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})


@dataclass
class Row:
    """One data row: its number in the file (the header is row 1) and its cells by column name."""

    line: int
    cells: dict

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))


@dataclass
class RowError:
    row: int
    title: str
    messages: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What the importer's rows returned (the created records), in file order; empty when rolled back.
    objects: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading ------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole floats without ``.0`` (Excel stores 2 as 2.0)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ", "minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_records(upload) -> Iterator[Sequence]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds of errors for a file that is not a workbook
        raise ImportFileError(_("This is not an Excel workbook (.xlsx).")) from error
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as error:  # a damaged sheet fails while it is read
        raise ImportFileError(_("This Excel workbook cannot be read.")) from error
    finally:
        workbook.close()


def _csv_records(upload) -> Iterator[Sequence]:
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError(_("This is not a text (CSV) file."))
    # One line ending for the sniffer and the reader: old Excel for Mac writes CR only.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    # A cell may be as long as the file (the services judge the length of a text): the csv module's own
    # limit of 128 KB would otherwise make a long cell a file that "cannot be read".
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes()))
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s of the file cannot be read as CSV.") % {"line": reader.line_num}
        ) from error


def _records(upload) -> Iterator[Sequence]:
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".xlsx"):
        return _xlsx_records(upload)
    if name.endswith((".csv", ".txt")):
        return _csv_records(upload)
    raise ImportFileError(_("Upload a CSV or XLSX file."))


def read_table(
    upload,
    *,
    columns: Mapping[str, str] | Iterable[str],
    required: Sequence[str] = (),
    limit: int | None = None,
) -> list[Row]:
    """The data rows of an uploaded file, empty rows left out.

    ``columns`` names the columns: a mapping from every name a header may use (lower case, e.g. the
    English and the Dutch word) to the column's name, or simply the column names. Columns the header
    names but ``columns`` does not know are ignored. Raises ``ImportFileError`` (on ``file``) for a
    file that is too large, not a table, lacks a required column or has more than ``limit`` rows.
    """
    aliases = dict(columns) if isinstance(columns, Mapping) else {name: name for name in columns}
    limit = max_rows() if limit is None else limit
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ImportFileError(
            _("The file is %(size)s; at most %(max)s can be imported at once.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes())}
        )
    # Numbered before empty rows are left out, so a row's number is its line in the file.
    records = (
        (line, record) for line, record in enumerate(_records(upload), start=1) if any(cell_text(c) for c in record)
    )
    _header_line, header_cells = next(records, (None, None))
    if header_cells is None:
        raise ImportFileError(_("The file is empty."))
    header = [aliases.get(cell_text(cell).lower()) for cell in header_cells]
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows = []
    # Stop reading one row past the limit: what lies beyond is never read.
    for line, record in itertools.islice(records, limit + 1):
        if len(rows) == limit:
            raise ImportFileError(_("At most %(max)s rows can be imported at once.") % {"max": limit})
        rows.append(Row(line=line, cells={name: cell for name, cell in zip(header, record, strict=False) if name}))
    return rows


def template_csv(columns: Sequence[str], rows: Iterable[Sequence] = ()) -> bytes:
    """A CSV file with the header and example rows, with a BOM so that Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- importing ----------------------------------------------------------------------------------


def error_messages(error: Exception, column_of: Callable[[str], str] | None = None) -> list[tuple[str, str]]:
    """A service's refusal as (column, message) pairs; ``column_of`` maps a service field to the
    file's column (a message on no field has column "")."""
    if isinstance(error, PermissionDenied):
        return [("", str(error))]
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    pairs = []
    for key, messages in error.message_dict.items():
        column = "" if key == NON_FIELD_ERRORS else (column_of(key) if column_of else key)
        pairs.extend((column, message) for message in messages)
    return pairs


def import_rows(
    rows: Sequence[Row],
    *,
    import_row: Callable[[Row], object],
    title: Callable[[Row], str],
    column_of: Callable[[str], str] | None = None,
) -> ImportResult:
    """Import every row through ``import_row`` (which calls the app's service and raises its
    ValidationError or PermissionDenied), all or nothing: each row runs in a savepoint so that every
    row's problems are found, and if any row failed the whole transaction is rolled back."""
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        for row in rows:
            try:
                with transaction.atomic():
                    result.objects.append(import_row(row))
            except (ValidationError, PermissionDenied) as error:
                result.errors.append(RowError(row.line, title(row), error_messages(error, column_of)))
        if result.errors:
            transaction.set_rollback(True)
            result.objects = []
    result.created = len(result.objects)
    return result
