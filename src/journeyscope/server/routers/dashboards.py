"""What the web app's dashboards need beyond the reports: the event names a funnel builder
offers, who dropped at a funnel step, and the dashboards a team saved.

- ``GET /event-names``: every event name with its events and customers (readers).
- ``GET /funnel/dropped``: ``journeyscope funnel --dropped-at STEP`` as JSON rows — the
  same query and library call, written to a temporary CSV and read back (readers).
- ``GET|POST /dashboards``, ``DELETE /dashboards/{dashboard_id}``: a dashboard is a page
  of the app (funnel, paths, ...) and the query a user built there, with a name. They live
  in the workspace's ``dashboards.json``, rewritten whole (``maps.io.write_atomic``) under
  one lock, so two saves never lose each other. Viewers open them; editors and admins save
  and delete them.
"""

from __future__ import annotations

import csv
import json
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field, field_validator

from journeyscope.app import run
from journeyscope.app.queries import DroppedQuery
from journeyscope.app.reports import DroppedReport
from journeyscope.errors import DocumentError, InputError, Location, NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.maps.io import write_atomic
from journeyscope.server.deps import EditorReadWorkspace, ReadWorkspace
from journeyscope.server.routers.bodies import folder_lock
from journeyscope.server.routers.reports import FunnelParams, Params

router = APIRouter(prefix="/api/v1/workspaces/{name}", tags=["dashboards"])

FILE = "dashboards.json"
#: rows of dropped customers sent to a browser (the count is always the whole)
MAX_DROPPED_ROWS = 10_000
#: saved dashboards per workspace
MAX_DASHBOARDS = 500
Page = Literal["funnel", "paths", "stages", "touchpoints", "attribution", "retention"]
DashboardId = Annotated[str, PathParam(description="The saved dashboard's id.")]


# -- event names, dropped customers -------------------------------------------------------


@router.get("/event-names", summary="Event names with their events and customers")
def event_names(params: Annotated[Params, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    from journeyscope.analytics.event_names import event_names as names
    from journeyscope.engine.select import open_runner

    return {"events": names(open_runner(ws))}


class DroppedParams(FunnelParams):
    step: str = Field(description="Customers who reached this step and not the next one.")


def _rows(path: Path) -> list[dict[str, Any]]:
    """The dropped customers' CSV as JSON rows (ids as numbers, empty cells as null)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows: list[dict[str, Any]] = []
        for row in csv.DictReader(fh):
            if len(rows) == MAX_DROPPED_ROWS:
                break
            item: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
            item["customer_id"] = int(row["customer_id"])
            rows.append(item)
    return rows


@router.get(
    "/funnel/dropped",
    summary="Who reached a step and not the next (journeyscope funnel --dropped-at)",
)
def funnel_dropped(params: Annotated[DroppedParams, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="journeyscope-dropped-") as folder:
        target = Path(folder) / "dropped.csv"
        report = run(DroppedQuery(output=target, **params.query_fields()), ws)
        assert isinstance(report, DroppedReport)
        rows = _rows(target) if report.customers else []
    return {
        "step": report.step,
        "customers": report.customers,
        "rows": rows,
        "truncated": report.customers > len(rows),
    }


# -- saved dashboards ---------------------------------------------------------------------


class DashboardIn(BaseModel):
    """A dashboard to save: the page, a name, and the query in the page's address."""

    model_config = ConfigDict(extra="forbid")
    page: Page = Field(description="The dashboard page: funnel, paths, stages, ...")
    name: str = Field(min_length=1, max_length=100, description="A name people recognise.")
    query: str = Field("", max_length=2000, description="The page's query: steps=a,b&window=7d.")

    @field_validator("name", "query")
    @classmethod
    def _plain(cls, value: str) -> str:
        if any(ord(c) < 32 for c in value):
            raise ValueError("control characters are not allowed")
        return value.strip()


def _file(ws: Workspace) -> Path:
    return ws.root / FILE


def load_dashboards(ws: Workspace) -> list[dict[str, Any]]:
    """The saved dashboards, oldest first ([] before the first save)."""
    path = _file(ws)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(
            f"{FILE} is not valid JSON: {exc}",
            f"{FILE} không phải JSON hợp lệ: {exc}",
            location=Location(file=FILE),
            hint_en="fix or remove the file (it only holds saved dashboards)",
            hint_vi="sửa hoặc xoá tệp (tệp chỉ chứa các bảng số liệu đã lưu)",
        ) from None
    found = data.get("dashboards") if isinstance(data, dict) else None
    return [d for d in found or [] if isinstance(d, dict)]


def _save(ws: Workspace, items: list[dict[str, Any]]) -> None:
    text = json.dumps({"dashboards": items}, ensure_ascii=False, indent=2) + "\n"
    write_atomic(_file(ws), text)


def _author(request: Request) -> str | None:
    key = getattr(request.state, "key", None)
    return getattr(key, "name", None) or getattr(key, "key_id", None)


@router.get("/dashboards", summary="Saved dashboards (all, or one page's)")
def list_dashboards(
    ws: ReadWorkspace,
    page: Annotated[Page | None, Query(description="Only this page's.")] = None,
) -> dict[str, Any]:
    items = load_dashboards(ws)
    return {"dashboards": [d for d in items if page is None or d.get("page") == page]}


@router.post("/dashboards", status_code=201, summary="Save a dashboard (same name: replaced)")
def save_dashboard(body: DashboardIn, request: Request, ws: EditorReadWorkspace) -> dict[str, Any]:
    if not body.name:
        raise InputError(
            "a dashboard needs a name",
            "bảng số liệu cần có tên",
            location=Location(field="name"),
            hint_en="e.g. Funnel: cart to purchase, last 30 days",
            hint_vi="ví dụ Phễu: giỏ hàng đến mua, 30 ngày qua",
            code="invalid_name",
        )
    with folder_lock(_file(ws)):
        items = load_dashboards(ws)
        kept = [d for d in items if (d.get("page"), d.get("name")) != (body.page, body.name)]
        if len(kept) >= MAX_DASHBOARDS:
            raise InputError(
                f"this workspace already has {MAX_DASHBOARDS} saved dashboards",
                f"workspace này đã có {MAX_DASHBOARDS} bảng số liệu đã lưu",
                location=Location(field="name"),
                hint_en="delete some you no longer use",
                hint_vi="hãy xoá bớt những bảng không còn dùng",
                code="too_many",
            )
        item = {
            "id": secrets.token_hex(6),
            "page": body.page,
            "name": body.name,
            "query": body.query,
            "author": _author(request),
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _save(ws, [*kept, item])
    return item


@router.delete("/dashboards/{dashboard_id}", summary="Delete a saved dashboard")
def delete_dashboard(dashboard_id: DashboardId, ws: EditorReadWorkspace) -> dict[str, Any]:
    with folder_lock(_file(ws)):
        items = load_dashboards(ws)
        kept = [d for d in items if d.get("id") != dashboard_id]
        if len(kept) == len(items):
            raise NotFound(
                f"no saved dashboard with id {dashboard_id!r}",
                f"không có bảng số liệu đã lưu với mã {dashboard_id!r}",
                location=Location(field="dashboard_id"),
                hint_en="it may have been deleted already: reload the list",
                hint_vi="có thể bảng đã bị xoá: hãy tải lại danh sách",
            )
        _save(ws, kept)
    return {"deleted": dashboard_id}
