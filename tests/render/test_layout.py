"""Maps that read well: every text inside its cell, nothing cut, nothing drawn over a text.

Issue 15, item 7. Widths here are the layout's own calibrated estimate; the browser test
(test_browser.py) measures the same texts in Chromium and checks the estimate never
falls short.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from journeyscope.maps.api import new_from_template
from journeyscope.maps.library import persona_library
from journeyscope.maps.validate import resolve_personas
from journeyscope.render.fit import fitted_width
from journeyscope.render.svg_map import render_map_svg
from tests.conftest import template_ids
from tests.render.geometry import (
    NS,
    cell_of,
    cells,
    crosses,
    curve_segments,
    inside,
    overlap,
    text_boxes,
)

LANGS = ["en", "vi"]


def estimate(text: str, size: float, bold: bool, italic: bool) -> float:
    return fitted_width(text, size, bold=bold, italic=italic)


def map_svg(template: str, lang: str) -> str:
    m = new_from_template(template)
    return render_map_svg(m, resolve_personas(m, persona_library()), lang)


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", LANGS)
def test_every_text_fits_inside_its_cell(template: str, lang: str) -> None:
    svg = map_svg(template, lang)
    boxes = cells(svg)
    outside = [
        (t.lines, t.box, cell)
        for t in text_boxes(svg, estimate)
        if not inside(t.box, cell := cell_of(t.anchor, boxes))
    ]
    assert outside == []


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", LANGS)
def test_no_text_is_cut_or_drawn_over_another(template: str, lang: str) -> None:
    svg = map_svg(template, lang)
    texts = text_boxes(svg, estimate)
    assert [t.lines for t in texts if any(line.endswith("…") for line in t.lines)] == []
    clashes = [(a.lines, b.lines) for a, b in combinations(texts, 2) if overlap(a.box, b.box)]
    assert clashes == []


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", LANGS)
def test_emotion_notes_sit_clear_of_the_curves_and_on_top(template: str, lang: str) -> None:
    svg = map_svg(template, lang)
    notes = [t for t in text_boxes(svg, estimate) if "emotion-note" in t.classes]
    segments = curve_segments(svg)
    assert [n.lines for n in notes if any(crosses(n.box, s) for s in segments)] == []
    order = [
        g.get("class") for g in ET.fromstring(svg).iter(f"{NS}g") if "emotion" in g.get("class", "")
    ]
    if notes:  # the notes' layer comes after (is drawn over) every curve
        assert order[-1] == "emotion-notes" and order.count("emotion-notes") == 1


def test_the_checks_catch_overflow_and_clashes() -> None:
    """The geometry reader itself: a card text made too long is reported, twice."""
    ET.register_namespace("", NS.strip("{}"))
    root = ET.fromstring(map_svg("retail-current-state", "en"))
    card_text = next(
        text
        for g in root.iter(f"{NS}g")
        if g.get("class") == "item"
        for text in g.iter(f"{NS}text")
        if not text.findall(f"{NS}tspan")
    )
    card_text.text = "W" * 40
    svg = ET.tostring(root, encoding="unicode")
    boxes = cells(svg)
    texts = text_boxes(svg, estimate)
    assert [t.lines for t in texts if not inside(t.box, cell_of(t.anchor, boxes))] == [["W" * 40]]
    assert any(overlap(a.box, b.box) for a, b in combinations(texts, 2))
