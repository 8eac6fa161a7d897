"""Identifier normalisation: one spelling per identifier, so equal things link.

Rules (docs/identity.md):

- ``email``: trimmed, spaces removed, lower-cased; must look like ``local@domain.tld``.
- ``phone``: E.164 via ``phonenumbers`` with the workspace's default region (Vietnam), so
  ``0903 123 456``, ``+84903123456`` and ``84-903-123-456`` are one number. Numbers
  ``phonenumbers`` calls invalid (``0000000000``) are not used for linking.
- every other type: trimmed; ``17850.0`` (an id that went through a spreadsheet) becomes
  ``17850``; case is kept.

Vietnamese mobile numbers are by far the most common, so SQL normalises them directly (the
same answer as ``phonenumbers``, which a test checks); only the rest go through Python.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import phonenumbers

from journeyscope.errors import InputError
from journeyscope.events.schema import IDENTIFIER_TYPES

EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def vn_mobile_prefixes() -> tuple[str, ...]:
    """Three-digit national prefixes where every 9-digit number is valid for ``phonenumbers``.

    Asked of the installed ``phonenumbers`` rather than written down, so the SQL fast path
    can never disagree with it when its metadata changes.
    """
    prefixes = []
    for head in range(100, 1000):
        samples = (f"{head}000000", f"{head}999999", f"{head}123456", f"{head}507381")
        if all(phonenumbers.is_valid_number(phonenumbers.parse("+84" + s, None)) for s in samples):
            prefixes.append(str(head))
    return tuple(prefixes)


def normalize(id_type: str, raw: str, region: str = "VN") -> tuple[str | None, str | None]:
    """``(value, None)`` for a usable identifier, ``(None, problem)`` otherwise."""
    text = raw.strip()
    if not text:
        return None, "empty"
    if id_type == "email":
        value = re.sub(r"\s+", "", text).lower()
        return (value, None) if EMAIL_RE.match(value) else (None, "not an e-mail address")
    if id_type == "phone":
        return normalize_phone(text, region)
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return text, None


def normalize_phone(text: str, region: str = "VN") -> tuple[str | None, str | None]:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, "not a phone number"
    if not phonenumbers.is_valid_number(number):
        return None, "not a valid phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def phone_fast_select(raws: str) -> str:
    """SQL ``SELECT raw, value`` over ``raws`` (a relation with column ``raw``).

    ``value`` is E.164 for a Vietnamese mobile number in any usual spelling, else NULL (then
    ``phonenumbers`` decides in Python). The digits are extracted once per value.
    """
    prefixes = ", ".join(f"'{p}'" for p in vn_mobile_prefixes()) or "''"
    return f"""
        SELECT raw, CASE WHEN plain AND length(nat) = 9 AND substr(nat, 1, 3) IN ({prefixes})
                         THEN '+84' || nat END AS value
        FROM (
            SELECT raw,
                regexp_full_match(raw, '\\s*(\\+|\\(\\+)?[0-9][0-9 .()-]*') AS plain,
                CASE WHEN length(d) = 11 AND starts_with(d, '84') THEN substr(d, 3)
                     WHEN length(d) = 10 AND starts_with(d, '0') THEN substr(d, 2)
                     WHEN length(d) = 9 THEN d END AS nat
            FROM (SELECT raw, regexp_replace(raw, '[^0-9]', '', 'g') AS d FROM {raws})
        )"""


def parse_identifier(text: str, region: str = "VN") -> tuple[str, str]:
    """``TYPE:VALUE`` from the command line, normalised; a clear error otherwise."""
    id_type, sep, raw = text.partition(":")
    if not sep or id_type not in IDENTIFIER_TYPES:
        raise InputError(
            f"{text!r} is not TYPE:VALUE with TYPE one of {', '.join(IDENTIFIER_TYPES)}",
            f"{text!r} không có dạng LOẠI:GIÁ_TRỊ với LOẠI là một trong "
            f"{', '.join(IDENTIFIER_TYPES)}",
            hint_en="for example phone:0903123456 or email:an@example.com",
            hint_vi="ví dụ phone:0903123456 hoặc email:an@example.com",
        )
    value, problem = normalize(id_type, raw, region)
    if value is None:
        raise InputError(
            f"{text!r}: {problem}",
            f"{text!r}: giá trị không dùng được ({problem})",
            hint_en="write it as the source does, e.g. phone:0903123456 or email:an@example.vn",
            hint_vi="viết như nguồn dữ liệu, ví dụ phone:0903123456 hoặc email:an@example.vn",
        )
    return id_type, value
