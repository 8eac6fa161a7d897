"""The loader reads its staging files with the row's types given (``segment.ROW_TYPES``),
not detected by sampling each file: the checked rows ``ingest`` would store are the same.

Rows come from generated Segment batches (``test_structs``' strategies: valid, odd and
refused messages), so every kind of value a row can hold is met — all-null columns, ids
made text, amounts, JSON properties, Vietnamese text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.collect.loader import mapping_for
from journeyscope.collect.segment import ROW_TYPES, parse_body
from journeyscope.collect.structs import row_json
from journeyscope.events.ingest import Plan, staging_sql
from journeyscope.events.readers import stage
from journeyscope.events.workspace import Workspace
from tests.collect.test_structs import RECEIVED, batch

NOW = datetime(2026, 5, 2)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with Workspace.init(tmp_path_factory.mktemp("types") / "ws") as opened:
        yield opened


def checked(
    ws: Workspace, path: Path, types: dict[str, str] | None
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The types the file was read as, and the staging query's rows (values and problems)
    in file order."""
    loaded = mapping_for("segment:web")
    staged = stage(ws.con, path, loaded.mapping, types=types)
    try:
        query = staging_sql(Plan(staged, loaded, ws.config.timezone, ws.config.currency), NOW)
        found = ws.con.execute(f"SELECT * FROM ({query.sql}) ORDER BY _rec", query.params)
        names = [d[0] for d in found.description]
        rows = [
            {n: v for n, v in zip(names, row, strict=True) if n not in {"_rec", "_ts_raw"}}
            for row in found.fetchall()
        ]
        return dict(staged.columns), rows
    finally:
        staged.close()


def rows_of(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for body in bodies:
        rows += parse_body("batch", json.dumps(body).encode(), received_at=RECEIVED).rows
    return rows


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(bodies=st.lists(batch, min_size=1, max_size=4))
def test_rows_read_as_typed_equal_rows_read_as_detected(
    ws: Workspace, tmp_path: Path, bodies: list[dict[str, Any]]
) -> None:
    rows = rows_of(bodies)
    if not rows:
        return
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\n".join(row_json(row) for row in rows) + b"\n")
    typed, rows_typed = checked(ws, path, ROW_TYPES)
    assert typed == ROW_TYPES  # the types were used, not the detection
    assert rows_typed == checked(ws, path, None)[1]


def test_a_row_the_types_do_not_fit_is_read_as_detected(ws: Workspace, tmp_path: Path) -> None:
    """A staging file the types do not fit (a revenue as text, written by some other
    version) is not refused: it is read as detected, as before the types were given."""
    path = tmp_path / "odd.jsonl"
    row = {"event_id": "a", "ts": 1_777_000_000_000, "event": "x", "revenue": "350.000 đ"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert checked(ws, path, ROW_TYPES) == checked(ws, path, None)
    assert checked(ws, path, ROW_TYPES)[1][0]["revenue"] == 350_000


def test_every_key_of_a_row_has_its_type() -> None:
    (row,) = rows_of([{"batch": [{"type": "track", "event": "x", "userId": "u"}]}])
    assert list(row) == list(ROW_TYPES)
