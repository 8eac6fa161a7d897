"""The emotion lane of a map: one curve per persona, notes placed where they stay readable.

The lane's label column holds its title and the scale (+2 … −2); the persona legend runs
under the chart with full names. Notes are drawn after every curve, with a white halo, at
the first spot near their point that crosses no curve, dot or other note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeyscope.maps.lanes import LANE_KINDS
from journeyscope.maps.model import EMOTION_MAX, EMOTION_MIN, Lane, emotion_point
from journeyscope.maps.text import localize
from journeyscope.render.fit import fit_wrap, fitted_width
from journeyscope.render.labels import label
from journeyscope.render.persona_card import persona_color
from journeyscope.render.svg_builder import Svg

if TYPE_CHECKING:
    from journeyscope.render.svg_map import _Layout

PLOT_H = 146.0
NOTE_SIZE = 10.0
NOTE_LINE = 11.0
LEGEND_ROW = 18.0
Box = tuple[float, float, float, float]  # left, top, right, bottom
Segment = tuple[float, float, float, float]


@dataclass
class _Curve:
    persona: str
    name: str
    color: str
    coords: list[tuple[float, float]]
    scores: list[float]
    notes: list[str]


def draw_emotion_lane(svg: Svg, lay: _Layout, lane: Lane) -> None:
    """Draw the lane at ``lay.y`` and move ``lay.y`` below it."""
    from journeyscope.render.svg_map import COL_W, LABEL_W, PAD

    lang, top = lay.lang, lay.y
    info = LANE_KINDS["emotions"]
    title = localize(lane.title, lang) if lane.title else (info.vi if lang == "vi" else info.en)
    title_lines = fit_wrap(title, LABEL_W - 26, 13, bold=True)
    plot_top = top + 18 * len(title_lines) + 18
    plot_bottom = plot_top + PLOT_H
    left, right = lay.col_x(0), lay.col_x(len(lay.m.stages)) - 4
    curves = _curves(lay, plot_top, plot_bottom, COL_W)
    legend = _legend_rows(curves, left + 10, right - 10)
    legend_top = plot_bottom + 26
    height = legend_top + LEGEND_ROW * len(legend) + 4 - top

    group = svg.group(class_="lane lane-emotions", id=f"lane-{lane.id}")
    svg.push(group)
    svg.rect(PAD, top, LABEL_W - 6, height, rx=6, fill="#fdf4ff", stroke="#cbd5e1")
    svg.text(
        PAD + 10, top + 22, title_lines, 13, line_height=18, font_weight="bold", fill="#1f2937"
    )
    svg.rect(left, top, right - left, height, rx=6, fill="#ffffff", stroke="#e2e8f0")

    def y_of(score: float) -> float:
        mid = (plot_top + plot_bottom) / 2
        return mid - (score / EMOTION_MAX) * (plot_bottom - plot_top) / 2

    for score in (EMOTION_MAX, 1.0, 0.0, -1.0, EMOTION_MIN):
        svg.line(
            left + 4,
            y_of(score),
            right - 4,
            y_of(score),
            stroke="#94a3b8" if score == 0 else "#e5e7eb",
            stroke_dasharray=None if score == 0 else "4 4",
        )
    for key, score in (
        ("emotion_top", EMOTION_MAX),
        ("emotion_mid", 0.0),
        ("emotion_bottom", EMOTION_MIN),
    ):
        svg.text(
            PAD + LABEL_W - 16,
            y_of(score) + 4,
            label(key, lang),
            10,
            fill="#6b7280",
            text_anchor="end",
            class_="emotion-scale",
        )
    for curve in curves:
        _draw_curve(svg, curve)
    _draw_notes(svg, curves, (left + 4, top + 4, right - 4, legend_top - 14))
    _draw_legend(svg, legend, legend_top)
    svg.pop()
    lay.lane_bounds.append((lane, top, top + height))
    lay.y = top + height + 6


def _curves(lay: _Layout, plot_top: float, plot_bottom: float, col_w: float) -> list[_Curve]:
    mid = (plot_top + plot_bottom) / 2
    half = (plot_bottom - plot_top) / 2
    stage_index = {s.id: i for i, s in enumerate(lay.m.stages)}
    order = {pid: i for i, pid in enumerate(lay.m.persona_ids())}
    out: list[_Curve] = []
    for c_index, curve in enumerate(lay.m.emotions):
        persona = lay.personas.get(curve.persona)
        color = persona_color(persona, order.get(curve.persona, c_index)) if persona else "#6b7280"
        name = localize(persona.name, lay.lang) if persona else curve.persona
        points = sorted(
            (
                (stage_index[s], emotion_point(v))
                for s, v in curve.points.items()
                if s in stage_index
            ),
            key=lambda p: p[0],
        )
        out.append(
            _Curve(
                curve.persona,
                name,
                color,
                [
                    (lay.col_x(i) + (col_w - 4) / 2, mid - p.score / EMOTION_MAX * half)
                    for i, p in points
                ],
                [p.score for _, p in points],
                [localize(p.note, lay.lang) if p.note else "" for _, p in points],
            )
        )
    return out


def _draw_curve(svg: Svg, curve: _Curve) -> None:
    group = svg.group(class_="emotion-curve", data_persona=curve.persona)
    svg.push(group)
    if len(curve.coords) > 1:
        svg.el(
            "polyline",
            points=" ".join(f"{x:g},{y:g}" for x, y in curve.coords),
            fill="none",
            stroke=curve.color,
            stroke_width=3,
            stroke_linejoin="round",
        )
    for (x, y), score, note in zip(curve.coords, curve.scores, curve.notes, strict=True):
        dot = svg.el("circle", cx=x, cy=y, r=6, fill=curve.color, stroke="#fff", stroke_width=2)
        svg.title(dot, f"{curve.name}: {score:+g}" + (f" — {note}" if note else ""))
    svg.pop()


def _draw_notes(svg: Svg, curves: list[_Curve], bounds: Box) -> None:
    """Each note at the nearest free spot above or below its dot, on top of every curve."""
    from journeyscope.render.svg_map import COL_W

    segments = [
        (*a, *b) for curve in curves for a, b in zip(curve.coords, curve.coords[1:], strict=False)
    ]
    taken: list[Box] = [(x - 7, y - 7, x + 7, y + 7) for c in curves for x, y in c.coords]
    group = svg.group(class_="emotion-notes")
    svg.push(group)
    for curve in curves:
        for (x, y), score, note in zip(curve.coords, curve.scores, curve.notes, strict=True):
            if not note:
                continue
            lines = fit_wrap(note, COL_W - 44, NOTE_SIZE, italic=True)
            width = max(fitted_width(line, NOTE_SIZE, italic=True) for line in lines)
            baseline = _place(x, y, score, len(lines), width, bounds, taken, segments)
            box = _note_box(x, baseline, len(lines), width)
            taken.append(box)
            svg.text(
                x,
                baseline,
                lines,
                NOTE_SIZE,
                line_height=NOTE_LINE,
                fill=curve.color,
                text_anchor="middle",
                font_style="italic",
                stroke="#ffffff",
                stroke_width=3,
                stroke_linejoin="round",
                paint_order="stroke",
                class_="emotion-note",
            )
    svg.pop()


def _note_box(x: float, baseline: float, lines: int, width: float) -> Box:
    return (
        x - width / 2 - 2,
        baseline - NOTE_SIZE,
        x + width / 2 + 2,
        baseline + NOTE_LINE * (lines - 1) + 3,
    )


def _place(
    x: float,
    y: float,
    score: float,
    lines: int,
    width: float,
    bounds: Box,
    taken: list[Box],
    segments: list[Segment],
) -> float:
    """The first baseline, stepping away from the dot, whose box is free and inside."""
    below = y + 19.0
    above = y - 11.0 - NOTE_LINE * (lines - 1)
    order = (below, above) if score >= 0 else (above, below)
    candidates = [
        start + (1 if start == below else -1) * step * 6.0 for step in range(12) for start in order
    ]
    inside = [b for b in candidates if _within(_note_box(x, b, lines, width), bounds)]
    for baseline in inside:
        box = _note_box(x, baseline, lines, width)
        if not any(_overlap(box, t) for t in taken) and not any(_crosses(box, s) for s in segments):
            return baseline
    for baseline in inside:  # no spot misses the curves: at least miss the other notes
        box = _note_box(x, baseline, lines, width)
        if not any(_overlap(box, t) for t in taken):
            return baseline
    return inside[0] if inside else order[0]


def _within(box: Box, bounds: Box) -> bool:
    return (
        box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2] and box[3] <= bounds[3]
    )


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box: Box, seg: Segment) -> bool:
    """Whether the segment passes through the box (Liang–Barsky clipping)."""
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in (
        (-dx, x1 - box[0]),
        (dx, box[2] - x1),
        (-dy, y1 - box[1]),
        (dy, box[3] - y1),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            low = max(low, r)
        else:
            high = min(high, r)
        if low > high:
            return False
    return True


def _legend_rows(
    curves: list[_Curve], left: float, right: float
) -> list[list[tuple[float, _Curve]]]:
    """Legend entries (x, curve) in rows that fit between ``left`` and ``right``."""
    rows: list[list[tuple[float, _Curve]]] = []
    x = left
    for curve in curves:
        width = 26 + fitted_width(curve.name, 11)
        if not rows or (x + width > right and rows[-1]):
            rows.append([])
            x = left
        rows[-1].append((x, curve))
        x += width + 18
    return rows


def _draw_legend(svg: Svg, rows: list[list[tuple[float, _Curve]]], top: float) -> None:
    for index, row in enumerate(rows):
        y = top + LEGEND_ROW * index
        for x, curve in row:
            svg.line(x, y - 4, x + 18, y - 4, stroke=curve.color, stroke_width=3)
            svg.text(x + 24, y, curve.name, 11, fill="#374151", class_="emotion-legend")
