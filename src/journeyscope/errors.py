"""The error tree every part of JourneyScope raises.

Each error carries a stable ``code``, a message in English and Vietnamese, an optional
location (file, line, column, field) and a hint saying how to fix it. Subclasses also
inherit the matching builtin (``ValueError``, ``FileNotFoundError``) so callers that
catch builtins keep working. The CLI prints :meth:`JourneyScopeError.render` without a
traceback; the HTTP layer will map ``http_status`` to a response.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

DOCS_URL = "https://github.com/journeyscope/journeyscope/blob/main/docs/errors.md"


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and optionally a line, column and field path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        if self.field:
            text = f"{text}: {self.field}" if text else self.field
        return text


class JourneyScopeError(Exception):
    """Root of every error JourneyScope raises on purpose."""

    code: str = "error"  # the class default; an instance may carry a finer cause
    http_status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1

    def __init__(
        self,
        message_en: str,
        message_vi: str | None = None,
        *,
        location: Location | None = None,
        hint_en: str | None = None,
        hint_vi: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message_en)
        if code is not None:  # a finer cause than the class's (an API client acts on it)
            self.code = code
        self.message_en = message_en
        self.message_vi = message_vi or message_en
        self.location = location
        self.hint_en = hint_en
        self.hint_vi = hint_vi or hint_en

    def message(self, lang: str = "en") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def hint(self, lang: str = "en") -> str | None:
        return self.hint_vi if lang == "vi" else self.hint_en

    def render(self, lang: str = "en") -> str:
        """One or two lines for a terminal: ``LOCATION: message`` then the hint."""
        prefix = f"{self.location}: " if self.location else ""
        label = "lỗi" if lang == "vi" else "error"
        text = f"{prefix}{label}[{self.code}]: {self.message(lang)}"
        hint = self.hint(lang)
        if hint:
            text += f"\n  {'gợi ý' if lang == 'vi' else 'hint'}: {hint}"
        return text

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        """The one JSON error shape, shared by `--json` output and the HTTP API."""
        loc = self.location
        return {
            "error": {
                "code": self.code,
                "message": self.message(lang),
                "hint": self.hint(lang),
                "location": None
                if loc is None
                else {"file": loc.file, "line": loc.line, "column": loc.column, "field": loc.field},
                "docs": f"{DOCS_URL}#{self.code}",
            }
        }


class InputError(JourneyScopeError, ValueError):
    """Input that cannot be used as it is (bad value, bad format)."""

    code = "invalid_input"
    exit_code = 2


class DocumentError(InputError):
    """A document (map, persona, stage model) that is malformed or invalid."""

    code = "invalid_document"


class NotFound(JourneyScopeError, FileNotFoundError):
    """A file, template, stage model, persona or record that does not exist."""

    code = "not_found"
    http_status = 404
    exit_code = 2


def unknown_name(
    kind_en: str, kind_vi: str, value: str, known: object, *, code: str | None = None
) -> NotFound:
    """The one "no such template / stage model / persona" error, listing what exists;
    ``code`` names the kind (``unknown_template``) so an API client can tell them apart."""
    names = ", ".join(str(k) for k in known)  # type: ignore[attr-defined]
    return NotFound(
        f"unknown {kind_en} {value!r}",
        f"không có {kind_vi} {value!r}",
        hint_en=f"choose one of: {names}",
        hint_vi=f"hãy chọn một trong: {names}",
        code=code,
    )


def unknown_option(
    kind_en: str, kind_vi: str, value: str, known: object, *, code: str
) -> InputError:
    """:func:`unknown_name` for a value of an option (a funnel mode, a period): the request
    is wrong, no resource is missing, so the HTTP answer is a 400, not a 404."""
    found = unknown_name(kind_en, kind_vi, value, known, code=code)
    return InputError(
        found.message_en,
        found.message_vi,
        hint_en=found.hint_en,
        hint_vi=found.hint_vi,
        code=code,
    )


def missing_file(path: object) -> NotFound:
    """The one "no such file" error, for documents and data files alike."""
    return NotFound(
        f"no such file: {path}",
        f"không tìm thấy tệp: {path}",
        location=Location(file=str(path)),
        hint_en="check the path (relative paths start from the current folder)",
        hint_vi="kiểm tra lại đường dẫn (đường dẫn tương đối tính từ thư mục hiện tại)",
    )


class MissingDependency(JourneyScopeError, RuntimeError):
    """An optional part (a browser, an extra package) that is not installed."""

    code = "missing_dependency"
    http_status = 501
    exit_code = 3


class OutputError(JourneyScopeError, OSError):
    """An output that could not be written."""

    code = "output_failed"
    http_status = 500
    exit_code = 4


def output_failure(path: object, exc: BaseException) -> OutputError:
    """The one "could not write" error, keeping the system's reason (a folder in the way,
    a read-only place, a full disk) so the user can act on it."""
    reason_en = reason_vi = getattr(exc, "strerror", None) or str(exc).split("\n", 1)[0]
    target = Path(str(path))
    blocker = next((p for p in target.parents if p.is_file()), None)
    if target.is_dir():
        reason_en, reason_vi = "it is a folder", "đó là một thư mục"
    elif blocker is not None:
        reason_en = f"{blocker} is a file, not a folder"
        reason_vi = f"{blocker} là một tệp, không phải thư mục"
    return OutputError(
        f"could not write {path}: {reason_en}",
        f"không ghi được {path}: {reason_vi}",
        location=Location(file=str(path)),
        hint_en="give a file name in a folder you can write to",
        hint_vi="hãy đặt tên tệp trong một thư mục ghi được",
    )


class WorkspaceBusy(JourneyScopeError, RuntimeError):
    """Another process holds the workspace for writing."""

    code = "workspace_busy"
    http_status = 409
    exit_code = 5


class WorkspaceError(JourneyScopeError, RuntimeError):
    """A folder that is not a usable workspace (missing, or made by a newer version)."""

    code = "invalid_workspace"
    exit_code = 2
