from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.maps.api import json_schema, new_from_template
from journeyscope.maps.io import dump_document, parse
from journeyscope.maps.model import JourneyMap, as_item
from journeyscope.maps.text import Localized, localize
from tests.conftest import template_ids


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", ["en", "vi", None])
def test_yaml_round_trip_is_identical(template: str, lang: str | None) -> None:
    m = new_from_template(template, lang)
    text = dump_document(m)
    again = JourneyMap.model_validate(yaml.safe_load(text))
    assert again == m
    assert dump_document(again) == text


@pytest.mark.parametrize("template", template_ids())
def test_json_round_trip(template: str) -> None:
    m = new_from_template(template)
    text = dump_document(m, "json")
    assert JourneyMap.model_validate(json.loads(text)) == m


def test_flattened_template_has_no_bilingual_text_left() -> None:
    text = dump_document(new_from_template("retail-current-state", "vi"))
    assert "en:" not in text
    assert "Nhận biết" in text and "Giao hàng & Sử dụng" in text


def test_localize_falls_back_to_the_other_language() -> None:
    assert localize(Localized(vi="Chào"), "en") == "Chào"
    assert localize(Localized(en="Hi", vi="Chào"), "vi") == "Chào"
    assert localize("plain", "vi") == "plain"
    with pytest.raises(ValueError, match="at least one language"):
        Localized()


def test_schema_is_published_for_maps_and_personas() -> None:
    schema = json_schema("map")
    assert schema["title"] == "JourneyMap"
    assert {"stages", "lanes", "emotions", "personas"} <= set(schema["properties"])
    assert json_schema("persona")["title"] == "Persona"


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s)
bilingual = st.one_of(texts, st.builds(lambda a, b: {"en": a, "vi": b}, texts, texts))


@st.composite
def maps(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 5))
    stages = [{"id": f"s{i}", "name": draw(bilingual)} for i in range(n)]
    cells = {
        f"s{i}": draw(
            st.lists(
                st.one_of(
                    bilingual,
                    st.builds(
                        lambda t, c: {"text": t, "channel": c},
                        bilingual,
                        st.sampled_from(["zalo", "shopee", "store"]),
                    ),
                ),
                min_size=1,
                max_size=3,
            )
        )
        for i in range(n)
        if draw(st.booleans())
    }
    scores = {f"s{i}": draw(st.floats(-2, 2).map(lambda x: round(x, 2))) for i in range(n)}
    return {
        "id": "generated",
        "type": "current_state",
        "title": draw(bilingual),
        "personas": [{"id": "p1", "name": draw(bilingual)}],
        "stages": stages,
        "lanes": [
            {"id": "acts", "kind": "actions", "cells": cells},
            {"id": "emotions", "kind": "emotions"},
        ],
        "emotions": [{"persona": "p1", "points": scores}],
    }


@given(maps())
@settings(max_examples=60, deadline=None)
def test_any_valid_map_survives_yaml(data: dict[str, object]) -> None:
    m = JourneyMap.model_validate(data)
    text = dump_document(m)
    parsed, _ = parse(text, "generated.yaml")
    assert JourneyMap.model_validate(parsed) == m
    for lane in m.lanes:
        for entries in lane.cells.values():
            assert all(as_item(e).text for e in entries)


def test_examples_folder_maps_are_valid() -> None:
    """The example maps shipped in examples/maps validate, with no warnings either."""
    from journeyscope.maps.validate import check_map_file

    examples = Path(__file__).parents[2] / "examples" / "maps"
    found = sorted(examples.glob("*.yaml"))
    assert len(found) >= 2, "examples/maps holds the example maps; none found"
    for path in found:
        data = yaml.safe_load(path.read_text("utf-8"))
        assert data["kind"] == "journey_map", path
        JourneyMap.model_validate(data)
        checked = check_map_file(path)
        assert checked.map is not None
        assert not checked.problems, (path, checked.problems)
