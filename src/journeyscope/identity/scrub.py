"""The files of a workspace that may hold a forgotten person: quarantine, static segment
lists and scratch copies.

Import writes rejected rows, whole, to ``WORKSPACE/quarantine/*.csv`` — a person's rows too.
``forget`` rewrites those files without every row that carries one of the person's
identifiers in any spelling (matched by value, after the same normalisation as import, and
by text), and removes the scratch copies a crashed import or DuckDB left in the workspace.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from journeyscope.identity.normalize import normalize
from journeyscope.maps.io import write_atomic

#: Spellings at least this long are also searched for inside longer text.
SUBSTRING_MIN = 6
#: Shorter spellings (``0``, ``-``) are too common to say whose a row is.
EQUAL_MIN = 3
#: Where scratch copies of user rows live: DuckDB's spill folder, the importer's folder
#: (relative to the workspace; ``{db}`` is the database file's name).
SCRATCH = ("{db}.tmp", "tmp")


class Matcher:
    """Says whether a row of text carries one of a person's identifiers."""

    def __init__(self, identifiers: set[tuple[str, str]], spellings: set[str], region: str) -> None:
        self.region = region
        self.values: dict[str, set[str]] = {}
        for id_type, value in identifiers:
            self.values.setdefault(id_type, set()).add(value)
        plain = {v for values in self.values.values() for v in values}
        self.equal = {s.strip() for s in spellings if len(s.strip()) >= EQUAL_MIN} | plain
        self.needles = sorted(
            {s.lower() for s in self.equal if len(s) >= SUBSTRING_MIN}, key=len, reverse=True
        )

    def matches(self, cells: list[str]) -> bool:
        text = "\x1f".join(cells).lower()
        if any(needle in text for needle in self.needles):
            return True
        return any(self._is_identifier(s) for s in _scalars(cells))

    def _is_identifier(self, text: str) -> bool:
        text = text.strip().lstrip("'")  # a spreadsheet's text marker
        if text in self.equal:
            return True
        folded = _fold(text)
        for id_type, values in self.values.items():
            if _may_be(id_type, folded, values) and (
                normalize(id_type, text, self.region)[0] in values
            ):
                return True
        return False


def _fold(text: str) -> str:
    """Compatibility-folded (full-width to ASCII), lower case, without spaces or invisible
    characters: what every normalisation rule ignores."""
    if text.isascii():
        return "".join(text.lower().split())
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def _may_be(id_type: str, folded: str, values: set[str]) -> bool:
    """A cheap necessary condition for ``normalize(id_type, text)`` to be one of ``values``,
    so that the (slower) rules run only on the few cells that may match."""
    if id_type == "phone":
        digits = "".join(c for c in folded if c.isdigit())
        return any(v[-7:] in digits for v in values)
    if id_type == "email":
        return any(v.split("@", 1)[0] in folded for v in values)
    return any(v.lower() in folded for v in values)


def _scalars(cells: list[str]) -> Iterator[str]:
    """Every cell, and every scalar inside cells that hold JSON (the quarantined record)."""
    for cell in cells:
        yield cell
        if cell.lstrip().startswith(("{", "[")):
            try:
                yield from _walk(json.loads(cell))
            except (ValueError, RecursionError):
                continue


def _walk(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def scrub_quarantine(root: Path, matcher: Matcher) -> int:
    """Rewrite every quarantine file without the person's rows; returns the rows removed."""
    removed = 0
    folder = root / "quarantine"
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*.csv")):
        removed += _scrub_file(path, matcher)
    return removed


def _scrub_file(path: Path, matcher: Matcher) -> int:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    kept = [row for i, row in enumerate(rows) if i == 0 or not matcher.matches(row)]
    if len(kept) == len(rows):
        return 0
    buffer = io.StringIO()
    csv.writer(buffer).writerows(kept)
    write_atomic(path, ("\ufeff" if bom else "") + buffer.getvalue())
    return len(rows) - len(kept)


#: The workspace's saved segments (analytics/segments.py writes it; read here as plain YAML)
SEGMENTS_FILE = "segments.yaml"


def scrub_segments(root: Path, matcher: Matcher) -> int:
    """Rewrite ``segments.yaml`` without the person's identifiers in static lists (each
    member is ``TYPE:VALUE`` or a customer id); returns the members removed."""
    import yaml

    path = root / SEGMENTS_FILE
    if not path.is_file():
        return 0
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    items = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return 0
    removed = 0
    for item in items:
        members = item.get("members") if isinstance(item, dict) else None
        if not isinstance(members, list):
            continue
        kept = [m for m in members if not _is_member_of(str(m), matcher)]
        removed += len(members) - len(kept)
        item["members"] = kept
    if removed:
        header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        write_atomic(path, header + body)
    return removed


def _is_member_of(member: str, matcher: Matcher) -> bool:
    """``phone:0903123456`` is the person's when its value is one of their identifiers."""
    _, _, value = member.partition(":")
    return matcher.matches([member]) or (bool(value) and matcher.matches([value]))


def remove_scratch(root: Path, db_name: str) -> int:
    """Remove leftover scratch files (the caller holds the workspace's write lock, so no
    import is using them); returns how many went."""
    removed = 0
    for name in SCRATCH:
        folder = root / name.format(db=db_name)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)
                removed += 1
    leftovers = [*root.glob(f".{db_name}.compact*"), *root.glob("quarantine/.*.tmp")]
    for folder in [*root.glob(".upload-*"), *root.glob(".export-*")]:  # the server's uploads
        if folder.is_dir():  # and exports a crash left behind
            for path in sorted(folder.rglob("*"), reverse=True):
                if path.is_file() or path.is_symlink():
                    path.unlink(missing_ok=True)
                    removed += 1
                elif path.is_dir():
                    path.rmdir()
            folder.rmdir()
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed
