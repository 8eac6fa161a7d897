"""A self-contained HTML page for a map: inline SVG and CSS, no script, no network.

A Content-Security-Policy forbids every fetch, so the file opens the same offline, in an
email attachment or on a phone. On narrow screens the map scrolls sideways at full size
(readable) while the header and persona cards reflow; printed, the map fits the page width.
"""

from __future__ import annotations

from html import escape

from journeyscope.maps.channels import channel
from journeyscope.maps.model import MAP_TYPES, JourneyMap
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import localize
from journeyscope.render.labels import label
from journeyscope.render.persona_card import facts, persona_color, sections
from journeyscope.render.svg_builder import FONT
from journeyscope.render.svg_map import render_map_svg

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
@media (max-width:640px){{h1{{font-size:1.2rem}}header{{padding:14px 14px 4px}}}}
@media (min-width:641px){{.hint{{display:none}}}}
@media print{{
  body{{background:#fff}}
  header{{display:none}}
  .map-scroll{{overflow:visible;box-shadow:none;margin:0}}
  .map-scroll svg{{width:100%;height:auto}}
  .hint{{display:none}}
  .personas{{grid-template-columns:repeat(3,1fr)}}
}}
"""


def render_map_html(m: JourneyMap, personas: dict[str, Persona], lang: str = "en") -> str:
    title = localize(m.title, lang)
    en, vi = MAP_TYPES[m.type]
    svg = render_map_svg(m, personas, lang, with_personas=False)
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
        f"<h2 class='hint' style='display:block;font-size:1rem;color:#111827'>"
        f"{escape(label('personas', lang))}</h2><section class='personas'>{cards}</section>"
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
        f"{svg}</div>{persona_block}"
        f"<footer>{escape(label('made_with', lang))}</footer></body></html>\n"
    )


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
