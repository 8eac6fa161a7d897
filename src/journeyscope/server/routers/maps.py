"""The workspace's journey maps (its ``maps/`` folder), read side: list (with the details a
gallery shows), the templates, one map validated as ``map validate`` checks it, and its
saved versions and the ``map diff`` between two of them. Names are plain file stems: a
client can never name a file outside that folder."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import Field

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.maps.api import load
from journeyscope.server.deps import Lang, ReadWorkspace
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/maps", tags=["maps"])

SUFFIXES = (".yaml", ".yml", ".json")
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: names of routes beside the maps: no map may be called so
RESERVED = frozenset({"templates", "validate", "render", "metrics"})

MapName = Annotated[str, PathParam(description="The map's file name without its extension.")]


class ListParams(Params):
    details: bool = Field(
        False, description="Also each map's title, type, personas, language and last save."
    )


def _names(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(
        {p.stem for p in folder.iterdir() if p.suffix in SUFFIXES and _STEM.match(p.stem)}
    )


def _file_of(folder: Path, map_name: str) -> Path | None:
    return next((p for s in SUFFIXES if (p := folder / f"{map_name}{s}").is_file()), None)


def map_details(folder: Path, map_name: str) -> dict[str, Any]:
    """What the gallery shows of one map: its words as written (``{en, vi}`` or plain),
    whether it is valid, and who saved it last and when (the newest version; a map never
    saved through the server: the file's time and no author)."""
    from journeyscope.maps.validate import check_map_file
    from journeyscope.maps.versions import list_versions

    path = _file_of(folder, map_name)
    assert path is not None
    checked = check_map_file(path)
    m = checked.map
    versions = list_versions(folder, map_name)
    saved_at = (
        versions[-1].saved_at
        if versions
        else datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    )
    return {
        "name": map_name,
        "valid": checked.ok,
        "title": m.model_dump(mode="json")["title"] if m else None,
        "type": m.type if m else None,
        "language": m.language if m else None,
        "personas": [
            {"id": pid, "name": checked.personas[pid].model_dump(mode="json")["name"]}
            if pid in checked.personas
            else {"id": pid, "name": None}
            for pid in (m.persona_ids() if m else [])
        ],
        "stages": len(m.stages) if m else None,
        "saved_by": versions[-1].author if versions else None,
        "saved_at": saved_at,
        "versions": len(versions),
    }


@router.get("", summary="The maps in the workspace's maps/ folder")
def list_maps(params: Annotated[ListParams, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    folder = ws.root / "maps"
    names = _names(folder)
    if not params.details:
        return {"maps": names}
    return {"maps": names, "details": [map_details(folder, n) for n in names]}


@router.get("/templates", summary="The built-in map templates (journeyscope map templates)")
def list_map_templates(
    params: Annotated[Params, Query()], ws: ReadWorkspace
) -> list[dict[str, Any]]:
    from journeyscope.maps.templates import list_templates

    return [info.to_dict() for info in list_templates()]


@router.get(
    "/metrics",
    summary="The metrics a map cell can bind to (metric: {name, stage, touchpoint, where})",
)
def list_map_metrics(params: Annotated[Params, Query()], ws: ReadWorkspace) -> list[dict[str, Any]]:
    """The registry of ``living.metrics`` with what each binding needs, for an editor's
    picker: ``needs`` is ``stage``, ``touchpoint``, ``where`` or ``none`` (a feedback
    metric: a touchpoint is optional and a filter is refused)."""
    from journeyscope.living.metrics import METRICS
    from journeyscope.maps.bindings import METRIC_NEEDS

    return [
        {
            "name": m.name,
            "label": {"en": m.label_en, "vi": m.label_vi},
            "unit": m.unit,
            "source": m.source,
            "needs": METRIC_NEEDS[m.name],
            "touchpoint_optional": m.source == "feedback",
            "where_allowed": m.source != "feedback",
        }
        for m in METRICS.values()
    ]


def checked_name(map_name: str) -> str:
    if not _STEM.match(map_name) or ".." in map_name:
        raise InputError(
            f"not a map name: {map_name!r}",
            f"không phải tên bản đồ: {map_name!r}",
            location=Location(field="map_name"),
            hint_en="use the file name without folder or extension",
            hint_vi="dùng tên tệp, không kèm thư mục hay phần mở rộng",
            code="invalid_name",
        )
    return map_name


@router.get("/{map_name}", summary="One map, validated (journeyscope map validate)")
def get_map(
    map_name: MapName,
    params: Annotated[Params, Query()],
    ws: ReadWorkspace,
    lang: Lang,
    response: Response,
) -> dict[str, Any]:
    from journeyscope.maps.io import parse, read_text

    checked_name(map_name)
    found = _file_of(ws.root / "maps", map_name)
    if found is None:
        raise NotFound(f"no map named {map_name!r}", f"không có bản đồ tên {map_name!r}")
    checked = load(found)
    text = read_text(found)
    etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest() + '"'
    response.headers["ETag"] = etag
    return {
        "name": map_name,
        "ok": checked.ok,
        "map": checked.map.model_dump(mode="json") if checked.map is not None else None,
        # the file's name only: the server's folders are none of the client's business
        "problems": [{**p.to_dict(lang), "file": found.name} for p in checked.problems],
        # what the file says, for an editor to change and PUT back with If-Match
        "document": parse(text, found.name)[0],
        "etag": etag,
    }


@router.get("/{map_name}/versions", summary="Every saved version of a map, oldest first")
def map_versions(
    map_name: MapName, params: Annotated[Params, Query()], ws: ReadWorkspace
) -> dict[str, Any]:
    from journeyscope.maps.versions import list_versions

    versions = list_versions(ws.root / "maps", checked_name(map_name))
    return {"name": map_name, "versions": [v.to_dict() for v in versions]}


@router.get("/{map_name}/versions/{number}", summary="One saved version of a map")
def map_version(
    map_name: MapName,
    number: Annotated[int, PathParam(ge=1, description="The version's number (1, 2, …).")],
    params: Annotated[Params, Query()],
    ws: ReadWorkspace,
    lang: Lang,
) -> dict[str, Any]:
    from journeyscope.maps.io import parse
    from journeyscope.maps.library import persona_library
    from journeyscope.maps.versions import check_version, find_version, version_text

    folder = ws.root / "maps"
    version = find_version(folder, checked_name(map_name), number)
    checked = check_version(folder, map_name, number, persona_library([folder / "personas"]))
    text = version_text(folder, map_name, number)
    return {
        **version.to_dict(),
        "name": map_name,
        "valid": checked.ok,
        "map": checked.map.model_dump(mode="json") if checked.map is not None else None,
        "problems": [p.to_dict(lang) for p in checked.problems],
        "text": text,
        "document": parse(text, version.file)[0] if checked.map is not None else None,
    }


class DiffParams(Params):
    old: int = Field(ge=1, description="The older version's number.")
    new: int = Field(ge=1, description="The newer version's number.")


@router.get("/{map_name}/diff", summary="What changed between two versions (journeyscope map diff)")
def map_diff(
    map_name: MapName, params: Annotated[DiffParams, Query()], ws: ReadWorkspace, lang: Lang
) -> dict[str, Any]:
    from journeyscope.maps.library import persona_library
    from journeyscope.maps.versions import diff_versions

    folder = ws.root / "maps"
    library = persona_library([folder / "personas"])
    changes = diff_versions(folder, checked_name(map_name), params.old, params.new, lang, library)
    return {
        "name": map_name,
        "old": params.old,
        "new": params.new,
        "changes": [c.to_dict(lang) for c in changes],
        "count": len(changes),
    }
