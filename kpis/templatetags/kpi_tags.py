"""Template helpers of the KPI pages: numbers without trailing zeros, inline SVG sparklines, badges."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html

from kpis.choices import STATUS_COLOURS, KpiStatus

register = template.Library()


@register.filter
def kpi_number(value, places=None) -> str:
    """99.9000 as "99,9" (Dutch) or "99.9" (English); "—" for nothing. With ``places``, rounded to at
    most that many decimals (a mean of a window: ``|kpi_number:2``)."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return formats.number_format(value.normalize(), use_l10n=True)


@register.filter
def signed(value, places=None) -> str:
    if value is None:
        return "—"
    return f"+{kpi_number(value, places)}" if value > 0 else kpi_number(value, places)


@register.simple_tag
def sparkline(values, colour: str = "secondary", width: int = 120, height: int = 32):
    """The values as a small line, drawn on the server (no script needed); decorative, so hidden from
    screen readers: the tile says the latest value and trend in words."""
    values = [float(value) for value in values]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 3
    step = (width - 2 * pad) / (len(values) - 1)
    points = " ".join(
        f"{pad + index * step:.1f},{pad + (height - 2 * pad) * (1 - (value - low) / span):.1f}"
        for index, value in enumerate(values)
    )
    last_x, last_y = points.split(" ")[-1].split(",")
    return format_html(
        '<svg class="sparkline text-{}" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true" '
        'focusable="false"><polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" points="{}"/><circle cx="{}" cy="{}" r="2.5" fill="currentColor"/></svg>',
        colour,
        width,
        height,
        width,
        height,
        points,
        last_x,
        last_y,
    )


@register.simple_tag
def status_badge(status):
    if not status:
        return ""
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', STATUS_COLOURS.get(status, "secondary"), KpiStatus(status).label
    )
