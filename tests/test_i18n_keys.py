"""Every message key the code names exists in both languages (unknown keys raise in tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from journeyscope.i18n import MESSAGES, t

SRC = Path(__file__).resolve().parents[1] / "src" / "journeyscope"
LITERAL = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']""")


def test_every_literal_key_is_in_the_catalogue() -> None:
    used = {m.group(1) for f in SRC.rglob("*.py") for m in LITERAL.finditer(f.read_text())}
    assert used, "no t() call found: the pattern is wrong"
    missing = sorted(k for k in used if k not in MESSAGES)
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_every_message_has_both_languages() -> None:
    lacking = sorted(k for k, v in MESSAGES.items() if not v.get("en") or not v.get("vi"))
    assert not lacking, f"messages without English or Vietnamese: {lacking}"


def test_unknown_key_fails_in_tests() -> None:
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key", "en")
