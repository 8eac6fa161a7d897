"""`journeyscope stats` per channel reads the stored journeys, not a join of every event:
its numbers stay the join's through every change a workspace goes through."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace
from journeyscope.identity.forget import forget
from journeyscope.identity.incremental import resolve_incremental
from journeyscope.identity.profiles import distinct_customers, stats
from tests.conftest import MakeWorkspace

JOINED = """SELECT channel, count(*), count(DISTINCT customer_id) FROM events_with_customers
GROUP BY 1 ORDER BY 2 DESC, 1"""


def _same(ws: Workspace) -> list[dict[str, Any]]:
    channels: list[dict[str, Any]] = stats(ws)["channels"]
    joined = ws.con.execute(JOINED).fetchall()
    assert [(c["channel"], c["events"], c["customers"]) for c in channels] == joined
    return channels


def _add(ws: Workspace, tmp: Path, rows: list[dict[str, Any]]) -> None:
    src = tmp / f"more-{len(list(tmp.glob('more-*')))}.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    ingest_files(ws, [src], load_mapping(None))


def test_per_channel_equals_the_join_through_changes(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    rows = [
        {
            "event_id": f"e{i}",
            "email": f"p{i % 4}@example.vn",
            "event": "product_view",
            "channel": ["web", "app", "zalo"][i % 3],
            "ts": f"2024-03-0{1 + i % 7}T10:00:00Z",
        }
        for i in range(20)
    ]
    ws = make_workspace(rows)
    first = _same(ws)
    assert {c["channel"] for c in first} == {"web", "app", "zalo"}
    # new events not resolved yet: counted as events, not yet as customers
    _add(
        ws,
        tmp_path,
        [
            {
                "event_id": "n1",
                "email": "new@example.vn",
                "event": "login",
                "channel": "store",
                "ts": "2024-03-09T10:00:00Z",
            }
        ],
    )
    assert next(c for c in _same(ws) if c["channel"] == "store")["customers"] == 0
    resolve_incremental(ws)
    assert next(c for c in _same(ws) if c["channel"] == "store")["customers"] == 1
    forget(ws, "email:p1@example.vn")
    _same(ws)


@settings(max_examples=40, deadline=None)
@given(
    ids=st.lists(
        st.one_of(st.none(), st.integers(1, 60), st.integers(1, 10**12)), min_size=0, max_size=40
    )
)
def test_customers_counted_as_duckdb_counts_them(tmp_path_factory: Any, ids: list[Any]) -> None:
    """The bitmap count of customers equals ``count(DISTINCT customer_id)``: NULLs left
    out, repeats once, ids spread wide (DuckDB's count then)."""
    with Workspace.init(tmp_path_factory.mktemp("ws")) as ws:
        for node, cid in enumerate(ids):
            ws.con.execute("INSERT INTO identity_customers VALUES (?, ?, 'active', 1)", [node, cid])
        expected = ws.scalar("SELECT count(DISTINCT customer_id) FROM identity_customers")
        assert distinct_customers(ws) == expected
