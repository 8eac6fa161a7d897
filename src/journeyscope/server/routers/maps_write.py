"""Journey maps, write side: create (from a template or a stage model, or from an Excel
workbook), replace, delete, validate a body, fetch the document as written (with its ETag),
render a saved map or an unsaved body. The same library calls as ``journeyscope map ...``.

A map is a file of the workspace's ``maps/`` folder named by a plain stem: a client can
never name a path outside it. A write is whole or nothing (a temporary file renamed over
the old one, ``maps.io.write_atomic``), is validated first (an invalid map is a 400 with
every problem located, and nothing is written), and keeps the text as sent — comments
included — except that a JSON body over a YAML map is stored as YAML. Each version has an
ETag (the SHA-256 of the file); ``If-Match`` with an older one is a 412, so two editors
cannot overwrite each other unknowingly; every save is also kept with its author and time
(``maps.versions``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.maps.io import MAX_DOCUMENT_BYTES, parse
from journeyscope.maps.model import JourneyMap, MapType
from journeyscope.maps.validate import CheckedMap
from journeyscope.maps.versions import Version
from journeyscope.server.deps import EditorReadWorkspace, Lang, ReadWorkspace
from journeyscope.server.routers.bodies import (
    PreconditionFailed,
    check_name,
    check_precondition,
    document_format,
    document_text,
    etag_of,
    folder_lock,
    read_body,
)
from journeyscope.server.routers.map_documents import (
    InvalidDocument,
    RenderParams,
    drawn,
    needs_browser,
)
from journeyscope.server.routers.maps import RESERVED, SUFFIXES
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/maps", tags=["maps"])
__all__ = ["DOCUMENT_BODY", "InvalidDocument", "router"]  # personas.py shares these

MapName = Annotated[str, PathParam(description="The map's file name without its extension.")]
DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The document as JSON (Content-Type: application/json) or YAML.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}
MEDIA = {".json": "application/json", ".yaml": "application/yaml", ".yml": "application/yaml"}


def map_file(ws: Workspace, map_name: str) -> Path | None:
    """The existing file of map ``map_name`` (``.yaml``, ``.yml`` or ``.json``), if any."""
    folder = ws.root / "maps"
    return next(
        (p for s in SUFFIXES if (p := folder / f"{map_name}{s}").is_file()),
        None,
    )


def existing_map(ws: Workspace, map_name: str) -> Path:
    found = map_file(ws, check_name(map_name, "map_name"))
    if found is None:
        raise NotFound(f"no map named {map_name!r}", f"không có bản đồ tên {map_name!r}")
    return found


def check_map_text(ws: Workspace, text: str, source: str) -> CheckedMap:
    """Validate a map document as ``map validate`` does, personas from ``maps/personas/``."""
    from journeyscope.maps.library import library_folders_for, persona_library
    from journeyscope.maps.validate import check_data

    data, positions = parse(text, source)
    library = persona_library(library_folders_for(ws.root / "maps" / source))
    return check_data(data, positions, source, library)


def stored_map(ws: Workspace, map_name: str) -> Any:
    """The workspace's map ``map_name``, read and valid (else 404, or 422 with its
    problems), for the routes that read a map against the data."""
    from journeyscope.maps.io import read_text

    found = existing_map(ws, map_name)
    checked = check_map_text(ws, read_text(found), found.name)
    if checked.map is None:
        raise InvalidDocument("journey map", "bản đồ hành trình", checked.problems)
    return checked.map


def refuse_reserved(map_name: str) -> None:
    """``templates``, ``validate`` and ``render`` name routes beside the maps."""
    if map_name in RESERVED:
        raise InputError(
            f"{map_name!r} is a reserved name: choose another name for the map",
            f"{map_name!r} là tên dành riêng: hãy chọn tên khác cho bản đồ",
            location=Location(field="map_name"),
            hint_en="reserved: " + ", ".join(sorted(RESERVED)),
            hint_vi="tên dành riêng: " + ", ".join(sorted(RESERVED)),
            code="invalid_name",
        )


def as_yaml(text: str, source: str) -> str:
    """A JSON document as YAML, empty (null) fields left out."""
    from journeyscope.maps.io import dump_yaml

    def pruned(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: pruned(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [pruned(v) for v in value]
        return value

    return dump_yaml(pruned(parse(text, source)[0]))


def author_of(request: Request) -> str | None:
    """Who saves: the signed-in user's e-mail, else the API key's name (or id)."""
    session = getattr(request.state, "user", None)
    if session is not None:
        email: str = session.user.email
        return email
    key = getattr(request.state, "key", None)
    return (key.name or key.key_id) if key is not None else None


def save_map(request: Request, target: Path, map_name: str, text: str) -> Version:
    """Keep the text as the map's next version, then write the map (the caller holds the
    lock): a history that cannot be read or written stops the save before the map changes,
    so a map never changes without its version."""
    from journeyscope.maps.io import write_atomic
    from journeyscope.maps.versions import record_version

    version = record_version(target.parent, map_name, text, author_of(request), target.suffix)
    write_atomic(target, text)
    return version


async def _document(request: Request, source: str) -> str:
    return document_text(await read_body(request, MAX_DOCUMENT_BYTES), source)


@router.post(
    "/validate",
    summary="Validate a map without saving it (journeyscope map validate)",
    openapi_extra=DOCUMENT_BODY,
)
async def validate_map(
    request: Request, params: Annotated[Params, Query()], ws: ReadWorkspace, lang: Lang
) -> dict[str, Any]:
    source = f"body.{document_format(request)}"
    checked = check_map_text(ws, await _document(request, source), source)
    return {
        "file": source,
        "valid": checked.ok,
        "problems": [p.to_dict(lang) for p in checked.problems],
    }


@router.put(
    "/{map_name}",
    summary="Create or replace a map (validated first; If-Match for safe edits)",
    openapi_extra=DOCUMENT_BODY,
    responses={201: {"description": "Created"}, 412: {"description": "If-Match is stale"}},
)
async def put_map(
    request: Request,
    response: Response,
    map_name: MapName,
    params: Annotated[Params, Query()],
    ws: EditorReadWorkspace,
    lang: Lang,
) -> dict[str, Any]:
    check_name(map_name, "map_name")
    refuse_reserved(map_name)
    current = map_file(ws, map_name)
    suffix = current.suffix if current else f".{document_format(request)}"
    source = f"{map_name}{suffix}"
    text = await _document(request, source)
    checked = check_map_text(ws, text, source)
    if not checked.ok:
        raise InvalidDocument("journey map", "bản đồ hành trình", checked.problems)
    if document_format(request) == "json" and suffix != ".json":
        text = as_yaml(text, source)  # a YAML file stays YAML when an editor sends JSON
    target = current or ws.root / "maps" / source
    with folder_lock(target.parent):
        check_precondition(request, map_file(ws, map_name))
        version = save_map(request, target, map_name, text)
    etag = etag_of(target)
    response.status_code = 200 if current else 201
    response.headers["ETag"] = etag or ""
    return {
        "name": map_name,
        "created": current is None,
        "etag": etag,
        "valid": True,
        "version": version.to_dict(),
        "problems": [p.to_dict(lang) for p in checked.problems],  # warnings only
    }


@router.delete("/{map_name}", summary="Delete a map (If-Match for safe deletes)")
def delete_map(
    request: Request, map_name: MapName, params: Annotated[Params, Query()], ws: EditorReadWorkspace
) -> dict[str, Any]:
    found = existing_map(ws, map_name)
    with folder_lock(found.parent):
        check_precondition(request, found)
        found.unlink(missing_ok=True)
    return {"deleted": map_name}


@router.get(
    "/{map_name}/document",
    summary="The map's document as written (YAML or JSON), with its ETag",
    response_class=Response,
)
def map_document(
    map_name: MapName, params: Annotated[Params, Query()], ws: ReadWorkspace
) -> Response:
    found = existing_map(ws, map_name)
    body = found.read_bytes()
    import hashlib

    return Response(
        body,
        media_type=MEDIA[found.suffix],
        headers={"ETag": '"' + hashlib.sha256(body).hexdigest() + '"'},
    )


@router.get(
    "/{map_name}/render",
    summary="The map drawn as SVG, HTML, Mermaid, Excel, PNG or PDF (journeyscope map render)",
    response_class=Response,
)
def render_map(
    map_name: MapName, params: Annotated[RenderParams, Query()], ws: ReadWorkspace
) -> Response:
    from journeyscope.maps.io import read_text

    needs_browser(params.format)
    found = existing_map(ws, map_name)
    # the file's name only in problems: the server's folders are none of the client's business
    return drawn(check_map_text(ws, read_text(found), found.name), params, map_name, ws)


class CompareParams(Params):
    since: str | None = Field(None, description="First day (YYYY-MM-DD or ISO time).")
    until: str | None = Field(None, description="Last day, included.")
    where: str | None = Field(None, description='Event filter: "channel = web".')


@router.get(
    "/{map_name}/compare",
    summary="How real journeys follow this designed map (journeyscope map compare --json)",
)
def compare_with_journeys(
    map_name: MapName, params: Annotated[CompareParams, Query()], ws: ReadWorkspace, lang: Lang
) -> dict[str, Any]:
    from journeyscope.app.compare import compare_map

    report = compare_map(ws, stored_map(ws, map_name), params.since, params.until, params.where)
    return report.for_language(lang)


class ReviewParams(Params):
    since: str | None = Field(None, description="First day under review (the last review).")
    until: str | None = Field(None, description="Last day, included (default: the data's last).")
    sensitivity: str = Field("medium", description="low, medium or high.")


@router.get(
    "/{map_name}/review",
    summary="What moved on this map since a day, tested (journeyscope map review --json)",
)
def review_against_before(
    map_name: MapName, params: Annotated[ReviewParams, Query()], ws: ReadWorkspace, lang: Lang
) -> dict[str, Any]:
    from journeyscope.app.review import review_map

    m = stored_map(ws, map_name)
    report, _ = review_map(ws, m, params.since, params.until, params.sensitivity)
    return report.for_language(lang)


@router.post(
    "/render",
    summary="Draw a map sent in the body, unsaved (an editor's live preview)",
    response_class=Response,
    openapi_extra=DOCUMENT_BODY,
)
async def render_body(
    request: Request, params: Annotated[RenderParams, Query()], ws: EditorReadWorkspace
) -> Response:
    source = f"body.{document_format(request)}"
    checked = check_map_text(ws, await _document(request, source), source)
    return await run_in_threadpool(drawn, checked, params, "map", ws)


class NewMap(BaseModel):
    """What ``journeyscope map new`` takes: a template, or a stage model and a map type."""

    model_config = ConfigDict(extra="forbid")
    template: str | None = Field(None, description="Template id (GET .../maps/templates).")
    stage_model: str | None = Field(None, description="Stage model id (GET .../stage-models).")
    type: MapType = Field("current_state", description="The map type of a blank map.")
    lang: Literal["en", "vi", "both"] = Field("both", description="Language of the words.")


def _exists(map_name: str) -> PreconditionFailed:
    return PreconditionFailed(
        f"a map named {map_name!r} already exists",
        f"đã có bản đồ tên {map_name!r}",
        location=Location(field="map_name"),
        hint_en="choose another name, or open that map",
        hint_vi="hãy chọn tên khác, hoặc mở bản đồ đó",
    )


def _create(request: Request, ws: Workspace, map_name: str, m: JourneyMap) -> dict[str, Any]:
    """Write a new map (never over an existing one) as its first version."""
    from journeyscope.maps.io import dump_document

    check_name(map_name, "map_name")
    refuse_reserved(map_name)
    source = f"{map_name}.yaml"
    text = dump_document(m)
    checked = check_map_text(ws, text, source)
    if not checked.ok:
        raise InvalidDocument("journey map", "bản đồ hành trình", checked.problems)
    target = ws.root / "maps" / source
    with folder_lock(target.parent):
        if map_file(ws, map_name) is not None:
            raise _exists(map_name)
        version = save_map(request, target, map_name, text)
    return {"name": map_name, "etag": etag_of(target), "version": version.to_dict()}


@router.post(
    "/{map_name}/new",
    status_code=201,
    summary="Create a map from a template or a stage model (journeyscope map new)",
)
def new_map(
    request: Request,
    map_name: MapName,
    body: NewMap,
    params: Annotated[Params, Query()],
    ws: EditorReadWorkspace,
) -> dict[str, Any]:
    from journeyscope.maps import api as maps_api

    lang = None if body.lang == "both" else body.lang
    if body.template:
        m = maps_api.new_from_template(body.template, lang)
    elif body.stage_model:
        m = maps_api.new_blank(body.stage_model, body.type, lang)
    else:
        raise InputError(
            "give a template or a stage model",
            "hãy chọn một mẫu hoặc một mô hình giai đoạn",
            location=Location(field="template"),
            hint_en="GET .../maps/templates and .../stage-models list them",
            hint_vi="GET .../maps/templates và .../stage-models liệt kê chúng",
            code="missing_option",
        )
    return _create(request, ws, map_name, m)


class GenerateMap(BaseModel):
    """What ``journeyscope map generate`` takes: the stage model, whom and when."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(
        "current_state", description="current_state or day_in_the_life (alias day_in_life)."
    )
    model: str = Field("retail5", description="Stage model with stage rules.")
    persona: str | None = Field(None, description="Persona id (not with `where`).")
    where: str | None = Field(None, description='Event filter: "channel in (shopee, lazada)".')
    since: str | None = Field(None, description="First day (YYYY-MM-DD or ISO time).")
    until: str | None = Field(None, description="Last day, included.")
    lang: Literal["en", "vi"] = Field("vi", description="Language of the map.")


@router.post(
    "/{map_name}/generate",
    status_code=201,
    summary="Generate a current-state or day-in-the-life map from the data "
    "(journeyscope map generate)",
    responses={412: {"description": "A map of that name already exists"}},
)
def generate_map(
    request: Request,
    map_name: MapName,
    body: GenerateMap,
    params: Annotated[Params, Query()],
    ws: EditorReadWorkspace,
) -> dict[str, Any]:
    import re

    from journeyscope.app.generate import generate

    check_name(map_name, "map_name")
    slug = (
        map_name.lower() if re.fullmatch(r"[a-z0-9][a-z0-9_\-]{0,63}", map_name.lower()) else None
    )
    m = generate(
        ws,
        type_name=body.type,
        model=body.model,
        persona=body.persona,
        where=body.where,
        since=body.since,
        until=body.until,
        lang=body.lang,
        map_id=slug,
    )
    return _create(request, ws, map_name, m)


#: the largest Excel workbook an import takes (a map's grid is kilobytes)
MAX_XLSX_BYTES = 20 * 1024 * 1024


@router.post(
    "/{map_name}/import",
    status_code=201,
    summary="A new map from an Excel workbook (journeyscope map import)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The .xlsx file itself as the body.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def import_map(
    request: Request,
    map_name: MapName,
    params: Annotated[Params, Query()],
    ws: EditorReadWorkspace,
) -> dict[str, Any]:
    import shutil
    import tempfile

    from journeyscope.maps import api as maps_api

    check_name(map_name, "map_name")
    body = await read_body(request, MAX_XLSX_BYTES)
    folder = Path(tempfile.mkdtemp(prefix=".import-", dir=ws.root))
    try:
        upload = folder / f"{map_name}.xlsx"
        upload.write_bytes(body)
        m = await run_in_threadpool(maps_api.import_map, upload)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return await run_in_threadpool(_create, request, ws, map_name, m)
