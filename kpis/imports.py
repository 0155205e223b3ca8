"""Reading measurement files (CSV or XLSX) into rows for ``measurements_record_many``.

Only reading happens here: which KPI a code names is looked up among the KPIs the user may see, and
every rule is the service's. A file is all or nothing.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kpis.choices import FeedbackCategory, FeedbackChannel
from kpis.services.feedback import FeedbackRow
from kpis.services.kpis import MeasurementRow
from qms.periods import Frequency

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


def read_rows(upload, columns=None, required=("kpi", "period", "value")) -> list[ReadRow]:
    """The data rows of the file, each with its line number and its cells by column (``columns``
    maps the names a header may use to the column's name; by default those of measurements)."""
    columns = COLUMNS if columns is None else columns
    records = [row for row in _records(upload) if any(cell not in (None, "") for cell in row)]
    if not records:
        raise ValidationError({"file": _("The file is empty.")})
    header = [columns.get(str(cell or "").strip().lower()) for cell in records[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(
            {
                "file": _("The first row must name the columns %(columns)s (missing: %(missing)s).")
                % {"columns": ", ".join(required), "missing": ", ".join(missing)}
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


# --- feedback -----------------------------------------------------------------------------------

# Column names of a feedback file (a survey tool's export), in English and in Dutch.
FEEDBACK_COLUMNS = {
    "unit": "unit",
    "eenheid": "unit",
    "channel": "channel",
    "kanaal": "channel",
    "category": "category",
    "categorie": "category",
    "score": "score",
    "csat": "score",
    "negative": "negative",
    "negatief": "negative",
    "comment": "comment",
    "opmerking": "comment",
    "toelichting": "comment",
    "received_at": "received_at",
    "received": "received_at",
    "ontvangen": "received_at",
    "date": "received_at",
    "datum": "received_at",
    "customer_reference": "customer_reference",
    "reference": "customer_reference",
    "klantreferentie": "customer_reference",
    "referentie": "customer_reference",
}
YES = {"1", "y", "yes", "true", "j", "ja", "waar", "x"}
NO = {"", "0", "n", "no", "false", "nee", "onwaar"}
DATE_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def _choice_lookup(choices) -> dict[str, str]:
    """A choice by its code or by its label in English or Dutch, lower case."""
    lookup = {}
    for language in ("en", "nl"):
        with translation.override(language):
            lookup.update({str(label).lower(): value for value, label in choices.choices})
    lookup.update({value: value for value in choices.values})
    return lookup


def _score(cell) -> int | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, int):
        return cell
    text = str(cell).strip()
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _received_at(cell) -> datetime.datetime | None:
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
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _text(cell) -> str:
    return str(cell if cell is not None else "").strip()


def feedback_rows(read: list[ReadRow], units_by_key: dict, default_unit=None) -> list[FeedbackRow]:
    """``read`` as rows for ``feedback_receive_many``. A unit is named by its code or its name (among
    ``units_by_key``, lower case), or is ``default_unit`` when the row names none; channels and
    categories by their code or label; what cannot be read is an error on its row."""
    channels, categories = _choice_lookup(FeedbackChannel), _choice_lookup(FeedbackCategory)
    rows = []
    for row in read:
        cells, errors = row.cells, {}
        unit_text = _text(cells.get("unit"))
        unit = units_by_key.get(unit_text.lower()) if unit_text else default_unit
        if unit is None:
            errors["unit"] = [
                _("No unit %(unit)s here.") % {"unit": unit_text}
                if unit_text
                else _("Name the unit, or choose one for the whole file.")
            ]
        fields = {"unit": unit, "comment": _text(cells.get("comment"))}
        fields["customer_reference"] = _text(cells.get("customer_reference"))
        channel, category = _text(cells.get("channel")).lower(), _text(cells.get("category")).lower()
        fields["channel"] = channels.get(channel) if channel else FeedbackChannel.SURVEY
        if fields["channel"] is None:
            errors["channel"] = [
                _("Unknown channel %(value)s: use one of %(choices)s.")
                % {"value": channel, "choices": ", ".join(FeedbackChannel.values)}
            ]
        fields["category"] = categories.get(category) if category else FeedbackCategory.SERVICE
        if fields["category"] is None:
            errors["category"] = [
                _("Unknown category %(value)s: use one of %(choices)s.")
                % {"value": category, "choices": ", ".join(FeedbackCategory.values)}
            ]
        try:
            fields["score"] = _score(cells.get("score"))
        except ValueError:
            errors["score"] = [_("%(value)s is not a whole number.") % {"value": _text(cells.get("score"))}]
        negative = cells.get("negative")
        negative = _text(int(negative) if isinstance(negative, float) and negative.is_integer() else negative).lower()
        if negative in YES or negative in NO:
            fields["negative"] = negative in YES
        else:
            errors["negative"] = [_("Give yes or no, not %(value)s.") % {"value": negative}]
        try:
            fields["received_at"] = _received_at(cells.get("received_at"))
        except ValueError:
            errors["received_at"] = [
                _("%(value)s is not a date: give YYYY-MM-DD, optionally with a time (HH:MM).")
                % {"value": _text(cells.get("received_at"))}
            ]
        rows.append(FeedbackRow(fields=fields, errors=errors or None))
    return rows
