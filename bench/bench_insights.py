"""`insights` on a large workspace (issue 20: 10 million events under 30 s on 2 cores), and
the cost of ``--interval week`` against the same report without it (within 2×).

Uses the workspace `bench_cli_reports.py` builds (``$TMPDIR/journeyscope-bench/
cli-ws-N/``: N synthetic events from ``common.make_events``, imported and resolved; run that
bench first). Each step runs in a fresh process (cold: nothing cached), best of
``--repeat``.

    .venv/bin/python bench/bench_insights.py --events 10000000 [--repeat 2]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from common import best_of, machine

INSIGHTS = """
import sys, time
from pathlib import Path
from journeyscope.app import run
from journeyscope.app.queries import InsightsQuery
t = time.perf_counter()
report = run(InsightsQuery(), Path(sys.argv[1]))
seconds = time.perf_counter() - t
data = report.model_dump(mode="json")
extra = {"findings": len(data["findings"]), "series": data["scanned"]["series"],
         "days": data["scanned"]["days"]}
"""

REPORT = """
import sys, time
from pathlib import Path
from journeyscope.app import run
from journeyscope.app.queries import {query}
options = {options}
interval = sys.argv[2] if sys.argv[2] != "-" else None
t = time.perf_counter()
run({query}(interval=interval, **options), Path(sys.argv[1]))
seconds = time.perf_counter() - t
extra = {{}}
"""

REPORTS = {
    "funnel": ("FunnelQuery", {"steps": "product_view,add_to_cart,checkout,purchase"}),
    "paths": ("PathsQuery", {}),
    "stages": ("StagesQuery", {}),
    "touchpoints": ("TouchpointsQuery", {}),
    "retention": ("RetentionQuery", {}),
    "attribution": ("AttributionQuery", {"model": "last"}),
}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--reports", default=",".join(REPORTS))
    args = parser.parse_args()
    root = Path(tempfile.gettempdir()) / "journeyscope-bench" / f"cli-ws-{args.events}"
    if not (root / "journeyscope.duckdb").exists():
        sys.exit(f"no workspace at {root}: run `bench/bench_cli_reports.py --events N` first")
    print(f"# {machine()}; {args.events:,} events; best of {args.repeat}", flush=True)
    found = best_of(args.repeat, INSIGHTS, str(root))
    print(json.dumps({"step": "insights", **found}), flush=True)
    for name in args.reports.split(","):
        query, options = REPORTS[name]
        code = REPORT.format(query=query, options=repr(options))
        whole = best_of(args.repeat, code, str(root), "-")
        weekly = best_of(args.repeat, code, str(root), "week")
        ratio = weekly["seconds"] / whole["seconds"]
        print(
            json.dumps(
                {
                    "step": name,
                    "whole_s": whole["seconds"],
                    "week_s": weekly["seconds"],
                    "ratio": round(ratio, 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
