"""A self-contained HTML page for a map: inline SVG and CSS, no script, no network.

A Content-Security-Policy forbids every fetch, so the file opens the same offline, in an
email attachment or on a phone. On narrow screens the map scrolls sideways at full size
(readable) while the header and persona cards reflow. Printed (and as PDF), the map is drawn
on whole A3 pages: on one sheet when it stays readable there, otherwise split between lanes
with the stage header repeated on every sheet; persona cards start on a sheet of their own.
"""

from __future__ import annotations

import math
import re
from html import escape

from journeyscope.maps.channels import channel
from journeyscope.maps.model import MAP_TYPES, JourneyMap
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import localize
from journeyscope.render.browser import pdf_scale, printable_px
from journeyscope.render.labels import label
from journeyscope.render.persona_card import facts, persona_color, sections
from journeyscope.render.svg_builder import FONT
from journeyscope.render.svg_map import Band, render_map_bands

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"

CSS = f"""
*{{box-sizing:border-box}}
body{{margin:0;font-family:{FONT};color:#111827;background:#f1f5f9;line-height:1.45}}
header{{padding:20px 24px 8px;max-width:1200px}}
h1{{font-size:1.5rem;margin:0 0 4px}}
.meta{{color:#6b7280;font-size:.85rem;margin:0 0 8px}}
.map-scroll{{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;
  margin:0 12px;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12)}}
.map-scroll svg{{display:block}}
.hint{{font-size:.8rem;color:#6b7280;margin:6px 16px}}
.personas{{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:14px;
  padding:16px 12px 28px}}
.card{{background:#fff;border-radius:10px;border:2px solid var(--c);padding:14px 16px;
  break-inside:avoid}}
.card h3{{margin:0;font-size:1.05rem}}
.card .seg{{color:#6b7280;font-size:.8rem;margin:0 0 6px}}
.card blockquote{{margin:6px 0;font-style:italic;color:#374151}}
.card h4{{margin:10px 0 2px;font-size:.8rem;color:var(--c)}}
.card ul{{margin:0;padding-left:18px;font-size:.85rem}}
.facts{{font-size:.8rem;color:#374151;margin:0;padding:0;list-style:none}}
.chan{{display:inline-block;font-size:.75rem;padding:2px 8px;border-radius:10px;color:#fff;
  margin:2px 4px 0 0}}
footer{{font-size:.75rem;color:#94a3b8;padding:0 16px 16px}}
.persona-head{{font-size:1rem;margin:16px 16px 0}}
.print-pages{{display:none}}
.print-page{{overflow:hidden;background:#fff}}
.print-page svg{{display:block}}
@media (max-width:640px){{h1{{font-size:1.2rem}}header{{padding:14px 14px 4px}}}}
@media (min-width:641px){{.hint{{display:none}}}}
@media print{{
  body{{background:#fff}}
  header,footer,.hint,.map-scroll{{display:none}}
  .print-pages{{display:block}}
  .print-page+.print-page{{break-before:page}}
  .persona-head{{break-before:page;break-after:avoid}}
  .personas{{grid-template-columns:repeat(3,1fr)}}
}}
"""


def render_map_html(m: JourneyMap, personas: dict[str, Persona], lang: str = "en") -> str:
    title = localize(m.title, lang)
    en, vi = MAP_TYPES[m.type]
    svg, bands = render_map_bands(m, personas, lang, with_personas=False)
    cards = "".join(
        _card(personas[pid], persona_color(personas[pid], i), lang)
        for i, pid in enumerate(m.persona_ids())
        if pid in personas
    )
    swipe = (
        "Vuốt ngang để xem toàn bộ bản đồ →"
        if lang == "vi"
        else "Swipe sideways to see the whole map →"
    )
    description = f"<p>{escape(localize(m.description, lang))}</p>" if m.description else ""
    persona_block = (
        f"<h2 class='persona-head'>{escape(label('personas', lang))}</h2>"
        f"<section class='personas'>{cards}</section>"
        if cards
        else ""
    )
    return (
        "<!doctype html>\n"
        f"<html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='JourneyScope'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1>"
        f"<p class='meta'>{escape(vi if lang == 'vi' else en)}</p>{description}</header>"
        f"<p class='hint'>{escape(swipe)}</p>"
        f"<div class='map-scroll' role='region' aria-label='{escape(title)}' tabindex='0'>"
        f"{svg}</div>{print_pages(svg, bands)}{persona_block}"
        f"<footer>{escape(label('made_with', lang))}</footer></body></html>\n"
    )


#: Below this zoom a whole map on one A3 sheet is too small to read: split it between lanes.
MIN_PRINT_ZOOM = 0.62
#: A small map is drawn up to this much larger, to use the sheet.
MAX_PRINT_ZOOM = 1.25


def print_pages(svg: str, bands: list[Band]) -> str:
    """The map cut into A3 sheets (shown only when printing), none of them mostly blank."""
    width, height = _svg_size(svg)
    scale = pdf_scale(width)
    page_w, page_h = (side / scale for side in printable_px())
    page_h -= 6  # rounding must never push a sheet's bottom onto the next one
    fit = min(MAX_PRINT_ZOOM, page_w / width, page_h / height)
    if fit >= MIN_PRINT_ZOOM or len(bands) < 3:
        sheets = [[(0.0, height)]]
        zooms = [fit]
    else:
        head = (bands[0].top, bands[0].bottom)
        groups = _split_bands(bands[1:], page_h - (head[1] - head[0]))
        sheets = [[head, (group[0].top, group[-1].bottom)] for group in groups]
        zooms = [
            min(MAX_PRINT_ZOOM, page_w / width, page_h / sum(b - a for a, b in sheet))
            for sheet in sheets
        ]
    body = "".join(
        f"<div class='print-page' style='width:{page_w:.0f}px;height:{page_h:.0f}px'>"
        + "".join(_slice(svg, width, top, bottom, zoom) for top, bottom in sheet)
        + "</div>"
        for sheet, zoom in zip(sheets, zooms, strict=True)
    )
    return f"<div class='print-pages' aria-hidden='true'>{body}</div>"


def _split_bands(bands: list[Band], room: float) -> list[list[Band]]:
    """Consecutive bands in groups of about equal height, each within ``room`` if it can be."""
    total = bands[-1].bottom - bands[0].top
    count = max(1, math.ceil(total / room))
    target = total / count
    groups: list[list[Band]] = [[]]
    for band in bands:
        group = groups[-1]
        used = group[-1].bottom - group[0].top if group else 0.0
        grown = band.bottom - group[0].top if group else band.bottom - band.top
        if group and (grown > room or (used >= target and len(groups) < count)):
            groups.append([band])
        else:
            group.append(band)
    return groups


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg)
    assert match is not None
    return float(match.group(1)), float(match.group(2))


def _slice(svg: str, width: float, top: float, bottom: float, zoom: float) -> str:
    """A copy of the map showing the strip from ``top`` to ``bottom``, ``zoom`` times its size."""
    height = bottom - top
    opening = (
        f'width="{width * zoom:.1f}" height="{height * zoom:.1f}" '
        f'viewBox="0 {top:g} {width:g} {height:g}"'
    )
    copy = re.sub(r'width="[\d.]+" height="[\d.]+" viewBox="[^"]*"', opening, svg, count=1)
    return re.sub(r' id="[^"]*"', "", copy)  # ids stay unique to the on-screen map


def _card(persona: Persona, color: str, lang: str) -> str:
    parts = [
        f"<article class='card' style='--c:{escape(color)}' id='persona-{escape(persona.id)}'>"
    ]
    parts.append(f"<h3>{escape(localize(persona.name, lang))}</h3>")
    if persona.segment:
        parts.append(f"<p class='seg'>{escape(localize(persona.segment, lang))}</p>")
    if persona.quote:
        parts.append(f"<blockquote>“{escape(localize(persona.quote, lang))}”</blockquote>")
    fact_items = "".join(f"<li>{escape(f)}</li>" for f in facts(persona, lang))
    if fact_items:
        parts.append(f"<ul class='facts'>{fact_items}</ul>")
    for field, text in (("p_biography", persona.biography), ("p_lifestyle", persona.lifestyle)):
        if text:
            parts.append(
                f"<h4>{escape(label(field, lang))}</h4>"
                f"<p style='margin:0;font-size:.85rem'>{escape(localize(text, lang))}</p>"
            )
    for title, values in sections(persona, lang):
        items = "".join(f"<li>{escape(v)}</li>" for v in values)
        parts.append(f"<h4>{escape(title)}</h4><ul>{items}</ul>")
    if persona.channels:
        chips = "".join(
            f"<span class='chan' style='background:{escape(channel(c).color)}'>"
            f"{escape(channel(c).vi if lang == 'vi' else channel(c).en)}</span>"
            for c in persona.channels
        )
        parts.append(f"<h4>{escape(label('p_channels', lang))}</h4><div>{chips}</div>")
    parts.append("</article>")
    return "".join(parts)


def render_persona_html(persona: Persona, lang: str = "en") -> str:
    name = localize(persona.name, lang)
    return (
        "<!doctype html>\n"
        f"<html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(name)}</title><style>{CSS}</style></head><body>"
        f"<section class='personas'>{_card(persona, persona_color(persona, 0), lang)}</section>"
        "</body></html>\n"
    )
