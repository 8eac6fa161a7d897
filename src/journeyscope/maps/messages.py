"""Pydantic's validation errors said in English and Vietnamese, keyed by the error's type.

Pydantic writes its messages in English only. A document's author may read Vietnamese, so
every error type a journey map, persona or stage model can raise has a template in both
languages here, filled in from the error's context (``{max_length}``, ``{expected}``, ...).
English keeps pydantic's own wording where it is already clear (tests and users rely on it);
Vietnamese never falls back to English: an unknown type gets a generic sentence naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SLUG = r"^[a-z0-9][a-z0-9_\-]*$"

#: Regular expressions of the document models, said in words (the regex itself helps nobody).
PATTERNS: dict[str, tuple[str, str]] = {
    _SLUG: (
        "must be an identifier: lowercase letters, digits, '-' and '_' (e.g. 'first-visit')",
        "phải là mã định danh: chữ thường, chữ số, '-' và '_' (ví dụ 'first-visit')",
    ),
    r"^([01]\d|2[0-3]):[0-5]\d(\s*[-–]\s*([01]\d|2[0-3]):[0-5]\d)?$": (
        "must be a time of day 'HH:MM' or a range 'HH:MM-HH:MM' (e.g. '07:30-08:00')",
        "phải là giờ trong ngày 'HH:MM' hoặc khoảng 'HH:MM-HH:MM' (ví dụ '07:30-08:00')",
    ),
    r"^#[0-9a-fA-F]{6}$": (
        "must be a colour written '#RRGGBB' (e.g. '#1f77b4')",
        "phải là mã màu dạng '#RRGGBB' (ví dụ '#1f77b4')",
    ),
    r"^\d{1,3}\s*[-–]\s*\d{1,3}$|^\d{1,3}\+$": (
        "must be an age range such as '25-34' or '55+'",
        "phải là khoảng tuổi như '25-34' hoặc '55+'",
    ),
}

_DATE_EN = "must be a date written YYYY-MM-DD"
_DATE_VI = "phải là ngày dạng YYYY-MM-DD"
_MAPPING_VI = "phải là một bảng khoá: giá trị"

#: error type -> (English template or None for pydantic's own message, Vietnamese template)
TEMPLATES: dict[str, tuple[str | None, str]] = {
    "missing": ("required field is missing", "thiếu trường bắt buộc"),
    "extra_forbidden": (
        "unknown field (check its spelling)",
        "trường không được hỗ trợ (kiểm tra chính tả tên trường)",
    ),
    "string_type": (None, "phải là văn bản"),
    "string_too_short": (None, "không được để trống"),
    "string_too_long": (None, "quá dài (tối đa {max_length} ký tự)"),
    "string_unicode": (None, "phải là văn bản Unicode hợp lệ"),
    "string_pattern_mismatch": (None, "không đúng định dạng (mẫu {pattern})"),
    "float_type": (None, "phải là một số"),
    "float_parsing": (None, "phải là một số"),
    "finite_number": (None, "phải là một số hữu hạn"),
    "int_type": (None, "phải là số nguyên"),
    "int_parsing": (None, "phải là số nguyên"),
    "int_from_float": (None, "phải là số nguyên, không có phần thập phân"),
    "int_parsing_size": (None, "số quá lớn"),
    "bool_type": (None, "phải là true hoặc false"),
    "bool_parsing": (None, "phải là true hoặc false"),
    "list_type": (None, "phải là một danh sách"),
    "tuple_type": (None, "phải là một cặp [thấp, cao]"),
    "set_type": (None, "phải là một danh sách"),
    "iterable_type": (None, "phải là một danh sách"),
    "dict_type": (None, _MAPPING_VI),
    "model_type": (None, _MAPPING_VI),
    "model_attributes_type": (None, _MAPPING_VI),
    "dataclass_type": (None, _MAPPING_VI),
    "too_short": (None, "quá ngắn (cần ít nhất {min_length} phần tử)"),
    "too_long": (None, "quá nhiều phần tử (tối đa {max_length})"),
    "none_required": (None, "phải để trống (null)"),
    "enum": (None, "giá trị không hợp lệ; hãy dùng một trong {expected}"),
    "date_type": (_DATE_EN, _DATE_VI),
    "date_parsing": (_DATE_EN, _DATE_VI),
    "date_from_datetime_parsing": (_DATE_EN, _DATE_VI),
    "date_from_datetime_inexact": (
        "must be a date without a time of day (YYYY-MM-DD)",
        "phải là ngày không kèm giờ (YYYY-MM-DD)",
    ),
    "datetime_type": (None, "phải là ngày giờ dạng YYYY-MM-DDTHH:MM"),
    "datetime_parsing": (None, "phải là ngày giờ dạng YYYY-MM-DDTHH:MM"),
    "datetime_from_date_parsing": (None, "phải là ngày giờ dạng YYYY-MM-DDTHH:MM"),
    "time_type": (None, "phải là giờ dạng HH:MM"),
    "time_parsing": (None, "phải là giờ dạng HH:MM"),
    "multiple_of": (None, "phải là bội số của {multiple_of}"),
    "union_tag_invalid": (None, "loại {tag} không hợp lệ; hãy dùng một trong {expected_tags}"),
    "union_tag_not_found": (None, "thiếu trường {discriminator} để nhận biết loại"),
    "frozen_field": (None, "trường này không được thay đổi"),
    "json_invalid": (None, "JSON không hợp lệ: {error}"),
    "recursion_loop": (None, "tài liệu tự tham chiếu vòng tròn"),
    "assertion_error": (None, "giá trị không hợp lệ"),
}

#: Messages our own validators raise (``ValueError`` in a model validator), in Vietnamese.
VALUE_ERRORS_VI: dict[str, str] = {
    "give the text in at least one language (en or vi)": (
        "hãy ghi nội dung bằng ít nhất một ngôn ngữ (en hoặc vi)"
    ),
    "income_vnd_month must be [low, high] with 0 <= low <= high": (
        "income_vnd_month phải là [thấp, cao] với 0 <= thấp <= cao"
    ),
}

_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least {bound}", "phải từ {bound} trở lên"),
    "greater_than": ("gt", "must be greater than {bound}", "phải lớn hơn {bound}"),
    "less_than_equal": ("le", "must be at most {bound}", "phải từ {bound} trở xuống"),
    "less_than": ("lt", "must be less than {bound}", "phải nhỏ hơn {bound}"),
}


def messages(error: Mapping[str, Any]) -> tuple[str, str]:
    """The English and Vietnamese message of one pydantic error (``exc.errors()`` item)."""
    kind = str(error["type"])
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in _BOUNDS:
        return _out_of_range(kind, error.get("input"), ctx)
    if kind == "literal_error":
        return _not_allowed(error.get("input"), str(ctx.get("expected", "")))
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
        return text, VALUE_ERRORS_VI.get(text, f"giá trị không hợp lệ ({kind})")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERNS:
        return PATTERNS[ctx["pattern"]]
    en, vi = TEMPLATES.get(kind, (None, f"giá trị không hợp lệ ({kind})"))
    if "expected" in ctx:
        ctx["expected"] = or_in_vietnamese(str(ctx["expected"]))
    return (en or str(error["msg"])), _fill(vi, ctx)


def _fill(template: str, ctx: dict[str, Any]) -> str:
    """``template`` with the context filled in; a missing key leaves the sentence readable."""
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split(" (", maxsplit=1)[0].split(";", maxsplit=1)[0]


def or_in_vietnamese(expected: str) -> str:
    """Pydantic lists choices as ``'a', 'b' or 'c'``; Vietnamese says ``hoặc``."""
    head, sep, tail = expected.rpartition(" or ")
    return f"{head} hoặc {tail}" if sep else expected


def _out_of_range(kind: str, value: Any, ctx: dict[str, Any]) -> tuple[str, str]:
    key, en_rule, vi_rule = _BOUNDS[kind]
    bound = ctx.get(key)
    if bound in (-2.0, 2.0):  # the emotion scale: the one range a map author meets
        return (
            f"emotion score {value} is outside the scale -2…+2",
            f"điểm cảm xúc {value} nằm ngoài thang -2…+2",
        )
    return (
        f"{value} is outside the allowed range ({en_rule.format(bound=bound)})",
        f"{value} nằm ngoài khoảng cho phép ({vi_rule.format(bound=bound)})",
    )


def _not_allowed(value: Any, expected: str) -> tuple[str, str]:
    return (
        f"{value!r} is not allowed; use one of {expected}",
        f"giá trị {value!r} không hợp lệ; hãy dùng một trong {or_in_vietnamese(expected)}",
    )


__all__ = ["PATTERNS", "TEMPLATES", "VALUE_ERRORS_VI", "messages", "or_in_vietnamese"]
