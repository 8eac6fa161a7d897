"""`journeyscope serve` end to end: a real uvicorn on a free loopback port, the CLI
working on the same workspace while the server answers, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.server.conftest import Served, Shop, get, launch_server


@pytest.fixture
def served(fresh_shop: Shop, tmp_path: Path) -> Iterator[Served]:
    # the hammering client below is faster than the default API rate limit allows
    yield from launch_server(fresh_shop.root, tmp_path, "--api-rate", "0")


def test_the_cli_works_while_the_server_serves_and_sigterm_stops_it_cleanly(
    served: Served,
    fresh_shop: Shop,
    cli: Callable[..., Result],
    tmp_path: Path,
) -> None:
    base = served.base
    api = f"{base}/api/v1/workspaces/shop"
    key = fresh_shop.keys["read"]
    status, before = get(f"{api}/stats", key)
    assert status == 200

    answers: list[int] = []
    stop = threading.Event()

    def hammer() -> None:  # a client reading reports the whole time
        while not stop.is_set():
            answers.append(get(f"{api}/funnel?steps=product_view,purchase", key)[0])

    client = threading.Thread(target=hammer)
    client.start()
    try:
        time.sleep(0.5)
        report = cli("funnel", "-w", fresh_shop.root, "--steps", "product_view,purchase", "--json")
        extra = tmp_path / "more.jsonl"
        extra.write_text(
            json.dumps(
                {
                    "user_id": "u9",
                    "event": "product_view",
                    "ts": "2024-03-06T00:00:00Z",
                    "channel": "web",
                }
            ),
            "utf-8",
        )
        ingested = cli("ingest", "-w", fresh_shop.root, extra, "--json")
        time.sleep(0.5)
    finally:
        stop.set()
        client.join(timeout=60)
    assert report.code == 0, report.err
    assert ingested.code == 0, ingested.err  # the write lock was free between requests
    assert answers and set(answers) == {200}, answers
    now = get(f"{api}/funnel?steps=product_view,purchase", key)[1]
    # the same numbers (the imported event is not stitched yet), and the answer says so
    assert [n["code"] for n in now.pop("notes")] == ["stale_identity"]
    assert now == report.json()
    status, after = get(f"{api}/stats", key)
    assert after["events"] == before["events"] + 1  # the next request sees the import

    err = served.stop(signal.SIGTERM, timeout=30)
    out = served.out()
    assert served.proc.returncode == 0, err
    assert f"{base}/api/v1/workspaces/shop" in out and f"{base}/docs" in out
    assert "Traceback" not in err
    assert key not in out + err


def test_a_busy_port_or_a_doubled_name_is_a_located_error(
    cli: Callable[..., Result], fresh_shop: Shop
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = cli("serve", "-w", fresh_shop.root, "--port", port)
    assert busy.code == 2 and f"127.0.0.1:{port}" in busy.err and "--port" in busy.err
    twice = cli("serve", "-w", f"a={fresh_shop.root}", "-w", f"a={fresh_shop.other}")
    assert twice.code == 2 and "'a'" in twice.err
    odd = cli("serve", "-w", f"a/b={fresh_shop.root}", "--lang", "vi")
    assert odd.code == 2 and "không phải tên đơn giản" in odd.err


def test_ctrl_c_stops_it_cleanly(served: Served) -> None:
    err = served.stop(signal.SIGINT, timeout=30)
    assert served.proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Server stopped." in err
