"""Small charts for reports: horizontal bars, drawn as SVG with escaped labels.

Margins are measured from the texts they hold (labels on the left, numbers on the right),
so no label or number is cut at the chart's edge, whatever the language or the amounts.
"""

from __future__ import annotations

from typing import Any

from journeyscope.i18n.formatting import format_number
from journeyscope.render.fit import fitted_width
from journeyscope.render.svg_builder import Svg


def _widest(texts: list[str], size: float, floor: float = 0.0) -> float:
    return max([floor, *(fitted_width(t, size) for t in texts)])


def _title_width(title: str, width: float) -> float:
    return max(width, fitted_width(title, 15, bold=True) + 20)


def bar_chart(
    title: str, rows: list[tuple[str, float]], color: str = "#2563eb", lang: str = "vi"
) -> str:
    """One bar per row, longest first as given; values printed at the bar's end."""
    bar_h, gap, top = 18, 6, 34
    left = _widest([label for label, _ in rows], 12, 60) + 18
    values = [format_number(value, lang) for _, value in rows]
    room = _widest(values, 12) + 16
    width = _title_width(title, max(720.0, left + 240 + room))
    height = top + len(rows) * (bar_h + gap) + 10
    peak = max((v for _, v in rows), default=0) or 1
    svg = Svg()
    svg.text(10, 20, title, size=15, font_weight="bold", fill="#111827")
    for i, ((label, value), text) in enumerate(zip(rows, values, strict=True)):
        y = top + i * (bar_h + gap)
        length = (width - left - room) * value / peak
        svg.text(left - 8, y + 13, label, size=12, text_anchor="end", fill="#374151")
        svg.rect(left, y, max(length, 1), bar_h, fill=color, rx=3)
        svg.text(left + length + 6, y + 13, text, size=12, fill="#111827")
    return svg.to_string(width, height, title)


def funnel_chart(title: str, steps: list[tuple[str, int, float]], lang: str = "vi") -> str:
    """Funnel bars: customers per step, with the share of step 1 and the drop between."""
    bar_h, gap, top = 26, 16, 40
    left = _widest([label for label, _, _ in steps], 12, 60) + 18
    texts = [f"{format_number(n, lang)} · {format_number(s * 100, lang, 1)}%" for _, n, s in steps]
    room = _widest(texts, 12) + 16
    width = _title_width(title, max(760.0, left + 300 + room))
    height = top + len(steps) * (bar_h + gap) + 10
    peak = max((n for _, n, _ in steps), default=0) or 1
    svg = Svg()
    svg.text(10, 22, title, size=15, font_weight="bold", fill="#111827")
    for i, ((label, n, _), text) in enumerate(zip(steps, texts, strict=True)):
        y = top + i * (bar_h + gap)
        length = (width - left - room) * n / peak
        svg.text(left - 8, y + 17, label, size=12, text_anchor="end", fill="#374151")
        svg.rect(left, y, (width - left - room), bar_h, fill="#eef2ff", rx=3)
        svg.rect(left, y, max(length, 1), bar_h, fill="#4f46e5", rx=3)
        svg.text(left + length + 6, y + 17, text, size=12, fill="#111827")
        if i:
            prev = steps[i - 1][1]
            lost = prev - n
            note = f"−{format_number(lost, lang)}" if lost > 0 else ""
            svg.text(width - 10, y - 3, note, size=11, text_anchor="end", fill="#b91c1c")
    return svg.to_string(width, height, title)


def _band_offsets(
    links: list[dict[str, Any]],
    pos: dict[str, tuple[float, float]],
    scale: float,
    end: str,
    other: str,
) -> dict[int, float]:
    """Where each link's band starts on its ``end`` node, bands ordered by the other end."""
    offset: dict[str, float] = {}
    out: dict[int, float] = {}
    order = sorted(enumerate(links), key=lambda e: (str(e[1][end]), pos[str(e[1][other])][1]))
    for n, link in order:
        node = str(link[end])
        out[n] = pos[node][1] + offset.get(node, 0.0)
        offset[node] = offset.get(node, 0.0) + float(link["value"]) * scale
    return out


def sankey_chart(title: str, links: list[dict[str, Any]], lang: str = "vi") -> str:
    """Flows between steps: ``links`` as paths() gives them (``"k:name"`` node keys).

    Columns are steps in order; node heights are proportional to the customers passing;
    bands are drawn widest first, so small flows stay visible on top.
    """
    width, pad_top, col_w, gap = 960, 40, 12, 10
    nodes: dict[str, float] = {}
    for link in links:
        for end in ("source", "target"):
            key = str(link[end])
            nodes[key] = nodes.get(key, 0.0)
    inflow: dict[str, float] = dict.fromkeys(nodes, 0.0)
    outflow: dict[str, float] = dict.fromkeys(nodes, 0.0)
    for link in links:
        value = float(link["value"])
        outflow[str(link["source"])] += value
        inflow[str(link["target"])] += value
    size = {k: max(inflow[k], outflow[k]) for k in nodes}
    columns = sorted({int(k.split(":", 1)[0]) for k in nodes})
    by_col = {
        c: sorted((k for k in nodes if int(k.split(":", 1)[0]) == c), key=lambda k: -size[k])
        for c in columns
    }
    tallest = max((sum(size[k] for k in ks) for ks in by_col.values()), default=1) or 1
    busiest = max((len(ks) for ks in by_col.values()), default=1)
    height = 520
    scale = (height - pad_top - 20 - gap * busiest) / tallest
    last = by_col[columns[-1]] if columns else []
    room = _widest([_node_text(k, size[k], lang) for k in last], 11, 100) + col_w + 16
    width = int(_title_width(title, width))
    step_x = (width - 20 - room) / max(len(columns) - 1, 1)
    pos: dict[str, tuple[float, float]] = {}
    for i, c in enumerate(columns):
        y: float = pad_top
        for k in by_col[c]:
            pos[k] = (20 + i * step_x, y)
            y += size[k] * scale + gap
    svg = Svg()
    svg.text(10, 22, title, size=15, font_weight="bold", fill="#111827")
    # each node stacks its bands in the order of the nodes at their other end: no crossing
    start_y = _band_offsets(links, pos, scale, "source", "target")
    end_y = _band_offsets(links, pos, scale, "target", "source")
    palette = ["#4f46e5", "#0891b2", "#16a34a", "#ca8a04", "#dc2626", "#9333ea", "#64748b"]
    colour = (
        {k: palette[i % len(palette)] for i, k in enumerate(by_col[columns[0]])} if columns else {}
    )
    for n, link in sorted(enumerate(links), key=lambda e: -float(e[1]["value"])):
        s, d = str(link["source"]), str(link["target"])
        h = float(link["value"]) * scale
        x0, y0 = pos[s][0] + col_w, start_y[n] + h / 2
        x1, y1 = pos[d][0], end_y[n] + h / 2
        mid = (x0 + x1) / 2
        svg.el(
            "path",
            d=f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}",
            fill="none",
            stroke=colour.get(s, palette[n % len(palette)]),
            stroke_opacity=0.35,
            stroke_width=max(h, 1),
        )
    free_from: dict[float, float] = {}  # per column, where the next label may start
    for k, (x, top) in pos.items():
        text = _node_text(k, size[k], lang)
        node = svg.el("rect", x=x, y=top, width=col_w, height=max(size[k] * scale, 1))
        node.set("fill", "#111827")
        svg.title(node, text)
        if top >= free_from.get(x, 0.0):  # a small node right under another: tooltip only
            svg.text(x + col_w + 4, top + 11, text, size=11, fill="#111827")
            free_from[x] = top + 14
    return svg.to_string(width, height, title)


def _node_text(key: str, size: float, lang: str) -> str:
    return f"{key.split(':', 1)[1]} ({format_number(size, lang)})"


def cohort_heatmap(title: str, cohorts: list[dict[str, Any]], lang: str = "vi") -> str:
    """Retention by cohort (rows) and periods since (columns), darker = more retained."""
    cell_w, cell_h, top = 58, 24, 44
    labels = [f"{c['cohort']} ({format_number(float(c['customers']), lang)})" for c in cohorts]
    left = _widest(labels, 11, 60) + 18
    width_cols = max((len(c["retention"]) for c in cohorts), default=1)
    width = _title_width(title, left + cell_w * width_cols + 20)
    height = top + cell_h * len(cohorts) + 20
    svg = Svg()
    svg.text(10, 22, title, size=15, font_weight="bold", fill="#111827")
    for k in range(width_cols):
        svg.text(
            left + k * cell_w + cell_w / 2,
            top - 6,
            str(k),
            size=11,
            text_anchor="middle",
            fill="#6b7280",
        )
    for i, (cohort, label) in enumerate(zip(cohorts, labels, strict=True)):
        y = top + i * cell_h
        svg.text(left - 8, y + 16, label, size=11, text_anchor="end", fill="#374151")
        for k, share in enumerate(cohort["retention"]):
            alpha = 0.08 + 0.92 * float(share)
            svg.rect(
                left + k * cell_w,
                y,
                cell_w - 2,
                cell_h - 2,
                fill="#0f766e",
                fill_opacity=round(alpha, 3),
            )
            svg.text(
                left + k * cell_w + cell_w / 2,
                y + 16,
                f"{format_number(float(share) * 100, lang, 1)}%",
                size=10,
                text_anchor="middle",
                fill="#ffffff" if share > 0.45 else "#111827",
            )
    return svg.to_string(width, height, title)


def grouped_bars(
    title: str, groups: list[str], series: list[tuple[str, dict[str, float]]], lang: str = "vi"
) -> str:
    """Horizontal bars: one group per channel, one bar per model."""
    palette = ["#4f46e5", "#0891b2", "#16a34a", "#ca8a04", "#dc2626", "#9333ea", "#64748b"]
    bar_h, gap, top = 11, 10, 56
    left = _widest(groups, 12, 60) + 18
    numbers = [format_number(v, lang, 1) for _, d in series for v in d.values()]
    room = _widest(numbers, 9) + 12
    width = _title_width(title, max(820.0, left + 300 + room))
    per = len(series) * bar_h + gap
    height = top + len(groups) * per + 10
    peak = max((v for _, d in series for v in d.values()), default=0) or 1
    svg = Svg()
    svg.text(10, 22, title, size=15, font_weight="bold", fill="#111827")
    x = left
    for j, (name, _) in enumerate(series):
        svg.rect(x, 32, 10, 10, fill=palette[j % len(palette)])
        svg.text(x + 14, 41, name, size=11, fill="#374151")
        x += 14 + fitted_width(name, 11) + 16
    for i, group in enumerate(groups):
        y0 = top + i * per
        svg.text(left - 8, y0 + per / 2, group, size=12, text_anchor="end", fill="#111827")
        for j, (_, values) in enumerate(series):
            value = values.get(group, 0.0)
            length = (width - left - room) * value / peak
            y = y0 + j * bar_h
            svg.rect(left, y, max(length, 0.5), bar_h - 2, fill=palette[j % len(palette)])
            svg.text(
                left + length + 4,
                y + bar_h - 3,
                format_number(value, lang, 1),
                size=9,
                fill="#374151",
            )
    return svg.to_string(width, height, title)
