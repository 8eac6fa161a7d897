"""Journey maps, write side: create or replace, delete, validate a body, fetch the document
as written (with its ETag), render. The same library calls as ``journeyscope map ...``.

A map is a file of the workspace's ``maps/`` folder named by a plain stem: a client can
never name a path outside it. A write is whole or nothing (a temporary file renamed over
the old one, ``maps.io.write_atomic``), is validated first (an invalid map is a 400 with
every problem located, and nothing is written), and keeps the text as sent — comments
included. Each version has an ETag (the SHA-256 of the file); ``If-Match`` with an older
one is a 412, so two editors cannot overwrite each other unknowingly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import Field

from journeyscope.errors import DocumentError, InputError, Location, NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.maps.io import MAX_DOCUMENT_BYTES, parse
from journeyscope.maps.problems import Problem
from journeyscope.maps.validate import CheckedMap
from journeyscope.server.deps import EditorReadWorkspace, Lang, ReadWorkspace
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
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/maps", tags=["maps"])

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


class InvalidDocument(DocumentError):
    """A document with errors; ``problems`` are all of them, located (the 400's list)."""

    def __init__(self, kind_en: str, kind_vi: str, problems: list[Problem]) -> None:
        first = next((p for p in problems if p.severity == "error"), problems[0])
        super().__init__(
            f"invalid {kind_en}: {first.message_en}",
            f"{kind_vi} không hợp lệ: {first.message_vi}",
            location=Location(first.file, first.line, first.column, first.dotted() or None),
            hint_en="`problems` lists every problem with its line and column",
            hint_vi="`problems` liệt kê mọi lỗi kèm dòng và cột",
        )
        self.problems = problems


class NeedsBrowser(InputError):
    """A render format that needs a headless browser, which the server does not run."""

    code = "format_needs_browser"
    http_status: ClassVar[int] = 422


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
    current = map_file(ws, map_name)
    suffix = current.suffix if current else f".{document_format(request)}"
    source = f"{map_name}{suffix}"
    text = await _document(request, source)
    checked = check_map_text(ws, text, source)
    if not checked.ok:
        raise InvalidDocument("journey map", "bản đồ hành trình", checked.problems)
    target = current or ws.root / "maps" / source
    from journeyscope.maps.io import write_atomic

    with folder_lock(target.parent):
        check_precondition(request, map_file(ws, map_name))
        write_atomic(target, text)
    etag = etag_of(target)
    response.status_code = 200 if current else 201
    response.headers["ETag"] = etag or ""
    return {
        "name": map_name,
        "created": current is None,
        "etag": etag,
        "valid": True,
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


class RenderParams(Params):
    format: Literal["svg", "html", "mermaid", "xlsx", "png", "pdf"] = Field(
        "svg", description="svg, html, mermaid or xlsx (png and pdf need a browser: refused)."
    )
    in_: Literal["en", "vi"] | None = Field(
        None, alias="in", description="Language of the drawing (default: the map's own)."
    )


RENDERED = {
    "svg": ("svg", "image/svg+xml", "svg"),
    "html": ("html", "text/html; charset=utf-8", "html"),
    "mermaid": ("mmd", "text/plain; charset=utf-8", "mmd"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@router.get(
    "/{map_name}/render",
    summary="The map drawn as SVG, HTML, Mermaid or Excel (journeyscope map render)",
    response_class=Response,
)
def render_map(
    map_name: MapName, params: Annotated[RenderParams, Query()], ws: ReadWorkspace
) -> Response:
    if params.format in ("png", "pdf"):
        raise NeedsBrowser(
            f"{params.format} needs a headless browser, which the server does not run",
            f"{params.format} cần trình duyệt không giao diện, máy chủ không chạy trình duyệt",
            location=Location(field="format"),
            hint_en="ask for format=svg or html, or run `journeyscope map render -o map."
            f"{params.format}` where Chromium is installed",
            hint_vi="hãy dùng format=svg hoặc html, hoặc chạy `journeyscope map render -o "
            f"map.{params.format}` trên máy có Chromium",
        )
    from journeyscope.i18n import resolve_language
    from journeyscope.maps.io import read_text
    from journeyscope.render.outputs import RENDERERS

    found = existing_map(ws, map_name)
    # the file's name only in problems: the server's folders are none of the client's business
    checked = check_map_text(ws, read_text(found), found.name)
    if not checked.ok or checked.map is None:
        raise InvalidDocument("journey map", "bản đồ hành trình", checked.problems)
    extension, media, suffix = RENDERED[params.format]
    lang = resolve_language(params.in_ or checked.map.language)
    drawn = RENDERERS[extension](checked.map, checked.personas, lang)
    return Response(
        drawn.encode("utf-8") if isinstance(drawn, str) else drawn,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{map_name}.{suffix}"'},
    )
