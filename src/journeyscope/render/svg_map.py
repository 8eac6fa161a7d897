"""A journey map drawn as SVG: stages across, lanes down, emotion curves as a line chart."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from journeyscope.maps.lanes import LANE_KINDS, TAG_NAMES
from journeyscope.maps.model import (
    EMOTION_MAX,
    EMOTION_MIN,
    MAP_TYPES,
    Item,
    JourneyMap,
    Lane,
    as_item,
    emotion_point,
)
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import localize
from journeyscope.render.labels import label
from journeyscope.render.persona_card import (
    CARD_W,
    draw_badge,
    draw_persona_card,
    persona_color,
)
from journeyscope.render.svg_builder import Svg
from journeyscope.render.text_layout import wrap

PAD = 24.0
LABEL_W = 180.0
COL_W = 230.0
STAGE_H = 58.0
ITEM_SIZE = 12.0
ITEM_LINE = 16.0
EMOTION_H = 190.0
STAGE_COLORS = [
    "#1e3a8a",
    "#1d4ed8",
    "#0369a1",
    "#0f766e",
    "#15803d",
    "#4d7c0f",
    "#a16207",
    "#b45309",
    "#be123c",
    "#7e22ce",
]
ZONE_FILL = {
    "customer": "#f8fafc",
    "insight": "#fdf4ff",
    "business": "#f0fdf4",
    "frontstage": "#eff6ff",
    "backstage": "#fff7ed",
    "support": "#f5f5f4",
}
MARKERS = {  # lane kind -> (symbol, colour, card fill)
    "pain_points": ("!", "#dc2626", "#fef2f2"),
    "predicted_pain_points": ("!", "#f97316", "#fff7ed"),
    "pleasure_points": ("★", "#16a34a", "#f0fdf4"),
    "opportunities": ("✦", "#ca8a04", "#fefce8"),
}
BLUEPRINT_LINES = {
    ("customer", "frontstage"): "line_of_interaction",
    ("frontstage", "backstage"): "line_of_visibility",
    ("backstage", "support"): "line_of_internal",
}


@dataclass
class _Card:
    lines: list[str]
    item: Item
    tags: list[str]
    height: float


@dataclass
class _Layout:
    m: JourneyMap
    personas: dict[str, Persona]
    lang: str
    width: float = 0.0
    y: float = 0.0
    lane_bounds: list[tuple[Lane | None, float, float]] = field(default_factory=list)

    def col_x(self, index: int) -> float:
        return PAD + LABEL_W + index * COL_W


def render_map_svg(
    m: JourneyMap, personas: dict[str, Persona], lang: str = "en", with_personas: bool = True
) -> str:
    """The whole map as one SVG document (persona cards below the grid when asked)."""
    svg = Svg()
    lay = _Layout(m, personas, lang)
    lay.width = PAD * 2 + LABEL_W + COL_W * len(m.stages)
    svg.rect(0, 0, lay.width, 10, fill="#ffffff", id="background")
    _header(svg, lay)
    _stages(svg, lay)
    lanes = list(m.lanes)
    if m.emotions and not any(lane.kind == "emotions" for lane in lanes):
        lanes.append(Lane(id="emotions", kind="emotions"))
    for lane in lanes:
        _lane(svg, lay, lane)
    _blueprint_lines(svg, lay)
    _legend(svg, lay)
    if with_personas and personas:
        _persona_cards(svg, lay)
    height = lay.y + PAD
    background = svg.root.find("rect")
    if background is not None:
        background.set("height", f"{height:g}")
    return svg.to_string(lay.width, height, localize(m.title, lang))


def _header(svg: Svg, lay: _Layout) -> None:
    m, lang = lay.m, lay.lang
    inner = lay.width - 2 * PAD
    title_lines = wrap(localize(m.title, lang), inner, 22)
    svg.text(
        PAD,
        PAD + 22,
        title_lines,
        22,
        line_height=28,
        font_weight="bold",
        fill="#111827",
        class_="map-title",
    )
    lay.y = PAD + 22 + 28 * (len(title_lines) - 1) + 10
    en, vi = MAP_TYPES[m.type]
    meta = [vi if lang == "vi" else en]
    if m.stage_model:
        meta.append(f"{label('stage_model', lang)}: {m.stage_model}")
    if m.owner:
        meta.append(f"{label('owner', lang)}: {m.owner}")
    if m.reviewed:
        meta.append(f"{label('reviewed', lang)}: {m.reviewed.isoformat()}")
    svg.text(PAD, lay.y + 12, " · ".join(meta), 12, fill="#6b7280")
    lay.y += 22
    if m.description:
        lines = wrap(localize(m.description, lang), inner, 13)
        svg.text(PAD, lay.y + 12, lines, 13, line_height=18, fill="#374151")
        lay.y += 18 * len(lines) + 4
    if m.vision or m.goals:
        _vision_box(svg, lay, inner)
    lay.y += 10


def _vision_box(svg: Svg, lay: _Layout, inner: float) -> None:
    m, lang = lay.m, lay.lang
    lines: list[tuple[str, bool]] = []
    if m.vision:
        lines.append((label("vision", lang), True))
        lines += [(t, False) for t in wrap(localize(m.vision, lang), inner - 24, 13)]
    if m.goals:
        lines.append((label("goals", lang), True))
        for goal in m.goals:
            lines += [(t, False) for t in wrap("• " + localize(goal, lang), inner - 24, 13)]
    height = 18 * len(lines) + 14
    svg.rect(PAD, lay.y, inner, height, rx=8, fill="#eef2ff", stroke="#6366f1")
    for index, (text, bold) in enumerate(lines):
        svg.text(
            PAD + 12,
            lay.y + 22 + 18 * index,
            text,
            13,
            font_weight="bold" if bold else None,
            fill="#312e81",
        )
    lay.y += height + 6


def _stages(svg: Svg, lay: _Layout) -> None:
    top = lay.y
    for index, stage in enumerate(lay.m.stages):
        x = lay.col_x(index)
        color = STAGE_COLORS[index % len(STAGE_COLORS)]
        w, h, tip = COL_W - 4, STAGE_H, 14
        notch = tip if index > 0 else 0
        points = (
            f"{x:g},{top:g} {x + w - tip:g},{top:g} {x + w:g},{top + h / 2:g} "
            f"{x + w - tip:g},{top + h:g} {x:g},{top + h:g} {x + notch:g},{top + h / 2:g}"
        )
        group = svg.group(class_="stage", id=f"stage-{stage.id}")
        svg.push(group)
        if stage.description:
            svg.title(group, localize(stage.description, lay.lang))
        svg.el("polygon", points=points, fill=color)
        name_lines = wrap(localize(stage.name, lay.lang), w - tip - notch - 16, 14, max_lines=2)
        text_y = top + (h - 18 * len(name_lines)) / 2 + 14
        if stage.time:
            svg.text(x + notch + 10, top + 14, stage.time, 10, fill="#dbeafe")
            text_y += 6
        svg.text(
            x + notch + 10,
            text_y,
            name_lines,
            14,
            line_height=18,
            fill="#ffffff",
            font_weight="bold",
        )
        svg.pop()
    lay.y = top + STAGE_H + 8


def _lane(svg: Svg, lay: _Layout, lane: Lane) -> None:
    if lane.kind == "emotions":
        _emotion_lane(svg, lay, lane)
        return
    info = LANE_KINDS[lane.kind]
    title = (
        localize(lane.title, lay.lang) if lane.title else (info.vi if lay.lang == "vi" else info.en)
    )
    per_stage = {s.id: _localized_cards(lane, s.id, lay.lang) for s in lay.m.stages}
    content = max((sum(c.height + 6 for c in cards) for cards in per_stage.values()), default=0)
    title_lines = wrap(title, LABEL_W - 24, 13)
    height = max(content + 10, 18 * len(title_lines) + 20, 44)
    top = lay.y
    group = svg.group(class_=f"lane lane-{lane.kind}", id=f"lane-{lane.id}")
    svg.push(group)
    fill = ZONE_FILL.get(info.zone, "#f8fafc")
    svg.rect(PAD, top, LABEL_W - 6, height, rx=6, fill=fill, stroke="#cbd5e1")
    svg.text(
        PAD + 10, top + 22, title_lines, 13, line_height=18, font_weight="bold", fill="#1f2937"
    )
    for index, stage in enumerate(lay.m.stages):
        x = lay.col_x(index)
        svg.rect(x, top, COL_W - 4, height, rx=6, fill=fill, stroke="#e2e8f0")
        y = top + 6
        for card in per_stage[stage.id]:
            _draw_card(svg, lane, card, x + 6, y, lay.lang)
            y += card.height + 6
    svg.pop()
    lay.lane_bounds.append((lane, top, top + height))
    lay.y = top + height + 6


def _localized_cards(lane: Lane, stage_id: str, lang: str) -> list[_Card]:
    cards = []
    for entry in lane.cells.get(stage_id, []):
        item = as_item(entry)
        indent = 22 if (item.channel or lane.kind in MARKERS) else 0
        lines = wrap(localize(item.text, lang), COL_W - 28 - indent, ITEM_SIZE)
        height = ITEM_LINE * len(lines) + 10 + (18 if item.tags else 0)
        cards.append(_Card(lines, item, list(item.tags), height))
    return cards


def _draw_card(svg: Svg, lane: Lane, card: _Card, x: float, y: float, lang: str) -> None:
    marker = MARKERS.get(lane.kind)
    fill = marker[2] if marker else "#ffffff"
    stroke = marker[1] if marker else "#d1d5db"
    group = svg.group(class_="item")
    svg.push(group)
    svg.rect(x, y, COL_W - 16, card.height, rx=5, fill=fill, stroke=stroke, stroke_width=0.8)
    text_x = x + 8
    if card.item.channel:
        draw_badge(svg, x + 15, y + 13, card.item.channel)
        text_x += 22
    elif marker:
        symbol, color, _ = marker
        svg.el("circle", cx=x + 15, cy=y + 13, r=8, fill=color, class_="marker")
        svg.text(x + 15, y + 17, symbol, 10, fill="#fff", font_weight="bold", text_anchor="middle")
        text_x += 22
    svg.text(text_x, y + 17, card.lines, ITEM_SIZE, line_height=ITEM_LINE, fill="#111827")
    if card.tags:
        tx = text_x
        ty = y + 10 + ITEM_LINE * len(card.lines)
        for tag in card.tags:
            en, vi = TAG_NAMES.get(tag, (tag, tag))
            name = vi if lang == "vi" else en
            width = 8 + len(name) * 6.0
            svg.rect(tx, ty, width, 14, rx=7, fill="#e0e7ff", class_="tag")
            svg.text(tx + 4, ty + 10.5, name, 9, fill="#3730a3")
            tx += width + 4
    svg.pop()


def _emotion_lane(svg: Svg, lay: _Layout, lane: Lane) -> None:
    lang = lay.lang
    top, height = lay.y, EMOTION_H
    plot_top, plot_bottom = top + 22, top + height - 22
    mid = (plot_top + plot_bottom) / 2

    def y_of(score: float) -> float:
        return mid - (score / EMOTION_MAX) * (plot_bottom - plot_top) / 2

    group = svg.group(class_="lane lane-emotions", id=f"lane-{lane.id}")
    svg.push(group)
    info = LANE_KINDS["emotions"]
    title = localize(lane.title, lang) if lane.title else (info.vi if lang == "vi" else info.en)
    svg.rect(PAD, top, LABEL_W - 6, height, rx=6, fill="#fdf4ff", stroke="#cbd5e1")
    svg.text(PAD + 10, top + 22, title, 13, font_weight="bold", fill="#1f2937")
    right = lay.col_x(len(lay.m.stages)) - 4
    svg.rect(
        lay.col_x(0), top, right - lay.col_x(0), height, rx=6, fill="#ffffff", stroke="#e2e8f0"
    )
    for score in (EMOTION_MAX, 1.0, 0.0, -1.0, EMOTION_MIN):
        svg.line(
            lay.col_x(0) + 4,
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
            PAD + LABEL_W - 14,
            y_of(score) + 4,
            label(key, lang),
            10,
            fill="#6b7280",
            text_anchor="end",
        )
    legend_y = top + 44
    stage_index = {s.id: i for i, s in enumerate(lay.m.stages)}
    order = {pid: i for i, pid in enumerate(lay.m.persona_ids())}
    for c_index, curve in enumerate(lay.m.emotions):
        persona = lay.personas.get(curve.persona)
        color = persona_color(persona, order.get(curve.persona, c_index)) if persona else "#6b7280"
        name = localize(persona.name, lang) if persona else curve.persona
        svg.line(PAD + 10, legend_y - 4, PAD + 28, legend_y - 4, stroke=color, stroke_width=3)
        svg.text(PAD + 34, legend_y, wrap(name, LABEL_W - 50, 10, max_lines=1), 10, fill="#374151")
        legend_y += 16
        points = sorted(
            (
                (stage_index[s], emotion_point(v))
                for s, v in curve.points.items()
                if s in stage_index
            ),
            key=lambda p: p[0],
        )
        coords = [(lay.col_x(i) + (COL_W - 4) / 2, y_of(p.score)) for i, p in points]
        curve_group = svg.group(class_="emotion-curve", data_persona=curve.persona)
        svg.push(curve_group)
        if len(coords) > 1:
            svg.el(
                "polyline",
                points=" ".join(f"{x:g},{y:g}" for x, y in coords),
                fill="none",
                stroke=color,
                stroke_width=3,
                stroke_linejoin="round",
            )
        for (x, y), (_, point) in zip(coords, points, strict=True):
            dot = svg.el("circle", cx=x, cy=y, r=6, fill=color, stroke="#fff", stroke_width=2)
            note = localize(point.note, lang) if point.note else ""
            svg.title(dot, f"{name}: {point.score:+g}" + (f" — {note}" if note else ""))
            if note:
                lines = wrap(note, COL_W - 40, 10, max_lines=2)
                ny = y + 18 + 11 * c_index if point.score >= 0 else y - 12 - 11 * len(lines)
                svg.text(
                    x,
                    ny,
                    lines,
                    10,
                    line_height=11,
                    fill=color,
                    text_anchor="middle",
                    font_style="italic",
                )
        svg.pop()
    svg.pop()
    lay.lane_bounds.append((lane, top, top + height))
    lay.y = top + height + 6


def _blueprint_lines(svg: Svg, lay: _Layout) -> None:
    bounds = lay.lane_bounds
    for (above, _, bottom), (below, top, _) in itertools.pairwise(bounds):
        if above is None or below is None:
            continue
        key = BLUEPRINT_LINES.get((LANE_KINDS[above.kind].zone, LANE_KINDS[below.kind].zone))
        if key is None:
            continue
        y = (bottom + top) / 2
        svg.line(
            PAD,
            y,
            lay.width - PAD,
            y,
            stroke="#0f172a",
            stroke_width=1.5,
            stroke_dasharray="8 5",
            class_=f"blueprint-line {key.replace('_', '-')}",
        )
        text = label(key, lay.lang)
        svg.rect(
            lay.width - PAD - 8 - len(text) * 6.6,
            y - 9,
            len(text) * 6.6 + 8,
            16,
            rx=3,
            fill="#0f172a",
        )
        svg.text(
            lay.width - PAD - 4,
            y + 3,
            text,
            10,
            fill="#ffffff",
            text_anchor="end",
            font_weight="bold",
        )


def _legend(svg: Svg, lay: _Layout) -> None:
    lang = lay.lang
    y = lay.y + 18
    x = PAD
    svg.text(x, y, label("legend", lang) + ":", 11, font_weight="bold", fill="#374151")
    x += 70
    for kind, key in (
        ("pain_points", "legend_pain"),
        ("pleasure_points", "legend_pleasure"),
        ("opportunities", "legend_opportunity"),
    ):
        symbol, color, _ = MARKERS[kind]
        svg.el("circle", cx=x + 7, cy=y - 4, r=7, fill=color)
        svg.text(x + 7, y, symbol, 9, fill="#fff", text_anchor="middle", font_weight="bold")
        text = label(key, lang)
        svg.text(x + 18, y, text, 11, fill="#374151")
        x += 30 + len(text) * 6.4
    svg.text(x, y, "· " + label("legend_scale", lang), 11, fill="#374151")
    lay.y = y + 12


def _persona_cards(svg: Svg, lay: _Layout) -> None:
    lay.y += 16
    svg.text(PAD, lay.y + 14, label("personas", lay.lang), 16, font_weight="bold", fill="#111827")
    lay.y += 28
    per_row = max(1, int((lay.width - 2 * PAD + 16) // (CARD_W + 16)))
    order = lay.m.persona_ids()
    row_height = 0.0
    for index, persona_id in enumerate(order):
        persona = lay.personas.get(persona_id)
        if persona is None:
            continue
        col = index % per_row
        if col == 0 and index:
            lay.y += row_height + 16
            row_height = 0.0
        x = PAD + col * (CARD_W + 16)
        height = draw_persona_card(svg, persona, x, lay.y, persona_color(persona, index), lay.lang)
        row_height = max(row_height, height)
    lay.y += row_height
