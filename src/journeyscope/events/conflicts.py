"""Event ids seen again with different content: reported, never dropped as plain duplicates.

``(source, event_id)`` identifies an event, so a row whose id is already stored (or came
earlier in the same file) is not stored again. That is right for a re-import of the same
export, but when the content differs (an order exported again with another amount, two
systems reusing ids) keeping the first version silently would lose the difference without a
word. Each such row is counted, with a few examples (line and id), for ``ingest --json`` and
a warning. Content is compared by an md5 of the mapped fields, the same on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from journeyscope.events.schema import EVENT_FIELDS

#: The stored fields that make an event's content (its key, ``source`` and ``event_id``, aside).
CONTENT_FIELDS = tuple(f for f in EVENT_FIELDS if f not in {"source", "event_id"})
#: How many conflicting rows are named in the report.
EXAMPLES = 5


@dataclass
class Conflicts:
    """Rows whose id is known with other content: how many, and the first few."""

    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


def fingerprint(alias: str) -> str:
    """SQL for the md5 of an event's content; NULL and '' stay apart."""
    parts = ", ".join(
        f"coalesce(CAST({alias}.{name} AS VARCHAR), chr(0))" for name in CONTENT_FIELDS
    )
    return f"md5(concat_ws(chr(31), {parts}))"


def find_conflicts(
    con: duckdb.DuckDBPyConnection,
    checked_sql: str,
    params: dict[str, Any],
    line_sql: str,
    *,
    stored: bool,
    repeats: bool,
) -> Conflicts:
    """Valid rows of ``checked_sql`` (the staging query) whose content differs from the
    version that is kept: the stored event when ``stored``, else the id's first row in the
    file. Skipped (nothing to compare) when the source has no events and ids do not repeat."""
    if not stored and not repeats:
        return Conflicts()
    kept = "first_value(s._f) OVER (PARTITION BY s.event_id ORDER BY s._rec)"
    join = ""
    if stored:
        kept = f"coalesce(e._f, {kept})"
        # only the stored events this file names are fingerprinted: all of the source's
        # would cost every import (and every pass of the collection loader) the whole source
        join = (
            f"LEFT JOIN (SELECT event_id, {fingerprint('e')} AS _f FROM events e "
            "WHERE e.source = $source AND e.event_id IN (SELECT event_id FROM s)) AS e "
            "ON e.event_id = s.event_id"
        )
    rows = con.execute(
        f"""WITH s AS (
                SELECT s.event_id, s._rec, {line_sql} AS line, {fingerprint("s")} AS _f
                FROM ({checked_sql}) AS s WHERE s._problem IS NULL),
            k AS (SELECT s.*, {kept} AS _kept FROM s {join})
        SELECT count(*),
            list(struct_pack(line := line, event_id := event_id) ORDER BY _rec)[1:{EXAMPLES}]
        FROM k WHERE _f <> _kept""",
        params,
    ).fetchall()
    count, examples = rows[0] if rows else (0, [])
    return Conflicts(int(count or 0), [dict(e) for e in examples or []])
