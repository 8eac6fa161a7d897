"""Click's usage errors (a missing argument, an unknown option) in the user's language,
and a ``--lang`` that names no language we speak refused rather than ignored.

Click words these itself, in English; with ``--lang vi`` the common ones are said in
Vietnamese (the rest keep click's words after a Vietnamese lead).
"""

from __future__ import annotations

import re
from typing import Any

from journeyscope.errors import InputError, Location

#: click's sentences -> Vietnamese (first match wins)
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^No such option: (.+)$", r"Không có tuỳ chọn: \1"),
    (r"^No such command '(.+)'\.$", r"Không có lệnh '\1'."),
    (r"^Missing argument '(.+)'\.$", r"Thiếu đối số '\1'."),
    (r"^Missing option '(.+)'\.$", r"Thiếu tuỳ chọn '\1'."),
    (r"^Option '(.+)' requires an argument\.$", r"Tuỳ chọn '\1' cần một giá trị."),
    (r"^Got unexpected extra arguments? \((.+)\)$", r"Thừa đối số: \1"),
    (r"^Invalid value for '(.+?)': (.+)$", r"Giá trị không hợp lệ cho '\1': \2"),
)
#: pieces of pydantic's and click's value messages inside the sentences above
PIECES: tuple[tuple[str, str], ...] = (
    ("Input should be a valid integer, unable to parse string as an integer", "cần một số nguyên"),
    ("Input should be a valid integer", "cần một số nguyên"),
    ("Input should be a valid number", "cần một số"),
    ("is not one of", "không thuộc"),
    ("does not exist", "không tồn tại"),
)


def in_vietnamese(message: str) -> str:
    """One of click's messages in Vietnamese (unknown ones are kept as they are)."""
    for pattern, replacement in PATTERNS:
        found = re.sub(pattern, replacement, message, flags=re.DOTALL)
        if found != message:
            message = found
            break
    for en, vi in PIECES:
        message = message.replace(en, vi)
    return message


def show_usage_error(exc: Any, write: Any) -> None:
    """What click's ``UsageError.show`` prints, in Vietnamese; ``write`` prints one line."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        write(ctx.get_usage())
        write(f"Thử '{ctx.command_path} --help' để xem hướng dẫn.")
    write("")
    write(f"Lỗi: {in_vietnamese(exc.format_message())}")


def check_language(value: str | None, known: tuple[str, ...]) -> None:
    """``--lang fr`` is refused, naming the languages there are (it was read as English)."""
    if value is not None and value.lower() not in known:
        raise InputError(
            f"unknown language {value!r}: choose one of {', '.join(known)}",
            f"không có ngôn ngữ {value!r}: hãy chọn một trong {', '.join(known)}",
            location=Location(field="--lang"),
            hint_en="--lang vi (Tiếng Việt) or --lang en (English)",
            hint_vi="--lang vi (Tiếng Việt) hoặc --lang en (English)",
            code="unknown_language",
        )
