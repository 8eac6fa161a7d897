"""Small charts for reports: horizontal bars, drawn as SVG with escaped labels."""

from __future__ import annotations

from journeyscope.i18n.formatting import format_number
from journeyscope.render.svg_builder import Svg


def bar_chart(
    title: str, rows: list[tuple[str, float]], color: str = "#2563eb", lang: str = "vi"
) -> str:
    """One bar per row, longest first as given; values printed at the bar's end."""
    width, left, bar_h, gap, top = 720, 170, 18, 6, 34
    height = top + len(rows) * (bar_h + gap) + 10
    peak = max((v for _, v in rows), default=0) or 1
    svg = Svg()
    svg.text(10, 20, title, size=15, font_weight="bold", fill="#111827")
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        length = (width - left - 90) * value / peak
        svg.text(left - 8, y + 13, label, size=12, text_anchor="end", fill="#374151")
        svg.rect(left, y, max(length, 1), bar_h, fill=color, rx=3)
        svg.text(left + length + 6, y + 13, format_number(value, lang), size=12, fill="#111827")
    return svg.to_string(width, height, title)
