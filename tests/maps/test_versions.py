"""Map versions: every save kept with author and time, read back exactly, diffed as
``journeyscope map diff`` diffs two files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journeyscope.errors import DocumentError, InputError, NotFound
from journeyscope.maps.diff import diff_maps
from journeyscope.maps.io import dump_document
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.templates import template_data
from journeyscope.maps.versions import (
    INDEX,
    VERSIONS,
    diff_versions,
    list_versions,
    record_version,
    version_text,
)


def _texts() -> tuple[str, str, JourneyMap, JourneyMap]:
    first = JourneyMap.model_validate(template_data("retail-current-state", "vi"))
    data = first.model_dump(mode="json", exclude_none=True)
    data["title"] = "Hành trình đã sửa <b>"
    data["stages"][0]["name"] = "Nhận biết (mới)"
    second = JourneyMap.model_validate(data)
    return dump_document(first), dump_document(second), first, second


def test_saves_are_numbered_with_author_time_and_exact_text(tmp_path: Path) -> None:
    one, two, _, _ = _texts()
    assert list_versions(tmp_path, "m") == []
    at = datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)
    v1 = record_version(tmp_path, "m", one, "lan@shop.vn", now=at)
    v2 = record_version(tmp_path, "m", two, None, suffix=".json")
    assert (v1.number, v1.author, v1.saved_at, v1.file) == (
        1,
        "lan@shop.vn",
        "2026-05-01T03:04:05Z",
        "1.yaml",
    )
    assert (v2.number, v2.author, v2.file) == (2, None, "2.json")
    assert list_versions(tmp_path, "m") == [v1, v2]
    assert version_text(tmp_path, "m", 1) == one and version_text(tmp_path, "m", 2) == two
    index = json.loads((tmp_path / VERSIONS / "m" / INDEX).read_text("utf-8"))
    assert [v["author"] for v in index["versions"]] == ["lan@shop.vn", None]
    # nothing half-written is left beside the files
    assert sorted(p.name for p in (tmp_path / VERSIONS / "m").iterdir()) == [
        "1.yaml",
        "2.json",
        INDEX,
    ]


def test_diff_between_versions_equals_map_diff(tmp_path: Path) -> None:
    one, two, first, second = _texts()
    record_version(tmp_path, "m", one, "a@shop.vn")
    record_version(tmp_path, "m", two, "b@shop.vn")
    changes = diff_versions(tmp_path, "m", 1, 2, "vi")
    assert changes == diff_maps(first, second, "vi")
    assert {c.path for c in changes} >= {"title"}
    assert diff_versions(tmp_path, "m", 2, 2) == []


def test_missing_version_bad_name_and_damaged_index_are_located_errors(tmp_path: Path) -> None:
    one, _, _, _ = _texts()
    record_version(tmp_path, "m", one, None)
    with pytest.raises(NotFound) as missing:
        version_text(tmp_path, "m", 7)
    assert "phiên bản 7" in (missing.value.message_vi or "")
    for bad in ("../x", ".hidden", "a/b"):
        with pytest.raises(InputError):
            list_versions(tmp_path, bad)
    (tmp_path / VERSIONS / "m" / INDEX).write_text("{not json", "utf-8")
    with pytest.raises(DocumentError) as damaged:
        list_versions(tmp_path, "m")
    assert damaged.value.code == "damaged_history"


def test_an_unreadable_version_is_refused_in_a_diff(tmp_path: Path) -> None:
    one, _, _, _ = _texts()
    record_version(tmp_path, "m", one, None)
    record_version(tmp_path, "m", "id: [", None)
    with pytest.raises(DocumentError):
        diff_versions(tmp_path, "m", 1, 2)
