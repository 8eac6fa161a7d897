"""Shared helpers for the benchmarks: synthetic events at scale, timing with peak memory.

Each measured step runs in its own child process so its peak resident memory (ru_maxrss)
is its own; steps being compared run back to back in the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb


def make_events(path: Path, events: int, people: int | None = None, seed: int = 1) -> Path:
    """Events with our field names and realistic identifier overlap, as Parquet.

    Each person has a cookie, a phone (written three ways), an e-mail, a loyalty id; an
    event carries the identifiers its channel would (web: cookie, and e-mail on login;
    store: loyalty id + phone; marketplaces and hotline: phone; e-mail: e-mail), so
    linking has real work to do. A shared tablet touches many store sign-ups.
    """
    people = people or max(events // 10, 1)
    if path.exists():
        return path
    con = duckdb.connect()
    con.execute(f"SELECT setseed({seed / 1000})")
    con.execute(
        f"""COPY (
        WITH base AS (
            SELECT i, CAST(floor(random() * {people}) AS BIGINT) AS p,
                   random() AS r, random() AS q
            FROM range({events}) t(i)
        ), shaped AS (
            SELECT i, p, q, lpad(CAST(p AS VARCHAR), 7, '0') AS d,
                CASE WHEN r < 0.35 THEN 'web' WHEN r < 0.5 THEN 'app'
                     WHEN r < 0.65 THEN 'shopee' WHEN r < 0.75 THEN 'store'
                     WHEN r < 0.85 THEN 'email' WHEN r < 0.9 THEN 'hotline'
                     ELSE 'facebook' END AS channel
            FROM base
        )
        SELECT 'e' || i AS event_id,
            TIMESTAMPTZ '2026-01-01 00:00:00+00'
                + to_seconds(CAST(q * 15552000 AS BIGINT)) AS ts,
            CASE WHEN q < 0.5 THEN 'page_view' WHEN q < 0.7 THEN 'product_view'
                 WHEN q < 0.8 THEN 'add_to_cart' WHEN q < 0.9 THEN 'checkout'
                 ELSE 'purchase' END AS event,
            channel,
            channel || ':' || CAST(p % 50 AS VARCHAR) AS touchpoint,
            CASE WHEN channel IN ('web', 'facebook') THEN 'ck_' || p END AS anonymous_id,
            CASE WHEN channel = 'app' THEN 'u' || p END AS user_id,
            CASE WHEN channel = 'email' OR (channel = 'web' AND q > 0.8)
                 THEN 'user' || p || '@example.vn' END AS email,
            CASE WHEN channel IN ('shopee', 'store', 'hotline', 'app') THEN
                CASE WHEN i % 3 = 0 THEN '+8490' || d
                     WHEN i % 3 = 1 THEN '090 ' || substr(d, 1, 3) || ' ' || substr(d, 4)
                     ELSE '84-90-' || d END END AS phone,
            CASE WHEN channel = 'app' THEN 'dv_' || p
                 WHEN channel = 'store' AND q < 0.05 THEN 'TABLET-1' END AS device_id,
            CASE WHEN channel = 'store' THEN 'LOY' || p END AS loyalty_id,
            CASE WHEN q >= 0.9 THEN round(q * 1000) * 1000 END AS revenue
        FROM shaped
        ) TO '{path}' (FORMAT parquet)"""
    )
    con.close()
    return path


def bench_args(doc: str | None, demo: bool = False) -> argparse.Namespace:
    """--events, --data (where the synthetic Parquet is kept) and --repeat, for every bench;
    ``demo`` adds --demo-customers (use the demo retailer's data instead)."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--events", type=int, default=10_000_000)
    if demo:
        parser.add_argument(
            "--demo-customers",
            type=int,
            default=0,
            help="use the demo retailer's exports for N customers (about 7.7 events each)",
        )
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "journeyscope-bench"
    )
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    return args


def measure(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh child; it prints one JSON line (see :data:`FOOTER`)."""
    proc = subprocess.run(
        [sys.executable, "-c", code + FOOTER, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        tail = proc.stderr[-2000:]
        raise SystemExit(f"benchmark step failed ({proc.returncode}):\n{tail}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


#: Start of a setup step: a workspace at argv[2] with the Parquet at argv[1] imported and
#: identities resolved (timed from here as ``t``); the step goes on to write what the peer reads.
RESOLVED_WORKSPACE = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.identity.resolve import resolve
ws = Workspace.init(Path(sys.argv[2]))
t = time.perf_counter()
ingest_files(ws, [Path(sys.argv[1])], load_mapping(None))
resolve(ws)
"""


def run_pair(
    args: argparse.Namespace, name: str, setup: str, ours: str, *theirs: str
) -> tuple[dict[str, Any], ...]:
    """The synthetic events, a fresh workspace for ``setup``, then the best of our step and
    of each peer step, back to back: ``(setup, ours, *peers)``; the workspace is removed
    afterwards."""
    source = make_events(args.data / f"events-{args.events}.parquet", args.events)
    ws = args.data / f"{name}-ws-{args.events}"
    shutil.rmtree(ws, ignore_errors=True)
    try:
        prepared = measure(setup, str(source), str(ws))
        mine = best_of(args.repeat, ours, str(source), str(ws))
        peers = [best_of(args.repeat, step, str(source), str(ws)) for step in theirs]
    finally:
        shutil.rmtree(ws, ignore_errors=True)
    return (prepared, mine, *peers)


def best_of(repeat: int, code: str, *args: str) -> dict[str, Any]:
    """The fastest of ``repeat`` fresh runs of one step."""
    return min((measure(code, *args) for _ in range(repeat)), key=lambda r: r["seconds"])


#: Appended to every step: the step sets ``seconds`` and ``extra``; peak RSS is the child's.
FOOTER = """
import json as _json, resource as _resource
_peak = round(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024)
print(_json.dumps({"seconds": round(seconds, 3), "peak_rss_mb": _peak, **extra}))
"""


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = sys.version.split()[0]
    return f"{cpus} CPUs, {mem:.0f} GiB RAM, Python {python}, DuckDB {duckdb.__version__}"


def serve_workspaces(named: dict[str, Path]) -> tuple[str, subprocess.Popen[bytes]]:
    """`journeyscope serve` of ``named`` workspaces on a free loopback port (no rate limits,
    no live identity), once ``/readyz`` says ready: its base URL and process."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folders = [arg for name, root in named.items() for arg in ("-w", f"{name}={root}")]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "journeyscope.cli",
            "serve",
            *folders,
            "--port",
            str(port),
            "--no-live-identity",
            "--api-rate",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:  # ready: the workspaces' events read since the start (503 "warming" before)
            urllib.request.urlopen(f"{base}/readyz", timeout=2)
            return base, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")
