"""Identity, write side (admin keys): resolve as a job, block and unblock an identifier
or a pair, the blocks in force, and the identity graph as CSV — ``journeyscope identity
resolve|block|blocks|export``, through the same library calls.

Identifiers travel in JSON bodies, never in URLs, so they stay out of every access log
between the client and the server.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from journeyscope.events.workspace import Workspace
from journeyscope.server.deps import (
    AdminReadWorkspace,
    AdminWorkspace,
    Lang,
    ReadWorkspace,
    WorkspaceName,
)
from journeyscope.server.jobs import JobRegistry, Report, accepted, registry
from journeyscope.server.routers.jobs import JobAdmin
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/identity", tags=["identity"])

Registry = Annotated[JobRegistry, Depends(registry)]
#: identity resolve's steps, in order (``identity.resolve``'s ``step`` callback)
STEPS = ("normalise", "link", "store", "journeys")


class Identifiers(BaseModel):
    """One identifier, or a pair (``other``) whose link alone is blocked."""

    model_config = ConfigDict(extra="forbid")
    identifier: str = Field(max_length=1000, description="TYPE:VALUE, e.g. phone:0903123456.")
    other: str | None = Field(
        None, max_length=1000, description="A second TYPE:VALUE: block only this pair's link."
    )


def resolve_work(lang: str) -> Any:
    """The job's work: ``identity resolve --json`` in the requester's language."""

    def work(ws: Workspace, report: Report) -> dict[str, Any]:
        from journeyscope.app import run
        from journeyscope.app.queries import ResolveQuery
        from journeyscope.i18n import t

        def step(name: str) -> None:
            done = STEPS.index(name) / len(STEPS) if name in STEPS else 0.0
            report(done, t(f"resolve_{name}", "en"), t(f"resolve_{name}", "vi"))

        return run(ResolveQuery(), ws, progress=step).for_language(lang)

    return work


@router.post(
    "/resolve",
    status_code=202,
    summary="Stitch events into customers, as a job (journeyscope identity resolve)",
)
def start_resolve(
    response: Response,
    name: WorkspaceName,
    params: Annotated[Params, Query()],
    key: JobAdmin,
    jobs: Registry,
    lang: Lang,
) -> dict[str, Any]:
    job = jobs.submit(name, "identity_resolve", resolve_work(lang))
    response.headers["Location"] = job.status_url()
    return accepted(job)


@router.post("/block", summary="Stop an identifier or a pair from linking (identity block)")
def block_identifier(
    body: Identifiers, params: Annotated[Params, Query()], ws: AdminWorkspace
) -> dict[str, object]:
    from journeyscope.identity.manage import block

    return block(ws, body.identifier, body.other)


@router.delete("/block", summary="Remove a block (identity block --unblock)")
def unblock_identifier(
    body: Identifiers, params: Annotated[Params, Query()], ws: AdminWorkspace
) -> dict[str, object]:
    from journeyscope.identity.manage import unblock

    return unblock(ws, body.identifier, body.other)


@router.get("/blocks", summary="The blocks in force (journeyscope identity blocks)")
def list_blocks(params: Annotated[Params, Query()], ws: ReadWorkspace) -> list[dict[str, object]]:
    from journeyscope.identity.manage import blocks

    return blocks(ws)


@router.get(
    "/export",
    summary="identifier_type,identifier_value,customer_id as CSV (journeyscope identity export)",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The CSV; X-Rows: its rows."}},
)
def export_identity(
    params: Annotated[Params, Query()], ws: AdminReadWorkspace, lang: Lang
) -> FileResponse:
    """Written by the CLI's own export (text that a spreadsheet would run as a formula is
    made inert) into a private folder, sent, then deleted."""
    from journeyscope.identity.manage import export_identities

    folder = Path(tempfile.mkdtemp(prefix=".export-", dir=ws.root))
    try:
        target = folder / "identities.csv"
        rows = export_identities(ws, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        target,
        media_type="text/csv; charset=utf-8",
        filename="identities.csv",
        headers={"X-Rows": str(rows)},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
