"""A journey map drawn as SVG: stages across, lanes down, emotion curves as a line chart."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from journeyscope.maps.lanes import LANE_KINDS, TAG_NAMES
from journeyscope.maps.limits import check_drawable
from journeyscope.maps.model import MAP_TYPES, Item, JourneyMap, Lane, as_item
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import localize
from journeyscope.render.emotion_lane import draw_emotion_lane
from journeyscope.render.fit import fit_wrap, fitted_width
from journeyscope.render.labels import label
from journeyscope.render.persona_card import (
    CARD_W,
    draw_badge,
    draw_persona_card,
    persona_color,
)
from journeyscope.render.svg_builder import Svg

PAD = 24.0
LABEL_W = 180.0
COL_W = 230.0
STAGE_H = 58.0
ITEM_SIZE = 12.0
ITEM_LINE = 16.0
TAG_ROW = 18.0
BLUEPRINT_GAP = 18.0  # extra room between lanes split by a blueprint line, for its label
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
    tags: list[list[tuple[str, float]]]  # rows of (name, pill width)
    height: float


@dataclass(frozen=True)
class Band:
    """A horizontal strip of the drawn map: the header, one lane, or the legend."""

    kind: str
    top: float
    bottom: float


@dataclass
class _Layout:
    m: JourneyMap
    personas: dict[str, Persona]
    lang: str
    width: float = 0.0
    y: float = 0.0
    lane_bounds: list[tuple[Lane | None, float, float]] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)

    def col_x(self, index: int) -> float:
        return PAD + LABEL_W + index * COL_W


def render_map_svg(
    m: JourneyMap, personas: dict[str, Persona], lang: str = "en", with_personas: bool = True
) -> str:
    """The whole map as one SVG document (persona cards below the grid when asked)."""
    return render_map_bands(m, personas, lang, with_personas)[0]


def render_map_bands(
    m: JourneyMap, personas: dict[str, Persona], lang: str = "en", with_personas: bool = True
) -> tuple[str, list[Band]]:
    """The SVG and its horizontal bands (header, lanes, legend), for printing page by page."""
    check_drawable(m)  # a clear refusal instead of minutes of drawing (docs/security.md)
    svg = Svg()
    lay = _Layout(m, personas, lang)
    lay.width = PAD * 2 + LABEL_W + COL_W * len(m.stages)
    svg.rect(0, 0, lay.width, 10, fill="#ffffff", id="background")
    _header(svg, lay)
    _stages(svg, lay)
    lay.bands.append(Band("header", 0.0, lay.y))
    lanes = list(m.lanes)
    if m.emotions and not any(lane.kind == "emotions" for lane in lanes):
        lanes.append(Lane(id="emotions", kind="emotions"))
    previous: Lane | None = None
    for lane in lanes:
        if previous is not None and _blueprint_key(previous, lane):
            lay.y += BLUEPRINT_GAP
        start = lay.y
        if lane.kind == "emotions":
            draw_emotion_lane(svg, lay, lane)
        else:
            _lane(svg, lay, lane)
        lay.bands.append(Band(f"lane-{lane.id}", start, lay.y))
        previous = lane
    _blueprint_lines(svg, lay)
    start = lay.y
    _legend(svg, lay)
    lay.bands.append(Band("legend", start, lay.y + 8))
    if with_personas and personas:
        _persona_cards(svg, lay)
    height = lay.y + PAD
    background = svg.root.find("rect")
    if background is not None:
        background.set("height", f"{height:g}")
    return svg.to_string(lay.width, height, localize(m.title, lang)), lay.bands


def _blueprint_key(above: Lane, below: Lane) -> str | None:
    return BLUEPRINT_LINES.get((LANE_KINDS[above.kind].zone, LANE_KINDS[below.kind].zone))


def _header(svg: Svg, lay: _Layout) -> None:
    m, lang = lay.m, lay.lang
    inner = lay.width - 2 * PAD
    title_lines = fit_wrap(localize(m.title, lang), inner, 22, bold=True)
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
    meta_lines = fit_wrap(" · ".join(meta), inner, 12)
    svg.text(PAD, lay.y + 12, meta_lines, 12, line_height=16, fill="#6b7280")
    lay.y += 16 * len(meta_lines) + 6
    if m.description:
        lines = fit_wrap(localize(m.description, lang), inner, 13)
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
        lines += [(t, False) for t in fit_wrap(localize(m.vision, lang), inner - 24, 13)]
    if m.goals:
        lines.append((label("goals", lang), True))
        for goal in m.goals:
            lines += [(t, False) for t in fit_wrap("• " + localize(goal, lang), inner - 24, 13)]
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
    """Stage arrows, all as tall as the longest name needs (names are never cut)."""
    top = lay.y
    w, tip = COL_W - 4, 14
    names = [
        fit_wrap(localize(stage.name, lay.lang), w - tip - (tip if i else 0) - 18, 14, bold=True)
        for i, stage in enumerate(lay.m.stages)
    ]
    timed = any(stage.time for stage in lay.m.stages)
    h = max(STAGE_H, 18 * max((len(n) for n in names), default=1) + 22 + (14 if timed else 0))
    for index, stage in enumerate(lay.m.stages):
        x = lay.col_x(index)
        color = STAGE_COLORS[index % len(STAGE_COLORS)]
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
        name_lines = names[index]
        offset = 14 if timed else 0
        text_y = top + offset + (h - offset - 18 * len(name_lines)) / 2 + 13
        if stage.time:
            svg.text(x + notch + 10, top + 15, stage.time, 10, fill="#dbeafe")
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
    lay.y = top + h + 8


def _lane(svg: Svg, lay: _Layout, lane: Lane) -> None:
    info = LANE_KINDS[lane.kind]
    title = (
        localize(lane.title, lay.lang) if lane.title else (info.vi if lay.lang == "vi" else info.en)
    )
    per_stage = {s.id: _localized_cards(lane, s.id, lay.lang) for s in lay.m.stages}
    content = max((sum(c.height + 6 for c in cards) for cards in per_stage.values()), default=0)
    title_lines = fit_wrap(title, LABEL_W - 26, 13, bold=True)
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


ITEM_W = COL_W - 16  # a card inside its cell
ITEM_TEXT_W = ITEM_W - 18  # 8 px padding left, 10 px right


def _localized_cards(lane: Lane, stage_id: str, lang: str) -> list[_Card]:
    cards = []
    for entry in lane.cells.get(stage_id, []):
        item = as_item(entry)
        indent = 22 if (item.channel or lane.kind in MARKERS) else 0
        lines = fit_wrap(localize(item.text, lang), ITEM_TEXT_W - indent, ITEM_SIZE)
        tags = _tag_rows(item.tags, lang, ITEM_TEXT_W - indent)
        height = ITEM_LINE * len(lines) + 10 + TAG_ROW * len(tags)
        cards.append(_Card(lines, item, tags, height))
    return cards


def _tag_rows(tags: list[str], lang: str, width: float) -> list[list[tuple[str, float]]]:
    """Tag pills in rows no wider than the card's text."""
    rows: list[list[tuple[str, float]]] = []
    used = 0.0
    for tag in tags:
        en, vi = TAG_NAMES.get(tag, (tag, tag))
        name = vi if lang == "vi" else en
        pill = fitted_width(name, 9) + 10
        if not rows or used + pill > width:
            rows.append([])
            used = 0.0
        rows[-1].append((name, pill))
        used += pill + 4
    return rows


def _draw_card(svg: Svg, lane: Lane, card: _Card, x: float, y: float, lang: str) -> None:
    marker = MARKERS.get(lane.kind)
    fill = marker[2] if marker else "#ffffff"
    stroke = marker[1] if marker else "#d1d5db"
    group = svg.group(class_="item")
    svg.push(group)
    svg.rect(x, y, ITEM_W, card.height, rx=5, fill=fill, stroke=stroke, stroke_width=0.8)
    text_x = x + 8
    if card.item.channel:
        draw_badge(svg, x + 15, y + 13, card.item.channel, lang)
        text_x += 22
    elif marker:
        symbol, color, _ = marker
        svg.el("circle", cx=x + 15, cy=y + 13, r=8, fill=color, class_="marker")
        svg.text(x + 15, y + 17, symbol, 10, fill="#fff", font_weight="bold", text_anchor="middle")
        text_x += 22
    svg.text(text_x, y + 17, card.lines, ITEM_SIZE, line_height=ITEM_LINE, fill="#111827")
    ty = y + 10 + ITEM_LINE * len(card.lines)
    for row in card.tags:
        tx = text_x
        for name, width in row:
            svg.rect(tx, ty, width, 14, rx=7, fill="#e0e7ff", class_="tag")
            svg.text(tx + 5, ty + 10.5, name, 9, fill="#3730a3")
            tx += width + 4
        ty += TAG_ROW
    svg.pop()


def _blueprint_lines(svg: Svg, lay: _Layout) -> None:
    """The blueprint's lines, each in the gap left between its two lanes, label at the right."""
    bounds = lay.lane_bounds
    for (above, _, bottom), (below, top, _) in itertools.pairwise(bounds):
        if above is None or below is None:
            continue
        key = _blueprint_key(above, below)
        if key is None:
            continue
        y = (bottom + top) / 2
        text = label(key, lay.lang)
        width = fitted_width(text, 10, bold=True) + 12
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
        svg.rect(lay.width - PAD - width, y - 8, width, 16, rx=3, fill="#0f172a")
        svg.text(
            lay.width - PAD - 6,
            y + 3.5,
            text,
            10,
            fill="#ffffff",
            text_anchor="end",
            font_weight="bold",
        )


def _legend(svg: Svg, lay: _Layout) -> None:
    """Marker legend and the emotion scale, in as many rows as the map's width needs."""
    lang = lay.lang
    right = lay.width - PAD
    y = lay.y + 18
    head = label("legend", lang) + ":"
    svg.text(PAD, y, head, 11, font_weight="bold", fill="#374151")
    start = PAD + fitted_width(head, 11, bold=True) + 12
    x = start
    entries: list[tuple[str | None, str]] = [
        (kind, label(key, lang))
        for kind, key in (
            ("pain_points", "legend_pain"),
            ("pleasure_points", "legend_pleasure"),
            ("opportunities", "legend_opportunity"),
        )
    ]
    entries.append((None, "· " + label("legend_scale", lang)))
    for kind, text in entries:
        width = (18 if kind else 0) + fitted_width(text, 11)
        if x + width > right and x > start:
            x, y = start, y + 18
        if kind:
            symbol, color, _ = MARKERS[kind]
            svg.el("circle", cx=x + 7, cy=y - 4, r=7, fill=color)
            svg.text(x + 7, y, symbol, 9, fill="#fff", text_anchor="middle", font_weight="bold")
        svg.text(x + (18 if kind else 0), y, text, 11, fill="#374151")
        x += width + 14
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
