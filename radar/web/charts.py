"""Charts drawn on the server as inline SVG: no script, no remote asset, no inline style.

Colours come from classes in the app's stylesheet (`.bar`, `.s0` … `.s7`), so the strict CSP
(`style-src 'self'`) holds; every label is escaped.
"""

from __future__ import annotations

import math
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 960, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 24
COLOURS = 8  # classes s0..s7 in radar.css
MAX_LABELS = 10


def nice_max(peak: int) -> int:
    """The smallest of 1, 2, 5 x 10^k at or above the peak (at least 1)."""
    if peak <= 1:
        return 1
    power = 10 ** math.floor(math.log10(peak))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= peak)


def short_day(iso: str) -> str:
    try:
        return date.fromisoformat(iso[:10]).strftime("%b %d").replace(" 0", " ")
    except ValueError:
        return iso


def _frame(top: int, buckets: list[str], unit: str) -> list[str]:
    """Gridlines with their counts, and a few bucket labels along the bottom."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = []
    for value in (0, top // 2, top) if top % 2 == 0 else (0, top):
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')  # fmt: skip
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')  # fmt: skip
    band = plot_w / max(len(buckets), 1)
    step = max(1, math.ceil(len(buckets) / MAX_LABELS))
    for i in range(0, len(buckets), step):
        x = LEFT + band * (i + 0.5)
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
            f"{escape(short_day(buckets[i]))}</text>"
        )
    parts.append(f"<desc>{escape(unit)}</desc>")
    return parts


def _svg(title: str, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )


def bar_chart(buckets: list[str], counts: list[int], title: str, unit: str = "items") -> Markup:
    """One bar per bucket (week), each with a tooltip naming its week and count."""
    top = nice_max(max(counts, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(buckets), 1)
    width = min(max(1.0, band * 0.78), 48.0)
    parts = _frame(top, buckets, unit)
    for i, (bucket, n) in enumerate(zip(buckets, counts, strict=True)):
        h = plot_h * n / top
        x = LEFT + band * i + (band - width) / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{width:.1f}" '
            f'height="{h:.1f}"><title>week of {escape(bucket)}: {n} {escape(unit)}</title></rect>'
        )
    return _svg(title, parts)


def line_chart(buckets: list[str], series: list[tuple[str, list[int]]], title: str) -> Markup:
    """One line per series (at most COLOURS), a point per bucket with its count as a tooltip."""
    series = series[:COLOURS]
    top = nice_max(max((max(c, default=0) for _, c in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(buckets), 1)
    parts = _frame(top, buckets, "items")
    for i, (label, counts) in enumerate(series):
        points = [
            (LEFT + band * (j + 0.5), TOP + plot_h - plot_h * n / top) for j, n in enumerate(counts)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<g class="s{i}"><polyline class="line" points="{path}"/>')
        for (x, y), bucket, n in zip(points, buckets, counts, strict=True):
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="2.6"><title>'
                f"{escape(label)}, week of {escape(bucket)}: {n}</title></circle>"
            )
        parts.append("</g>")
    return _svg(title, parts)
