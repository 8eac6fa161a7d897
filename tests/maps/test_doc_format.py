"""A document is written in the format its name says, whatever the case of the suffix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from journeyscope.maps.io import doc_format
from tests.conftest import Result


def test_format_from_the_name() -> None:
    assert doc_format(Path("map.json")) == "json"
    assert doc_format(Path("MAP.JSON")) == "json"
    assert doc_format(Path("map.yaml")) == "yaml"
    assert doc_format(Path("map")) == "yaml"


def test_a_persona_copy_named_in_upper_case_json_is_json(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    persona = tmp_path / "LAN.JSON"
    assert cli("persona", "new", "lan-office-worker", "-o", persona).code == 0
    assert json.loads(persona.read_text("utf-8"))["id"]
    assert cli("persona", "validate", persona).code == 0
