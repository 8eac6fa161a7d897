"""Validation problems, located like a compiler's messages: ``FILE:LINE:COL: path: message``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from journeyscope.maps.io import PathKey, Positions, position_of


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
        return f"{where}: {self.dotted() or '(document)'}: {message}"

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.dotted(),
            "severity": self.severity,
            "message": self.message_vi if lang == "vi" else self.message_en,
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


_VI_BY_TYPE = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được hỗ trợ (kiểm tra chính tả tên trường)",
    "string_type": "phải là văn bản",
    "float_type": "phải là một số",
    "float_parsing": "phải là một số",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khoá: giá trị",
    "model_type": "phải là một bảng khoá: giá trị",
    "too_short": "quá ngắn (cần ít nhất {min_length} phần tử)",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "không đúng định dạng (mẫu {pattern})",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "tuple_type": "phải là một cặp [thấp, cao]",
}

_EN_BY_TYPE = {
    "extra_forbidden": "unknown field (check its spelling)",
    "missing": "required field is missing",
}


def _messages(error: Any) -> tuple[str, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = ctx.get("le", ctx.get("ge", ctx.get("lt", ctx.get("gt"))))
        value = error.get("input")
        en = f"{value} is outside the allowed range (bound {bound})"
        vi = f"{value} nằm ngoài khoảng cho phép (giới hạn {bound})"
        if bound in (-2.0, 2.0, -2, 2):
            en = f"emotion score {value} is outside the scale -2…+2"
            vi = f"điểm cảm xúc {value} nằm ngoài thang -2…+2"
        return en, vi
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return (
            f"{error.get('input')!r} is not allowed; use one of {expected}",
            f"giá trị {error.get('input')!r} không hợp lệ; hãy dùng một trong {expected}",
        )
    if kind == "value_error":
        msg = str(ctx.get("error", error["msg"]))
        return msg, msg
    en = _EN_BY_TYPE.get(kind, error["msg"])
    vi = _VI_BY_TYPE.get(kind, error["msg"]).format(**dict(ctx.items()))
    return en, vi


def from_validation_error(exc: ValidationError, data: Any) -> list[Problem]:
    """One problem per place: a union's failed branches are collapsed into one message."""
    by_path: dict[PathKey, Problem] = {}
    for error in exc.errors(include_url=False):
        path = _document_path(tuple(error["loc"]), data)
        en, vi = _messages(error)
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
