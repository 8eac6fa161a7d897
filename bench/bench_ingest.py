"""Import of N events from Parquet: JourneyScope vs DuckDB's own CREATE TABLE AS SELECT.

    python bench/bench_ingest.py --events 10000000

Both write a fresh DuckDB file from the same Parquet file, in the same session, each in a
child process (so peak memory is its own). The goal (issue 3): ours within 2× of DuckDB.
"""

from __future__ import annotations

import json
import shutil

from common import bench_args, machine, make_events, measure

DUCKDB_CTAS = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[2])
t = time.perf_counter()
con.execute("CREATE TABLE events AS SELECT * FROM read_parquet(?)", [sys.argv[1]])
con.execute("CHECKPOINT")
seconds = time.perf_counter() - t
extra = {"rows": con.execute("SELECT count(*) FROM events").fetchone()[0]}
"""

OURS = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
ws = Workspace.init(Path(sys.argv[2]))
t = time.perf_counter()
result = ingest_files(ws, [Path(sys.argv[1])], load_mapping(None))
ws.con.execute("CHECKPOINT")
seconds = time.perf_counter() - t
extra = {"rows": result.accepted, "rejected": result.rejected}
"""


def main() -> None:
    args = bench_args(__doc__)
    source = make_events(args.data / f"events-{args.events}.parquet", args.events)
    runs: dict[str, list[dict[str, float]]] = {"duckdb_ctas": [], "journeyscope_ingest": []}
    for _ in range(args.repeat):
        for name, code in (("duckdb_ctas", DUCKDB_CTAS), ("journeyscope_ingest", OURS)):
            target = args.data / f"{name}.out"  # a database file, or a workspace folder
            shutil.rmtree(target, ignore_errors=True)
            target.unlink(missing_ok=True)
            runs[name].append(measure(code, str(source), str(target)))
            shutil.rmtree(target, ignore_errors=True)
            target.unlink(missing_ok=True)
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items()}
    for name, run in best.items():
        if run["rows"] != args.events:
            raise SystemExit(f"{name} stored {run['rows']} rows, expected {args.events}")
    ratio = best["journeyscope_ingest"]["seconds"] / best["duckdb_ctas"]["seconds"]
    print(
        json.dumps(
            {
                "events": args.events,
                "machine": machine(),
                "best_of": args.repeat,
                **best,
                "ratio": round(ratio, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
