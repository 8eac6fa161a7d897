"""Directly-follows graph on N events: JourneyScope vs pm4py, same data, same run.

    python bench/bench_paths.py --events 1000000

A workspace is built once (import + identity resolve, not timed) and its journeys are
written to Parquet with the customer as the case id; pm4py gets them as a pandas
DataFrame (loading not timed). Timed: our ``directly_follows`` (counts and median time per
edge) against pm4py's ``discover_dfg`` + ``discover_performance_dfg`` (the same two
answers). The edge counts must be equal.
"""

from __future__ import annotations

import json

from common import RESOLVED_WORKSPACE, bench_args, machine, run_pair

SETUP = (
    RESOLVED_WORKSPACE
    + """
ws.con.execute(
    "COPY (SELECT CAST(customer_id AS VARCHAR) AS case_id, event AS activity, "
    "ts::TIMESTAMPTZ AS ts, event_id FROM journey_events) TO '"
    + sys.argv[2] + "/log.parquet'")
seconds = time.perf_counter() - t
ws.close()
extra = {}
"""
)

OURS = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.analytics.paths import directly_follows
from journeyscope.analytics.scope import Scope
ws = Workspace.open(Path(sys.argv[2]), read_only=True)
t = time.perf_counter()
edges = directly_follows(ws, "event", Scope())
seconds = time.perf_counter() - t
extra = {"edges": len(edges), "transitions": sum(e["count"] for e in edges)}
"""

PM4PY = """
import sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd, pm4py
df = pd.read_parquet(sys.argv[2] + "/log.parquet")
df = df.sort_values(["case_id", "ts", "event_id"], kind="stable").reset_index(drop=True)
keys = dict(case_id_key="case_id", activity_key="activity", timestamp_key="ts")
t = time.perf_counter()
dfg, _, _ = pm4py.discover_dfg(df, **keys)
perf = pm4py.discover_performance_dfg(df, **keys)
seconds = time.perf_counter() - t
extra = {"edges": len(dfg), "transitions": int(sum(dfg.values()))}
"""


def main() -> None:
    args = bench_args(__doc__)
    _, ours, theirs = run_pair(args, "paths", SETUP, OURS, PM4PY)
    if (ours["edges"], ours["transitions"]) != (theirs["edges"], theirs["transitions"]):
        raise SystemExit(f"different graphs: ours {ours} pm4py {theirs}")
    print(
        json.dumps(
            {
                "events": args.events,
                "machine": machine(),
                "best_of": args.repeat,
                "journeyscope_directly_follows": ours,
                "pm4py_dfg_and_performance_dfg": theirs,
                "ratio": round(ours["seconds"] / theirs["seconds"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
