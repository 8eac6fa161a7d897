"""Request bodies of the write routes, read with a size limit, and their errors.

A body is counted as it arrives, so a client that sends more than the limit — whatever
its ``Content-Length`` says, or with none (chunked) — is cut off with a 413 before the
server has stored more than the limit.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import ClassVar

from fastapi import Request
from starlette.datastructures import FormData
from starlette.types import Message

from journeyscope.errors import InputError, JourneyScopeError, Location

#: uploads (``POST /imports``): ``JOURNEYSCOPE_MAX_UPLOAD`` bytes, default 512 MiB
DEFAULT_MAX_UPLOAD = 512 * 1024 * 1024
#: a plain name: a map, a persona, a mapping — never a path
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class TooLarge(JourneyScopeError, ValueError):
    """A request body over the route's limit."""

    code = "too_large"
    http_status: ClassVar[int] = 413


class PreconditionFailed(JourneyScopeError, ValueError):
    """``If-Match`` names a version that is no longer the current one."""

    code = "precondition_failed"
    http_status: ClassVar[int] = 412


def max_upload() -> int:
    """The upload limit in bytes (``JOURNEYSCOPE_MAX_UPLOAD``, else 512 MiB)."""
    text = os.environ.get("JOURNEYSCOPE_MAX_UPLOAD", "")
    return int(text) if text.isdecimal() and int(text) > 0 else DEFAULT_MAX_UPLOAD


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"the request body is larger than the {limit:,} bytes this route takes",
        f"nội dung yêu cầu lớn hơn giới hạn {limit:,} byte của đường dẫn này",
        hint_en="split the data into smaller files, or raise JOURNEYSCOPE_MAX_UPLOAD on the server",
        hint_vi="hãy chia dữ liệu thành các tệp nhỏ hơn, hoặc tăng JOURNEYSCOPE_MAX_UPLOAD "
        "trên máy chủ",
    )


def _limited(request: Request, limit: int) -> Request:
    """``request`` whose body stream raises :class:`TooLarge` past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise too_large(limit)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return Request(request.scope, receive)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes."""
    return await _limited(request, limit).body()


async def read_form(request: Request, limit: int) -> FormData:
    """A ``multipart/form-data`` body, at most ``limit`` bytes in all (files spool to disk)."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith("multipart/form-data"):
        raise InputError(
            f"this route takes multipart/form-data, not {kind or 'an empty body'}",
            f"đường dẫn này nhận multipart/form-data, không phải {kind or 'nội dung rỗng'}",
            location=Location(field="body"),
            hint_en="curl -F file=@events.csv ...",
            hint_vi="curl -F file=@events.csv ...",
            code="invalid_body",
        )
    return await _limited(request, limit).form(max_files=20, max_fields=20)


def check_name(name: str, what: str = "name") -> str:
    """A plain file stem: no folder, no extension games, no ``..``, no NUL, no leading dot."""
    if not NAME.match(name) or ".." in name:
        raise InputError(
            f"not a valid {what}: {name!r}",
            f"{what} không hợp lệ: {name!r}",
            location=Location(field=what),
            hint_en="letters, digits, '.', '_' and '-' only (no folder, no extension), "
            "starting with a letter or digit",
            hint_vi="chỉ chữ, số, '.', '_' và '-' (không thư mục, không phần mở rộng), "
            "bắt đầu bằng chữ hoặc số",
            code="invalid_name",
        )
    return name


def etag_of(path: Path) -> str | None:
    """A file's entity tag: the SHA-256 of its bytes, quoted (``None``: no such file)."""
    try:
        return '"' + hashlib.sha256(path.read_bytes()).hexdigest() + '"'
    except FileNotFoundError:
        return None


def check_precondition(request: Request, current: Path | None) -> None:
    """``If-Match`` (the version the client edited) and ``If-None-Match: *`` (create only):
    a client that edited an older version gets 412 instead of overwriting a newer one."""
    tag = etag_of(current) if current is not None else None
    wanted = request.headers.get("if-match")
    if wanted is not None:
        tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
        if tag is None or ("*" not in tags and tag not in tags):
            raise PreconditionFailed(
                "the document changed since you read it (If-Match does not match its ETag)",
                "tài liệu đã thay đổi kể từ lúc bạn đọc (If-Match không khớp ETag của nó)",
                location=Location(field="If-Match"),
                hint_en="GET it again, apply your change to the new version, send that",
                hint_vi="hãy GET lại, sửa trên phiên bản mới rồi gửi lại",
            )
    if request.headers.get("if-none-match", "").strip() == "*" and tag is not None:
        raise PreconditionFailed(
            "the document already exists (If-None-Match: *)",
            "tài liệu đã tồn tại (If-None-Match: *)",
            location=Location(field="If-None-Match"),
            hint_en="leave out If-None-Match to replace it, or choose another name",
            hint_vi="bỏ If-None-Match để thay thế, hoặc chọn tên khác",
        )


def document_format(request: Request) -> str:
    """``json`` for a JSON body (by Content-Type), else ``yaml`` (YAML reads JSON too)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return "json" if kind == "application/json" or kind.endswith("+json") else "yaml"


def document_text(body: bytes, source: str) -> str:
    """A document body as text: UTF-8, else a located 400."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the body is not UTF-8 text ({exc.reason} at byte {exc.start})",
            f"nội dung không phải văn bản UTF-8 ({exc.reason} tại byte {exc.start})",
            location=Location(file=source),
            hint_en="send the document as UTF-8",
            hint_vi="hãy gửi tài liệu ở dạng UTF-8",
            code="invalid_encoding",
        ) from None


_WRITING = threading.Lock()
_FOLDER_LOCKS: dict[str, threading.Lock] = {}


def folder_lock(folder: Path) -> threading.Lock:
    """One lock per documents folder: check-then-write of ``If-Match`` is one step."""
    with _WRITING:
        return _FOLDER_LOCKS.setdefault(str(folder), threading.Lock())
