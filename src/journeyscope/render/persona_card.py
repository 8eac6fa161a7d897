"""A persona drawn as a card, in SVG (for SVG/PNG/PDF maps) with the same content as HTML."""

from __future__ import annotations

from dataclasses import dataclass

from journeyscope.i18n.formatting import format_number, format_vnd_short
from journeyscope.maps.channels import channel
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import localize
from journeyscope.render.fit import fit_wrap, fitted_width
from journeyscope.render.labels import label
from journeyscope.render.svg_builder import Svg

CARD_W = 360.0
PERSONA_COLORS = ["#e11d48", "#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04"]


def persona_color(persona: Persona, index: int) -> str:
    return persona.color or PERSONA_COLORS[index % len(PERSONA_COLORS)]


def facts(persona: Persona, lang: str) -> list[str]:
    """One-line demographic facts: age, gender, income, location, occupation, family."""
    d = persona.demographics
    if d is None:
        return []
    out: list[str] = []
    if d.age_range:
        out.append(f"{label('age', lang)} {d.age_range}")
    for value in (d.gender, d.occupation, d.location, d.family, d.education):
        if value is not None:
            out.append(localize(value, lang))
    if d.income_vnd_month:
        low, high = d.income_vnd_month
        low_text, high_text = format_vnd_short(low, lang), format_vnd_short(high, lang)
        out.append(f"{label('income', lang)} {low_text} – {high_text} {label('per_month', lang)}")
    return out


def sections(persona: Persona, lang: str) -> list[tuple[str, list[str]]]:
    fields = [
        ("p_goals", persona.goals),
        ("p_needs", persona.needs),
        ("p_pain_points", persona.pain_points),
        ("p_motivations", persona.motivations),
        ("p_shopping", persona.shopping_preferences),
        ("p_sources", persona.information_sources),
        ("p_personality", persona.personality),
        ("p_emotional", persona.emotional_side),
    ]
    out = [(label(key, lang), [localize(v, lang) for v in values]) for key, values in fields]
    return [(title, values) for title, values in out if values]


@dataclass
class _Cursor:
    y: float


@dataclass(frozen=True)
class LiveSegment:
    """A persona's customers in the data now, computed above this layer and handed down
    (``app.segments.persona_live``): renderers never read a workspace."""

    customers: int
    share: float | None = None
    #: (channel id, share of the customers who use it), most used first
    channels: tuple[tuple[str, float], ...] = ()
    #: the median order value, in VND
    typical_order: float | None = None
    products: tuple[str, ...] = ()


def live_lines(live: LiveSegment, lang: str) -> list[str]:
    """The card's live facts as lines: size and share, typical order, channels, products."""
    size = f"{format_number(live.customers, lang)} {label('p_live_size', lang)}"
    if live.share is not None:
        size += f" · {format_number(live.share * 100, lang, 1)} %"
    lines = [size]
    if live.typical_order is not None:
        lines.append(f"{label('p_live_order', lang)} {format_vnd_short(live.typical_order, lang)}")
    if live.channels:
        shown = [
            f"{_channel_name(c, lang)} {format_number(s * 100, lang)} %"
            for c, s in live.channels[:4]
        ]
        lines.append(" · ".join(shown))
    if live.products:
        lines.append(f"{label('p_live_products', lang)}: {', '.join(live.products[:3])}")
    return lines


def _channel_name(channel_id: str, lang: str) -> str:
    info = channel(channel_id)
    return info.vi if lang == "vi" else info.en


def _draw_live(svg: Svg, live: LiveSegment, x: float, cur: _Cursor, color: str, lang: str) -> None:
    cur.y += 12
    svg.text(x + 16, cur.y + 8, label("p_live", lang), 11, font_weight="bold", fill=color)
    cur.y += 15
    for line in live_lines(live, lang):
        lines = fit_wrap(line, CARD_W - 32, 11)
        svg.text(x + 16, cur.y + 8, lines, 11, fill="#111827")
        cur.y += 14 * len(lines)


def draw_persona_card(
    svg: Svg,
    persona: Persona,
    x: float,
    y: float,
    color: str,
    lang: str,
    live: LiveSegment | None = None,
) -> float:
    """Draw the card with its top-left at (x, y); return its height. ``live``: the
    persona's segment in the data now (size, typical order, channels, products)."""
    inner = CARD_W - 32
    group = svg.group(class_="persona-card", id=f"persona-{persona.id}")
    svg.push(group)
    body = svg.group()
    svg.push(body)
    cur = _Cursor(_card_head(svg, persona, x, y, color, lang))
    if persona.quote:
        lines = fit_wrap(f"“{localize(persona.quote, lang)}”", inner, 12, italic=True)
        svg.text(x + 16, cur.y + 8, lines, 12, font_style="italic", fill="#374151")
        cur.y += 16 * len(lines) + 8
    for fact in facts(persona, lang):
        lines = fit_wrap(fact, inner, 11)
        svg.text(x + 16, cur.y + 8, lines, 11, fill="#374151")
        cur.y += 14 * len(lines)
    for title, values in sections(persona, lang):
        cur.y += 10
        svg.text(x + 16, cur.y + 8, title, 11, font_weight="bold", fill=color)
        cur.y += 15
        for value in values:
            lines = fit_wrap(value, inner - 12, 11)
            svg.text(x + 16, cur.y + 8, "•", 11, fill="#6b7280")
            svg.text(x + 28, cur.y + 8, lines, 11, fill="#111827")
            cur.y += 14 * len(lines)
    if live is not None:
        _draw_live(svg, live, x, cur, color, lang)
    if persona.channels:
        cur.y += 12
        svg.text(x + 16, cur.y + 8, label("p_channels", lang), 11, font_weight="bold", fill=color)
        cur.y += 16
        bx = x + 16
        for channel_id in persona.channels:
            info = channel(channel_id)
            name = info.vi if lang == "vi" else info.en
            width = 26 + fitted_width(name, 10)
            if bx + width > x + CARD_W - 16:
                bx = x + 16
                cur.y += 22
            draw_badge(svg, bx + 9, cur.y + 4, channel_id, lang)
            svg.text(bx + 22, cur.y + 8, name, 10, fill="#374151")
            bx += width + 8
        cur.y += 14
    svg.pop()
    height = cur.y - y + 14
    # The frame goes first so it sits under the text.
    frame = svg.parent.makeelement(
        "rect",
        {
            "x": f"{x:g}",
            "y": f"{y:g}",
            "width": f"{CARD_W:g}",
            "height": f"{height:g}",
            "rx": "10",
            "fill": "#ffffff",
            "stroke": color,
            "stroke-width": "1.5",
        },
    )
    svg.parent.insert(0, frame)
    svg.pop()
    return height


def _card_head(svg: Svg, persona: Persona, x: float, y: float, color: str, lang: str) -> float:
    """The avatar, the name and the segment, wrapped to the card; returns the y below them."""
    inner = CARD_W - 32
    cur = y + 30
    name_lines = fit_wrap(localize(persona.name, lang), inner - 40, 15, bold=True)
    svg.el("circle", cx=x + 30, cy=y + 34, r=16, fill=color)
    svg.text(
        x + 30,
        y + 39,
        localize(persona.name, lang)[:1].upper(),
        15,
        fill="#fff",
        font_weight="bold",
        text_anchor="middle",
    )
    svg.text(x + 56, cur + 2, name_lines, 15, font_weight="bold", fill="#111827")
    cur += 20 * len(name_lines)
    if persona.segment:
        segment = fit_wrap(localize(persona.segment, lang), inner - 40, 11)
        svg.text(x + 56, cur, segment, 11, line_height=14, fill="#6b7280")
        cur += 14 * len(segment) + 2
    return max(cur, y + 62)


def draw_badge(
    svg: Svg, cx: float, cy: float, channel_id: str | None, lang: str = "en", r: float = 9
) -> None:
    """A channel icon: a coloured disc with the channel's badge letters; its tooltip names
    the channel in the map's language."""
    info = channel(channel_id)
    group = svg.group(class_="channel-badge")
    svg.push(group)
    svg.title(group, info.vi if lang == "vi" else info.en)
    svg.el("circle", cx=cx, cy=cy, r=r, fill=info.color)
    size = 9 if len(info.badge) == 1 else 7
    svg.text(
        cx,
        cy + size * 0.36,
        info.badge,
        size,
        fill="#fff",
        font_weight="bold",
        text_anchor="middle",
    )
    svg.pop()


def persona_card_svg(
    persona: Persona, lang: str, color: str | None = None, live: LiveSegment | None = None
) -> str:
    svg = Svg()
    chosen = color or persona_color(persona, 0)
    height = draw_persona_card(svg, persona, 8, 8, chosen, lang, live)
    return svg.to_string(CARD_W + 16, height + 16, localize(persona.name, lang))
