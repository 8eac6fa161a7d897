"""Real Chromium: the HTML as a person sees it, and PDF/PNG output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from journeyscope.maps.api import new_from_template
from journeyscope.maps.library import persona_library
from journeyscope.maps.validate import resolve_personas
from journeyscope.render.browser import chromium_page
from journeyscope.render.html_page import render_map_html
from journeyscope.render.outputs import render_to_file
from tests.conftest import template_ids

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_html_opens_in_chromium_with_text_visible(tmp_path: Path, width: int) -> None:
    m = new_from_template("retail-current-state")
    html = render_map_html(m, resolve_personas(m, persona_library()), "vi")
    errors: list[str] = []
    with chromium_page(width, 900) as page:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_content(html, wait_until="load")
        assert (
            page.get_by_role("heading", level=1).inner_text()
            == "Chuỗi bán lẻ thời trang đa kênh - hiện trạng"
        )
        assert page.get_by_text("Giao hàng & Sử dụng").first.is_visible()
        assert page.locator("article.card").count() == 2
        body_width = page.evaluate("document.body.scrollWidth")
        assert body_width <= width + 1, "only the map scrolls sideways, not the page"
        page.screenshot(path=str(tmp_path / f"map-{width}.png"), full_page=True)
    assert errors == []
    assert (tmp_path / f"map-{width}.png").stat().st_size > 10_000


def test_pdf_text_keeps_vietnamese_diacritics(tmp_path: Path) -> None:
    m = new_from_template("retail-current-state", "vi")
    out = render_to_file(m, resolve_personas(m, persona_library()), tmp_path / "m.pdf", "vi")
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    for phrase in (
        "Chuỗi bán lẻ thời trang đa kênh",
        "Giao hàng",
        "Điểm đau",
        "Trung thành",
        "Bực vì giao trễ",
    ):
        assert phrase in text, phrase


@pytest.mark.parametrize("template", template_ids())
def test_every_template_renders_to_png_and_pdf(tmp_path: Path, template: str) -> None:
    m = new_from_template(template)
    personas = resolve_personas(m, persona_library())
    png = render_to_file(m, personas, tmp_path / "m.png", "en").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width >= 1000
    pdf = render_to_file(m, personas, tmp_path / "m.pdf", "vi").read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
