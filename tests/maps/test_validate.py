from __future__ import annotations

from pathlib import Path

import pytest

from journeyscope.errors import DocumentError
from journeyscope.maps.validate import check_map_file, load_map

BAD = """\
id: bad
type: current_state
title: Bad map
personas: [nobody]
stages:
  - id: a
    name: A
  - id: b
    name: B
lanes:
  - id: acts
    kind: actions
    cells:
      a: [do]
      c: [oops]
  - id: x
    kind: feelingz
emotions:
  - persona: nobody
    points: {a: 3, b: {score: -5}}
"""


def lines(tmp_path: Path, text: str, lang: str = "en", name: str = "m.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [p.render(lang).replace(str(tmp_path) + "/", "") for p in check_map_file(path).problems]


def test_every_problem_is_located_like_a_compiler(tmp_path: Path) -> None:
    assert lines(tmp_path, BAD) == [
        "m.yaml:4:12: personas[0]: unknown persona 'nobody': not inline and not in the "
        "persona library",
        "m.yaml:15:7: lanes[0].cells.c: unknown stage 'c'; the map's stages are: a, b",
        "m.yaml:17:5: lanes[1].kind: 'feelingz' is not allowed; use one of 'goals', "
        "'questions', 'actions', 'touchpoints', 'channels', 'services', 'devices', 'tasks', "
        "'motivations', 'thoughts', 'emotions', 'pain_points', 'pleasure_points', "
        "'predicted_pain_points', 'opportunities', 'owners', 'kpis', 'customer_actions', "
        "'frontstage', 'backstage', 'support', 'evidence' or 'notes'",
        "m.yaml:20:14: emotions[0].points.a: emotion score 3 is outside the scale -2…+2",
        "m.yaml:20:24: emotions[0].points.b.score: emotion score -5 is outside the scale -2…+2",
    ]


def test_messages_in_vietnamese(tmp_path: Path) -> None:
    out = lines(tmp_path, BAD, "vi")
    assert out[0].endswith(
        "không tìm thấy chân dung 'nobody' trong tài liệu hay thư viện chân dung"
    )
    assert out[-1].endswith("điểm cảm xúc -5 nằm ngoài thang -2…+2")


def test_malformed_yaml_points_at_the_place(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("id: x\nstages: [a, b\ntitle: y\n", encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        check_map_file(path)
    assert info.value.location is not None
    assert info.value.location.line == 3
    assert "malformed YAML" in info.value.message_en


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"id": "x",\n "type": }', encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        check_map_file(path)
    assert info.value.location is not None and info.value.location.line == 2


def test_wrong_types_and_missing_fields(tmp_path: Path) -> None:
    out = lines(tmp_path, "id: x\ntype: current_state\nstages: 5\nlanes: []\nbogus: 1\n")
    assert "m.yaml:1:1: title: required field is missing" in out
    assert any("stages: Input should be a valid list" in line for line in out)
    assert any(line.startswith("m.yaml:5:1: bogus: unknown field") for line in out)


def test_type_rules(tmp_path: Path) -> None:
    blueprint = (
        "id: x\ntype: service_blueprint\ntitle: t\nstages: [{id: a, name: A}]\n"
        "lanes: [{id: f, kind: frontstage}]\n"
    )
    assert any("needs a 'backstage' lane" in line for line in lines(tmp_path, blueprint))
    day = "id: x\ntype: day_in_the_life\ntitle: t\nstages: [{id: a, name: A}]\n"
    assert any("needs a time of day" in line for line in lines(tmp_path, day))
    future = "id: x\ntype: future_state\ntitle: t\nstages: [{id: a, name: A}]\n"
    warning = lines(tmp_path, future)
    assert warning == [
        "m.yaml:2:1: type: warning: a future-state map should say its vision (`vision:`)"
    ]


def test_duplicates_and_unknown_channel(tmp_path: Path) -> None:
    text = (
        "id: x\ntype: current_state\ntitle: t\nstages:\n  - {id: a, name: A}\n"
        "  - {id: a, name: B}\nlanes:\n  - id: t\n    kind: touchpoints\n"
        "    cells: {a: [{text: hi, channel: pigeon}]}\n"
    )
    out = lines(tmp_path, text)
    assert "m.yaml:6:6: stages[1].id: duplicate stage 'a'; ids must be unique" in out
    assert any("channel 'pigeon' is not in the channel catalogue" in line for line in out)


def test_personas_resolve_from_the_folder_beside_the_map(tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "an.yaml").write_text(
        "kind: persona\nid: an\nname: {en: An, vi: Anh An}\n", encoding="utf-8"
    )
    path = tmp_path / "m.yaml"
    path.write_text(
        "id: x\ntype: current_state\ntitle: t\npersonas: [an]\n"
        "stages: [{id: a, name: A}]\nemotions: [{persona: an, points: {a: 1}}]\n",
        encoding="utf-8",
    )
    checked = load_map(path)
    assert checked.personas["an"].name.vi == "Anh An"


def test_load_map_raises_with_the_first_problem_and_count(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"and 4 more problems"):
        load_map(path)
