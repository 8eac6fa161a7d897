"""Exports (admin keys): every stored event, with our field names and its customer, as
CSV or Parquet — ``journeyscope events export -o FILE`` as a job. The job's result is the
CLI's ``--json`` (rows, and the file's name); the file is fetched from the job's
``download_url`` and deleted an hour after it was made, when the server stops, or at once
when a person is forgotten (an older export must not keep them)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.events.workspace import Workspace
from journeyscope.server.deps import WorkspaceName
from journeyscope.server.jobs import Download, JobRegistry, Report, accepted, registry
from journeyscope.server.routers.jobs import JobAdmin
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/exports", tags=["exports"])

Registry = Annotated[JobRegistry, Depends(registry)]


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["csv", "parquet"] = Field(
        "parquet", description="csv (formula-guarded text) or parquet (every value exact)."
    )


def export_work(fmt: str) -> Any:
    def work(ws: Workspace, report: Report) -> Download:
        from journeyscope.events.export import export_events

        folder = Path(tempfile.mkdtemp(prefix=".export-", dir=ws.root))
        target = folder / f"events.{fmt}"
        try:
            report(0.0, f"writing {target.name}", f"đang ghi {target.name}")
            rows = export_events(ws, target)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Download({"rows": rows, "file": target.name}, target)

    return work


@router.post(
    "",
    status_code=202,
    summary="Export every event as a job (journeyscope events export)",
)
def start_export(
    response: Response,
    name: WorkspaceName,
    params: Annotated[Params, Query()],
    key: JobAdmin,
    jobs: Registry,
    body: ExportRequest | None = None,
) -> dict[str, Any]:
    fmt = (body or ExportRequest()).format
    job = jobs.submit(name, "events_export", export_work(fmt), write=False)
    response.headers["Location"] = job.status_url()
    return accepted(job)
