"""Funnels on N events: JourneyScope vs ClickHouse windowFunnel (chdb), same data, same run.

    python bench/bench_funnel.py --events 10000000
    python bench/bench_funnel.py --demo-customers 1300000   # the demo retailer, ~10M events

A workspace is built once (import + identity resolve, not timed). Its events with their
customer ids are loaded into a chdb MergeTree table ordered by (customer, ts) — ClickHouse's
best layout — and not timed either. Then each side answers the same 5-step funnel with a
7-day window, per mode: ours through ``funnel()`` on the workspace (SQL scan, step masks,
sort, compiled walk), theirs with ``windowFunnel`` grouped by customer. Counts must agree.

The synthetic events are uniform in time, so few customers go past step 2; the demo
retailer's data (``--demo-customers``) has real journeys, where most of the funnel is
reached by someone and the walk has more to do.
"""

from __future__ import annotations

import json
import shutil

from common import bench_args, best_of, machine, make_events, measure

STEPS = ["page_view", "product_view", "add_to_cart", "checkout", "purchase"]
DEMO_STEPS = ["ad_click", "product_view", "add_to_cart", "checkout", "purchase"]
WINDOW_S = 7 * 86400
MODES = {"ordered": "'strict_once'", "clickhouse": None, "strict_order": "'strict_order'"}

SETUP = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.identity.resolve import resolve
ws = Workspace.init(Path(sys.argv[2]))
t = time.perf_counter()
source = Path(sys.argv[1])
if source.is_dir():  # the demo retailer's exports, each with its mapping
    import json
    facts = json.loads((source / "facts.json").read_text(encoding="utf-8"))
    for item in facts["files"]:
        mapping = source / item["mapping"] if item["mapping"] else None
        ingest_files(ws, [source / item["file"]], load_mapping(mapping))
else:
    ingest_files(ws, [source], load_mapping(None))
resolve(ws)
ws.con.execute(
    "COPY (SELECT c.customer_id, epoch(e.ts)::UBIGINT AS ts, e.event FROM events e "
    "JOIN event_customers c USING (seq)) TO '" + sys.argv[2] + "/funnel.parquet'")
seconds = time.perf_counter() - t
extra = {"events": ws.scalar("SELECT count(*) FROM journey_events")}
ws.close()
"""

OURS = """
import sys, time
from datetime import timedelta
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.scope import Scope, parse_steps
ws = Workspace.open(Path(sys.argv[2]), read_only=True)
spec = FunnelSpec(parse_steps(sys.argv[3]), timedelta(seconds=int(sys.argv[4])), sys.argv[5])
# a warm process, as the server is: the compiled walk loaded (a fresh CLI process takes
# the NumPy walk instead: bench_cli_reports.py)
from journeyscope.analytics import funnel_kernel
funnel_kernel.warm()
funnel(ws, FunnelSpec(parse_steps("purchase"), spec.window, spec.mode), Scope())
t = time.perf_counter()
report = funnel(ws, spec, Scope())
seconds = time.perf_counter() - t
extra = {"counts": [s["customers"] for s in report["steps"]]}
"""

CHDB = """
import sys, time, json
from chdb import session
s = session.Session()
s.query("CREATE DATABASE IF NOT EXISTS b")
s.query("CREATE TABLE b.ev (customer_id Int64, ts UInt64, event String) "
        "ENGINE = MergeTree ORDER BY (customer_id, ts)")
s.query("INSERT INTO b.ev SELECT customer_id, ts, event FROM file('" + sys.argv[2]
        + "/funnel.parquet', Parquet)")
steps = sys.argv[3].split(",")
conds = ", ".join(f"event = '{x}'" for x in steps)
params = sys.argv[4] + ("" if sys.argv[5] == "None" else ", " + sys.argv[5])
query = (f"SELECT level, count() FROM (SELECT customer_id, windowFunnel({params})(ts, {conds}) "
         f"AS level FROM b.ev GROUP BY customer_id) GROUP BY level ORDER BY level")
t = time.perf_counter()
rows = json.loads(s.query(query, "JSONCompact").bytes())["data"]
seconds = time.perf_counter() - t
by = {int(l): int(n) for l, n in rows}
extra = {"counts": [sum(n for l, n in by.items() if l >= k) for k in range(1, len(steps) + 1)]}
"""


def main() -> None:
    args = bench_args(__doc__, demo=True)
    if args.demo_customers:
        from journeyscope.events.demo_data import generate

        source = args.data / f"demo-{args.demo_customers}"
        if not (source / "facts.json").exists():
            generate(source, args.demo_customers, 7)
        steps_list = DEMO_STEPS
    else:
        source = make_events(args.data / f"events-{args.events}.parquet", args.events)
        steps_list = STEPS
    ws = args.data / f"funnel-ws-{args.events}-{args.demo_customers}"
    shutil.rmtree(ws, ignore_errors=True)
    setup = measure(SETUP, str(source), str(ws))
    steps = ",".join(steps_list)
    results = {}
    for mode, ch_mode in MODES.items():
        argv = (str(source), str(ws), steps, str(WINDOW_S))
        ours = best_of(args.repeat, OURS, *argv, mode)
        theirs = best_of(args.repeat, CHDB, *argv, str(ch_mode))
        if ours["counts"] != theirs["counts"]:
            raise SystemExit(
                f"{mode}: counts differ: ours {ours['counts']} chdb {theirs['counts']}"
            )
        results[mode] = {
            "journeyscope": ours,
            "chdb_windowFunnel": theirs,
            "ratio": round(ours["seconds"] / theirs["seconds"], 3),
        }
    shutil.rmtree(ws, ignore_errors=True)
    print(
        json.dumps(
            {
                "events": setup["events"] if args.demo_customers else args.events,
                "data": f"demo retailer, {args.demo_customers} customers"
                if args.demo_customers
                else "synthetic (bench/common.make_events)",
                "machine": machine(),
                "best_of": args.repeat,
                "setup_seconds": setup["seconds"],
                "modes": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
