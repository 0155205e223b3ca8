"""Template filters of the management review: the pack speaks English msgids (marked with
``gettext_noop`` where the pack is assembled, so they are in the catalogue) and is translated only when
shown (``translate_msgid``); a figure's value with its unit (``figure_value``); a chart as JSON for the
page's Chart.js (``chart_json``) and as SVG for the PDF (``chart_svg``)."""

import datetime
import json
import re
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from reviews.charts import svg_chart

register = template.Library()

# The pack keeps dates as ISO strings (plain JSON): shown as dates in the reader's format.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@register.filter
def translate_msgid(value):
    """A msgid of the pack in the reader's language (anything else, a name or a number, as it is)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    return gettext(str(value))


@register.filter
def figure_value(value, unit=""):
    """A figure or cell: numbers localised (a decimal comma in Dutch, at most one decimal), "-" for
    nothing, dates in the reader's format, texts translated (a level's or status's label msgid); ``unit``
    ("%", "h") after it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str) and ISO_DATE.match(value):
        value = parse_date(value) or value
    elif isinstance(value, str) and ISO_MOMENT.match(value):
        value = parse_datetime(value) or value
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float | Decimal) and value != int(value):
            text = number_format(round(float(value), 1), decimal_pos=1, use_l10n=True)
        else:
            text = number_format(int(value), use_l10n=True, force_grouping=True)
        if not unit:
            return text
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}"
    return gettext(str(value))


@register.filter
def chart_json(chart):
    """A pack's chart for Chart.js on the page (static/js/reviews.js), its msgids translated; the
    template puts it in a data attribute (escaped there)."""
    if not chart:
        return ""
    return json.dumps(
        {
            "kind": chart.get("kind", "bar"),
            "title": translate_msgid(chart.get("title", "")),
            "labels": [translate_msgid(label) for label in chart.get("labels", [])],
            "series": [
                {"name": translate_msgid(series.get("name", "")), "values": list(series.get("values", []))}
                for series in chart.get("series", [])
            ],
            "unit": chart.get("unit", ""),
        }
    )


@register.filter
def chart_svg(chart):
    """The geometry of a pack's chart as SVG for the PDF (``reviews.charts.svg_chart``), or None."""
    if not chart:
        return None
    translated = dict(chart)
    translated["labels"] = [str(translate_msgid(label)) for label in chart.get("labels", [])]
    translated["series"] = [
        {**series, "name": str(translate_msgid(series.get("name", "")))} for series in chart.get("series", [])
    ]
    return svg_chart(translated)


@register.filter
def is_number(value) -> bool:
    """A cell to align right."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.filter
def drawable(chart) -> bool:
    """A chart with at least one value (a chart of nothing but gaps is left out; the table says it)."""
    if not chart:
        return False
    return any(is_number(value) for series in chart.get("series") or [] for value in series.get("values") or [])


@register.filter
def columns_of(table) -> list[dict]:
    """A pack table's columns, each ``{"name": msgid, "numeric": bool}`` (numbers in every row that
    has one: its heading is aligned with them)."""
    rows = [row.get("cells") or [] for row in table.get("rows") or []]
    columns = []
    for index, name in enumerate(table.get("columns") or []):
        values = [cells[index] for cells in rows if index < len(cells) and cells[index] not in (None, "")]
        columns.append({"name": name, "numeric": bool(values) and all(is_number(value) for value in values)})
    return columns
