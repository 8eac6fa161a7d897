"""Incremental identity resolution: a batch of new events on a resolved workspace.

    python bench/bench_identity_incremental.py --events 1000000 --batch 5000

A workspace of N synthetic events (bench/common.py) is imported and resolved in full once.
Each measured step copies it, imports one batch of new events and resolves — incrementally
(``resolve_incremental``) or in full (``resolve``) — in a fresh process; the time of the
resolve alone is reported, with the incremental one's steps (normalise, link: read back
and recompute the affected customers — the merged and split ones' events, the grown ones'
identifiers only —, store: identifiers/links/event customers, journeys: append the pass's
rows to ``journey_events`` as a run). Both answers are checked equal (the partition of
events into customers, ids included, and ``journey_events`` in journey order).

Batches: ``returning`` — people drawn from the workspace's people and a third as many new
ones, as live traffic is (old customers anywhere in the id order, some merged); ``new`` —
only people never seen.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import duckdb
from common import machine, make_events, measure

PREPARE = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.identity.resolve import resolve
ws = Workspace.init(Path(sys.argv[2]))
ingest_files(ws, [Path(sys.argv[1])], load_mapping(None))
t = time.perf_counter()
resolve(ws)
seconds = time.perf_counter() - t
extra = {"customers": ws.scalar("SELECT max(customer_id) FROM event_customers")}
ws.con.execute("CHECKPOINT")
"""

STEP = """
import sys, time, shutil
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.identity.incremental import resolve_incremental
from journeyscope.identity.resolve import resolve
prepared, batch, folder, how = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
shutil.rmtree(folder, ignore_errors=True)
shutil.copytree(prepared, folder)
ws = Workspace.open(folder)
# warm, as the server is (it resolves after every batch): a small batch first, resolved the
# same way — kernels loaded, the workspace's pages cached
ingest_files(ws, [Path(sys.argv[5])], load_mapping(None))
resolve_incremental(ws) if how == "incremental" else resolve(ws)
ingest_files(ws, [batch], load_mapping(None))
ws.con.execute("CHECKPOINT")
marks = []
t = time.perf_counter()
if how == "incremental":
    done = resolve_incremental(ws, lambda s: marks.append((s, time.perf_counter())))
    extra = {k: v for k, v in done.to_dict().items() if k != "why"}
else:
    resolve(ws, lambda s: marks.append((s, time.perf_counter())))
    extra = {}
seconds = time.perf_counter() - t
ends = [m[1] for m in marks[1:]] + [t + seconds]
extra["steps"] = {name: round(end - at, 3) for (name, at), end in zip(marks, ends)}
extra["answer"] = ws.scalar(
    "SELECT hash(string_agg(seq || ':' || customer_id, ',' ORDER BY seq)) FROM event_customers")
# journey_events as readers take it (runs merged): the same rows in the same order
extra["journeys"] = ws.scalar(
    "SELECT hash(string_agg(customer_id || ':' || seq, ',' ORDER BY customer_id, ts, seq)) "
    "FROM journey_events")
ws.close()
shutil.rmtree(folder, ignore_errors=True)
"""


def make_batch(path: Path, size: int, people: int, kind: str, tag: str = "live") -> Path:
    """``size`` new events (event ids unused in the workspace): people of the workspace and
    a third as many new ones (``returning``), or only new ones (``new``)."""
    seed = 7 if tag == "live" else 8
    scratch = make_events(path.with_suffix(".raw.parquet"), size, people=people * 4 // 3, seed=seed)
    if kind == "returning":
        select = f"'{tag}-' || event_id AS event_id, * EXCLUDE (event_id)"
    else:
        digits = "CAST(right(regexp_replace(phone, '[^0-9]', '', 'g'), 7) AS BIGINT)"
        select = f"""'{tag}-' || event_id AS event_id, ts, event, channel, touchpoint,
            'n' || anonymous_id AS anonymous_id, 'n' || user_id AS user_id,
            'n' || email AS email, '+8490' || CAST({digits} + 2000000 AS VARCHAR) AS phone,
            CASE WHEN device_id LIKE 'dv_%' THEN 'n' || device_id ELSE device_id END
                AS device_id, 'n' || loyalty_id AS loyalty_id, revenue"""
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT {select} FROM read_parquet($src)) TO '{path}' (FORMAT parquet)",
        {"src": str(scratch)},
    )
    con.close()
    return path


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "journeyscope-bench"
    )
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    return args


def main() -> None:
    args = arguments()
    source = make_events(args.data / f"events-{args.events}.parquet", args.events)
    prepared = args.data / f"incremental-ws-{args.events}"
    shutil.rmtree(prepared, ignore_errors=True)
    base = measure(PREPARE, str(source), str(prepared))
    print(json.dumps({"machine": machine(), "events": args.events, "full_resolve": base}))
    try:
        for kind in ("returning", "new"):
            name = f"batch-{kind}-{args.batch}-of-{args.events}.parquet"
            path = make_batch(args.data / name, args.batch, args.events // 10, kind)
            warm = make_batch(args.data / f"warm-{name}", 200, args.events // 10, kind, "warm")
            results = {}
            for how in ("incremental", "full"):
                runs = [
                    measure(
                        STEP, str(prepared), str(path), str(args.data / "inc-step"), how, str(warm)
                    )
                    for _ in range(args.repeat)
                ]
                results[how] = min(runs, key=lambda r: r["seconds"])
            same = all(
                results["incremental"][k] == results["full"][k] for k in ("answer", "journeys")
            )
            print(json.dumps({"batch": kind, "size": args.batch, "same_answer": same, **results}))
    finally:
        shutil.rmtree(prepared, ignore_errors=True)


if __name__ == "__main__":
    main()
