"""The suppression list: forgotten people's identifiers, as keyed hashes (docs/security.md).

After ``journeyscope forget``, a re-import of an old export (or a collected event) carrying
one of the person's identifiers would bring them back. Every import checks its rows
against this list and drops those that carry a suppressed identifier, in any spelling —
counted and reported as ``suppressed``, never stored, never quarantined.

The list holds no raw or normalised value: an entry is HMAC-SHA256 under a random 32-byte
key made for this workspace (table ``workspace_secrets``) of ``type, kind, value``. A
phone number has about a billion possible values, so a plain hash would be reversed by
hashing them all; with the key, the hashes alone say nothing.

An entry's kind is ``identifier``: the normalised value, so every spelling of it matches.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from journeyscope.events.schema import IDENTIFIER_TYPES

if TYPE_CHECKING:
    from journeyscope.events.workspace import Workspace

SECRET_NAME = "suppression"
IDENTIFIER = "identifier"


class SqlQuery(Protocol):
    """What the import's staging query offers (``events.query.Query``)."""

    sql: str
    params: dict[str, Any]

    def bind(self, value: Any) -> str: ...


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def secret(ws: Workspace, *, create: bool = False) -> bytes | None:
    """The workspace's key (made on first use when ``create``)."""
    row = ws.one("SELECT secret FROM workspace_secrets WHERE name = ?", [SECRET_NAME])
    if row is not None:
        return bytes(row[0])
    if not create:
        return None
    key = secrets.token_bytes(32)
    ws.con.execute("INSERT INTO workspace_secrets VALUES (?, ?)", [SECRET_NAME, key])
    return key


def digest(key: bytes, id_type: str, kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of one identifier or spelling under the workspace's key."""
    message = "\x1f".join((id_type, kind, value)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def size(ws: Workspace) -> int:
    return int(ws.scalar("SELECT count(*) FROM identity_suppressed"))


def add(ws: Workspace, entries: Iterable[tuple[str, str, str]], request: int) -> int:
    """Suppress ``(id_type, kind, value)`` entries; returns how many were new.

    Runs inside the caller's transaction (``forget`` deletes and suppresses at once).
    """
    key = secret(ws, create=True)
    assert key is not None
    known = {d for (d,) in ws.con.execute("SELECT digest FROM identity_suppressed").fetchall()}
    rows = []
    for id_type, kind, value in entries:
        d = digest(key, id_type, kind, value)
        if d not in known:
            known.add(d)
            rows.append((d, id_type, kind, request, _now(), 0, None))
    if rows:
        ws.con.executemany("INSERT INTO identity_suppressed VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def remove(ws: Workspace, id_type: str, value: str) -> int:
    """Take one normalised identifier off the list; returns how many entries went (0 or 1)."""
    key = secret(ws)
    if key is None:
        return 0
    d = digest(key, id_type, IDENTIFIER, value)
    gone = int(ws.scalar("SELECT count(*) FROM identity_suppressed WHERE digest = ?", [d]))
    ws.con.execute("DELETE FROM identity_suppressed WHERE digest = ?", [d])
    return gone


def entries(ws: Workspace) -> list[dict[str, Any]]:
    """The list as ``forget --list`` shows it: hashes, kinds, counts and dates — no values."""
    rows = ws.con.execute(
        "SELECT digest, id_type, kind, request, created_at, dropped_events, last_dropped_at "
        "FROM identity_suppressed ORDER BY request, id_type, kind, digest"
    ).fetchall()
    return [
        {
            "hash": d,
            "type": t,
            "kind": k,
            "request": r,
            "suppressed_at": c.isoformat(),
            "dropped_events": n,
            "last_dropped_at": last.isoformat() if last else None,
        }
        for d, t, k, r, c, n, last in rows
    ]


def _normalise_raws(ws: Workspace, source: str, target: str) -> None:
    """``identity.raw_values.normalise_raws``: the workspace's rules, in SQL.

    The events layer may not import the identity layer (import contracts), yet a spelling
    must be matched exactly as identity resolution normalises it; so the rule is looked up
    when needed — only when the suppression list is not empty.
    """
    module = importlib.import_module("journeyscope.identity.raw_values")
    module.normalise_raws(ws, source, target)


def hmac_sql(id_type: str, kind: str, value: str) -> str:
    """DuckDB SQL for :func:`digest` (HMAC-SHA256, RFC 2104) of SQL expressions; the key's
    pads are the parameters ``$ipad`` and ``$opad`` (:func:`pads`)."""
    message = f"encode({id_type} || chr(31) || {kind} || chr(31) || {value})"
    return f"sha256($opad || unhex(sha256($ipad || {message})))"


def pads(key: bytes) -> dict[str, bytes]:
    """The inner and outer HMAC pads of ``key`` (SHA-256 blocks are 64 bytes)."""
    block = key.ljust(64, b"\0")
    return {
        "ipad": bytes(b ^ 0x36 for b in block),
        "opad": bytes(b ^ 0x5C for b in block),
    }


def drop_suppressed(ws: Workspace, query: SqlQuery) -> int:
    """Narrow ``query`` (one file's staging SELECT, one column per identifier type) to the
    rows that carry no suppressed identifier; returns how many rows it dropped.

    The distinct raw identifiers of the file are normalised once each and hashed, in SQL;
    the few raw spellings that hit become a filter bound into the query, so the dropped
    rows are neither counted as rejected, nor quarantined, nor stored.
    """
    key = secret(ws) if size(ws) else None
    if key is None:
        return 0
    con = ws.con
    columns = ", ".join(IDENTIFIER_TYPES)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sup_raw AS SELECT id_type, raw, count(*) AS n "
        f"FROM (SELECT {columns} FROM ({query.sql}) AS q) "
        f"UNPIVOT (raw FOR id_type IN ({columns})) GROUP BY ALL",
        query.params,
    )
    try:
        _normalise_raws(ws, "sup_raw", "sup_values")
        hits = con.execute(
            f"""SELECT v.id_type, v.raw, s.digest, r.n
            FROM sup_values v JOIN sup_raw r USING (id_type, raw)
            JOIN identity_suppressed s
              ON s.digest = {hmac_sql("v.id_type", f"'{IDENTIFIER}'", "v.value")}
            WHERE v.value IS NOT NULL""",
            pads(key),
        ).fetchall()
    finally:
        for table in ("sup_raw", "sup_values"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    if not hits:
        return 0
    raws: dict[str, list[str]] = {}
    per_entry: dict[str, int] = {}
    for id_type, raw, d, n in hits:
        raws.setdefault(id_type, []).append(raw)
        per_entry[d] = per_entry.get(d, 0) + int(n)
    match = " OR ".join(
        f"list_contains({query.bind(values)}, q.{id_type})" for id_type, values in raws.items()
    )
    row = ws.one(f"SELECT count(*) FROM ({query.sql}) AS q WHERE {match}", query.params)
    dropped = int(row[0]) if row else 0
    query.sql = f"SELECT * FROM ({query.sql}) AS q WHERE NOT coalesce({match}, false)"
    _count_dropped(ws, per_entry, dropped)
    return dropped


def _count_dropped(ws: Workspace, per_entry: dict[str, int], rows: int) -> None:
    """Note on each entry how many rows it kept out, and audit the total (no values)."""
    now = _now()
    ws.con.executemany(
        "UPDATE identity_suppressed SET dropped_events = dropped_events + ?, "
        "last_dropped_at = ? WHERE digest = ?",
        [(n, now, d) for d, n in per_entry.items()],
    )
    ws.audit("suppressed_at_import", json.dumps({"rows": rows}))
