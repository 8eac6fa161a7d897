"""Long work of the API — imports, identity resolution — as jobs a client polls.

``POST`` answers 202 with ``{"job": ID, "status_url": ...}`` and the work runs in a worker
thread: one worker per workspace, so one job at a time writes a workspace, in the order
they came. A job holds its workspace the way a key-managing request does — the
workspace's :class:`~journeyscope.server.state.Gate` exclusively, then the database
opened for writing (which passes the write intent lock of ``events/write_gate.py``, so a
CLI reader waits too) — and report requests arriving meanwhile wait for it rather than
fail. Jobs live in this process's memory only: a restart forgets them (the work itself
is committed or rolled back whole by the library, as in the CLI).

While a job holds the workspace nobody else can write it, so the rows of its API keys
cannot change: the worker reads them once when it gets the database, and the job routes
check keys against that copy instead of waiting for the database like every other route.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import Request

from journeyscope.errors import JourneyScopeError, NotFound
from journeyscope.events.keys import StoredKey, stored_keys
from journeyscope.events.users import HeldSessions, held_sessions
from journeyscope.events.workspace import Workspace
from journeyscope.server.state import ServerState

log = logging.getLogger("journeyscope.server")

Status = Literal["queued", "running", "done", "failed"]
#: ``report(fraction, message_en, message_vi)``: how far the work is, in both languages
Report = Callable[[float, str, str], None]
Work = Callable[[Workspace, Report], Any]
#: finished jobs kept for polling; the oldest finished ones are dropped beyond this
KEEP_FINISHED = 500
#: seconds an export's file waits to be downloaded before it is deleted
DOWNLOAD_SECONDS = 3600.0


@dataclass(frozen=True)
class Download:
    """What an export's work returns: its ``--json`` result and the file to download
    (in a private folder of its own, deleted with it)."""

    result: Any
    file: Path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Job:
    """One piece of long work: its state, progress, and result or error."""

    id: str
    workspace: str
    kind: str
    status: Status = "queued"
    fraction: float = 0.0
    message: tuple[str, str] = ("queued", "đang chờ")
    result: Any = None
    error: JourneyScopeError | None = None
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    download: Path | None = None
    done_at: float = 0.0

    def report(self, fraction: float, message_en: str, message_vi: str) -> None:
        """Progress from the work's callbacks: never backwards, never past 1."""
        self.fraction = min(1.0, max(self.fraction, fraction))
        self.message = (message_en, message_vi)

    def status_url(self) -> str:
        return f"/api/v1/workspaces/{self.workspace}/jobs/{self.id}"

    def discard_download(self) -> None:
        """Delete the export's file (and its private folder), if any."""
        if self.download is not None:
            shutil.rmtree(self.download.parent, ignore_errors=True)
            self.download = None

    def to_dict(self, lang: str) -> dict[str, Any]:
        """The status body: state, progress, times, and the result or the error."""
        body: dict[str, Any] = {
            "job": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": {
                "fraction": round(self.fraction, 4),
                "message": self.message[1] if lang == "vi" else self.message[0],
            },
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status_url": self.status_url(),
        }
        if self.status == "done":
            body["result"] = self.result
            if self.download is not None:
                body["download_url"] = f"{self.status_url()}/download"
        if self.status == "failed" and self.error is not None:
            body["error"] = self.error.to_dict(lang)["error"]
        return body


class JobRegistry:
    """The jobs of one server process, one worker thread per workspace."""

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._workers: dict[str, ThreadPoolExecutor] = {}
        self._keys: dict[str, dict[str, StoredKey]] = {}
        self._sessions: dict[str, HeldSessions] = {}

    def submit(
        self,
        name: str,
        kind: str,
        work: Work,
        cleanup: Callable[[], None] | None = None,
        *,
        write: bool = True,
    ) -> Job:
        """Queue ``work`` for workspace ``name``; ``cleanup`` runs however it ends. A job
        that only reads (``write=False``: an export) shares the workspace with reports."""
        self._state.path(name)  # an unknown workspace is a 404 before anything is queued
        job = Job(uuid.uuid4().hex, name, kind)
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
            worker = self._workers.get(name)
            if worker is None:
                worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"jobs-{name}")
                self._workers[name] = worker
        worker.submit(self._run, job, work, cleanup, write)
        return job

    def get(self, name: str, job_id: str) -> Job:
        """A job of workspace ``name``; another workspace's job is as unknown as none."""
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id)
        if job is None or job.workspace != name:
            raise NotFound(
                f"no job {job_id!r} in this workspace",
                f"workspace này không có tác vụ {job_id!r}",
                hint_en="jobs are kept in the server's memory: a restart forgets them",
                hint_vi="tác vụ chỉ được giữ trong bộ nhớ máy chủ: khởi động lại là mất",
                code="unknown_job",
            )
        return job

    def jobs(self, name: str) -> list[Job]:
        with self._lock:
            self._expire()
            return [j for j in self._jobs.values() if j.workspace == name]

    def discard_downloads(self, name: str) -> None:
        """Delete every export file of workspace ``name`` (``forget`` calls this: an export
        made before a person was forgotten must not keep them)."""
        with self._lock:
            for job in self._jobs.values():
                if job.workspace == name:
                    job.discard_download()

    def keys_while_held(self, name: str) -> dict[str, StoredKey] | None:
        """The workspace's key rows while a job holds it (they cannot change then)."""
        with self._lock:
            return self._keys.get(name)

    def sessions_while_held(self, name: str) -> HeldSessions | None:
        """The workspace's web sessions while a job holds it (read when the job took it)."""
        with self._lock:
            return self._sessions.get(name)

    def shutdown(self) -> None:
        """Let queued and running jobs finish, then stop the workers."""
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            worker.shutdown(wait=True)
        with self._lock:
            for job in self._jobs.values():
                job.discard_download()

    def _prune(self) -> None:
        self._expire()
        finished = [j.id for j in self._jobs.values() if j.status in ("done", "failed")]
        for job_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            self._jobs.pop(job_id).discard_download()

    def _expire(self) -> None:
        """Delete export files older than :data:`DOWNLOAD_SECONDS`."""
        deadline = time.monotonic() - DOWNLOAD_SECONDS
        for job in self._jobs.values():
            if job.download is not None and job.done_at < deadline:
                job.discard_download()

    def _run(self, job: Job, work: Work, cleanup: Callable[[], None] | None, write: bool) -> None:
        try:
            result = self._hold_and_run(job, work, write)
            if isinstance(result, Download):
                job.download, result = result.file, result.result
            job.result, job.done_at = result, time.monotonic()
            job.fraction = 1.0
            job.message = ("done", "xong")
            job.status = "done"
        except JourneyScopeError as exc:
            job.error, job.status = exc, "failed"
            job.message = ("failed", "thất bại")
        except Exception as exc:  # a bug: logged with its traceback, reported without it
            log.error("job %s (%s) failed", job.id, job.kind, exc_info=exc)
            job.error = JourneyScopeError(
                "internal error; the server log has the details",
                "lỗi nội bộ; nhật ký máy chủ có chi tiết",
                hint_en=f"quote job id {job.id} when reporting it",
                hint_vi=f"hãy gửi kèm mã tác vụ {job.id} khi báo lỗi",
                code="internal_error",
            )
            job.status, job.message = "failed", ("failed", "thất bại")
        finally:
            job.finished_at = _now()
            if cleanup is not None:
                try:
                    cleanup()
                except OSError as exc:
                    log.warning("job %s: cleanup failed: %s", job.id, exc)

    def _hold_and_run(self, job: Job, work: Work, write: bool) -> Any:
        """The workspace held for writing (gate, then the database) — or shared with
        readers for a job that only reads — and the work run in it."""
        path = self._state.path(job.workspace)
        gate = self._state.gates[job.workspace]
        with gate.writing() if write else gate.reading():
            ws = Workspace.open(path, read_only=not write)
            try:
                if write:
                    with self._lock:
                        self._keys[job.workspace] = {k.info.key_id: k for k in stored_keys(ws)}
                        self._sessions[job.workspace] = held_sessions(ws)
                job.status, job.started_at = "running", _now()
                job.message = ("running", "đang chạy")
                return work(ws, job.report)
            finally:
                if write:
                    with self._lock:
                        self._keys.pop(job.workspace, None)
                        self._sessions.pop(job.workspace, None)
                ws.close()


_CREATE = threading.Lock()


def registry(request: Request) -> JobRegistry:
    """The app's job registry, made on first use (a dependency of the job routes)."""
    app_state = request.app.state
    with _CREATE:
        found = getattr(app_state, "jobs", None)
        if found is None:
            found = JobRegistry(app_state.journeyscope)
            app_state.jobs = found
    assert isinstance(found, JobRegistry)
    return found


def accepted(job: Job) -> dict[str, Any]:
    """The 202 body of every route that starts a job."""
    return {"job": job.id, "status": job.status, "status_url": job.status_url()}
