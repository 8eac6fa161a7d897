"""Imports: upload event files and follow the import as a job (``journeyscope ingest``).

``POST /imports`` takes ``multipart/form-data``: one or more ``file`` parts (CSV/TSV, JSON
Lines, Parquet, XLSX — the format from the file name, as the CLI tells it), and at most one
of ``mapping`` (a mapping document, as a file or as text) and ``mapping_name`` (a mapping
saved in the workspace's ``mappings/`` folder), plus ``encoding``. The mapping and the file
formats are checked before the answer, so a bad mapping is a 400 at once with its line;
then the answer is 202 with the job, which runs the CLI's ``ingest`` (``events.ingest``)
and whose result is ``ingest --json``: counts per file, conflicts, suppressed rows and
the quarantine file (relative to the workspace). Uploads wait in a private folder of the
workspace and are deleted when the job ends, however it ends.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from journeyscope.errors import InputError, JourneyScopeError, Location, NotFound
from journeyscope.events.mapping import LoadedMapping
from journeyscope.events.workspace import Workspace
from journeyscope.server.deps import State, WorkspaceName
from journeyscope.server.jobs import JobRegistry, Report, accepted, registry
from journeyscope.server.routers.bodies import check_name, max_upload, read_form
from journeyscope.server.routers.jobs import JobAdmin
from journeyscope.server.routers.maps import SUFFIXES
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/imports", tags=["imports"])

Registry = Annotated[JobRegistry, Depends(registry)]
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Event files: .csv .tsv .jsonl .parquet .xlsx "
                            "(optionally .gz).",
                        },
                        "mapping": {
                            "type": "string",
                            "format": "binary",
                            "description": "A mapping document (YAML/JSON), file or text.",
                        },
                        "mapping_name": {
                            "type": "string",
                            "description": "A mapping saved as mappings/NAME.yaml in the "
                            "workspace.",
                        },
                        "encoding": {
                            "type": "string",
                            "description": "Text encoding of CSV/JSON Lines (default: detected).",
                        },
                    },
                }
            }
        },
    }
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
PHASES = {"reading": (0.0, 0.2, "đang đọc"), "checking": (0.2, 0.5, "đang kiểm tra")}
STORING = (0.5, 1.0, "đang lưu")


def upload_name(given: str | None, taken: set[str]) -> str:
    """A safe file name keeping the client's name and extension (``../x.csv`` → ``x.csv``)."""
    base = Path((given or "upload").replace("\\", "/")).name
    stem = _UNSAFE.sub("_", base).lstrip("._-") or "upload"
    name, n = stem, 1
    while name in taken or name == "mapping":
        n += 1
        name = f"{n}-{stem}"
    taken.add(name)
    return name


def _shown(exc: JourneyScopeError, folder: Path, display: dict[str, str]) -> JourneyScopeError:
    """``exc`` with the upload folder's paths replaced by the names the client sent."""
    loc = exc.location
    if loc is not None and loc.file and loc.file.startswith(str(folder)):
        shown = display.get(Path(loc.file).name, Path(loc.file).name)
        exc.location = Location(shown, loc.line, loc.column, loc.field)
    for attr in ("message_en", "message_vi", "hint_en", "hint_vi"):
        text = getattr(exc, attr)
        if isinstance(text, str):
            setattr(exc, attr, text.replace(f"{folder}/", ""))
    return exc


def _no_file() -> InputError:
    return InputError(
        "send at least one event file in a `file` part",
        "hãy gửi ít nhất một tệp sự kiện trong phần `file`",
        location=Location(field="file"),
        hint_en="curl -F file=@events.csv -H 'Authorization: Bearer KEY' .../imports",
        hint_vi="curl -F file=@events.csv -H 'Authorization: Bearer KHOÁ' .../imports",
        code="missing_option",
    )


def _save_files(form: FormData, folder: Path) -> list[tuple[Path, str]]:
    """Each uploaded ``file`` part copied into ``folder``: (path, the client's name)."""
    parts = form.getlist("file")
    if not parts:
        raise _no_file()
    taken: set[str] = set()
    saved: list[tuple[Path, str]] = []
    for part in parts:
        if not isinstance(part, UploadFile):
            raise InputError(
                "the `file` part must be a file, not a text field",
                "phần `file` phải là một tệp, không phải trường văn bản",
                location=Location(field="file"),
                hint_en="curl -F file=@events.csv (with the @)",
                hint_vi="curl -F file=@events.csv (có dấu @)",
                code="invalid_option",
            )
        target = folder / upload_name(part.filename, taken)
        part.file.seek(0)
        with target.open("wb") as out:
            shutil.copyfileobj(part.file, out, 1024 * 1024)
        saved.append((target, Path((part.filename or target.name).replace("\\", "/")).name))
    return saved


def _mapping_file(form: FormData, folder: Path, root: Path) -> tuple[Path | None, str]:
    """Where the mapping is (written into ``folder`` when sent) and the name to show."""
    given, named = form.get("mapping"), form.get("mapping_name")
    if given is not None and named is not None:
        raise InputError(
            "give `mapping` or `mapping_name`, not both",
            "hãy dùng `mapping` hoặc `mapping_name`, không dùng cả hai",
            location=Location(field="mapping"),
            code="conflicting_options",
        )
    if isinstance(named, str):
        check_name(named, "mapping_name")
        found = next(
            (p for s in SUFFIXES if (p := root / "mappings" / f"{named}{s}").is_file()), None
        )
        if found is None:
            raise NotFound(
                f"no mapping named {named!r} in the workspace's mappings/ folder",
                f"thư mục mappings/ của workspace không có tệp ánh xạ tên {named!r}",
                location=Location(field="mapping_name"),
                code="unknown_mapping",
            )
        return found, f"mappings/{found.name}"
    if given is None:
        return None, ""
    if isinstance(given, UploadFile):
        given.file.seek(0)
        data = given.file.read()
        suffix = ".json" if (given.filename or "").lower().endswith(".json") else ".yaml"
    else:
        data = given.encode("utf-8")
        suffix = ".json" if given.lstrip().startswith("{") else ".yaml"
    target = folder / f"mapping{suffix}"
    target.write_bytes(data)
    return target, f"mapping{suffix}"


def _prepare(
    form: FormData, folder: Path, root: Path
) -> tuple[list[Path], LoadedMapping, str | None, dict[str, str]]:
    """The saved files, the checked mapping and the encoding — or a located 400."""
    from journeyscope.events.mapping import load_mapping
    from journeyscope.events.readers import file_kind

    display: dict[str, str] = {}
    try:
        files = _save_files(form, folder)
        display.update({path.name: shown for path, shown in files})
        mapping_path, shown = _mapping_file(form, folder, root)
        if mapping_path is not None:
            display[mapping_path.name] = shown
        loaded = load_mapping(mapping_path)
        for path, _ in files:
            file_kind(path, loaded.mapping)
    except JourneyScopeError as exc:
        raise _shown(exc, folder, display) from None
    encoding = form.get("encoding")
    if encoding is not None and not isinstance(encoding, str):
        raise InputError(
            "`encoding` is a text field (utf-8, utf-16, cp1258, ...)",
            "`encoding` là trường văn bản (utf-8, utf-16, cp1258, ...)",
            location=Location(field="encoding"),
            code="invalid_option",
        )
    return [path for path, _ in files], loaded, encoding or None, display


class IngestProgress:
    """``events.ingest``'s ``(label, percent)`` callbacks as one fraction over all files."""

    def __init__(self, files: list[Path], display: dict[str, str], report: Report) -> None:
        self.index = {path.name: i for i, path in enumerate(files)}
        self.display = display
        self.count = max(1, len(files))
        self.report = report

    def __call__(self, label: str, percent: float) -> None:
        name, _, phase = label.rpartition(": ")
        low, high, phase_vi = PHASES.get(phase, STORING)
        done = low + (high - low) * min(max(percent, 0.0), 100.0) / 100.0
        fraction = (self.index.get(name, 0) + done) / self.count
        shown = self.display.get(name, name)
        self.report(fraction, f"{shown}: {phase}", f"{shown}: {phase_vi}")


def _public(result: dict[str, Any], root: Path, display: dict[str, str]) -> dict[str, Any]:
    """``ingest --json`` with the client's file names and the quarantine file relative to
    the workspace (the server's folders are none of the client's business)."""

    def relative(path: str | None) -> str | None:
        if path is None:
            return None
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            return Path(path).name

    for entry in result["files"]:
        entry["file"] = display.get(Path(entry["file"]).name, Path(entry["file"]).name)
        entry["quarantine"] = relative(entry["quarantine"])
    result["quarantine"] = relative(result["quarantine"])
    return result


def ingest_work(
    files: list[Path],
    loaded: LoadedMapping,
    encoding: str | None,
    display: dict[str, str],
    folder: Path,
) -> Callable[[Workspace, Report], dict[str, Any]]:
    def work(ws: Workspace, report: Report) -> dict[str, Any]:
        from journeyscope.events.ingest import ingest_files

        progress = IngestProgress(files, display, report)
        try:
            result = ingest_files(ws, files, loaded, progress=progress, encoding=encoding)
        except JourneyScopeError as exc:
            raise _shown(exc, folder, display) from None
        return _public(result.to_dict(), ws.root, display)

    return work


@router.post(
    "",
    status_code=202,
    summary="Upload event files and import them as a job (journeyscope ingest)",
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "The upload is over the server's limit"}},
)
async def start_import(
    request: Request,
    response: Response,
    name: WorkspaceName,
    params: Annotated[Params, Query()],
    key: JobAdmin,
    state: State,
    jobs: Registry,
) -> dict[str, Any]:
    root = state.path(name)
    folder = Path(tempfile.mkdtemp(prefix=".upload-", dir=root))
    try:
        form = await read_form(request, max_upload())
        try:
            files, loaded, encoding, display = await run_in_threadpool(_prepare, form, folder, root)
        finally:
            await form.close()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = jobs.submit(
        name,
        "ingest",
        ingest_work(files, loaded, encoding, display, folder),
        cleanup=lambda: shutil.rmtree(folder, ignore_errors=True),
    )
    response.headers["Location"] = job.status_url()
    return accepted(job)
