"""Maps drawn from the data at scale (issue 19: generating a map, and rendering a map bound
to the data, each under 5 s on 10 million events on 2 cores).

Uses the workspace `bench_cli_reports.py` builds (``$TMPDIR/journeyscope-bench/
cli-ws-N/``). Each step is a whole `journeyscope` process, as a user runs it: `map
generate` (current state, then a day in the life) and `map render -w` of the generated
current-state map (every number bound to the data, drawn as SVG). Best of ``--repeat``.

    .venv/bin/python bench/bench_living.py --events 10000000 [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine

EXE = str(Path(sys.executable).with_name("journeyscope"))


def timed(args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([EXE, *args], capture_output=True, text=True, check=False)
        took = time.perf_counter() - started
        if done.returncode:
            sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
        best = min(best, took)
    return round(best, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.gettempdir()) / "journeyscope-bench" / f"cli-ws-{args.events}"
    if not (root / "journeyscope.duckdb").exists():
        sys.exit(f"no workspace at {root}: run `bench/bench_cli_reports.py --events N` first")
    out = Path(tempfile.mkdtemp(prefix="bench-living-"))
    current, day = out / "current.yaml", out / "day.yaml"
    print(f"# {machine()}; {args.events:,} events; best of {args.repeat}", flush=True)
    steps = {
        "map generate (current state)": [
            *("map", "generate", "-w", str(root), "-o", str(current), "--force"),
        ],
        "map generate (day in the life)": [
            *("map", "generate", "-w", str(root), "--type", "day_in_life"),
            *("-o", str(day), "--force"),
        ],
        "map render -w (bound map, SVG)": [
            *("map", "render", str(current), "-w", str(root)),
            *("-o", str(out / "current.svg"), "--force"),
        ],
    }
    for name, command in steps.items():
        print(json.dumps({"step": name, "seconds": timed(command, args.repeat)}), flush=True)


if __name__ == "__main__":
    main()
