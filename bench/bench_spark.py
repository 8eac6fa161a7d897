"""The embedded engine against Spark (local mode) on the same events: funnels, attribution
and identity resolution.

    python bench/bench_spark.py --events 1000000 --master 'local[2]'

A workspace is built once (import + identity resolve) and exported with `export-parquet`
(neither timed). Each step then runs in a fresh process, back to back: a 5-step ordered
funnel (7-day window), first-order Markov attribution (path building included) and identity
resolution (DuckDB: into the workspace, journeys rebuilt; Spark: raw events to a resolved
dataset), on DuckDB and on Spark reading the Parquet dataset. Spark's time is given with and without
starting its session; its JVM's peak memory (VmHWM) is read before it stops. Results are
checked equal. The ratio says where Spark starts to pay: on one machine, never — it is
for data that does not fit one machine, and for clusters (docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import json
import shutil

from common import RESOLVED_WORKSPACE, best_of, machine, make_events, measure

SETUP = (
    RESOLVED_WORKSPACE
    + """
from journeyscope.events.export import export_partitioned
export_partitioned(ws, Path(sys.argv[2]) / "lake")
seconds = time.perf_counter() - t
extra = {"events": ws.scalar("SELECT count(*) FROM journey_events")}
ws.close()
"""
)

STEPS = "page_view,product_view,add_to_cart,checkout,purchase"

DUCKDB = """
import sys, time
from datetime import timedelta
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.attribution.journeys import PathSpec, build_paths
from journeyscope.analytics.attribution.models import markov
ws = Workspace.open(Path(sys.argv[2]), read_only=sys.argv[3] != "identity")
t = time.perf_counter()
if sys.argv[3] == "identity":
    from journeyscope.identity.resolve import resolve
    r = resolve(ws)
    answer = [r.customers, r.events, r.identifiers]
elif sys.argv[3] == "funnel":
    report = funnel(ws, FunnelSpec(parse_steps(STEPS), timedelta(days=7)), Scope())
    answer = [s["customers"] for s in report["steps"]]
else:
    table, _ = build_paths(ws, PathSpec(), Scope())
    answer = {k: round(v, 3) for k, v in markov(table).conversions.items()}
seconds = time.perf_counter() - t
extra = {"answer": answer}
""".replace("STEPS", repr(STEPS))

SPARK = """
import sys, time
from datetime import timedelta
from pathlib import Path
from journeyscope.events.spark_store import read_events, spark_session
from journeyscope.engine.spark import SparkRunner
from journeyscope.events.workspace import Workspace
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.funnels import FunnelSpec, funnel_report
from journeyscope.analytics.funnels import walk as walk_spark
from journeyscope.analytics.attribution.journeys import build_paths as build_paths_spark
from journeyscope.analytics.attribution.models import markov
t = time.perf_counter()
spark = spark_session(sys.argv[4])
started = time.perf_counter() - t
ws = Workspace.open(Path(sys.argv[2]), read_only=True)  # its zone; events come from the lake
events = SparkRunner(ws, read_events(spark, Path(sys.argv[2]) / "lake"))
q = time.perf_counter()
if sys.argv[3] == "identity":
    from journeyscope.identity.spark_resolve import resolve_dataset
    out = str(Path(sys.argv[2]) / "resolved")
    r = resolve_dataset(ws, spark, str(Path(sys.argv[2]) / "lake"), out, overwrite=True)
    answer = [r.customers, r.events, r.identifiers]
elif sys.argv[3] == "funnel":
    spec = FunnelSpec(parse_steps(STEPS), timedelta(days=7))
    report = funnel_report(spec, Scope(), walk_spark(events, spec, Scope()))
    answer = [s["customers"] for s in report["steps"]]
else:
    table, _ = build_paths_spark(events, PathSpec(), Scope())
    answer = {k: round(v, 3) for k, v in markov(table).conversions.items()}
query = time.perf_counter() - q
seconds = time.perf_counter() - t
from pyspark import SparkContext
status = Path(f"/proc/{SparkContext._gateway.proc.pid}/status").read_text()
jvm = round(int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]) / 1024)
spark.stop()
extra = {"answer": answer, "session_seconds": round(started, 3),
         "query_seconds": round(query, 3), "jvm_peak_rss_mb": jvm}
""".replace("STEPS", repr(STEPS)).replace(
    "from journeyscope.analytics.attribution.models import markov",
    "from journeyscope.analytics.attribution.models import markov\n"
    "from journeyscope.analytics.attribution.journeys import PathSpec",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--data", default="/tmp/journeyscope-bench")
    args = parser.parse_args()
    from pathlib import Path

    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    source = make_events(data / f"events-{args.events}.parquet", args.events)
    ws = data / f"spark-ws-{args.events}"
    shutil.rmtree(ws, ignore_errors=True)
    out: dict[str, object] = {"events": args.events, "machine": machine(), "master": args.master}
    try:
        out["setup_seconds"] = measure(SETUP, str(source), str(ws))["seconds"]
        for what in ("funnel", "attribution", "identity"):
            embedded = best_of(args.repeat, DUCKDB, str(source), str(ws), what)
            spark = best_of(args.repeat, SPARK, str(source), str(ws), what, args.master)
            assert embedded.pop("answer") == spark.pop("answer"), what
            out[what] = {
                "duckdb": embedded,
                "spark": spark,
                "ratio_spark_query_to_duckdb": round(
                    spark["query_seconds"] / embedded["seconds"], 2
                ),
            }
    finally:
        shutil.rmtree(ws, ignore_errors=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
