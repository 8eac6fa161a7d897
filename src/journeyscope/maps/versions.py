"""Every save of a map kept as a version, with who saved it and when.

Maps are reviewed monthly or quarterly: the question "what changed since the last review,
and who changed it?" needs every saved text, not only the latest. A map ``NAME`` of a
``maps/`` folder keeps its history in ``maps/.versions/NAME/``: one file per save
(``1.yaml``, ``2.json``, … — the text exactly as saved) and ``index.json``, the list of
versions with author and time. Both are written whole or not at all
(:func:`journeyscope.maps.io.write_atomic`): the version file first, then the index, so an
index never names a file that is not there. Writers of one folder must hold one lock (the
server's folder lock) around :func:`record_version`; readers need none.

The history outlives a deleted map: a map made again under the same name goes on counting.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeyscope.errors import DocumentError, InputError, Location, NotFound
from journeyscope.maps.diff import Change, diff_maps
from journeyscope.maps.io import parse, write_atomic
from journeyscope.maps.personas import Persona
from journeyscope.maps.validate import CheckedMap, check_data

VERSIONS = ".versions"
INDEX = "index.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Version:
    """One saved version: its number (1, 2, …), author, time (UTC, ISO 8601) and file."""

    number: int
    author: str | None
    saved_at: str
    file: str
    size: int
    etag: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def history_folder(maps_folder: Path, name: str) -> Path:
    """Where map ``name`` keeps its versions; ``name`` must be a plain file stem."""
    if not _NAME.match(name) or ".." in name:
        raise InputError(
            f"not a valid map name: {name!r}",
            f"tên bản đồ không hợp lệ: {name!r}",
            location=Location(field="map_name"),
            hint_en="letters, digits, '.', '_' and '-' only",
            hint_vi="chỉ chữ, số, '.', '_' và '-'",
            code="invalid_name",
        )
    return maps_folder / VERSIONS / name


def list_versions(maps_folder: Path, name: str) -> list[Version]:
    """The versions of map ``name``, oldest first (none: an empty list)."""
    index = history_folder(maps_folder, name) / INDEX
    try:
        raw = json.loads(index.read_text("utf-8"))
        return [Version(**entry) for entry in raw["versions"]]
    except FileNotFoundError:
        return []
    except (ValueError, KeyError, TypeError) as exc:
        raise DocumentError(
            f"the version index of map {name!r} is damaged ({exc})",
            f"chỉ mục phiên bản của bản đồ {name!r} bị hỏng ({exc})",
            location=Location(file=f"{VERSIONS}/{name}/{INDEX}"),
            hint_en="restore it from a backup, or delete the folder to start the history again",
            hint_vi="hãy khôi phục từ bản sao lưu, hoặc xoá thư mục để bắt đầu lại lịch sử",
            code="damaged_history",
        ) from None


def record_version(
    maps_folder: Path,
    name: str,
    text: str,
    author: str | None,
    suffix: str = ".yaml",
    now: datetime | None = None,
) -> Version:
    """Keep ``text`` as the next version of map ``name``; the caller holds the folder lock."""
    if suffix not in _SUFFIXES:
        suffix = ".yaml"
    folder = history_folder(maps_folder, name)
    versions = list_versions(maps_folder, name)
    number = versions[-1].number + 1 if versions else 1
    payload = text.encode("utf-8")
    when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    version = Version(
        number=number,
        author=author,
        saved_at=when.replace("+00:00", "Z"),
        file=f"{number}{suffix}",
        size=len(payload),
        etag='"' + hashlib.sha256(payload).hexdigest() + '"',
    )
    write_atomic(folder / version.file, payload)
    index = {"versions": [v.to_dict() for v in [*versions, version]]}
    write_atomic(folder / INDEX, json.dumps(index, ensure_ascii=False, indent=1) + "\n")
    return version


def find_version(maps_folder: Path, name: str, number: int) -> Version:
    """Version ``number`` of map ``name``, or a bilingual 404."""
    for version in list_versions(maps_folder, name):
        if version.number == number:
            return version
    raise NotFound(
        f"map {name!r} has no version {number}",
        f"bản đồ {name!r} không có phiên bản {number}",
        location=Location(field="version"),
        hint_en="list the versions to see which exist",
        hint_vi="hãy xem danh sách phiên bản để biết phiên bản nào có",
    )


def version_text(maps_folder: Path, name: str, number: int) -> str:
    """The text of version ``number`` exactly as it was saved."""
    version = find_version(maps_folder, name, number)
    return (history_folder(maps_folder, name) / version.file).read_text("utf-8")


def check_version(
    maps_folder: Path, name: str, number: int, library: dict[str, Persona] | None = None
) -> CheckedMap:
    """Version ``number`` parsed and validated as ``map validate`` would."""
    version = find_version(maps_folder, name, number)
    source = f"{name}@{number}{Path(version.file).suffix}"
    data, positions = parse(version_text(maps_folder, name, number), source)
    return check_data(data, positions, source, library)


def diff_versions(
    maps_folder: Path,
    name: str,
    old: int,
    new: int,
    lang: str = "en",
    library: dict[str, Persona] | None = None,
) -> list[Change]:
    """What changed from version ``old`` to version ``new`` (``journeyscope map diff``)."""
    maps = []
    for number in (old, new):
        checked = check_version(maps_folder, name, number, library)
        if checked.map is None:
            first = checked.problems[0]
            raise DocumentError(
                f"version {number} of map {name!r} cannot be read: {first.message_en}",
                f"không đọc được phiên bản {number} của bản đồ {name!r}: {first.message_vi}",
                location=Location(first.file, first.line, first.column),
            )
        maps.append(checked.map)
    return diff_maps(maps[0], maps[1], lang)
