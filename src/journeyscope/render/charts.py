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


def funnel_chart(title: str, steps: list[tuple[str, int, float]], lang: str = "vi") -> str:
    """Funnel bars: customers per step, with the share of step 1 and the drop between."""
    width, left, bar_h, gap, top = 760, 200, 26, 16, 40
    height = top + len(steps) * (bar_h + gap) + 10
    peak = max((n for _, n, _ in steps), default=0) or 1
    svg = Svg()
    svg.text(10, 22, title, size=15, font_weight="bold", fill="#111827")
    for i, (label, n, share) in enumerate(steps):
        y = top + i * (bar_h + gap)
        length = (width - left - 170) * n / peak
        svg.text(left - 8, y + 17, label, size=12, text_anchor="end", fill="#374151")
        svg.rect(left, y, (width - left - 170), bar_h, fill="#eef2ff", rx=3)
        svg.rect(left, y, max(length, 1), bar_h, fill="#4f46e5", rx=3)
        text = f"{format_number(n, lang)} · {format_number(share * 100, lang, 1)}%"
        svg.text(left + length + 6, y + 17, text, size=12, fill="#111827")
        if i:
            prev = steps[i - 1][1]
            lost = prev - n
            note = f"−{format_number(lost, lang)}" if lost > 0 else ""
            svg.text(width - 10, y + 4, note, size=11, text_anchor="end", fill="#b91c1c")
    return svg.to_string(width, height, title)
