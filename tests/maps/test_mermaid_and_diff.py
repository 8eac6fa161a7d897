from __future__ import annotations

from pathlib import Path

import pytest

from journeyscope.errors import DocumentError
from journeyscope.maps.api import new_from_template
from journeyscope.maps.diff import diff_maps
from journeyscope.maps.library import persona_library
from journeyscope.maps.mermaid import export_mermaid, import_mermaid
from journeyscope.maps.model import EmotionPoint


def test_mermaid_export_then_import_keeps_stages_actions_and_emotions() -> None:
    m = new_from_template("action-camera-journey", "vi")
    text = export_mermaid(m, persona_library(), "vi")
    assert text.startswith("journey\n  title Mua action camera")
    back = import_mermaid(text)
    assert [s.name for s in back.stages] == [s.name for s in m.stages]
    assert back.emotions[0].points["s3"] == 2.0 - 0  # trust scored 1.5 -> rounds to 2


def test_mermaid_import_of_the_docs_example() -> None:
    m = import_mermaid(
        "journey\n  title My working day\n  section Go to work\n"
        "    Make tea: 5: Me\n    Go upstairs: 3: Me, Cat\n"
        "  section Go home\n    Sit down: 5: Me\n"
    )
    assert [s.name for s in m.stages] == ["Go to work", "Go home"]
    assert m.emotions[0].points == {"s1": 1.0, "s2": 2.0}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("graph TD\n", 1),
        ("journey\n  title x\n  Make tea: 5: Me\n", 3),
        ("journey\n  section a\n  Make tea: 9: Me\n", 3),
    ],
)
def test_bad_mermaid(text: str, line: int) -> None:
    with pytest.raises(DocumentError) as info:
        import_mermaid(text, "j.mmd")
    assert info.value.location is not None and info.value.location.line == line


def test_diff_lists_stage_cell_emotion_and_persona_changes() -> None:
    old = new_from_template("retail-current-state", "en")
    data = old.model_dump(mode="json", exclude_none=True)
    data["stages"].append({"id": "winback", "name": "Win-back"})
    data["lanes"][1]["cells"]["awareness"].append("Reads a blog post")
    data["emotions"][0]["points"]["delivery"] = {"score": -1, "note": "Better"}
    data["personas"] = data["personas"][:1]
    data["emotions"] = data["emotions"][:1]
    new = type(old).model_validate(data)
    changes = {(c.change, c.kind, c.path) for c in diff_maps(old, new)}
    assert ("added", "stage", "winback") in changes
    assert ("added", "cell", "lanes.actions.awareness") in changes
    assert ("changed", "emotion", "emotions.lan-office-worker.delivery") in changes
    assert ("removed", "persona", "thao-young-mother") in changes
    assert diff_maps(old, old) == []
    assert isinstance(new.emotions[0].points["delivery"], EmotionPoint)


def test_one_map_written_composed_or_decomposed_is_one_map(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Unikey's "Unicode tổ hợp" and macOS write Vietnamese decomposed (NFD): diff used to
    list identical-looking changes. Text is read as NFC."""
    import unicodedata

    from journeyscope.maps.api import diff_files
    from journeyscope.maps.io import dump_document

    jm = new_from_template("retail-current-state", "vi")
    nfc = tmp_path / "nfc.yaml"
    nfd = tmp_path / "nfd.yaml"
    nfc.write_text(dump_document(jm), encoding="utf-8")
    nfd.write_text(unicodedata.normalize("NFD", nfc.read_text("utf-8")), encoding="utf-8")
    assert nfd.read_bytes() != nfc.read_bytes()
    assert diff_files(nfc, nfd) == []


def _refused(path: Path, text: str) -> DocumentError:
    """The error loading a map document written as ``text`` raises."""
    from journeyscope.maps.api import load

    path.write_text(text, encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        load(path)
    return info.value


def test_a_control_character_in_a_map_is_refused_at_its_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A JSON "\\u0001" passed validation and made an SVG no browser opens."""
    error = _refused(
        tmp_path / "c.json",
        '{"schema_version": 1, "kind": "journey_map", "id": "c", "type": "current_state",'
        ' "title": "T\\u0001x", "stages": [{"id": "a", "name": "A"}], "lanes": []}',
    )
    location = error.location
    assert "U+0001" in str(error) and location is not None and location.field == "title"


def test_a_field_written_twice_is_refused_not_silently_overwritten(tmp_path) -> None:  # type: ignore[no-untyped-def]
    error = _refused(
        tmp_path / "dup.yaml",
        "schema_version: 1\nkind: journey_map\nid: d\nid: e\ntype: current_state\ntitle: T\n"
        "stages:\n- {id: a, name: X}\n",
    )
    assert "'id' is written twice" in str(error)
    assert error.location is not None and error.location.line == 4
