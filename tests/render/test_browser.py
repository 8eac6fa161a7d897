"""Real Chromium: the HTML as a person sees it, and PDF/PNG output."""

from __future__ import annotations

import io
import shutil
import subprocess
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


# --- issue 15, item 7: measured in Chromium, every text fits its cell; no blank PDF page -----

MEASURE_JS = """() => Array.from(document.querySelectorAll('svg text')).map(t => {
    const b = t.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height];
})"""


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_measured_texts_fit_their_cells(lang: str) -> None:
    """Chromium's own text boxes: inside their cells, and never wider than the layout's
    estimate (which the geometry tests without a browser rely on) by more than 2.5 px."""
    from journeyscope.render.fit import fitted_width
    from journeyscope.render.svg_map import render_map_svg
    from tests.render.geometry import cell_of, cells, inside, text_boxes

    problems: list[object] = []
    with chromium_page(1400, 900) as page:
        for template in template_ids():
            m = new_from_template(template)
            svg = render_map_svg(m, resolve_personas(m, persona_library()), lang)
            page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
            real = page.evaluate(MEASURE_JS)
            estimated = text_boxes(svg, lambda t, s, b, i: fitted_width(t, s, bold=b, italic=i))
            boxes = cells(svg)
            assert len(real) == len(estimated)
            for box, text in zip(real, estimated, strict=True):
                cell = cell_of(text.anchor, boxes)
                # horizontally exact; vertically Chromium's box is the font's whole em box
                if not inside((box[0], text.box[1], box[2], text.box[3]), cell, slack=0.5):
                    problems.append((template, "outside", text.lines, box, cell))
                # a word of two letters may run 2 px over: every cell keeps 8 px of padding
                if box[2] - box[0] > text.box[2] - text.box[0] + 2.5:
                    problems.append((template, "estimate short", text.lines, box))
    assert problems == []


def _page_fill(pdf: bytes, tmp_path: Path) -> list[float]:
    """For each page, the share of its pixel rows that hold anything but white paper."""
    source = tmp_path / "m.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "10", "-gray", str(source), str(tmp_path / "page")], check=True
    )
    fills = []
    for image in sorted(tmp_path.glob("page*.pgm")):
        data = image.read_bytes()
        # binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel
        magic, size, _, pixels = data.split(b"\n", 3)
        assert magic == b"P5"
        width, height = map(int, size.split())
        rows = [pixels[r * width : (r + 1) * width] for r in range(height)]
        fills.append(sum(1 for row in rows if min(row) < 235) / height)
    return fills


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("template", template_ids())
def test_no_pdf_page_is_mostly_blank(tmp_path: Path, template: str) -> None:
    m = new_from_template(template)
    pdf = render_to_file(m, resolve_personas(m, persona_library()), tmp_path / "x.pdf", "en")
    fills = _page_fill(pdf.read_bytes(), tmp_path)
    assert fills and min(fills) >= 1 / 3, fills  # mostly blank: two thirds or more empty


def test_a_tall_map_is_split_between_lanes_with_the_header_on_each_sheet(tmp_path: Path) -> None:
    from journeyscope.maps.model import JourneyMap

    data = new_from_template("retail-current-state", "en").model_dump(
        mode="json", exclude_none=True
    )
    lanes = data["lanes"]
    data["lanes"] = [{**lane, "id": f"{lane['id']}-{n}"} for n in range(4) for lane in lanes]
    m = JourneyMap.model_validate(data)
    pdf = render_to_file(m, resolve_personas(m, persona_library()), tmp_path / "t.pdf", "en")
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    map_pages = [p.extract_text() for p in reader.pages if "Awareness" in p.extract_text()]
    assert len(map_pages) >= 3  # split, and every map sheet repeats the stage header
    if shutil.which("pdftoppm"):
        fills = _page_fill(pdf.read_bytes(), tmp_path)
        assert min(fills) >= 1 / 3, fills
