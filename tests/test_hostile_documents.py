"""Hostile documents cost bounded work: alias bombs, self-referring aliases, deep nesting,
huge files, megabyte texts and giant maps are refused at once or handled in linear time."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.stages import load_rules
from journeyscope.errors import DocumentError, InputError
from journeyscope.events.mapping import load_mapping
from journeyscope.maps.api import new_from_template
from journeyscope.maps.io import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_NODES, parse, to_plain
from journeyscope.maps.library import load_persona
from journeyscope.maps.limits import MAX_ITEMS, MAX_STAGES
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.stage_models import load_stage_models
from journeyscope.maps.text import MAX_TEXT_CHARS
from journeyscope.maps.validate import check_map_file
from journeyscope.render.browser import MAX_PNG_PIXELS, check_pdf_size, png_scale
from journeyscope.render.svg_map import render_map_svg
from journeyscope.render.text_layout import wrap

#: Nine levels of nine aliases each: 9**9 (387 million) strings once expanded.
BILLION_LAUGHS = (
    "a: &a ["
    + ", ".join(['"lol"'] * 9)
    + "]\n"
    + "".join(
        f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
)
#: A 10,000-character string referred to 1,100 times: few nodes, 11 million characters.
LONG_ALIASES = 'big: &big "' + "x" * 10_000 + '"\nmany: [' + ", ".join(["*big"] * 1_100) + "]\n"

LOADERS: dict[str, Callable[[Path], object]] = {
    "map": check_map_file,
    "persona": load_persona,
    "mapping": load_mapping,
    "stage rules": load_rules,
    "stage models": load_stage_models,
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize(
    ("document", "says"),
    [
        (BILLION_LAUGHS, "expand to more than"),
        (LONG_ALIASES, "expand to more than"),
        ("a: &a [1, *a]\n", "contains it"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ],
    ids=["billion-laughs", "long-aliases", "alias-loop", "deep-nesting"],
)
def test_every_yaml_loader_refuses_hostile_documents_at_once(
    tmp_path: Path, loader: str, document: str, says: str
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(document, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(DocumentError) as info:
        LOADERS[loader](path)
    assert time.perf_counter() - start < 5
    assert says in info.value.message_en
    assert info.value.message_vi != info.value.message_en
    assert info.value.location is not None and info.value.location.file == str(path)


def test_an_oversized_document_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("notes: |\n")
        line = "  " + "y" * 98 + "\n"
        handle.write(line * (MAX_DOCUMENT_BYTES // len(line) + 1))
    start = time.perf_counter()
    with pytest.raises(DocumentError, match="more than the"):
        check_map_file(path)
    assert time.perf_counter() - start < 1


def test_aliases_within_the_limits_still_work() -> None:
    data, positions = parse("base: &b {x: 1}\nitems: [*b, *b, *b]\n", "ok.yaml")
    assert data["items"] == [{"x": 1}] * 3
    assert positions[("items", 2, "x")] == (1, 11)  # where the anchored value is
    many = "v: &v 1\nitems: [" + ", ".join(["*v"] * (MAX_DOCUMENT_NODES // 20)) + "]\n"
    assert len(parse(many, "many.yaml")[0]["items"]) == MAX_DOCUMENT_NODES // 20


def test_a_text_longer_than_the_limit_is_a_located_validation_error(tmp_path: Path) -> None:
    m = new_from_template("retail-current-state", "en")
    data = to_plain(m)
    data["stages"][0]["name"] = "x" * (MAX_TEXT_CHARS + 1)
    path = tmp_path / "long.yaml"
    import yaml

    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    checked = check_map_file(path)
    problem = next(p for p in checked.problems if p.dotted() == "stages[0].name")
    assert f"at most {MAX_TEXT_CHARS}" in problem.message_en
    assert f"tối đa {MAX_TEXT_CHARS}" in problem.message_vi
    data["stages"][0]["name"] = "x" * MAX_TEXT_CHARS
    assert JourneyMap.model_validate(data).stages[0].name == "x" * MAX_TEXT_CHARS


def _seconds(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "make", [lambda n: "x" * n, lambda n: ("lời nhắn " * n)[:n]], ids=["one-word", "words"]
)
def test_wrapping_is_linear_in_the_text_length(make: Callable[[int], str]) -> None:
    small, big = make(100_000), make(1_000_000)
    wrap(small, 202, 12)  # warm the width cache
    t_small = min(_seconds(lambda: wrap(small, 202, 12)) for _ in range(2))
    lines: list[str] = []
    t_big = _seconds(lambda: lines.extend(wrap(big, 202, 12)))
    # ten times the text: about ten times the work (quadratic wrapping took hours for 1 MB)
    assert t_big < 30 * t_small + 0.5, (t_small, t_big)
    assert "".join(lines).replace(" ", "") == big.replace(" ", "")
    assert len(wrap(big, 202, 12, max_lines=2)) == 2


def test_png_has_a_pixel_limit_and_says_so() -> None:
    assert png_scale(1200, 800) == 2.0
    big = png_scale(9000, 6000)  # drawn smaller to stay in the pixel budget
    assert big < 2.0 and 9000 * 6000 * big * big <= MAX_PNG_PIXELS * 1.0001
    with pytest.raises(InputError) as info:
        png_scale(5000, 400_000)
    assert "too large for a readable PNG" in info.value.message_en
    assert "quá lớn" in info.value.message_vi and ".svg" in (info.value.hint_en or "")


def test_pdf_has_a_page_limit_and_says_so() -> None:
    check_pdf_size(2000, 20_000)
    with pytest.raises(InputError) as info:
        check_pdf_size(2000, 2_000_000)
    assert "A3 pages" in info.value.message_en and "trang A3" in info.value.message_vi


def test_a_map_too_big_to_draw_is_refused_before_drawing() -> None:
    stages = [{"id": f"s{i}", "name": f"Stage {i}"} for i in range(40)]
    cells = {f"s{i}": [f"item {k}" for k in range(MAX_ITEMS // 40 // 5 + 1)] for i in range(40)}
    lanes = [{"id": f"l{j}", "kind": "actions", "cells": cells} for j in range(5)]
    m = JourneyMap.model_validate(
        {"id": "big", "type": "current_state", "title": "Big", "stages": stages, "lanes": lanes}
    )
    start = time.perf_counter()
    with pytest.raises(DocumentError) as info:
        render_map_svg(m, {})
    assert time.perf_counter() - start < 1
    assert f"more than the {MAX_ITEMS:,}" in info.value.message_en
    assert "tách thành nhiều bản đồ" in (info.value.hint_vi or "")
    many: dict[str, Any] = {"id": "wide", "type": "current_state", "title": "Wide", "lanes": []}
    many["stages"] = [{"id": f"s{i}", "name": f"S{i}"} for i in range(MAX_STAGES + 1)]
    with pytest.raises(DocumentError, match="stages"):
        render_map_svg(JourneyMap.model_validate(many), {})
    many["stages"] = many["stages"][:MAX_STAGES]
    assert render_map_svg(JourneyMap.model_validate(many), {}).startswith("<svg")
