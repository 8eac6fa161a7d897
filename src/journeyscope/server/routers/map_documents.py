"""What the maps routes share beside the routes: the 400 of an invalid document (every
problem located), and drawing a valid map in a format with ``map render``'s renderers
(PNG and PDF by Chromium, where the server has it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from fastapi import Response
from pydantic import Field

from journeyscope.errors import DocumentError, InputError, Location
from journeyscope.maps.problems import Problem
from journeyscope.maps.validate import CheckedMap
from journeyscope.server.routers.reports import Params

if TYPE_CHECKING:
    from journeyscope.events.workspace import Workspace


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


class RenderParams(Params):
    format: Literal["svg", "html", "mermaid", "xlsx", "png", "pdf"] = Field(
        "svg",
        description="svg, html, mermaid, xlsx; png and pdf where the server has Chromium "
        "(else 422 format_needs_browser).",
    )
    in_: Literal["en", "vi"] | None = Field(
        None, alias="in", description="Language of the drawing (default: the map's own)."
    )
    since: str | None = Field(
        None, description="Bound cells: first day of the period (CLI --from), YYYY-MM-DD."
    )
    until: str | None = Field(
        None, description="Bound cells: last day, included (CLI --to), YYYY-MM-DD."
    )
    min_customers: int = Field(30, ge=0, description="Bound cells: fewer customers is `few`.")
    stale_days: int = Field(
        30, ge=0, description="Bound cells: newest event older than this is `stale`."
    )


RENDERED = {
    "svg": ("svg", "image/svg+xml", "svg"),
    "html": ("html", "text/html; charset=utf-8", "html"),
    "mermaid": ("mmd", "text/plain; charset=utf-8", "mmd"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "png": ("png", "image/png", "png"),
    "pdf": ("pdf", "application/pdf", "pdf"),
}


def needs_browser(fmt: str) -> None:
    from journeyscope.render.browser import find_chromium

    if fmt in ("png", "pdf") and find_chromium() is None:
        raise NeedsBrowser(
            f"{fmt} needs a headless browser (Chromium), which this server does not have",
            f"{fmt} cần trình duyệt không giao diện (Chromium), máy chủ này không có",
            location=Location(field="format"),
            hint_en="ask for format=svg or html, install Chromium on the server, or run "
            f"`journeyscope map render -o map.{fmt}` where Chromium is installed",
            hint_vi="hãy dùng format=svg hoặc html, cài Chromium trên máy chủ, hoặc chạy "
            f"`journeyscope map render -o map.{fmt}` trên máy có Chromium",
        )


def drawn(
    checked: CheckedMap, params: RenderParams, file_stem: str, ws: Workspace | None = None
) -> Response:
    """A valid map drawn by ``map render``'s renderer for the format, as a download; bound
    cells filled from ``ws`` for the period (``journeyscope map render -w``)."""
    from journeyscope.app.living import bound_map
    from journeyscope.i18n import resolve_language
    from journeyscope.living.bind import Settings
    from journeyscope.render.outputs import RENDERERS

    if not checked.ok or checked.map is None:
        raise InvalidDocument("journey map", "bản đồ hành trình", checked.problems)
    needs_browser(params.format)
    extension, media, suffix = RENDERED[params.format]
    lang = resolve_language(params.in_ or checked.map.language)
    settings = Settings(params.min_customers, params.stale_days)
    filled = bound_map(ws, checked.map, params.since, params.until, settings)
    out = RENDERERS[extension](filled, checked.personas, lang)
    return Response(
        out.encode("utf-8") if isinstance(out, str) else out,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{file_stem}.{suffix}"'},
    )
