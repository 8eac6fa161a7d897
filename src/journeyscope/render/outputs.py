"""One entry point per output: the renderers register here by file extension.

Built-in formats go through the same registry a plugin would use (``register``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from journeyscope.errors import InputError, Location
from journeyscope.i18n import t
from journeyscope.maps.excel import export_xlsx
from journeyscope.maps.io import write_atomic
from journeyscope.maps.mermaid import export_mermaid
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.personas import Persona
from journeyscope.render.browser import check_pdf_size, html_to_pdf, png_scale, svg_to_png
from journeyscope.render.html_page import render_map_html
from journeyscope.render.persona_card import LiveSegment
from journeyscope.render.svg_map import render_map_svg

Renderer = Callable[[JourneyMap, dict[str, Persona], str], str | bytes]
RENDERERS: dict[str, Renderer] = {}


def register(extension: str, renderer: Renderer) -> None:
    RENDERERS[extension.lower().lstrip(".")] = renderer


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg)
    assert match is not None
    return float(match.group(1)), float(match.group(2))


def _png(m: JourneyMap, personas: dict[str, Persona], lang: str) -> bytes:
    svg = render_map_svg(m, personas, lang)
    width, height = _svg_size(svg)
    # Big maps are drawn smaller (Chromium's side limit, a pixel budget); huge ones refused.
    return svg_to_png(svg, width, height, png_scale(width, height))


def _pdf(m: JourneyMap, personas: dict[str, Persona], lang: str) -> bytes:
    width, height = _svg_size(render_map_svg(m, personas, lang, with_personas=False))
    check_pdf_size(width, height)
    return html_to_pdf(render_map_html(m, personas, lang), width)


def _xlsx(m: JourneyMap, personas: dict[str, Persona], lang: str) -> bytes:
    del lang  # every language gets its own sheet
    return export_xlsx(m, {pid: p.name for pid, p in personas.items()})


register("svg", render_map_svg)
register("html", render_map_html)
register("htm", render_map_html)
register("png", _png)
register("pdf", _pdf)
register("xlsx", _xlsx)
register("mmd", export_mermaid)


def output_format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in RENDERERS:
        formats = ", ".join(f".{f}" for f in RENDERERS)
        raise InputError(
            t("unknown_format", "en", path=str(path)),
            t("unknown_format", "vi", path=str(path)),
            location=Location(file=str(path)),
            hint_en=t("unknown_format_hint", "en", formats=formats),
            hint_vi=t("unknown_format_hint", "vi", formats=formats),
            code="unsupported_format",
        )
    return fmt


def render_to_file(
    m: JourneyMap, personas: dict[str, Persona], out: Path, lang: str = "en"
) -> Path:
    """Render ``m`` to ``out`` (format from the extension); the file appears whole or not."""
    result = RENDERERS[output_format(out)](m, personas, lang)
    write_atomic(out, result)
    return out


def render_persona(
    persona: Persona, out: Path, lang: str = "en", live: LiveSegment | None = None
) -> Path:
    """A persona card as .svg, .html or .png (``live``: its segment's numbers, on the
    SVG and PNG card)."""
    from journeyscope.render.html_page import render_persona_html
    from journeyscope.render.persona_card import persona_card_svg

    fmt = out.suffix.lower().lstrip(".")
    svg = persona_card_svg(persona, lang, live=live)
    data: str | bytes
    if fmt == "svg":
        data = svg
    elif fmt in ("html", "htm"):
        data = render_persona_html(persona, lang)
    elif fmt == "png":
        width, height = _svg_size(svg)
        data = svg_to_png(svg, width, height, png_scale(width, height))
    else:
        raise InputError(
            f"a persona renders to .svg, .html or .png, not {out.suffix or out.name!r}",
            f"chân dung xuất ra .svg, .html hoặc .png, không phải {out.suffix or out.name!r}",
            location=Location(file=str(out)),
            code="unsupported_format",
        )
    write_atomic(out, data)
    return out
