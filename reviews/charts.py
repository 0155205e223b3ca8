"""Server-side SVG charts of the management review's PDF (a PDF runs no JavaScript; the page draws the
same charts with Chart.js): bars (several series side by side), stacked bars and lines, from a pack's
``CHART`` (``{"kind", "title", "labels", "series": [{"name", "values"}], "unit"}``, labels already in
the reader's language). ``svg_chart`` returns the geometry, numbers formatted here (a template would
localise them), and ``templates/reviews/_chart.svg`` draws it, like ``audits.views.reports.radar_chart``."""

import math

COLOURS = ["#0d6efd", "#fd7e14", "#198754", "#d63384", "#6f42c1", "#20c997", "#6c757d", "#dc3545", "#0dcaf0"]
LEFT, RIGHT, TOP = 44, 12, 10
LABEL_ROOM = 34
LEGEND_LINE = 13
MAX_LABEL = 18


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n at or above ``value`` (the top of the axis)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))


def integer_ceiling(value: float) -> float:
    """The top of an axis of counts: four equal whole steps (1, 2, 2.5, 5 x 10^n, whole) reaching ``value``."""
    exponent = 0
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * 10**exponent
            if step == int(step) and 4 * step >= value:
                return float(4 * step)
        exponent += 1


def line_axis(low: float, high: float) -> tuple[float, float]:
    """Bottom and top of a line chart's axis in four nice steps around ``low``..``high`` (both > 0)."""
    step = nice_ceiling(max((high - low) / 4, high / 100))
    while True:
        bottom = math.floor(low / step) * step
        if bottom + 4 * step >= high:
            return bottom, bottom + 4 * step
        step = nice_ceiling(step * 1.01)


def _tick(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def svg_chart(chart: dict, *, width: int = 500, plot_height: int = 150) -> dict | None:
    """The geometry of ``chart``, or None when it has nothing to draw."""
    kind = chart.get("kind") or "bar"
    labels = [str(label) for label in chart.get("labels") or []]
    series = [
        {"name": str(entry.get("name") or ""), "values": [_number(value) for value in entry.get("values") or []]}
        for entry in chart.get("series") or []
    ]
    count = len(labels)
    if not count or not series or not any(value is not None for entry in series for value in entry["values"]):
        return None
    for entry in series:
        entry["values"] = (entry["values"] + [None] * count)[:count]
    unit = chart.get("unit") or ""

    if kind == "stacked":
        top = max(sum(max(entry["values"][i] or 0, 0) for entry in series) for i in range(count))
        bottom = 0.0
    else:
        values = [value for entry in series for value in entry["values"] if value is not None]
        top, bottom = max(values + [0.0]), min(values + [0.0])
    counts = all(value == int(value) for entry in series for value in entry["values"] if value is not None)
    ceiling = integer_ceiling if counts and unit != "%" else nice_ceiling
    if kind == "line" and bottom == 0 and values and min(values) > 0:
        # A line (a score month by month) from just below its lowest point: from zero it reads flat.
        bottom, top = line_axis(min(values), top)
    else:
        top = 100.0 if unit == "%" and 50 < top <= 100 else ceiling(top)
        bottom = -ceiling(-bottom) if bottom < 0 else 0.0
    span = top - bottom or 1.0

    plot_width = width - LEFT - RIGHT
    base_y = TOP + plot_height

    def y_of(value: float) -> float:
        return TOP + plot_height * (top - value) / span

    zero_y = y_of(0.0)
    ticks = []
    for index in range(5):
        value = bottom + span * index / 4
        ticks.append({"y": f"{y_of(value):.1f}", "text_y": f"{y_of(value) + 3:.1f}", "label": _tick(value) + unit})

    slot = plot_width / count
    # Label every n-th category when they are many (twelve months fit; 52 weeks do not).
    every = max(1, math.ceil(count / 12))
    x_labels = [
        {"x": f"{LEFT + slot * (i + 0.5):.1f}", "label": _short(label)}
        for i, label in enumerate(labels)
        if i % every == 0
    ]

    bars, lines = [], []
    colours = [COLOURS[n % len(COLOURS)] for n in range(len(series))]
    if kind == "line":
        for n, entry in enumerate(series):
            # A gap (None) breaks the line: each run of values is its own polyline.
            runs, run = [], []
            for i, value in enumerate(entry["values"]):
                if value is None:
                    if run:
                        runs.append(run)
                    run = []
                    continue
                run.append((LEFT + slot * (i + 0.5), y_of(value)))
            if run:
                runs.append(run)
            lines.append(
                {
                    "colour": colours[n],
                    "polylines": [" ".join(f"{x:.1f},{y:.1f}" for x, y in points) for points in runs],
                    "points": [{"x": f"{x:.1f}", "y": f"{y:.1f}"} for points in runs for x, y in points],
                }
            )
    elif kind == "stacked":
        bar_width = slot * 0.6
        for i in range(count):
            level = 0.0
            for n, entry in enumerate(series):
                value = max(entry["values"][i] or 0, 0)
                if not value:
                    continue
                upper, lower = y_of(level + value), y_of(level)
                bars.append(
                    {
                        "x": f"{LEFT + slot * i + (slot - bar_width) / 2:.1f}",
                        "y": f"{upper:.1f}",
                        "width": f"{bar_width:.1f}",
                        "height": f"{lower - upper:.1f}",
                        "colour": colours[n],
                    }
                )
                level += value
    else:
        group_width = slot * 0.7
        bar_width = group_width / len(series)
        for i in range(count):
            for n, entry in enumerate(series):
                value = entry["values"][i]
                if value is None:
                    continue
                end = y_of(value)
                bars.append(
                    {
                        "x": f"{LEFT + slot * i + (slot - group_width) / 2 + bar_width * n:.1f}",
                        "y": f"{min(end, zero_y):.1f}",
                        "width": f"{max(bar_width - 1, 1):.1f}",
                        "height": f"{abs(zero_y - end):.1f}",
                        "colour": colours[n],
                    }
                )

    legend_top = base_y + LABEL_ROOM
    legend = []
    if len(series) > 1 or kind != "bar":
        for n, entry in enumerate(series):
            legend.append(
                {
                    "name": entry["name"],
                    "colour": colours[n],
                    "y": f"{legend_top + LEGEND_LINE * n:.0f}",
                    "text_y": f"{legend_top + LEGEND_LINE * n + 8:.0f}",
                }
            )
    return {
        "kind": kind,
        "width": width,
        "height": f"{legend_top + LEGEND_LINE * len(legend) + 4:.0f}",
        "left": LEFT,
        "right": f"{width - RIGHT:.0f}",
        "top": TOP,
        "base_y": f"{base_y:.1f}",
        "zero_y": f"{zero_y:.1f}",
        "label_y": f"{base_y + 13:.1f}",
        "tick_x": LEFT - 4,
        "legend_x": LEFT,
        "legend_text_x": LEFT + 14,
        "ticks": ticks,
        "x_labels": x_labels,
        "bars": bars,
        "lines": lines,
        "legend": legend,
    }
