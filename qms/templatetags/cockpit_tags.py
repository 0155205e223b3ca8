"""Template helpers of the cockpit: a tile's figures in the reader's format, a chart's data for its
data attributes."""

import datetime
import json
from decimal import Decimal

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def tile_value(value) -> str:
    """A figure of a tile as the reader writes it: a short date (and time), a number in the locale."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return formats.number_format(value, use_l10n=True)
    return str(value)


@register.filter
def as_json(value) -> str:
    """``value`` as JSON, for a data attribute (the template escapes it)."""
    return json.dumps(value)
