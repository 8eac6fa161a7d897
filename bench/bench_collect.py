"""Collection over HTTP: sustained events/s through `/v1/batch`, and `kill -9` under load.

A real `journeyscope serve` runs as its own process on loopback; the load comes from this
process (a separate one), over keep-alive HTTP/1.1 connections, batches of 100 Segment
`track` messages, bodies prepared before the clock starts.

    python bench/bench_collect.py load --seconds 20 --connections 8
    python bench/bench_collect.py load --seconds 20 --connections 4 --rate 5000
    python bench/bench_collect.py crash --kills 3
    python bench/bench_collect.py visible --seconds 40 --connections 4 --rate 5000

`load` (with ``--rate``: at a steady rate) prints events/s acknowledged, p50/p99 latency
per request, and how long the loader took after the load stopped to store everything (the
drain), then counts the store.
`visible` keeps a steady load (``--rate``, default 5,000 events/s) and every 2 s sends a
new visitor's page view and identify, then asks the API for the customer by e-mail until
found: the seconds from the 200 to live identity's answer (issue 17's goal: 5 s).
`crash` sends batches, kills the server with SIGKILL at random moments, restarts it,
re-sends every batch that was not acknowledged (what an SDK does), and at the end counts:
every acknowledged event stored exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_workspace(folder: Path) -> str:
    """An empty workspace and a write key for it."""
    from journeyscope.events.keys import create_key
    from journeyscope.events.workspace import Workspace

    with Workspace.init(folder) as ws:
        return create_key(ws, "write", "bench")[1]


#: more ``journeyscope serve`` options (``--parse-workers N``)
SERVER_OPTIONS: list[str] = []


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "journeyscope.cli", "serve", "-w", f"bench={folder}"]
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--collect-rate", "0", *SERVER_OPTIONS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a pipe nobody reads would fill and stall the server
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def batch_body(start: int, size: int) -> bytes:
    messages = [
        {
            "type": "track",
            "messageId": f"m{i}",
            "anonymousId": f"anon-{i % 5000}",
            "event": "Product Viewed",
            "properties": {"sku": f"SP{i % 300}", "price": 199000, "currency": "VND"},
            "context": {"page": {"path": f"/p/{i % 300}"}, "campaign": {"source": "zalo"}},
            "timestamp": "2026-11-11T10:00:00Z",
        }
        for i in range(start, start + size)
    ]
    return json.dumps({"batch": messages, "sentAt": "2026-11-11T10:00:00Z"}).encode()


def request_bytes(body: bytes, key: str) -> bytes:
    auth = base64.b64encode(f"{key}:".encode()).decode()
    head = (
        "POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Basic {auth}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def send_one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def load(
    port: int,
    requests: list[bytes],
    connections: int,
    seconds: float,
    per_second: float = 0.0,
) -> dict[str, Any]:
    """Send ``requests`` over ``connections`` for ``seconds``: as fast as answered, or
    ``per_second`` requests a second at most (a steady rate, to see what a rate costs)."""
    latencies: list[float] = []
    sent = 0
    failed = 0
    start = time.monotonic()
    stop_at = start + seconds
    queue = enumerate(requests)

    async def worker() -> None:
        nonlocal sent, failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for n, request in queue:
            if per_second:
                await asyncio.sleep(max(0.0, start + n / per_second - time.monotonic()))
            if time.monotonic() > stop_at:
                break
            began = time.perf_counter()
            status = await send_one(reader, writer, request)
            latencies.append(time.perf_counter() - began)
            if status == 200:
                sent += 1
            else:
                failed += 1
        writer.close()

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests_ok": sent,
        "requests_failed": failed,
        "seconds": round(elapsed, 2),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1)
        if latencies
        else None,
    }


def stored(folder: Path) -> tuple[int, int]:
    from journeyscope.events.workspace import Workspace

    with Workspace.open(folder, read_only=True) as ws:
        total = ws.scalar("SELECT count(*) FROM events")
        distinct = ws.scalar("SELECT count(DISTINCT event_id) FROM events")
    return int(total), int(distinct)


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of the server's event loop (its main thread), of the
    whole process, and of its parser processes (its children), from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(stat: Path) -> list[str]:
        try:
            return stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            return []

    def of(stat: Path) -> float:
        found = fields(stat)
        return (int(found[11]) + int(found[12])) / tick if found else 0.0  # utime, stime

    children = [
        stat for stat in Path("/proc").glob("[0-9]*/stat") if fields(stat)[1:2] == [str(pid)]
    ]
    return {
        "event_loop": of(Path(f"/proc/{pid}/task/{pid}/stat")),
        "process": of(Path(f"/proc/{pid}/stat")),
        "parsers": sum(of(stat) for stat in children),
    }


def loader_lag(port: int) -> int | None:
    """The server's ``loader_lag_events`` gauge (events acknowledged, not yet stored)."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            text = reply.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("journeyscope_collect_loader_lag_events{"):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


class LagWatch:
    """The loader's lag, read every second during the load (does it keep up?)."""

    def __init__(self, port: int) -> None:
        import threading

        self.port = port
        self.seen: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            lag = loader_lag(self.port)
            if lag is not None:
                self.seen.append(lag)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join()
        end = loader_lag(self.port)
        return {
            "loader_lag_max_events": max(self.seen, default=0),
            "loader_lag_end_events": end if end is not None else -1,
            "loader_lag_every_5s": self.seen[4::5],
        }


def run_load(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp) / "ws"
        key = make_workspace(folder)
        size = args.batch
        count = int(args.seconds * args.max_rate / size)
        requests = [request_bytes(batch_body(n * size, size), key) for n in range(count)]
        port = free_port()
        proc = start_server(folder, port)
        try:
            time.sleep(args.settle)  # the server's start-up work (kernels loading) done
            before = cpu_seconds(proc.pid)
            client = time.process_time()
            per_second = args.rate / size if args.rate else 0.0
            watch = LagWatch(port)
            result = asyncio.run(load(port, requests, args.connections, args.seconds, per_second))
            client = time.process_time() - client
            result.update(watch.stop())
            after = cpu_seconds(proc.pid)
            events = result["requests_ok"] * size
            result["events_acknowledged"] = events
            result["events_per_s"] = round(events / result["seconds"])
            # CPU per event: steadier than events/s on a shared machine (a neighbour's
            # load moves the rate, much less the work each event takes)
            for part in ("event_loop", "process", "parsers"):
                spent = after[part] - before[part]
                result[f"{part}_cpu_us_per_event"] = round(spent / max(events, 1) * 1e6, 1)
            # the load generator shares the 2 cores: what it took is not the server's
            result["client_cpu_us_per_event"] = round(client / max(events, 1) * 1e6, 1)
            drained = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # stop: the loader drains the log first
            proc.wait(timeout=600)
            result["drain_after_load_s"] = round(time.monotonic() - drained, 2)
        finally:
            if proc.poll() is None:
                proc.kill()
        total, distinct = stored(folder)
        result.update(stored=total, stored_distinct=distinct, batch=size)
        print(json.dumps(result))


def probe_body(n: int) -> bytes:
    """A new visitor's page view then identify, as one batch: stitched once live identity ran."""
    anonymous = f"probe-anon-{n}"
    messages = [
        {"type": "page", "messageId": f"probe-p{n}", "anonymousId": anonymous, "name": "Home"},
        {
            "type": "identify",
            "messageId": f"probe-i{n}",
            "anonymousId": anonymous,
            "traits": {"email": f"probe{n}@example.vn"},
        },
    ]
    return json.dumps({"batch": messages}).encode()


def stitched_events(url: str, read_key: str) -> int:
    """How many events the API's customer profile at ``url`` holds (0: not found yet)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {read_key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(json.load(answer).get("events", 0))
    except urllib.error.HTTPError:
        return 0


async def probes(port: int, key: str, read_key: str, seconds: float, every: float) -> list[float]:
    """Every ``every`` seconds a new visitor: seconds from the 200 to the API finding them,
    stitched, by e-mail (both events on one customer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    found: list[float] = []
    stop_at = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        assert await send_one(reader, writer, request_bytes(probe_body(n), key)) == 200
        sent = time.monotonic()
        url = f"http://127.0.0.1:{port}/api/v1/workspaces/bench/customers/email:probe{n}@example.vn"
        while await asyncio.to_thread(stitched_events, url, read_key) < 2:
            if time.monotonic() - sent > 60:
                raise SystemExit(f"probe {n} not stitched within 60 s")
            await asyncio.sleep(0.05)
        found.append(time.monotonic() - sent)
        await asyncio.sleep(max(0.0, every - found[-1]))
    writer.close()
    return found


def run_visible(args: argparse.Namespace) -> None:
    """Live identity under a steady load: how long until a new visitor is found stitched."""
    from journeyscope.events.keys import create_key
    from journeyscope.events.workspace import Workspace

    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp) / "ws"
        key = make_workspace(folder)
        with Workspace.open(folder) as ws:
            read_key = create_key(ws, "read", "probe")[1]
        size = args.batch
        rate = args.rate or 5000
        count = int(args.seconds * rate / size) + 1
        requests = [request_bytes(batch_body(n * size, size), key) for n in range(count)]
        port = free_port()
        proc = start_server(folder, port)
        try:
            time.sleep(args.settle)

            async def both() -> tuple[dict[str, Any], list[float]]:
                loaded, seen = await asyncio.gather(
                    load(port, requests, args.connections, args.seconds, rate / size),
                    probes(port, key, read_key, args.seconds - 5, every=2.0),
                )
                return loaded, seen

            result, seen = asyncio.run(both())
            seen.sort()
            result.update(
                events_per_s=round(result["requests_ok"] * size / result["seconds"]),
                probes=len(seen),
                stitched_p50_s=round(statistics.median(seen), 2),
                stitched_max_s=round(seen[-1], 2),
            )
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
        print(json.dumps(result))


async def drive(
    port: int,
    pending: list[bytes],
    acknowledged: set[int],
    proc: subprocess.Popen[bytes],
    killer_at: float | None,
) -> None:
    """Send every batch not yet acknowledged; SIGKILL the server at ``killer_at``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for n, request in enumerate(pending):
        if n in acknowledged:
            continue
        if killer_at is not None and time.monotonic() > killer_at:
            proc.send_signal(signal.SIGKILL)
        try:
            if await send_one(reader, writer, request) == 200:
                acknowledged.add(n)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            return  # the server died mid-request: not acknowledged, send again


def run_crash(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    size = args.batch
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp) / "ws"
        key = make_workspace(folder)
        pending = [request_bytes(batch_body(n * size, size), key) for n in range(args.batches)]
        acknowledged: set[int] = set()
        kills = 0
        while len(acknowledged) < len(pending):
            port = free_port()
            proc = start_server(folder, port)
            killer_at = time.monotonic() + rng.uniform(0.3, 2.0) if kills < args.kills else None

            asyncio.run(drive(port, pending, acknowledged, proc, killer_at))
            if proc.poll() is None and killer_at is not None:
                proc.send_signal(signal.SIGKILL)
            if proc.poll() is None or proc.wait(timeout=60) != -signal.SIGKILL:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=600)
            else:
                kills += 1
        # one more clean start and stop: replays what the last kill left in the log
        proc = start_server(folder, free_port())
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=600)
        total, distinct = stored(folder)
        events = len(acknowledged) * size
        print(
            json.dumps(
                {
                    "kills": kills,
                    "events_acknowledged": events,
                    "stored": total,
                    "stored_distinct": distinct,
                    "lost": events - distinct,
                    "duplicated": total - distinct,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["load", "crash", "visible"])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--max-rate", type=float, default=60_000, help="bodies prepared for")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--batches", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="events/s to send at most (load; 0: as fast as answered)",
    )
    parser.add_argument(
        "--settle", type=float, default=5.0, help="seconds between start and load (load only)"
    )
    parser.add_argument(
        "--parse-workers",
        type=int,
        default=None,
        help="the server's --parse-workers (default: the server's own default)",
    )
    parser.add_argument(
        "--no-live-identity",
        action="store_true",
        help="the server's --no-live-identity (the loader stores events, nothing stitches)",
    )
    parser.add_argument("--tmp", default=os.environ.get("TMPDIR"))
    args = parser.parse_args()
    if args.parse_workers is not None:
        SERVER_OPTIONS.extend(["--parse-workers", str(args.parse_workers)])
    if args.no_live_identity:
        SERVER_OPTIONS.append("--no-live-identity")
    {"load": run_load, "crash": run_crash, "visible": run_visible}[args.mode](args)


if __name__ == "__main__":
    main()
