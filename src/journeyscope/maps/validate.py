"""Validating journey maps: the schema (pydantic) and the cross-references it cannot see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from journeyscope.errors import DocumentError, Location
from journeyscope.maps.bindings import binding_problems
from journeyscope.maps.channels import CHANNELS
from journeyscope.maps.io import Positions, load_data
from journeyscope.maps.library import library_folders_for, persona_library
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.personas import Persona
from journeyscope.maps.problems import Problem, from_validation_error, locate
from journeyscope.maps.stage_models import stage_models


@dataclass
class CheckedMap:
    """A map with its personas resolved, or the problems that stop it."""

    source: str
    map: JourneyMap | None
    personas: dict[str, Persona] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.map is not None and not self.errors


def check_data(
    data: Any,
    positions: Positions,
    source: str,
    library: dict[str, Persona] | None = None,
    stage_model_files: list[Path] | None = None,
) -> CheckedMap:
    """Validate parsed data as a journey map and locate every problem."""
    if not isinstance(data, dict):
        problem = Problem(
            (),
            "the document must be a mapping of fields (a journey map), not a list or text",
            "tài liệu phải là một bảng các trường (bản đồ hành trình), không phải danh sách "
            "hay văn bản",
        )
        return CheckedMap(source, None, problems=[locate(problem, positions, source)])
    library = library if library is not None else persona_library()
    problems = list(semantic_problems(data, library, stage_model_files))
    journey_map: JourneyMap | None = None
    try:
        journey_map = JourneyMap.model_validate(data)
    except ValidationError as exc:
        problems = from_validation_error(exc, data) + problems
    located = sorted(
        (locate(p, positions, source) for p in problems),
        key=lambda p: (p.line or 0, p.column or 0),
    )
    personas = resolve_personas(journey_map, library) if journey_map else {}
    return CheckedMap(source, journey_map, personas, located)


def check_map_file(
    path: Path,
    persona_dirs: Iterable[Path] = (),
    stage_model_files: list[Path] | None = None,
) -> CheckedMap:
    data, positions = load_data(path)
    library = persona_library(library_folders_for(path, persona_dirs))
    return check_data(data, positions, str(path), library, stage_model_files)


def load_map(
    path: Path, persona_dirs: Iterable[Path] = (), stage_model_files: list[Path] | None = None
) -> CheckedMap:
    """A valid map or a :class:`DocumentError` naming the first problem and the count."""
    checked = check_map_file(path, persona_dirs, stage_model_files)
    raise_if_invalid(checked)
    return checked


def raise_if_invalid(checked: CheckedMap) -> None:
    if checked.ok:
        return
    first = checked.errors[0]
    more = len(checked.errors) - 1
    suffix_en = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    suffix_vi = f" (và {more} lỗi khác)" if more else ""
    raise DocumentError(
        f"invalid journey map: {first.message_en}{suffix_en}",
        f"bản đồ hành trình không hợp lệ: {first.message_vi}{suffix_vi}",
        location=Location(first.file, first.line, first.column, first.dotted()),
        hint_en=f"run `journeyscope map validate {checked.source}` to list every problem",
        hint_vi=f"chạy `journeyscope map validate {checked.source}` để xem mọi lỗi",
    )


def resolve_personas(journey_map: JourneyMap, library: dict[str, Persona]) -> dict[str, Persona]:
    resolved: dict[str, Persona] = {}
    for ref in journey_map.personas:
        if isinstance(ref, Persona):
            resolved[ref.id] = ref
        elif ref in library:
            resolved[ref] = library[ref]
    return resolved


def semantic_problems(
    data: dict[str, Any],
    library: dict[str, Persona],
    stage_model_files: list[Path] | None = None,
) -> Iterator[Problem]:
    """Cross-reference checks, run on the raw data so they report even when the schema fails."""
    yield from _duplicates(data)
    yield from _references(data, library)
    yield from _type_rules(data)
    yield from binding_problems(data, stage_model_files)
    stage_model = data.get("stage_model")
    if isinstance(stage_model, str) and stage_model not in stage_models(stage_model_files):
        yield Problem(
            ("stage_model",),
            f"unknown stage model {stage_model!r} (see `journeyscope stages list`)",
            f"không có mô hình giai đoạn {stage_model!r} (xem `journeyscope stages list`)",
        )


def _dicts(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _ids(data: dict[str, Any], key: str, field: str = "id") -> list[tuple[int, str]]:
    return [(i, d[field]) for i, d in _dicts(data, key) if isinstance(d.get(field), str)]


def _persona_ids(data: dict[str, Any]) -> list[tuple[int, str]]:
    refs = data.get("personas")
    found: list[tuple[int, str]] = []
    for index, ref in enumerate(refs if isinstance(refs, list) else []):
        if isinstance(ref, str):
            found.append((index, ref))
        elif isinstance(ref, dict) and isinstance(ref.get("id"), str):
            found.append((index, ref["id"]))
    return found


def _duplicates(data: dict[str, Any]) -> Iterator[Problem]:
    groups: list[tuple[str, list[tuple[int, str]], tuple[str, ...], str, str]] = [
        ("stages", _ids(data, "stages"), ("id",), "stage", "giai đoạn"),
        ("lanes", _ids(data, "lanes"), ("id",), "lane", "hàng"),
        ("personas", _persona_ids(data), (), "persona", "chân dung"),
        (
            "emotions",
            _ids(data, "emotions", "persona"),
            ("persona",),
            "emotion curve for persona",
            "đường cảm xúc cho chân dung",
        ),
    ]
    for key, ids, suffix, en, vi in groups:
        counts = Counter(value for _, value in ids)
        seen: set[str] = set()
        for index, value in ids:
            if counts[value] > 1 and value in seen:
                yield Problem(
                    (key, index, *suffix),
                    f"duplicate {en} {value!r}; ids must be unique",
                    f"{vi} {value!r} bị trùng; mã định danh phải là duy nhất",
                )
            seen.add(value)


def _references(data: dict[str, Any], library: dict[str, Persona]) -> Iterator[Problem]:
    stages = [value for _, value in _ids(data, "stages")]
    known_stages = ", ".join(dict.fromkeys(stages))  # a duplicate is reported on its own
    refs = data.get("personas")
    for index, ref in enumerate(refs if isinstance(refs, list) else []):
        if isinstance(ref, str) and ref not in library:
            yield Problem(
                ("personas", index),
                f"unknown persona {ref!r}: not inline and not in the persona library",
                f"không tìm thấy chân dung {ref!r} trong tài liệu hay thư viện chân dung",
            )
    persona_ids = {value for _, value in _persona_ids(data)}
    for l_index, lane in _dicts(data, "lanes"):
        cells = lane.get("cells")
        if not isinstance(cells, dict):
            continue
        if lane.get("kind") == "emotions" and cells:
            yield Problem(
                ("lanes", l_index, "cells"),
                "the emotions lane is drawn from `emotions:`; it takes no cells",
                "hàng cảm xúc được vẽ từ `emotions:`; hàng này không nhận ô nội dung",
            )
        for stage_id, entries in cells.items():
            if stage_id not in stages:
                yield _unknown_stage(("lanes", l_index, "cells", stage_id), stage_id, known_stages)
            for e_index, entry in enumerate(entries if isinstance(entries, list) else []):
                chan = entry.get("channel") if isinstance(entry, dict) else None
                if isinstance(chan, str) and chan not in CHANNELS:
                    yield Problem(
                        ("lanes", l_index, "cells", stage_id, e_index, "channel"),
                        f"channel {chan!r} is not in the channel catalogue; "
                        "it is drawn with a neutral icon",
                        f"kênh {chan!r} không có trong danh mục kênh; "
                        "biểu tượng trung tính sẽ được dùng",
                        severity="warning",
                    )
    for c_index, curve in _dicts(data, "emotions"):
        persona = curve.get("persona")
        if isinstance(persona, str) and persona not in persona_ids:
            yield Problem(
                ("emotions", c_index, "persona"),
                f"unknown persona {persona!r}; add it to `personas:` first",
                f"không có chân dung {persona!r}; hãy thêm vào `personas:` trước",
            )
        points = curve.get("points")
        for stage_id in points if isinstance(points, dict) else {}:
            if stage_id not in stages:
                yield _unknown_stage(
                    ("emotions", c_index, "points", stage_id), stage_id, known_stages
                )


def _unknown_stage(path: tuple[str | int, ...], stage_id: str, known: str) -> Problem:
    return Problem(
        path,
        f"unknown stage {stage_id!r}; the map's stages are: {known}",
        f"không có giai đoạn {stage_id!r}; các giai đoạn của bản đồ là: {known}",
    )


def _type_rules(data: dict[str, Any]) -> Iterator[Problem]:
    kinds = [lane.get("kind") for _, lane in _dicts(data, "lanes")]
    map_type = data.get("type")
    if map_type == "service_blueprint":
        for needed, vi in (("frontstage", "tiền phương"), ("backstage", "hậu trường")):
            if needed not in kinds:
                yield Problem(
                    ("lanes",),
                    f"a service blueprint needs a {needed!r} lane (the line of visibility "
                    "separates frontstage from backstage)",
                    f"bản thiết kế dịch vụ cần hàng {needed!r} ({vi}); đường ranh giới hiển thị "
                    "ngăn cách tiền phương và hậu trường",
                )
    if map_type == "day_in_the_life":
        times: list[str] = []
        for index, stage in _dicts(data, "stages"):
            if not stage.get("time"):
                yield Problem(
                    ("stages", index),
                    "a day-in-the-life map needs a time of day on every slot (time: 'HH:MM')",
                    "bản đồ một ngày cần giờ cho mỗi khung thời gian (time: 'HH:MM')",
                )
            else:
                times.append(str(stage["time"])[:5])
        if times != sorted(times):
            yield Problem(
                ("stages",),
                "time slots are not in order of the day",
                "các khung giờ không theo thứ tự trong ngày",
                severity="warning",
            )
    if map_type == "future_state" and not data.get("vision"):
        yield Problem(
            ("type",),
            "a future-state map should say its vision (`vision:`)",
            "bản đồ trạng thái tương lai nên nêu tầm nhìn (`vision:`)",
            severity="warning",
        )
