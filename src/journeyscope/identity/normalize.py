"""Identifier normalisation: one spelling per identifier, so equal things link.

The rules are one table (:mod:`journeyscope.identity.rules`, docs/identity.md) from which
the Python, DuckDB and Spark forms are derived; this module is the Python face of it:

- every type: full-width characters made ASCII, every kind of space a plain one, invisible
  characters dropped, trimmed, a spreadsheet's leading apostrophe dropped; null markers and
  placeholders (``identity.deny``) are not identifiers;
- ``email``: spaces removed, lower-cased, ``mailto:`` and trailing dots dropped; must look
  like ``local@domain.tld``;
- ``phone``: E.164 via ``phonenumbers`` with the workspace's default region (Vietnam), so
  ``0903 123 456``, ``+84903123456`` and ``84-903-123-456`` are one number. Numbers
  ``phonenumbers`` calls invalid (``0000000000``) are not used for linking;
- every other type: ``17850.0`` (an id that went through a spreadsheet) becomes ``17850``;
  ``1.785e4`` is refused (the spreadsheet may have rounded it); case is kept.
"""

from __future__ import annotations

from journeyscope.errors import InputError
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.identity.rules import EMAIL, Rules, default_rules, vn_mobile_prefixes
from journeyscope.identity.rules_engines import duckdb_select

__all__ = [
    "EMAIL",
    "Rules",
    "normalize",
    "normalize_phone",
    "parse_identifier",
    "phone_fast_select",
    "vn_mobile_prefixes",
]


def normalize(
    id_type: str, raw: str, region: str = "VN", rules: Rules | None = None
) -> tuple[str | None, str | None]:
    """``(value, None)`` for a usable identifier, ``(None, problem)`` otherwise."""
    return (rules or default_rules(region)).normalize(id_type, raw)


def normalize_phone(text: str, region: str = "VN") -> tuple[str | None, str | None]:
    return normalize("phone", text, region)


def phone_fast_select(raws: str, rules: Rules | None = None) -> str:
    """SQL ``SELECT raw, value`` over ``raws`` (a relation with column ``raw``).

    ``value`` is E.164 for a Vietnamese mobile number in any usual spelling, else NULL (then
    ``phonenumbers`` decides in Python, or the value is not one to link by).
    """
    steps = (rules or default_rules()).steps["phone"]
    usable = "CASE WHEN problem IS NULL THEN value END"
    return f"SELECT raw, {usable} AS value FROM ({duckdb_select(steps, raws)})"


#: the built-in rules' problems in Vietnamese (a workspace's own rules name theirs)
PROBLEMS_VI: dict[str, str] = {
    "not a phone number": "không phải số điện thoại",
    "not a valid phone number": "không phải số điện thoại hợp lệ",
    "not an e-mail address": "không phải địa chỉ e-mail",
    "placeholder": "giá trị giữ chỗ, không phải của một người (như 0000000000)",
    "empty": "trống",
    "a number in scientific notation (a spreadsheet may have rounded it)": (
        "số viết dạng khoa học (bảng tính có thể đã làm tròn nó)"
    ),
}


def parse_identifier(text: str, region: str = "VN", rules: Rules | None = None) -> tuple[str, str]:
    """``TYPE:VALUE`` from the command line, normalised; a clear error otherwise."""
    id_type, sep, raw = text.partition(":")
    if not sep or id_type not in IDENTIFIER_TYPES:
        raise InputError(
            f"{text!r} is not TYPE:VALUE with TYPE one of {', '.join(IDENTIFIER_TYPES)}",
            f"{text!r} không có dạng LOẠI:GIÁ_TRỊ với LOẠI là một trong "
            f"{', '.join(IDENTIFIER_TYPES)}",
            hint_en="for example phone:0903123456 or email:an@example.com",
            hint_vi="ví dụ phone:0903123456 hoặc email:an@example.com",
            code="invalid_identifier",
        )
    value, problem = normalize(id_type, raw, region, rules)
    if value is None:
        said = PROBLEMS_VI.get(problem or "")
        raise InputError(
            f"{text!r}: {problem}",
            f"{text!r}: {said}" if said else f"{text!r}: giá trị không dùng được ({problem})",
            hint_en="write it as the source does, e.g. phone:0903123456 or email:an@example.vn",
            hint_vi="viết như nguồn dữ liệu, ví dụ phone:0903123456 hoặc email:an@example.vn",
            code="invalid_identifier",
        )
    return id_type, value
