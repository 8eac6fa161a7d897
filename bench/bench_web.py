"""The web app's first meaningful paint, page by page, on the demo workspace (issue 18).

Builds the demo workspace once (`journeyscope demo --no-serve`, 3,000 simulated customers
by default) under ``$TMPDIR/journeyscope-bench/``, serves it with `journeyscope serve` on
loopback, signs in through the app's own API and opens every main page in Debian's
Chromium, each time in a fresh tab. A page's paint counts when its main content is drawn
(a chart's canvas, a table, the editor's form): the time from the navigation's start to
that moment, as the page's own clock (``performance.now()``) tells it. Median and worst of
``--repeat`` loads, the goal is 1.5 s.

    .venv/bin/python bench/bench_web.py [--customers 3000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import serve_workspaces

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-mật-khẩu-2026"
EMAIL = "bench@shop.vn"
#: route → what shows that the page has drawn its main content
PAGES = {
    "/": "#overview canvas",
    "/maps": ".map-card",
    "/maps/retail-current-state.vi": "#map-title",
    "/funnel": "#funnel-report canvas",
    "/paths": "#paths-report canvas",
    "/stages": "#stages-report canvas",
    "/touchpoints": "#touchpoints-report canvas",
    "/attribution": "#attribution-report canvas",
    "/retention": "#retention-report canvas",
    "/customers/16": "#customer-kpis",
    "/data": "#live-counts table",
}


def demo_workspace(customers: int) -> Path:
    base = Path(tempfile.gettempdir()) / "journeyscope-bench" / f"web-demo-{customers}"
    root = base / "workspace"
    if not (root / "journeyscope.duckdb").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "journeyscope.cli",
                "demo",
                "--no-serve",
                "--json",
                "--customers",
                str(customers),
                "--formats",
                "svg",
                "-o",
                str(base),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    from journeyscope.events.users import add_user, list_users, set_password
    from journeyscope.events.workspace import Workspace

    with Workspace.open(root) as ws:
        if any(u.email == EMAIL for u in list_users(ws)):
            set_password(ws, EMAIL, PASSWORD)
        else:
            add_user(ws, EMAIL, "admin", PASSWORD)
    return root


def measure(base: str, repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from journeyscope.render.browser import CHROMIUM_ARGS, require_chromium

    seconds: dict[str, list[float]] = {route: [] for route in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=require_chromium(), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1360, "height": 900})
        answer = context.request.post(
            f"{base}/api/v1/workspaces/shop/session",
            data=json.dumps({"email": EMAIL, "password": PASSWORD}),
            headers={"Content-Type": "application/json"},
        )
        assert answer.status == 200, answer.text()
        for round_ in range(repeat + 1):  # the first round warms the server's caches
            for route, ready in PAGES.items():
                page = context.new_page()
                page.goto(f"{base}/#{route}")
                page.wait_for_selector(ready, timeout=60_000)
                painted = float(page.evaluate("performance.now()")) / 1000
                page.close()
                if round_:
                    seconds[route].append(painted)
        browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.chdir(ROOT)
    root = demo_workspace(args.customers)
    base, proc = serve_workspaces({"shop": root})
    try:
        seconds = measure(base, args.repeat)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    from journeyscope.events.workspace import Workspace

    with Workspace.open(root, read_only=True) as ws:
        events = ws.scalar("SELECT count(*) FROM events")
    print(f"demo workspace: {events:,} events; {args.repeat} loads per page after one warm-up")
    print("| page | median s | worst s | goal |")
    print("| --- | ---: | ---: | ---: |")
    for route, values in seconds.items():
        median, worst = statistics.median(values), max(values)
        mark = "met" if worst < 1.5 else "NOT met"
        print(f"| `#{route}` | {median:.2f} | {worst:.2f} | 1.5 s {mark} |")


if __name__ == "__main__":
    main()
