"""Validation problems, located like a compiler's messages: ``FILE:LINE:COL: path: message``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from journeyscope.maps.io import PathKey, Positions, position_of
from journeyscope.maps.messages import messages


@dataclass(frozen=True)
class Problem:
    path: PathKey
    message_en: str
    message_vi: str
    severity: Literal["error", "warning"] = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def dotted(self) -> str:
        return dotted(self.path)

    def render(self, lang: str = "en") -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        message = self.message_vi if lang == "vi" else self.message_en
        if self.severity == "warning":
            message = f"{'cảnh báo' if lang == 'vi' else 'warning'}: {message}"
        place = self.dotted() or ("(tài liệu)" if lang == "vi" else "(document)")
        return f"{where}: {place}: {message}"

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.dotted(),
            "severity": self.severity,
            "message": self.message_vi if lang == "vi" else self.message_en,
            "message_en": self.message_en,
            "message_vi": self.message_vi,
        }


def dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def locate(problem: Problem, positions: Positions, source: str | None) -> Problem:
    """Attach the file, line and column of the nearest existing node of the path."""
    _, pos = position_of(positions, problem.path)
    line, column = pos if pos else (None, None)
    return Problem(
        problem.path,
        problem.message_en,
        problem.message_vi,
        problem.severity,
        source,
        line,
        column,
    )


def from_validation_error(exc: ValidationError, data: Any) -> list[Problem]:
    """One problem per place: a union's failed branches are collapsed into one message."""
    by_path: dict[PathKey, Problem] = {}
    for error in exc.errors(include_url=False):
        path = _document_path(tuple(error["loc"]), data)
        en, vi = messages(error)
        if path not in by_path:
            by_path[path] = Problem(path, en, vi)
    return list(by_path.values())


def _document_path(loc: tuple[Any, ...], data: Any) -> PathKey:
    """Follow ``loc`` through the raw data, skipping parts that are not document keys."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and not _is_union_tag(part):
            path.append(part)  # a missing or unknown key: name it, then stop
            break
    return tuple(path)


def _is_union_tag(part: str) -> bool:
    return part.startswith(("function-", "constrained-")) or part in {
        "str",
        "float",
        "int",
        "Localized",
        "Item",
        "Persona",
        "EmotionPoint",
        "list[...]",
    }
