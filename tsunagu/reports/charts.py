"""Charts drawn by the server as inline SVG: horizontal bars and lines.

No script, no web font and no inline style (the CSP allows none): every colour
and line is a presentation attribute. Each chart is an image to assistive
technology (``role="img"`` with a ``<title>`` and an ``aria-label`` that reads
the figures out), and the page puts the same figures in a table beside it.
Colour is never the only signal: the series of a line chart differ by marker
shape and dash as well, and every bar carries its value in text.

The functions are pure: the same arguments give the same text, so tests
compare it. Every label is escaped.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

# The site's fonts and colours (tsunagu.css): the system's Japanese fonts.
FONT_FAMILY = "'Noto Sans CJK JP', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', Meiryo, sans-serif"
INK = "#1a1a1a"
MUTED = "#4a4a4a"
AXIS = "#767676"
GRID = "#d9d9d9"
#: Series colours: each has at least 4.5:1 contrast on white (AA for text,
#: and so for the bars and lines too).
BAND = "#1d4f7a"
GREEN = "#1e6b2f"
BROWN = "#8a4b00"
PURPLE = "#6a3d9a"
TEAL = "#0e6f73"
PALETTE = (BAND, GREEN, BROWN, PURPLE, TEAL)
#: Marker shapes, in the order series take them.
MARKERS = ("circle", "square", "triangle", "diamond")
#: Dash patterns, in the same order ("" is solid).
DASHES = ("", "6 3", "2 3", "8 3 2 3")

FONT_SIZE = 14
SMALL_SIZE = 12

Number = int | float


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The width ``text`` takes, estimated: full-width characters one em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def format_number(value: Number | None, unit: str = "") -> str:
    """12 → 「12」, 3.26 → 「3.3」, 1234 → 「1,234」, None → 「—」, followed by the unit."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return f"{text}{unit}"


def _id(prefix: str, title: str, chart_id: str) -> str:
    if chart_id:
        return chart_id
    return f"{prefix}-{hashlib.sha256(title.encode()).hexdigest()[:8]}"


def _open_svg(width: float, height: float, label: str, chart_id: str) -> list[str]:
    """The opening of an SVG image read out as ``label`` (its title, and the label of the image)."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img"'
        f' width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} {height:g}"'
        f" aria-label={quoteattr(label)}"
        f' font-family={quoteattr(FONT_FAMILY)} font-size="{FONT_SIZE}" fill="{INK}">',
        f"<title id={quoteattr(chart_id + '-title')}>{escape(label)}</title>",
    ]


def bar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    unit: str = "",
    colour: str = BAND,
    width: int = 560,
    chart_id: str = "",
) -> SafeString:
    """Horizontal bars, one per ``(label, value)``, longest for the largest value.

    Bar lengths are proportional to the values (a negative value draws as
    none); when every value is 0 no bar is drawn and nothing divides by zero.
    The value is written after each bar."""
    chart_id = _id("bar", title, chart_id)
    rows = [(str(label), max(value, 0)) for label, value in items]
    label_width = max((text_width(label) for label, _v in rows), default=0) + 12
    value_width = max((text_width(format_number(v, unit)) for _l, v in rows), default=0) + 12
    plot_left = label_width
    plot_width = max(width - label_width - value_width, 40)
    row_height, bar_height, top = 30, 18, 8
    height = top * 2 + row_height * max(len(rows), 1)
    largest = max((v for _l, v in rows), default=0)
    spoken = "、".join(f"{label} {format_number(v, unit)}" for label, v in rows)
    parts = _open_svg(width, height, f"{title}: {spoken}" if spoken else title, chart_id)
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        middle = y + row_height / 2
        length = plot_width * value / largest if largest > 0 else 0.0
        parts.append(
            f'<text x="{plot_left - 8:g}" y="{middle:g}" text-anchor="end"'
            f' dominant-baseline="middle">{escape(label)}</text>'
        )
        parts.append(
            f'<rect class="chart-bar" x="{plot_left:g}" y="{middle - bar_height / 2:g}"'
            f' width="{length:.2f}" height="{bar_height}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{plot_left + length + 6:.2f}" y="{middle:g}"'
            f' dominant-baseline="middle">{escape(format_number(value, unit))}</text>'
        )
    parts.append(
        f'<line x1="{plot_left:g}" y1="{top:g}" x2="{plot_left:g}" y2="{height - top:g}"'
        f' stroke="{AXIS}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Series:
    """One line: a name and a value per category (None: no value, a gap)."""

    name: str
    values: Sequence[Number | None]


def axis(largest: float) -> tuple[float, float]:
    """The top of a value axis and its step, for about four steps of a round
    size (1, 2, 5 × 10ⁿ, never below 1: counts and days have no fractions).
    The top is the first step at or above ``largest``; 0..4 when there is nothing."""
    if largest <= 0:
        return 4, 1
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if raw <= m * power)
    return step * math.ceil(largest / step), step


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.2f}" y="{y - 4:.2f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.2f},{y - 5:.2f} {x + 5:.2f},{y + 4:.2f} {x - 5:.2f},{y + 4:.2f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.2f},{y - 5:.2f} {x + 5:.2f},{y:.2f} {x:.2f},{y + 5:.2f} {x - 5:.2f},{y:.2f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="4" fill="{colour}"/>'


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 280,
    chart_id: str = "",
) -> SafeString:
    """Lines over categories (months, fiscal years), from 0 up to a round
    value at or above the largest (:func:`axis`), with a legend. A point with no value
    breaks its line; with no value at all, the axes are drawn alone."""
    chart_id = _id("line", title, chart_id)
    labels = [str(label) for label in labels]
    values = [v for s in series for v in s.values if v is not None]
    top_value, tick_step = axis(max(values, default=0))
    ticks = [tick_step * i for i in range(round(top_value / tick_step) + 1)]
    tick_width = max(text_width(format_number(t, unit), SMALL_SIZE) for t in ticks)
    legend_height = 24 if series else 0
    left, right, top, bottom = tick_width + 14, 16, 12 + legend_height, 40
    plot_width = width - left - right
    plot_height = height - top - bottom
    count = len(labels)
    step = plot_width / count if count else plot_width

    def x_at(index: int) -> float:
        return left + step * (index + 0.5)

    def y_at(value: float) -> float:
        return top + plot_height * (1 - value / top_value)

    spoken = "。".join(
        f"{s.name}: "
        + "、".join(
            f"{label} {format_number(v, unit)}" for label, v in zip(labels, s.values, strict=False)
        )
        for s in series
    )
    parts = _open_svg(width, height, f"{title}。{spoken}" if spoken else title, chart_id)
    for tick in ticks:
        y = y_at(tick)
        parts.append(
            f'<line x1="{left:g}" y1="{y:.2f}" x2="{width - right:g}" y2="{y:.2f}"'
            f' stroke="{GRID if tick else AXIS}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6:g}" y="{y:.2f}" text-anchor="end" dominant-baseline="middle"'
            f' font-size="{SMALL_SIZE}" fill="{MUTED}">{escape(format_number(tick, unit))}</text>'
        )
    # Every label when they fit, else every second or third one.
    widest = max((text_width(label, SMALL_SIZE) for label in labels), default=0)
    every = max(1, math.ceil((widest + 6) / step)) if step else 1
    for index, label in enumerate(labels):
        if index % every:
            continue
        parts.append(
            f'<text x="{x_at(index):.2f}" y="{height - bottom + 18:g}" text-anchor="middle"'
            f' font-size="{SMALL_SIZE}">{escape(label)}</text>'
        )
    legend_x = left
    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        shape = MARKERS[number % len(MARKERS)]
        dash = DASHES[number % len(DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(line.values[:count]):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_at(index):.2f},{y_at(max(value, 0)):.2f}")
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}"'
                    f' stroke-width="2.5"{dash_attribute}/>'
                )
            for point in points:
                x, y = (float(n) for n in point.split(","))
                parts.append(_marker(shape, x, y, colour))
        # The legend: a short line with its marker, then the name.
        y = 14
        parts.append(
            f'<line x1="{legend_x:g}" y1="{y}" x2="{legend_x + 28:g}" y2="{y}" stroke="{colour}"'
            f' stroke-width="2.5"{dash_attribute}/>'
        )
        parts.append(_marker(shape, legend_x + 14, y, colour))
        parts.append(
            f'<text x="{legend_x + 34:g}" y="{y}" dominant-baseline="middle">{escape(line.name)}</text>'
        )
        legend_x += 34 + text_width(line.name) + 20
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Chart:
    """A chart as a page shows it: the SVG, and the same figures as a table
    (for screen readers and for copying)."""

    id: str
    title: str
    svg: SafeString
    #: Headers of the table's columns after the first (the categories).
    columns: list[str]
    #: (category, [cells]) per row.
    rows: list[tuple[str, list[str]]]
    note: str = ""


def bar_figure(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, Number]],
    *,
    unit: str = "",
    column: str = "",
    colour: str = BAND,
    note: str = "",
) -> Chart:
    return Chart(
        id=chart_id,
        title=title,
        svg=bar_chart(items, title=title, unit=unit, colour=colour, chart_id=chart_id),
        columns=[column or title],
        rows=[(str(label), [format_number(value, unit)]) for label, value in items],
        note=note,
    )


def line_figure(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    row_labels: Sequence[str] | None = None,
    note: str = "",
) -> Chart:
    """A line chart; ``row_labels`` name the table's rows in full when the
    chart's axis uses short ones (「4月」 on the axis, 「令和6年4月」 in the table)."""
    names = list(row_labels or labels)
    return Chart(
        id=chart_id,
        title=title,
        svg=line_chart(labels, series, title=title, unit=unit, chart_id=chart_id),
        columns=[s.name for s in series],
        rows=[
            (
                name,
                [format_number(s.values[i] if i < len(s.values) else None, unit) for s in series],
            )
            for i, name in enumerate(names)
        ],
        note=note,
    )
