"""Report calls over HTTP on a large workspace (issues 17 and 18: each under 1 s at 10 M).

Serves the workspace `bench_cli_reports.py` builds (``$TMPDIR/journeyscope-bench/
cli-ws-N/``: N synthetic events imported and resolved; run that bench first) with
`journeyscope serve`, and calls each report route of the REST API with a read key, as the
web app's dashboards do — the server process stays up, so what is timed is one request:
the workspace opened read-only, the report run, the JSON sent. Per route, wall-clock from
a client on loopback: the first call (cold: compiled kernels loaded, files paged in); the
best of ``--repeat`` calls that compute the report again (each a different period that
covers all the data — ``since`` 2000-01-01, 2000-01-02, … — so the server's kept answers
do not serve them); and the best of ``--repeat`` repeats of the first call, which the
server answers from the answers it keeps until the data changes.

    .venv/bin/python bench/bench_api.py --events 10000000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import serve_workspaces

ROUTES = {
    "stats": "/stats",
    "funnel (4 steps, 7 d)": "/funnel?steps=product_view,add_to_cart,checkout,purchase&window=7d",
    "paths (after product_view)": "/paths?from=product_view&depth=4&top=8",
    "paths (whole graph)": "/paths",
    "stages": "/stages",
    "touchpoints": "/touchpoints?conversion=purchase",
    "retention (monthly cohorts)": "/retention",
    "attribution (Markov and rules)": "/attribution",
    "customer profile": "/customers/1",
    "event names": "/event-names",
}


def workspace(events: int) -> Path:
    root = Path(tempfile.gettempdir()) / "journeyscope-bench" / f"cli-ws-{events}"
    if not (root / "journeyscope.duckdb").exists():
        raise SystemExit(
            f"no workspace at {root}: run `bench/bench_cli_reports.py --events {events}` first"
        )
    return root


def read_key(root: Path) -> str:
    from journeyscope.events.keys import create_key
    from journeyscope.events.workspace import Workspace

    with Workspace.open(root) as ws:
        return create_key(ws, "read", "bench-api")[1]


def call(url: str, key: str) -> tuple[float, int, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            body = answer.read()
            status = answer.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return time.perf_counter() - started, status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = workspace(args.events)
    key = read_key(root)
    base, proc = serve_workspaces({"ws": root})
    rows = []
    try:
        for label, path in ROUTES.items():
            url = f"{base}/api/v1/workspaces/ws{path}"
            cold, status, size = call(url, key)
            # a route without a period cannot be asked anew: its repeats are kept answers
            again = [_since(url, k) for k in range(args.repeat)] if path not in UNSCOPED else []
            warm = min((call(u, key)[0] for u in again), default=float("nan"))
            kept = min(call(url, key)[0] for _ in range(args.repeat))
            rows.append((label, path, status, size, cold, warm, kept))
            print(
                f"{label}: {status}, cold {cold:.2f} s, computed again {warm:.2f} s, "
                f"kept {kept:.3f} s",
                file=sys.stderr,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=120)
    print(f"{args.events:,} events; best of {args.repeat} after a cold call")
    print("| route | status | answer | cold s | computed again s | kept answer s | goal 1 s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for label, path, status, size, cold, warm, kept in rows:
        computed = cold if math.isnan(warm) else warm  # NaN: only the cold call computed it
        mark = "met" if computed < 1 else "not met (kept answers: met)" if kept < 1 else "not met"
        kib = f"{size / 1024:,.0f} KiB"
        print(
            f"| {label} `{path}` | {status} | {kib} | {cold:.2f} | "
            f"{'—' if math.isnan(warm) else f'{warm:.2f}'} | {kept:.3f} "
            f"| {mark} |"
        )
    print(
        json.dumps(
            {
                r[0]: {"cold_s": round(r[4], 3), "warm_s": round(r[5], 3), "kept_s": round(r[6], 4)}
                for r in rows
            }
        )
    )


#: routes that take no period (their repeats are computed anyway, or kept: see the table)
UNSCOPED = {"/stats", "/customers/1", "/event-names"}


def _since(url: str, k: int) -> str:
    """The same report over a period that covers all the data, a different one each time."""
    return url + ("&" if "?" in url else "?") + f"since=2000-01-{k + 1:02d}"


if __name__ == "__main__":
    main()
