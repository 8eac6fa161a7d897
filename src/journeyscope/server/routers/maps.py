"""The workspace's journey maps (its ``maps/`` folder), read side: list, and one map
validated as ``map validate`` checks it. Names are plain file stems: a client can never
name a file outside that folder."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.maps.api import load
from journeyscope.server.deps import Lang, ReadWorkspace
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/maps", tags=["maps"])

SUFFIXES = (".yaml", ".yml", ".json")
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

MapName = Annotated[str, PathParam(description="The map's file name without its extension.")]


@router.get("", summary="The maps in the workspace's maps/ folder")
def list_maps(params: Annotated[Params, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    folder = ws.root / "maps"
    names = sorted(
        {p.stem for p in folder.iterdir() if p.suffix in SUFFIXES and _STEM.match(p.stem)}
        if folder.is_dir()
        else set()
    )
    return {"maps": names}


@router.get("/{map_name}", summary="One map, validated (journeyscope map validate)")
def get_map(
    map_name: MapName, params: Annotated[Params, Query()], ws: ReadWorkspace, lang: Lang
) -> dict[str, Any]:
    if not _STEM.match(map_name) or ".." in map_name:
        raise InputError(
            f"not a map name: {map_name!r}",
            f"không phải tên bản đồ: {map_name!r}",
            location=Location(field="map_name"),
            hint_en="use the file name without folder or extension",
            hint_vi="dùng tên tệp, không kèm thư mục hay phần mở rộng",
            code="invalid_name",
        )
    folder = ws.root / "maps"
    candidates = [folder / f"{map_name}{suffix}" for suffix in SUFFIXES]
    found = next((path for path in candidates if path.is_file()), None)
    if found is None:
        raise NotFound(f"no map named {map_name!r}", f"không có bản đồ tên {map_name!r}")
    checked = load(found)
    return {
        "name": map_name,
        "ok": checked.ok,
        "map": checked.map.model_dump(mode="json") if checked.map is not None else None,
        # the file's name only: the server's folders are none of the client's business
        "problems": [{**p.to_dict(lang), "file": found.name} for p in checked.problems],
    }
