"""A line chart of a report over time (``--interval`` with ``-o chart.svg``).

One line per series (funnel step, touchpoint, stage, edge, channel, retention offset),
periods along the x axis. A period without a number (no data, or a share of nobody) is a
gap in the line, never a point at 0. Text goes through the SVG builder (ElementTree), so
step names and channel names are escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from journeyscope.i18n.formatting import format_number
from journeyscope.render.fit import fitted_width
from journeyscope.render.svg_builder import Svg

__all__ = ["PALETTE", "line_chart"]

PALETTE = (
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#9333ea",
    "#ea580c",
    "#0891b2",
    "#ca8a04",
    "#db2777",
    "#4b5563",
    "#65a30d",
)


def _ticks(peak: float, low: float = 0.0) -> list[float]:
    """Four or five round steps from 0 (or below it, for negative values such as an NPS)
    to at least ``peak``."""
    low = min(low, 0.0)
    if peak <= low:
        return [low, low + 1.0]
    raw = (peak - low) / 4
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    out = [math.floor(low / step) * step if low < 0 else 0.0]
    while out[-1] < peak:
        out.append(round(out[-1] + step, 10))
    return out


def _label(value: float, share: bool, lang: str) -> str:
    return f"{format_number(value * 100, lang, 0)}%" if share else format_number(value, lang, 0)


def line_chart(
    title: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    share: bool = False,
    lang: str = "vi",
) -> str:
    """Lines over ``periods``; ``series`` is ``(name, one value or None per period)``;
    ``share``: values are 0..1, shown as percentages."""
    names = [name for name, _ in series]
    legend_w = max([fitted_width(n, 12) for n in names] or [0.0]) + 40
    plot_w = max(480.0, 46.0 * len(periods))
    left, top, bottom = 64.0, 44.0, 70.0
    plot_h = 300.0
    width = max(left + plot_w + 24 + legend_w, fitted_width(title, 15, bold=True) + 30)
    height = top + max(plot_h, 22.0 * len(names)) + bottom
    values = [v for _, vs in series for v in vs if v is not None]
    peak, low = max(values, default=0.0), min(values, default=0.0)
    ticks = _ticks(1.0 if share and low >= 0 and peak <= 1 else peak, low)
    bottom_value, top_value = ticks[0], ticks[-1]
    svg = Svg()
    svg.text(10, 22, title, size=15, font_weight="bold", fill="#111827")

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * (value - bottom_value) / (top_value - bottom_value)

    def x_of(i: int) -> float:
        return left + (plot_w * (i + 0.5) / max(len(periods), 1))

    for tick in ticks:
        y = y_of(tick)
        svg.line(left, y, left + plot_w, y, stroke="#e5e7eb", stroke_width=1)
        svg.text(left - 6, y + 4, _label(tick, share, lang), size=11, text_anchor="end")
    zero = y_of(0.0)  # the axis at 0, inside the plot when values go below it
    svg.line(left, zero, left + plot_w, zero, stroke="#9ca3af", stroke_width=1)
    every = max(1, len(periods) // 16)  # at most ~16 period labels under the axis
    for i, period in enumerate(periods):
        if i % every == 0:
            x, y = x_of(i), top + plot_h + 14
            svg.text(
                x, y, period, size=10, text_anchor="end", fill="#374151",
                transform=f"rotate(-35 {x:.1f} {y:.1f})",
            )  # fmt: skip
    for k, (name, vs) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        run: list[str] = []
        for i, value in enumerate([*vs, None]):
            if value is None:  # a gap: no number here, so no line through it
                if len(run) > 1:
                    svg.el(
                        "polyline", points=" ".join(run), fill="none", stroke=color,
                        stroke_width=2,
                    )  # fmt: skip
                run = []
                continue
            point = f"{x_of(i):.1f},{y_of(value):.1f}"
            run.append(point)
            svg.el("circle", cx=f"{x_of(i):.1f}", cy=f"{y_of(value):.1f}", r=3, fill=color)
        ly = top + 8 + 22 * k
        lx = left + plot_w + 24
        svg.line(lx, ly, lx + 22, ly, stroke=color, stroke_width=3)
        svg.text(lx + 28, ly + 4, name, size=12, fill="#111827")
    return svg.to_string(width, height, title)
