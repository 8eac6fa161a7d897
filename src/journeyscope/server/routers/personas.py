"""Personas and stage models.

Personas: the library a workspace's maps draw on — the built-in examples plus the
workspace's ``maps/personas/`` folder, where a map's persona references are looked up
(``maps.library.library_folders_for``). Read keys list and read them
(``journeyscope persona list --personas DIR --json``); admin keys create, replace and
delete the workspace's own (built-ins cannot be changed: a workspace persona of the same id
takes their place). Writes are validated, atomic and guarded by ``If-Match`` as maps are.

Stage models (``journeyscope stages list|show --json``) are built in; the CLI takes custom
ones from files named on its command line (``--models``), which a client may not name here,
so they are read-only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.maps.io import MAX_DOCUMENT_BYTES, parse
from journeyscope.maps.problems import Problem
from journeyscope.server.deps import EditorReadWorkspace, ReadWorkspace
from journeyscope.server.routers.bodies import (
    check_name,
    check_precondition,
    document_format,
    document_text,
    etag_of,
    folder_lock,
    read_body,
)
from journeyscope.server.routers.maps import SUFFIXES
from journeyscope.server.routers.maps_write import DOCUMENT_BODY, InvalidDocument
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}", tags=["personas"])

PersonaId = Annotated[str, PathParam(description="The persona's id.")]
ModelId = Annotated[str, PathParam(description="The stage model's id.")]


def persona_folder(ws: Workspace) -> Path:
    return ws.root / "maps" / "personas"


def persona_file(ws: Workspace, persona_id: str) -> Path | None:
    """The workspace's file for ``persona_id`` (by file stem), if any."""
    folder = persona_folder(ws)
    return next((p for s in SUFFIXES if (p := folder / f"{persona_id}{s}").is_file()), None)


def _library(ws: Workspace) -> dict[str, Any]:
    from journeyscope.maps.library import persona_library

    return persona_library([persona_folder(ws)])


@router.get("/personas", summary="The persona library: built-in plus maps/personas/")
def list_personas(params: Annotated[Params, Query()], ws: ReadWorkspace) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json", exclude_none=True) for p in _library(ws).values()]


@router.get("/personas/{persona_id}", summary="One persona of the library")
def get_persona(
    persona_id: PersonaId, params: Annotated[Params, Query()], ws: ReadWorkspace
) -> dict[str, Any]:
    from journeyscope.maps.api import library_persona

    check_name(persona_id, "persona_id")
    persona = library_persona(persona_id, [persona_folder(ws)])
    body: dict[str, Any] = persona.model_dump(mode="json", exclude_none=True)
    return body


def _check_persona(text: str, source: str, persona_id: str) -> None:
    """Validate a persona document whose ``id`` is ``persona_id``; 400 with every problem."""
    from pydantic import ValidationError

    from journeyscope.maps.personas import Persona
    from journeyscope.maps.problems import from_validation_error, locate

    data, positions = parse(text, source)
    try:
        persona = Persona.model_validate(data)
    except ValidationError as exc:
        problems = [locate(p, positions, source) for p in from_validation_error(exc, data)]
        raise InvalidDocument("persona", "chân dung khách hàng", problems) from None
    if persona.id != persona_id:
        problem = Problem(
            ("id",),
            f"the document's id {persona.id!r} is not the id in the URL ({persona_id!r})",
            f"id {persona.id!r} của tài liệu khác id trong URL ({persona_id!r})",
        )
        raise InvalidDocument(
            "persona", "chân dung khách hàng", [locate(problem, positions, source)]
        )


@router.put(
    "/personas/{persona_id}",
    summary="Create or replace a persona of maps/personas/ (validated; If-Match)",
    openapi_extra=DOCUMENT_BODY,
    responses={201: {"description": "Created"}, 412: {"description": "If-Match is stale"}},
)
async def put_persona(
    request: Request,
    response: Response,
    persona_id: PersonaId,
    params: Annotated[Params, Query()],
    ws: EditorReadWorkspace,
) -> dict[str, Any]:
    from journeyscope.maps.io import write_atomic

    check_name(persona_id, "persona_id")
    current = persona_file(ws, persona_id)
    source = current.name if current else f"{persona_id}.{document_format(request)}"
    text = document_text(await read_body(request, MAX_DOCUMENT_BYTES), source)
    _check_persona(text, source, persona_id)
    target = current or persona_folder(ws) / source
    with folder_lock(target.parent):
        check_precondition(request, persona_file(ws, persona_id))
        write_atomic(target, text)
    etag = etag_of(target)
    response.status_code = 200 if current else 201
    response.headers["ETag"] = etag or ""
    return {"id": persona_id, "created": current is None, "etag": etag}


@router.delete("/personas/{persona_id}", summary="Delete a persona of maps/personas/")
def delete_persona(
    request: Request,
    persona_id: PersonaId,
    params: Annotated[Params, Query()],
    ws: EditorReadWorkspace,
) -> dict[str, Any]:
    check_name(persona_id, "persona_id")
    found = persona_file(ws, persona_id)
    if found is None:
        raise NotFound(
            f"no persona {persona_id!r} in this workspace's maps/personas/",
            f"maps/personas/ của workspace này không có chân dung {persona_id!r}",
            hint_en="built-in personas cannot be deleted; GET /personas lists the library",
            hint_vi="không xoá được chân dung có sẵn; GET /personas liệt kê thư viện",
        )
    with folder_lock(found.parent):
        check_precondition(request, found)
        found.unlink(missing_ok=True)
    return {"deleted": persona_id}


@router.get(
    "/stage-models", summary="The stage models (journeyscope stages list)", tags=["stage models"]
)
def list_stage_models(
    params: Annotated[Params, Query()], ws: ReadWorkspace
) -> list[dict[str, Any]]:
    from journeyscope.maps.stage_models import stage_models

    return [m.model_dump(mode="json", exclude_none=True) for m in stage_models().values()]


@router.get(
    "/stage-models/{model_id}",
    summary="One stage model (journeyscope stages show)",
    tags=["stage models"],
)
def get_stage_model(
    model_id: ModelId, params: Annotated[Params, Query()], ws: ReadWorkspace
) -> dict[str, Any]:
    from journeyscope.maps.stage_models import get_stage_model as find

    if len(model_id) > 100:
        raise InputError(
            "a stage model id has at most 100 characters",
            "mã mô hình giai đoạn có tối đa 100 ký tự",
            location=Location(field="model_id"),
            code="invalid_name",
        )
    body: dict[str, Any] = find(model_id).model_dump(mode="json", exclude_none=True)
    return body
