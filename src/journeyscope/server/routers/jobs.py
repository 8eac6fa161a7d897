"""Job status for admin keys: ``GET /jobs`` (this workspace's jobs) and ``GET /jobs/{id}``.

While a job holds its workspace the key is checked against the key rows the job read when
it took the workspace (they cannot change while it holds it), so polling — and starting
the next job — never waits for the running one; otherwise the workspace is opened
read-only as for any request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from journeyscope.errors import NotFound
from journeyscope.events.keys import KeyInfo, key_id_of
from journeyscope.server.deps import (
    ADMINS,
    Lang,
    State,
    WorkspaceName,
    admin_key,
    check_key,
    no_key,
    presented_key,
)
from journeyscope.server.jobs import JobRegistry, registry
from journeyscope.server.routers.reports import Params
from journeyscope.server.sessions import (
    check_csrf,
    check_role,
    principal,
    session_token,
    signed_out,
)

router = APIRouter(prefix="/api/v1/workspaces/{name}/jobs", tags=["jobs"])

JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$", description="The job's id.")]
Registry = Annotated[JobRegistry, Depends(registry)]


def job_admin(request: Request, state: State, name: WorkspaceName, jobs: Registry) -> KeyInfo:
    """An admin key of workspace ``name``, checked without waiting for a running job."""
    state.path(name)
    token = presented_key(request)
    held = jobs.keys_while_held(name)
    if token is None:
        return _session_admin(request, state, name, jobs)
    if held is None:
        return admin_key(request, state, name)
    key_id = key_id_of(token)
    info = check_key(state, name, held.get(key_id) if key_id else None, token, ADMINS)
    request.state.key = info
    state.api_limiter.take(info.key_id)
    return info


def _session_admin(request: Request, state: State, name: str, jobs: JobRegistry) -> KeyInfo:
    """A web admin's session: checked in the workspace, or — while a job holds it — in the
    session rows read when the job took it (the way a key is checked against its rows)."""
    from journeyscope.events.users import session_in

    held = jobs.sessions_while_held(name)
    if held is None:
        return admin_key(request, state, name)
    token = session_token(request, name)
    if token is None:
        raise no_key()
    session = session_in(held, token)
    if session is None:
        raise signed_out()
    check_csrf(request, token)
    info = principal(session)
    check_role(info, ADMINS)
    request.state.key = info
    state.api_limiter.take(info.key_id)
    return info


JobAdmin = Annotated[KeyInfo, Depends(job_admin)]


@router.get("", summary="This workspace's jobs, oldest first (kept in memory)")
def list_jobs(
    name: WorkspaceName,
    params: Annotated[Params, Query()],
    key: JobAdmin,
    jobs: Registry,
    lang: Lang,
) -> dict[str, Any]:
    return {"jobs": [job.to_dict(lang) for job in jobs.jobs(name)]}


@router.get(
    "/{job_id}",
    summary="A job's status, progress, and result (the CLI's --json) or error",
)
def job_status(
    name: WorkspaceName,
    job_id: JobId,
    params: Annotated[Params, Query()],
    key: JobAdmin,
    jobs: Registry,
    lang: Lang,
) -> dict[str, Any]:
    return jobs.get(name, job_id).to_dict(lang)


MEDIA = {".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet"}


@router.get(
    "/{job_id}/download",
    summary="The file an export job made (kept for an hour)",
    response_class=FileResponse,
)
def download(
    name: WorkspaceName,
    job_id: JobId,
    params: Annotated[Params, Query()],
    key: JobAdmin,
    jobs: Registry,
) -> FileResponse:
    job = jobs.get(name, job_id)
    file = job.download
    if file is None or not file.is_file():
        raise NotFound(
            "this job has no file to download (not an export, not done yet, or expired)",
            "tác vụ này không có tệp để tải (không phải xuất dữ liệu, chưa xong, hoặc đã hết hạn)",
            hint_en="GET the job: download_url appears when an export is done",
            hint_vi="hãy GET tác vụ: download_url xuất hiện khi xuất dữ liệu xong",
            code="no_download",
        )
    return FileResponse(file, media_type=MEDIA.get(file.suffix), filename=file.name)
