"""The parameter binder every SQL builder extends, and the names SQL text may hold.

Import (``events.ingest``) builds its one ``SELECT`` with it; the engines' dialects
(``journeyscope.engine.dialect``) extend it for analytics. Values never enter SQL text:
they are bound as named parameters; only quoted column names and checked words do.
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["Query", "event_name", "quote"]


def quote(name: str) -> str:
    """A SQL identifier for a column name from a file (never a value)."""
    return '"' + name.replace('"', '""') + '"'


class Query:
    """SQL text with its named parameters, built piece by piece (values never enter the text)."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.sql = ""

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"


def event_name(text: str) -> str:
    """An event name as import stores it (the Python twin of ingest's ``_name_map`` rule):
    trimmed, lower case, spaces as underscores, Unicode NFC (as import stores text) — so
    users may write ``Add To Cart``, and Vietnamese typed either composed or decomposed."""
    return unicodedata.normalize("NFC", text).strip().replace(" ", "_").lower()
