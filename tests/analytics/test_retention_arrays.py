"""The retention report from arrays equals the SQL form (what Spark runs), whole JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics.retention import RetentionSpec, retention_on
from journeyscope.analytics.scope import Scope
from journeyscope.engine.runner import Runner
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve

EVENTS = [
    "product_view",
    "purchase",
    "purchase",
    "refund",
    "review",
    "support_call",
    "ad_impression",
    "message_sent",
]
#: instants near month ends and the clock changes of Europe/Berlin (2024-03-31, 10-27)
BASES = ["2024-01-31T22:30:00", "2024-03-30T23:30:00", "2024-10-26T23:30:00"]

rows_st = st.lists(
    st.tuples(
        st.integers(0, 4),  # customer
        st.sampled_from(BASES),
        st.sampled_from([0, 0, 30, 60, 90, 1440, 1500, 4320, 10080, 43200, 50000, 90000]),
        st.sampled_from(EVENTS),
        st.sampled_from([None, 100000.0, 250000.5, 12.25]),  # revenue (refunds negative)
        st.sampled_from([None, 1.0, 2.0, 5.0]),  # rating
    ),
    min_size=1,
    max_size=35,
)


def _workspace(root: Path, rows: list[Any], zone: str) -> Workspace:
    ws = Workspace.init(root, WorkspaceConfig(timezone=zone))
    out = []
    for i, (c, base, minutes, event, revenue, rating) in enumerate(rows):
        ts = str(np.datetime64(base) + np.timedelta64(minutes, "m")) + "Z"
        row: dict[str, Any] = {"event_id": f"{i:04d}", "user_id": f"c{c}", "event": event}
        row |= {"ts": ts, "channel": ["web", "app", "hotline"][i % 3]}
        if revenue is not None and event in ("purchase", "refund"):
            row["revenue"] = -revenue if event == "refund" else revenue
        if rating is not None and event == "review":
            row["rating"] = rating
        out.append(row)
    src = root / "events.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in out), "utf-8")
    ingest_files(ws, [src], load_mapping(None))
    resolve(ws)
    return ws


def _in_sql(r: Runner, spec: RetentionSpec, scope: Scope) -> dict[str, Any]:
    """The SQL form: the one an export runs (its file aside)."""
    target = Path(r.ws.root) / "retention.csv"
    report = retention_on(r, spec, scope, export_to=target)
    del report["output"], report["exported"]
    return report


SPECS = [
    RetentionSpec(),
    RetentionSpec(period="week", threshold=0.5, top=3),
    RetentionSpec(period="day", cohort_event="purchase", return_event="purchase", threshold=0.1),
    RetentionSpec(period="month", contacts=("support_call", "review"), passive=()),
    # names as people write them: normalised as the SQL form normalises them
    RetentionSpec(passive=("Ad Impression",), contacts=("Support Call",), purchase="Purchase"),
]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_st, st.sampled_from(["UTC", "Europe/Berlin", "Asia/Ho_Chi_Minh"]))
def test_arrays_equal_sql_on_generated_events(
    tmp_path_factory: pytest.TempPathFactory, rows: list[Any], zone: str
) -> None:
    ws = _workspace(tmp_path_factory.mktemp("ret") / "ws", rows, zone)
    try:
        r = Runner(ws)
        for spec in SPECS:
            assert retention_on(r, spec, Scope()) == _in_sql(r, spec, Scope())
        scope = Scope.parse(ws, None, None, "channel = web")
        assert retention_on(r, RetentionSpec(), scope) == _in_sql(r, RetentionSpec(), scope)
    finally:
        ws.close()


def test_arrays_equal_sql_on_the_demo(demo_workspace: Path) -> None:
    ws = Workspace.open(demo_workspace)
    try:
        r = Runner(ws)
        for spec in [*SPECS, RetentionSpec(threshold=0.8, top=50)]:
            report = retention_on(r, spec, Scope())
            assert report == _in_sql(r, spec, Scope())
        assert report["churn"]["top"] and report["rfm"]["segments"] and report["cohorts"]
        scope = Scope.parse(ws, "2026-02-01", "2026-04-30", None)
        assert retention_on(r, RetentionSpec(), scope) == _in_sql(r, RetentionSpec(), scope)
    finally:
        ws.close()


@settings(max_examples=300, deadline=None)
@given(
    values=st.one_of(
        st.lists(st.integers(0, 70_000), min_size=0, max_size=60),  # days, counts: radix
        st.lists(st.integers(-5, 5), min_size=0, max_size=60),
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=0, max_size=60),
    ),
    ascending=st.booleans(),
)
def test_ntile_order_equals_lexsort(values: list[Any], ascending: bool) -> None:
    """The shortcut orders (a stable sort, 16-bit radix) are lexsort's order exactly."""
    from journeyscope.analytics.retention_arrays import _order

    array = np.array(values, np.float64 if values and isinstance(values[0], float) else np.int64)
    tiebreak = np.arange(len(array)) if ascending else np.arange(len(array))[::-1].copy()
    assert np.array_equal(_order(array, tiebreak), np.lexsort((tiebreak, array)))
