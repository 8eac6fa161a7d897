"""Undo wrong merges (block an identifier or a pair) and take the identity graph out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from journeyscope.errors import Location, OutputError
from journeyscope.events.export import write_relation
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import local_iso
from journeyscope.identity.normalize import parse_identifier


def block(ws: Workspace, first: str, second: str | None = None) -> dict[str, object]:
    """Stop an identifier (or one pair) from linking; the next resolve splits customers."""
    region = ws.config.identity.default_region
    a = parse_identifier(first, region)
    b = parse_identifier(second, region) if second else (None, None)
    exists = ws.scalar(
        "SELECT count(*) FROM identity_blocks WHERE id_type = ? AND value = ? "
        "AND other_type IS NOT DISTINCT FROM ? AND other_value IS NOT DISTINCT FROM ?",
        [*a, *b],
    )
    if not exists:
        ws.con.execute(
            "INSERT INTO identity_blocks VALUES (?, ?, ?, ?, ?)",
            [*a, *b, datetime.now(UTC).replace(tzinfo=None)],
        )
    return {
        "blocked": f"{a[0]}:{a[1]}" + (f" ↔ {b[0]}:{b[1]}" if b[0] else ""),
        "new": not exists,
    }


def unblock(ws: Workspace, first: str, second: str | None = None) -> dict[str, object]:
    region = ws.config.identity.default_region
    a = parse_identifier(first, region)
    b = parse_identifier(second, region) if second else (None, None)
    row = ws.one(
        "DELETE FROM identity_blocks WHERE ((id_type = $t1 AND value = $v1 "
        "AND other_type IS NOT DISTINCT FROM $t2 AND other_value IS NOT DISTINCT FROM $v2) "
        "OR (id_type = $t2 AND value = $v2 AND other_type = $t1 AND other_value = $v1))",
        {"t1": a[0], "v1": a[1], "t2": b[0], "v2": b[1]},
    )
    return {"removed": int(row[0]) if row else 0}


def blocks(ws: Workspace) -> list[dict[str, object]]:
    return [
        {
            "identifier": f"{t}:{v}",
            "other": f"{ot}:{ov}" if ot else None,
            "since": local_iso(at, ws.config.timezone),  # with the workspace zone's offset
        }
        for t, v, ot, ov, at in ws.con.execute(
            "SELECT * FROM identity_blocks ORDER BY created_at"
        ).fetchall()
    ]


def export_identities(ws: Workspace, target: Path) -> int:
    """``identifier_type,identifier_value,customer_id`` for every linked identifier."""
    if target.suffix.lower() != ".csv":
        raise OutputError(
            f"{target.name}: identity export writes .csv",
            f"{target.name}: xuất định danh chỉ ghi tệp .csv",
            location=Location(file=str(target)),
            hint_en="name the output FILE.csv",
            hint_vi="đặt tên tệp đầu ra là TỆP.csv",
            # `-o` naming a folder is a write that cannot happen, not a format choice
            code="output_failed" if target.is_dir() else "unsupported_export_format",
        )
    rel = ws.con.sql(
        "SELECT id_type AS identifier_type, value AS identifier_value, customer_id "
        "FROM identity_nodes WHERE customer_id IS NOT NULL ORDER BY customer_id, 1, 2"
    )
    count = len(rel)
    write_relation(rel, target)
    return count
