"""Screenshots of what people look at, saved by the tests for a person to look at too
(`test-artifacts/screenshots/`, or $JOURNEYSCOPE_ARTIFACTS): every template in Vietnamese
and English, drawn by Chromium from the self-contained HTML. One browser for all of them.
Each picture must hold a drawing (not a blank or an error page): most of its rows carry
ink, and it is as tall as the map."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from journeyscope.maps.api import new_from_template
from journeyscope.maps.library import persona_library
from journeyscope.maps.validate import resolve_personas
from journeyscope.render.browser import chromium_page
from journeyscope.render.html_page import render_map_html
from tests.conftest import template_ids

ROOT = Path(__file__).resolve().parents[2]


def artifacts() -> Path:
    folder = Path(os.environ.get("JOURNEYSCOPE_ARTIFACTS") or ROOT / "test-artifacts")
    target = folder / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target


def inked_rows(png: bytes) -> float:
    """The share of pixel rows that are not plain background (a blank page is ~0)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")  # grey: one int per pixel
    width, height = image.size
    grey = image.tobytes()  # row after row, one byte per pixel
    step = max(1, width // 200)
    inked = sum(
        1 for y in range(height) if any(grey[y * width + x] < 235 for x in range(0, width, step))
    )
    return inked / height


_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _whole_page(page: Any, width: int) -> bytes:
    """The whole page as PNG, taken with the viewport grown to it after the layout
    settled. A full-page screenshot right after a viewport change once caught a frame
    painted only halfway down (a CI machine under load), leaving the rest blank."""
    page.evaluate(_TWO_FRAMES)
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate(_TWO_FRAMES)
    png: bytes = page.screenshot()
    return png


@pytest.mark.browser
def test_every_template_in_both_languages_is_pictured() -> None:
    folder = artifacts()
    library = persona_library()
    with chromium_page(1600, 900) as page:
        for template in template_ids():
            m = new_from_template(template)
            personas = resolve_personas(m, library)
            for lang in ("vi", "en"):
                page.set_content(render_map_html(m, personas, lang))
                # wide enough for the whole map (people scroll it sideways; a picture can't)
                width = page.evaluate(
                    "document.querySelector('.map-scroll svg').getBoundingClientRect().width"
                )
                page.set_viewport_size({"width": int(width) + 80, "height": 900})
                png = _whole_page(page, int(width) + 80)
                (folder / f"template-{template}-{lang}.png").write_bytes(png)
                assert inked_rows(png) > 0.5, (template, lang)
                title = page.locator("h1").first.inner_text()
                assert title.strip(), (template, lang)
