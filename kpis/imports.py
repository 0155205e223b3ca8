"""Imports of KPI measurements and customer feedback (CSV or XLSX) on the shared pipeline
(``qms.imports``): reading the file safely, all or nothing and the report per row are the pipeline's.
Here are only each import's columns (in English and in Dutch), how a row's cells become the arguments
of the single-row service (``measurement_record``, ``feedback_receive``) and each row's title. Every
rule is the service's, so an imported row is checked, saved and followed up as one entered by hand.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kpis.choices import FeedbackCategory, FeedbackChannel
from kpis.models import Kpi
from kpis.services.feedback import feedback_receive
from kpis.services.kpis import measurement_record
from qms.imports import ImportResult, Row, cell_text, import_rows, read_table
from qms.models import OrganisationUnit
from qms.periods import Frequency
from qms.scoping import scope_for

# --- measurements -------------------------------------------------------------------------------

# Column names of a measurement file, in English and in Dutch.
MEASUREMENT_COLUMNS = {
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
MEASUREMENT_REQUIRED = ("kpi", "period", "value")


def read_measurements(upload) -> list[Row]:
    """The data rows of a measurement file (``ImportFileError`` for a file that cannot be imported)."""
    return read_table(upload, columns=MEASUREMENT_COLUMNS, required=MEASUREMENT_REQUIRED)


def _period_text(cell, kpi: Kpi) -> str:
    # Spreadsheets turn "2026-01" into a date: read it back as the month (or quarter) it means.
    if isinstance(cell, datetime.datetime | datetime.date):
        if kpi.frequency == Frequency.QUARTERLY:
            return f"{cell.year}-Q{(cell.month - 1) // 3 + 1}"
        return f"{cell:%Y-%m}"
    return cell_text(cell)


def measurements_import(*, actor, organisation: OrganisationUnit, rows: Sequence[Row]) -> ImportResult:
    """Record a measurement per row through ``measurement_record``, all or nothing. A row names its
    KPI by the code it has in ``organisation`` (among the KPIs ``actor`` may see); a KPI the actor may
    not measure is a problem of its row, as is a second value for a KPI and period in the same file."""
    kpis = Kpi.objects.visible_to(actor).filter(organisation=organisation).select_related("org_unit")
    kpis_by_code = {kpi.code.upper(): kpi for kpi in kpis}
    first_row: dict[tuple[int, str], int] = {}  # (KPI, period) -> the row that measured it

    def import_row(row: Row):
        code = row.text("kpi").upper()
        kpi = kpis_by_code.get(code)
        if kpi is None:
            raise ValidationError({"kpi": _("No KPI with code %(code)s here.") % {"code": code or "—"}})
        period = _period_text(row.cells.get("period"), kpi)
        try:
            key = (kpi.pk, str(kpi.period(period)))
        except ValidationError:
            key = None  # the service says what is wrong with the period
        if key in first_row:
            # A second value in the same file is a mistake in the file, not a value to correct.
            raise ValidationError(
                {"period": _("Row %(row)s has a value for this KPI and period too.") % {"row": first_row[key]}}
            )
        measurement = measurement_record(
            actor=actor, kpi=kpi, period=period, value=row.text("value"), note=row.text("note")
        )
        first_row[key] = row.line
        return measurement

    return import_rows(
        rows,
        import_row=import_row,
        title=lambda row: " ".join(filter(None, [row.text("kpi").upper(), row.text("period")])),
    )


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


def read_feedback(upload) -> list[Row]:
    """The data rows of a feedback file (``ImportFileError`` for a file that cannot be imported)."""
    return read_table(upload, columns=FEEDBACK_COLUMNS)


def _choice_lookup(choices) -> dict[str, str]:
    """A choice by its code or by its label in English or Dutch, lower case."""
    lookup = {}
    for language in ("en", "nl"):
        with translation.override(language):
            lookup.update({str(label).lower(): value for value, label in choices.choices})
    lookup.update({value: value for value in choices.values})
    return lookup


def _score(text: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
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
    if not 1 < moment.year < 9999:
        raise ValueError(cell)  # the time zone arithmetic overflows at the ends of the calendar
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class FeedbackReader:
    """Turns a row of a feedback file into the arguments of ``feedback_receive``. A unit is named by
    its code or its name among the units the actor sees (the service refuses one the actor may not
    register feedback for), or is ``default_unit`` when the row names none; channels and categories
    by their code or label in English or Dutch."""

    def __init__(self, actor, default_unit: OrganisationUnit | None = None):
        self.default_unit = default_unit
        self.channels, self.categories = _choice_lookup(FeedbackChannel), _choice_lookup(FeedbackCategory)
        self.units: dict[str, OrganisationUnit] = {}
        for unit in scope_for(actor).visible_units().only("pk", "name", "code", "path"):
            self.units.setdefault(unit.name.strip().lower(), unit)
            if unit.code:
                self.units[unit.code.strip().lower()] = unit

    def unit_name(self, row: Row) -> str:
        return row.text("unit") or (self.default_unit.name if self.default_unit else "")

    def fields(self, row: Row) -> dict:
        """The keyword arguments for ``feedback_receive``; ValidationError with every cell that
        cannot be read."""
        errors = {}
        unit_text = row.text("unit")
        unit = self.units.get(unit_text.lower()) if unit_text else self.default_unit
        if unit is None:
            errors["unit"] = (
                _("No unit %(unit)s here.") % {"unit": unit_text}
                if unit_text
                else _("Name the unit, or choose one for the whole file.")
            )
        fields = {"unit": unit, "comment": row.text("comment"), "customer_reference": row.text("customer_reference")}
        channel, category = row.text("channel").lower(), row.text("category").lower()
        fields["channel"] = self.channels.get(channel) if channel else FeedbackChannel.SURVEY
        if fields["channel"] is None:
            errors["channel"] = _("Unknown channel %(value)s: use one of %(choices)s.") % {
                "value": channel,
                "choices": ", ".join(FeedbackChannel.values),
            }
        fields["category"] = self.categories.get(category) if category else FeedbackCategory.SERVICE
        if fields["category"] is None:
            errors["category"] = _("Unknown category %(value)s: use one of %(choices)s.") % {
                "value": category,
                "choices": ", ".join(FeedbackCategory.values),
            }
        try:
            fields["score"] = _score(row.text("score"))
        except ValueError:
            errors["score"] = _("%(value)s is not a whole number.") % {"value": row.text("score")}
        negative = row.text("negative").lower()
        if negative in YES or negative in NO:
            fields["negative"] = negative in YES
        else:
            errors["negative"] = _("Give yes or no, not %(value)s.") % {"value": negative}
        try:
            fields["received_at"] = _received_at(row.cells.get("received_at"))
        except ValueError:
            errors["received_at"] = _("%(value)s is not a date: give YYYY-MM-DD, optionally with a time (HH:MM).") % {
                "value": row.text("received_at")
            }
        if errors:
            raise ValidationError(errors)
        return fields


def feedback_import(*, actor, rows: Sequence[Row], default_unit: OrganisationUnit | None = None) -> ImportResult:
    """Take in a piece of feedback per row through ``feedback_receive``, all or nothing: each is
    flagged, assigned and escalated as one entered by hand. Rows are taken in the order the feedback
    came in (by ``received_at``, then the file's order), so recurring problems add up as they would
    have; the report keeps the file's row numbers and order."""
    reader = FeedbackReader(actor, default_unit)
    fields: dict[int, dict | ValidationError] = {}
    for row in rows:
        try:
            fields[row.line] = reader.fields(row)
        except ValidationError as error:
            fields[row.line] = error
    now = timezone.now()

    def received(row: Row):
        read = fields[row.line]
        return ((read.get("received_at") if isinstance(read, dict) else None) or now, row.line)

    def import_row(row: Row):
        read = fields[row.line]
        if isinstance(read, ValidationError):
            raise read
        return feedback_receive(actor=actor, **read)

    result = import_rows(sorted(rows, key=received), import_row=import_row, title=reader.unit_name)
    result.errors.sort(key=lambda error: error.row)
    return result
