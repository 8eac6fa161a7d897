"""Every validation problem and diff row of a journey map reads in Vietnamese too.

Pydantic writes English only; these tests feed maps that break many different rules and
check that ``--lang vi`` shows no English sentence, while English keeps its wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from journeyscope.maps.api import new_from_template
from journeyscope.maps.diff import CHANGE_WORDS, KIND_WORDS, diff_maps
from journeyscope.maps.mermaid import import_mermaid
from journeyscope.maps.messages import TEMPLATES, messages, or_in_vietnamese
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.personas import Persona
from tests.conftest import Result

Cli = Callable[..., Result]

#: One map breaking as many kinds of rule as a map author can (types, patterns, literals,
#: ranges, lengths, unknown and missing fields, our own validators and reference checks).
MANY_ERRORS = """\
schema_version: 2
id: Bad Id
type: current_statex
title: ""
description: {de: hallo}
language: fr
reviewed: not-a-date
review_every: weekly
goals: 5
owner: [a]
personas:
  - nobody
  - {id: p1, name: P, color: red, demographics: {age_range: old}, wat: 1}
  - {id: p2, name: Q, demographics: {income_vnd_month: [1, 2, 3]}}
  - {id: p3, name: R, demographics: {income_vnd_month: [9, 1]}}
stages:
  - id: a
    name: A
    time: "25:00"
  - id: b
    name: {}
  - {id: a, name: C}
  - {name: D, extra: 1}
lanes:
  - id: acts
    kind: actions
    title: 7
    cells:
      a: [do, "", {text: x, channel: pigeon, tags: [Bad Tag]}, {vi: ""}]
      c: [oops]
      b: 3
  - id: x
    kind: feelingz
  - kind: emotions
    id: em
    cells: {a: [x]}
emotions:
  - persona: nobody
    points: {a: 3, b: {score: -5}, z: "abc", zz: {score: 1, note: 1}}
  - points: 4
bogus: 1
"""

#: English that must never reach a Vietnamese reader (pydantic's and our own wording).
ENGLISH = re.compile(
    r"\b(Input should|Field required|String should|Tuple should|Value error|should|must|"
    r"required|unknown|allowed|missing|duplicate|invalid|outside|give the|is not|"
    r"use one of|warning|the map|not in|or)\b",
)


def _without_quoted(text: str) -> str:
    """The sentence with what the user typed (quoted values) taken out."""
    return re.sub(r"'[^']*'|`[^`]*`", "''", text)


def _messages_of(text: str) -> list[str]:
    """The message part of each ``FILE:LINE:COL: path: message`` line."""
    return [line.split(": ", 2)[2] for line in text.splitlines() if line.count(": ") >= 2]


def test_cli_validate_in_vietnamese_has_no_english_sentence(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MANY_ERRORS, encoding="utf-8")
    res = cli("--lang", "vi", "map", "validate", bad)
    assert res.code == 1
    found = _messages_of(res.err + res.out)
    assert len(found) >= 30  # every kind of problem above was reported
    english = [m for m in found if ENGLISH.search(_without_quoted(m))]
    assert english == []
    joined = "\n".join(found)
    for expected in (
        "thiếu trường bắt buộc",
        "phải là văn bản",
        "trường không được hỗ trợ",
        "phải là mã định danh",
        "hãy dùng một trong 'en' hoặc 'vi'",
        "điểm cảm xúc 3 nằm ngoài thang -2…+2",
        "phải là ngày dạng YYYY-MM-DD",
        "hãy ghi nội dung bằng ít nhất một ngôn ngữ",
        "income_vnd_month phải là [thấp, cao]",
        "không có giai đoạn 'c'",
        "cảnh báo: kênh 'pigeon'",
    ):
        assert expected in joined, expected


def test_cli_validate_english_keeps_its_wording(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MANY_ERRORS, encoding="utf-8")
    text = cli("map", "validate", bad).err
    assert f"{bad}:9:1: goals: Input should be a valid list" in text
    assert f"{bad}:3:1: type: 'current_statex' is not allowed; use one of" in text
    assert "stages[1].name: give the text in at least one language (en or vi)" in text
    assert "lanes[0].cells.c: unknown stage 'c'; the map's stages are: a, b\n" in text


def test_cli_validate_json_carries_both_languages(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MANY_ERRORS, encoding="utf-8")
    report = cli("--lang", "vi", "map", "validate", bad, "--json").json()
    assert isinstance(report, list)
    problems: list[dict[str, Any]] = report[0]["problems"]
    by_path = {p["path"]: p for p in problems}
    goals = by_path["goals"]
    assert goals["message"] == goals["message_vi"] == "phải là một danh sách"
    assert goals["message_en"] == "Input should be a valid list"
    assert {"file", "line", "column", "path", "severity", "message"} <= set(goals)
    assert all(not ENGLISH.search(_without_quoted(p["message"])) for p in problems)


def _errors_of(model: type[JourneyMap] | type[Persona], data: Any) -> list[dict[str, Any]]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [dict(e) for e in exc.errors(include_url=False)]
    return []


def test_every_error_type_the_documents_raise_has_a_vietnamese_template() -> None:
    """A new rule in the models whose error type has no template fails here, by name."""
    data = yaml.safe_load(MANY_ERRORS)
    persona = {"id": "x", "name": "X", "demographics": {"income_vnd_month": "lots"}, "goals": 1}
    errors = _errors_of(JourneyMap, data) + _errors_of(Persona, persona)
    kinds = {e["type"] for e in errors}
    special = {"literal_error", "value_error", "greater_than_equal", "less_than_equal"}
    assert kinds - set(TEMPLATES) - special == set()
    assert len(kinds) >= 10
    for error in errors:
        en, vi = messages(error)
        assert en and vi and vi != error["msg"]
        assert not ENGLISH.search(_without_quoted(vi)), (error["type"], vi)


def test_unknown_error_types_still_read_in_vietnamese() -> None:
    en, vi = messages({"type": "some_new_type", "msg": "Something odd", "ctx": {}})
    assert en == "Something odd"
    assert vi == "giá trị không hợp lệ (some_new_type)"
    # a template whose context is missing still gives a readable sentence, not a KeyError
    _, vi = messages({"type": "too_long", "msg": "Too long", "ctx": {}})
    assert vi == "quá nhiều phần tử"


@pytest.mark.parametrize(
    ("kind", "ctx", "en_part", "vi_part"),
    [
        ("greater_than_equal", {"ge": 0}, "must be at least 0", "phải từ 0 trở lên"),
        ("less_than", {"lt": 10}, "must be less than 10", "phải nhỏ hơn 10"),
    ],
)
def test_ranges_say_the_bound_in_both_languages(
    kind: str, ctx: dict[str, Any], en_part: str, vi_part: str
) -> None:
    en, vi = messages({"type": kind, "msg": "x", "ctx": ctx, "input": -1})
    assert en_part in en and vi_part in vi


def test_or_becomes_hoac_only_between_choices() -> None:
    assert or_in_vietnamese("'a', 'b' or 'c'") == "'a', 'b' hoặc 'c'"
    assert or_in_vietnamese("'a'") == "'a'"


def _changed_map() -> tuple[JourneyMap, JourneyMap]:
    old = new_from_template("retail-current-state", None)
    data = old.model_dump(mode="json", exclude_none=True)
    data["stages"].append({"id": "winback", "name": {"en": "Win-back", "vi": "Kéo lại"}})
    data["stages"][0], data["stages"][1] = data["stages"][1], data["stages"][0]
    data["lanes"][1]["cells"]["awareness"].append("Reads a blog post")
    data["lanes"].pop()
    data["emotions"][0]["points"]["delivery"] = {"score": -1, "note": "Better"}
    data["personas"] = data["personas"][:1]
    data["emotions"] = data["emotions"][:1]
    data["title"] = "New title"
    return old, JourneyMap.model_validate(data)


def test_diff_rows_are_described_in_both_languages() -> None:
    old, new = _changed_map()
    changes = diff_maps(old, new, "vi")
    described = {c.describe("vi") for c in changes}
    assert {
        "thêm giai đoạn",
        "xoá chân dung",
        "sửa thứ tự giai đoạn",
        "xoá hàng",
        "thêm ô",
        "sửa cảm xúc",
        "sửa trường",
    } <= described
    assert "added stage" in {c.describe("en") for c in changes}
    order = next(c for c in changes if c.kind == "stage_order")
    assert order.path == "stages" and order.describe("en") == "changed stage order"
    # every code the diff can produce has words in both languages
    assert {c.change for c in changes} <= set(CHANGE_WORDS)
    assert {c.kind for c in changes} <= set(KIND_WORDS)


def test_cli_diff_in_vietnamese(cli: Cli, tmp_path: Path) -> None:
    old, new = _changed_map()
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path, m in ((a, old), (b, new)):
        dump = m.model_dump(mode="json", exclude_none=True)
        path.write_text(yaml.safe_dump(dump, allow_unicode=True), encoding="utf-8")
    res = cli("--lang", "vi", "map", "diff", a, b)
    assert res.code == 0, res.err
    assert "thêm giai đoạn" in res.out and "Kéo lại" in res.out
    assert "sửa thứ tự giai đoạn" in res.out
    assert not re.search(r"\b(added|removed|changed|order)\b", res.out)
    rows = cli("--lang", "vi", "map", "diff", a, b, "--json").json()
    assert isinstance(rows, dict)
    first = rows["changes"][0]
    assert set(first) == {"change", "kind", "path", "old", "new", "description"}
    assert first["change"] in CHANGE_WORDS and first["description"] == "sửa trường"
    english = cli("map", "diff", a, b).out
    assert "added stage" in english and "changed stage order" in english


def test_untitled_mermaid_journey_gets_a_title_in_both_languages() -> None:
    m = import_mermaid("journey\n  section Buy\n    Pay: 4: Me\n", "j.mmd")
    assert m.title.model_dump() == {"en": "Journey", "vi": "Hành trình"}
