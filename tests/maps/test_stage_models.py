from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeyscope.errors import DocumentError, NotFound
from journeyscope.maps.stage_models import builtin_stage_models, get_stage_model, stage_models
from journeyscope.maps.text import Localized

REQUIRED = {
    "aida",
    "acc",
    "accsr",
    "acpra",
    "accra",
    "retail5",
    "current5",
    "detailed8",
    "simple4",
    "buyer3",
    "consumer5",
}


def test_every_model_from_the_articles_is_built_in() -> None:
    assert set(builtin_stage_models()) >= REQUIRED


def test_every_stage_has_both_languages_and_a_description() -> None:
    for model in builtin_stage_models().values():
        for stage in model.stages:
            assert isinstance(stage.name, Localized) and stage.name.en and stage.name.vi
            assert isinstance(stage.description, Localized)
            assert stage.description.en and stage.description.vi


def test_known_stage_sequences() -> None:
    names = {k: [s.name.en for s in m.stages] for k, m in builtin_stage_models().items()}
    assert names["retail5"] == ["Awareness", "Consideration", "Purchase", "Service", "Loyalty"]
    assert names["buyer3"] == ["Awareness", "Consideration", "Decision"]
    assert [s.name.vi for s in builtin_stage_models()["current5"].stages] == [
        "Nhận biết",
        "Quan tâm & So sánh",
        "Quyết định",
        "Giao hàng & Sử dụng",
        "Trung thành & Ủng hộ",
    ]
    assert len(names["detailed8"]) == 8 and len(names["simple4"]) == 4


def test_custom_models_load_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: mine\nname: Mine\nstages:\n  - {id: one, name: {en: One, vi: Một}}\n", encoding="utf-8"
    )
    assert "mine" in stage_models([path])
    assert get_stage_model("mine", [path]).stages[0].id == "one"


def test_bad_custom_model_is_located(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\nname: Mine\nstages:\n  - {id: One!, name: x}\n", encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        stage_models([path])
    assert info.value.location is not None and info.value.location.line == 4


def test_unknown_model() -> None:
    with pytest.raises(NotFound, match="unknown stage model 'nope'"):
        get_stage_model("nope")


def test_a_map_on_a_custom_stage_model_validates_and_renders_with_models(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    """Found by a probe: `stages show --models` knew the model, `map validate` could not."""
    models = tmp_path / "sm.yaml"
    models.write_text("id: shop\nname: Shop\nstages:\n- {id: a, name: X}\n", encoding="utf-8")
    doc = tmp_path / "m.yaml"
    doc.write_text(
        "schema_version: 1\nkind: journey_map\nid: m\ntype: current_state\ntitle: T\n"
        "stage_model: shop\nstages:\n- {id: a, name: X}\nlanes: []\n",
        encoding="utf-8",
    )
    assert cli("map", "validate", doc).code == 1
    assert cli("map", "validate", doc, "--models", models).code == 0
    assert cli("map", "render", doc, "--models", models, "-o", tmp_path / "m.svg").code == 0
    models.write_text(
        "id: shop\nname: Shop\nstages:\n- {id: a, name: X}\n- {id: a, name: Y}\n", encoding="utf-8"
    )
    r = cli("stages", "show", "shop", "--models", models)
    assert r.code == 2 and "stage id 'a' is used twice" in r.err
