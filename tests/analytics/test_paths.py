"""Paths: the directly-follows graph equals pm4py's, plus sessions, Sankey and variants."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics.paths import PathSpec, paths
from journeyscope.analytics.scope import Scope
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve
from tests.analytics.conftest import MakeWorkspace
from tests.conftest import shared_data

MAPPING = Path(__file__).parents[2] / "examples" / "pm4py-eventlog.yaml"


def pm4py_dfg(df: pd.DataFrame) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        keys = {
            "case_id_key": "case:concept:name",
            "activity_key": "concept:name",
            "timestamp_key": "time:timestamp",
        }
        dfg, _, _ = pm4py.discover_dfg(df, **keys)
        perf = pm4py.discover_performance_dfg(df, **keys)[0]
    norm = event_name
    return (
        {(norm(a), norm(b)): int(n) for (a, b), n in dfg.items()},
        {(norm(a), norm(b)): float(v["median"]) for (a, b), v in perf.items()},
    )


def our_dfg(ws: Workspace) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], float]]:
    edges = paths(ws, PathSpec(), Scope())["edges"]
    return (
        {(e["from"], e["to"]): e["count"] for e in edges},
        {(e["from"], e["to"]): e["median_seconds"] for e in edges},
    )


def import_log(csv: Path, root: Path) -> Workspace:
    """Import an event log with the shipped mapping; event_id keeps the file's row order,
    which is pm4py's tie rule for events at one instant."""
    numbered = root / "numbered.csv"
    root.mkdir(parents=True, exist_ok=True)
    duckdb.sql(
        f"COPY (SELECT lpad(CAST(row_number() OVER () AS VARCHAR), 9, '0') AS event_id, * "
        f"FROM read_csv('{csv}', all_varchar = true)) TO '{numbered}' (HEADER)"
    )
    ws = Workspace.init(root / "ws", WorkspaceConfig(timezone="UTC"))
    result = ingest_files(ws, [numbered], load_mapping(MAPPING))
    assert result.files[0].rejected == 0
    resolve(ws)
    return ws


@pytest.mark.shared_data
@pytest.mark.parametrize("log", ["running-example.csv", "receipt.csv", "roadtraffic100traces.csv"])
def test_dfg_equals_pm4py_on_real_logs(tmp_path: Path, log: str) -> None:
    csv = shared_data("pm4py-eventlogs", log)
    df = pd.read_csv(csv, dtype={"case:concept:name": str})
    df["time:timestamp"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    ws = import_log(csv, tmp_path)
    counts, medians = our_dfg(ws)
    want_counts, want_medians = pm4py_dfg(df)
    assert counts == want_counts
    assert medians == pytest.approx(want_medians, abs=1e-3)
    ws.close()


events_st = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 40), st.sampled_from("abcde")),
    min_size=1,
    max_size=50,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events_st)
def test_dfg_equals_pm4py_on_generated_logs(make_workspace: MakeWorkspace, rows: list[Any]) -> None:
    """Ties (same case, same second) included: both order them by row."""
    base = pd.Timestamp("2024-03-01", tz="UTC")
    df = pd.DataFrame(
        {
            "case:concept:name": [f"c{c}" for c, _, _ in rows],
            "concept:name": [a for _, _, a in rows],
            "time:timestamp": [base + pd.Timedelta(minutes=m) for _, m, _ in rows],
        }
    )
    ws = make_workspace(
        [
            {
                "event_id": f"{i:06d}",
                "user_id": f"c{c}",
                "event": a,
                "ts": (base + pd.Timedelta(minutes=m)).isoformat(),
            }
            for i, (c, m, a) in enumerate(rows)
        ]
    )
    counts, medians = our_dfg(ws)
    want_counts, want_medians = pm4py_dfg(df)
    assert counts == want_counts
    assert medians == pytest.approx(want_medians)


def _journey(make_workspace: MakeWorkspace) -> Workspace:
    t = "2024-05-01T{}:00Z"
    return make_workspace(
        [
            # c1: one session of 3 events, then a bounce 2 hours later
            {"event_id": "1", "user_id": "c1", "event": "product_view", "ts": t.format("10:00")},
            {"event_id": "2", "user_id": "c1", "event": "add_to_cart", "ts": t.format("10:05")},
            {"event_id": "3", "user_id": "c1", "event": "purchase", "ts": t.format("10:20")},
            {
                "event_id": "4",
                "user_id": "c1",
                "event": "product_view",
                "ts": t.format("12:30"),
                "channel": "app",
            },
            # c2: viewed, never bought
            {"event_id": "5", "user_id": "c2", "event": "product_view", "ts": t.format("11:00")},
            {"event_id": "6", "user_id": "c2", "event": "product_view", "ts": t.format("11:10")},
        ]
    )


def test_sessions_bounce_and_viewed_without_buying(
    make_workspace: MakeWorkspace, on_engine: Callable[..., Any]
) -> None:
    report = paths(on_engine(_journey(make_workspace)), PathSpec(), Scope())
    sessions = report["sessions"]
    assert sessions["sessions"] == 3
    assert sessions["bounce_rate"] == pytest.approx(1 / 3, abs=1e-4)
    app = next(r for r in sessions["by_channel"] if r["channel"] == "app")
    assert app == {"channel": "app", "sessions": 1, "bounce_rate": 1.0}
    assert report["viewed_without_buying"] == [
        {"day": "2024-05-01", "viewed": 2, "viewed_without_buying": 1, "share": 0.5}
    ]
    variants = {tuple(v["path"]): v["customers"] for v in report["variants"]["top"]}
    assert variants == {
        ("product_view", "add_to_cart", "purchase", "product_view"): 1,
        ("product_view",): 1,  # two views in a row collapse into one step
    }


def test_sankey_columns_sum_to_the_anchor(
    make_workspace: MakeWorkspace, on_engine: Callable[..., Any]
) -> None:
    ws = on_engine(_journey(make_workspace))
    sankey = paths(ws, PathSpec(start="product_view", depth=3), Scope())["sankey"]
    out_of_anchor = sum(x["value"] for x in sankey["links"] if x["source"].startswith("0:"))
    assert out_of_anchor == 2
    assert {"source": "0:product_view", "target": "1:add_to_cart", "value": 1} in sankey["links"]
    # a journey that ends flows into (end) once and stops there
    assert not any(x["source"].endswith("(end)") for x in sankey["links"])
    before = paths(ws, PathSpec(end="purchase", depth=3), Scope())["sankey"]
    assert {"source": "-1:add_to_cart", "target": "0:purchase", "value": 1} in before["links"]
    assert {"source": "-3:(start)", "target": "-2:product_view", "value": 1} in before["links"]


def test_channel_level_and_filters(
    make_workspace: MakeWorkspace, on_engine: Callable[..., Any]
) -> None:
    ws = _journey(make_workspace)
    scope = Scope.parse(ws, None, None, "user_id = c1")
    ws = on_engine(ws)
    report = paths(ws, PathSpec(level="channel"), scope)
    assert {(e["from"], e["to"]): e["count"] for e in report["edges"]} == {
        ("web", "web"): 2,
        ("web", "app"): 1,
    }
