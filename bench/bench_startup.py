"""How long the `journeyscope` command takes before it does anything: whole processes.

Times `journeyscope --help`, a group's and a report's help, and `journeyscope map validate`
of a built-in template, each as a fresh process (interpreter start included), interleaved
so background load hits every command alike. Prints the best and the median wall time and
the CPU time of the best run; `--baseline-src DIR` also times another checkout's `src/`
(e.g. `git archive HEAD src | tar -x -C /tmp/before`) the same way, for a before/after.

    .venv/bin/python bench/bench_startup.py --repeat 20
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "src" / "journeyscope" / "maps" / "templates" / "retail-current-state.yaml"
GOALS = {"--help": 0.3, "map validate TEMPLATE": 0.6}
COMMANDS: dict[str, list[str]] = {
    "python -c pass (floor)": [],
    "--help": ["--help"],
    "map --help": ["map", "--help"],
    "funnel --help": ["funnel", "--help"],
    "map validate TEMPLATE": ["map", "validate", str(TEMPLATE)],
}


def _argv(label: str, args: list[str]) -> list[str]:
    if label.startswith("python -c"):
        return [sys.executable, "-c", "pass"]
    return [sys.executable, "-m", "journeyscope.cli", *args]


def _once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(src: Path | None, repeat: int) -> dict[str, list[tuple[float, float]]]:
    env = {**os.environ, "COLUMNS": "80", "JOURNEYSCOPE_LANG": "en"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in COMMANDS}
    for label, args in COMMANDS.items():  # warm the file cache and .pyc files
        _once(_argv(label, args), env)
    for _ in range(repeat):
        for label, args in COMMANDS.items():
            runs[label].append(_once(_argv(label, args), env))
    return runs


def report(title: str, runs: dict[str, list[tuple[float, float]]]) -> None:
    """Best and median wall time, and the least CPU time (user + system) of any run: on a
    shared machine the CPU time is what the command costs, the wall time what load adds."""
    print(f"\n{title}\n")
    print("| command | best wall s | median wall s | least CPU s | goal |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, times in runs.items():
        walls = [w for w, _ in times]
        best, cpu = min(walls), min(c for _, c in times)
        goal = GOALS.get(label)
        mark = "" if goal is None else f"< {goal}"
        name = label if label.startswith("python") else f"journeyscope {label}"
        print(f"| `{name}` | {best:.3f} | {statistics.median(walls):.3f} | {cpu:.3f} | {mark} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/ to compare")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {os.getloadavg()}")
    report("this checkout", measure(ROOT / "src", args.repeat))
    if args.baseline_src:
        report(f"baseline: {args.baseline_src}", measure(args.baseline_src, args.repeat))


if __name__ == "__main__":
    main()
