"""Reports as users run them: whole processes from the CLI, side by side with the peers.

    python bench/bench_cli_reports.py --events 10000000 --repeat 3

Every timed step is a fresh process (``subprocess.run``, wall clock), so interpreter
start-up, imports, opening the files and loading compiled kernels all count — on both
sides. A workspace (import + identity resolve) and a Parquet export of its journeys
(``customer_id, ts, seq, event_id, event``) are built once under ``--data`` and reused by later
runs (delete the folder to rebuild); neither is timed.

- **funnel**: ``journeyscope funnel --steps … --window 7d --json`` (4 steps, mode
  ``ordered``) against ClickHouse ``windowFunnel(604800, 'strict_once')`` in chdb, a
  ``python -c`` that imports chdb and reads the Parquet. Counts per step must be equal.
  Also timed: the *floor* of any DuckDB-based funnel process (start Python, import duckdb,
  open the workspace, fetch the step rows into NumPy; nothing else), against chdb.
- **paths**: ``journeyscope paths --json`` (the whole report: directly-follows graph with
  counts, customers and median gap per edge, starts/ends, variants, sessions,
  viewed-without-buying) against a plain DuckDB ``lead()`` + ``count(*)`` in a
  ``python -c`` that imports duckdb and opens the events (the workspace's DuckDB file
  read-only, and the Parquet), events at one instant in ``seq`` order as ours. Edges and
  counts must be equal.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import RESOLVED_WORKSPACE, bench_args, machine, make_events, measure

FUNNEL_STEPS = "product_view,add_to_cart,checkout,purchase"
WINDOW_S = 7 * 86400
CLI = str(Path(sys.executable).with_name("journeyscope"))

SETUP = (
    RESOLVED_WORKSPACE
    + """
seconds = time.perf_counter() - t
ws.close()
extra = {}
"""
)

#: Opens the workspace writable once (brings its schema up to date), writes the Parquet
EXPORT = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
t = time.perf_counter()
ws = Workspace.open(Path(sys.argv[1]))
target = Path(sys.argv[1]) / "journeys.parquet"
if not target.exists():
    ws.con.execute(
        "COPY (SELECT customer_id, ts, seq, event_id, event FROM journey_events) TO '"
        + str(target) + "' (FORMAT parquet)")
extra = {"events": ws.scalar("SELECT count(*) FROM journey_events")}
ws.close()
seconds = time.perf_counter() - t
"""

#: ClickHouse's funnel over the Parquet, as a ClickHouse user would write it
CHDB_FUNNEL = """
import sys, json, chdb
steps = sys.argv[2].split(",")
conds = ", ".join(f"event = '{s}'" for s in steps)
rows = json.loads(chdb.query(
    f"SELECT level, count() FROM (SELECT customer_id, "
    f"windowFunnel({sys.argv[3]}, 'strict_once')(toUInt32(toUnixTimestamp(ts)), {conds}) "
    f"AS level FROM file('{sys.argv[1]}', Parquet) GROUP BY customer_id) "
    f"GROUP BY level", "JSONCompact").bytes())["data"]
by = {int(level): int(n) for level, n in rows}
print(json.dumps([sum(n for lv, n in by.items() if lv >= k) for k in range(1, len(steps) + 1)]))
"""

#: The least any DuckDB-based funnel process does: start Python, import duckdb, open the
#: workspace and fetch (customer, time, step bits) of the step rows into NumPy — no walk,
#: no report, no CLI. Its ratio to chdb bounds what ours can reach.
FLOOR_FUNNEL = """
import sys, duckdb
steps = sys.argv[2].split(",")
whens = " ".join(f"WHEN '{s}' THEN {1 << i}" for i, s in enumerate(steps))
con = duckdb.connect(sys.argv[1], read_only=True)
con.sql(f"SELECT * FROM (SELECT customer_id, epoch_us(ts) AS us, "
        f"CAST(CASE event {whens} ELSE 0 END AS UINTEGER) AS m FROM journey_events) "
        f"WHERE m <> 0").fetchnumpy()
"""

#: The directly-follows graph in plain DuckDB: lead() over each customer's events + count(*)
DUCKDB_DFG = """
import sys, json, duckdb
source = sys.argv[1]
if source.endswith(".parquet"):
    con, table = duckdb.connect(), f"read_parquet('{source}')"
else:
    con, table = duckdb.connect(source, read_only=True), "journey_events"
con.execute("SET enable_progress_bar = false")
rows = con.sql(f'''SELECT a, b, count(*) FROM (
    SELECT event AS a, lead(event) OVER (PARTITION BY customer_id ORDER BY ts, seq) AS b
    FROM {table}) WHERE b IS NOT NULL GROUP BY ALL''').fetchall()
print(json.dumps(sorted([a, b, n] for a, b, n in rows)))
"""


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall-clock seconds of one whole process, its CPU seconds (user + system, all its
    threads), and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        raise SystemExit(f"{argv[:3]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, cpu, proc.stdout


def best(repeat: int, argv: list[str]) -> tuple[float, float, str]:
    """The fastest of ``repeat`` runs (wall), the least CPU, and the last run's output."""
    runs = [timed(argv) for _ in range(repeat)]
    return min(w for w, _, _ in runs), min(c for _, c, _ in runs), runs[-1][2]


def prepared(args: Any) -> tuple[Path, dict[str, Any]]:
    """The resolved workspace and its Parquet export, built once and reused."""
    ws = args.data / f"cli-ws-{args.events}"
    setup: dict[str, Any] = {"reused": True}
    if not (ws / "journeyscope.duckdb").exists():
        source = make_events(args.data / f"events-{args.events}.parquet", args.events)
        shutil.rmtree(ws, ignore_errors=True)
        setup = measure(SETUP, str(source), str(ws))
    return ws, {**setup, **measure(EXPORT, str(ws))}


def funnel_pair(ws: Path, repeat: int) -> dict[str, Any]:
    ours_argv = [CLI, "funnel", "-w", str(ws), "--steps", FUNNEL_STEPS, "--window", "7d"]
    ours_argv += ["--json"]
    theirs_argv = [sys.executable, "-c", CHDB_FUNNEL, str(ws / "journeys.parquet")]
    theirs_argv += [FUNNEL_STEPS, str(WINDOW_S)]
    floor_argv = [sys.executable, "-c", FLOOR_FUNNEL, str(ws / "journeyscope.duckdb")]
    ours_s, ours_cpu, ours_out = best(repeat, ours_argv)
    theirs_s, theirs_cpu, theirs_out = best(repeat, theirs_argv)
    floor_s, floor_cpu, _ = best(repeat, [*floor_argv, FUNNEL_STEPS])
    ours = [s["customers"] for s in json.loads(ours_out)["steps"]]
    theirs = json.loads(theirs_out.splitlines()[-1])
    if ours != theirs:
        raise SystemExit(f"funnel counts differ: ours {ours}, chdb {theirs}")
    return {
        "counts": ours,
        "journeyscope": {"seconds": round(ours_s, 3), "cpu_seconds": round(ours_cpu, 3)},
        "chdb": {"seconds": round(theirs_s, 3), "cpu_seconds": round(theirs_cpu, 3)},
        "ratio": round(ours_s / theirs_s, 3),
        "cpu_ratio": round(ours_cpu / theirs_cpu, 3),
        "floor_scan_only": {
            "seconds": round(floor_s, 3),
            "cpu_seconds": round(floor_cpu, 3),
            "ratio_to_chdb": round(floor_s / theirs_s, 3),
        },
    }


def paths_pair(ws: Path, repeat: int) -> dict[str, Any]:
    ours_argv = [CLI, "paths", "-w", str(ws), "--json"]
    ours_s, ours_cpu, ours_out = best(repeat, ours_argv)
    edges = sorted([e["from"], e["to"], e["count"]] for e in json.loads(ours_out)["edges"])
    result: dict[str, Any] = {
        "edges": len(edges),
        "transitions": sum(n for *_, n in edges),
        "journeyscope": {"seconds": round(ours_s, 3), "cpu_seconds": round(ours_cpu, 3)},
    }
    for name, source in (
        ("duckdb_file", ws / "journeyscope.duckdb"),
        ("duckdb_parquet", ws / "journeys.parquet"),
    ):
        theirs_s, theirs_cpu, theirs_out = best(
            repeat, [sys.executable, "-c", DUCKDB_DFG, str(source)]
        )
        if json.loads(theirs_out.splitlines()[-1]) != edges:
            raise SystemExit(f"directly-follows graphs differ: ours vs {name}")
        result[name] = {
            "seconds": round(theirs_s, 3),
            "cpu_seconds": round(theirs_cpu, 3),
            "ratio": round(ours_s / theirs_s, 3),
            "cpu_ratio": round(ours_cpu / theirs_cpu, 3),
        }
    return result


def main() -> None:
    args = bench_args(__doc__)
    ws, setup = prepared(args)
    print(
        json.dumps(
            {
                "events": args.events,
                "machine": machine(),
                "best_of": args.repeat,
                "setup": setup,
                "funnel": funnel_pair(ws, args.repeat),
                "paths": paths_pair(ws, args.repeat),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
