"""kill -9 a collector under load, several times: nothing acknowledged is lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from journeyscope.collect import Collector
from journeyscope.events.workspace import Workspace

CLIENT = Path(__file__).with_name("crash_client.py")


def run_until_killed(
    root: Path, first: int, retry: list[str], acks: int
) -> tuple[set[str], set[str]]:
    """Start the client, SIGKILL it after ``acks`` acknowledged requests (plus a random
    moment); returns (acknowledged ids, ids sent but maybe not acknowledged)."""
    acked: set[str] = set()
    sent: set[str] = set(retry)
    with subprocess.Popen(
        [sys.executable, str(CLIENT), str(root), str(first), ",".join(retry)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(CLIENT.parents[2])},
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        requests = 0
        for line in child.stdout:
            if line.startswith("sending "):
                sent.update(line.split()[1:])
                continue
            acked.update(line.split())
            requests += 1
            if requests >= acks:
                break
        os.kill(child.pid, signal.SIGKILL)
        for line in child.stdout:  # what it printed before it died: sent, maybe acknowledged
            sent.update(line.removeprefix("sending ").split())
        errors = child.stderr.read()
    assert child.returncode == -signal.SIGKILL, errors
    return acked, sent


def test_sigkill_loses_and_doubles_nothing(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    root = tmp_path / "ws"
    Workspace.init(root).close()
    acked: set[str] = set()
    sent: set[str] = set()
    last: list[str] = []
    for round_ in range(3):
        new_acked, new_sent = run_until_killed(root, 1000 * round_, last, rng.randint(3, 25))
        last = sorted(new_acked)[-5:]  # the client retries some acknowledged events
        acked |= new_acked
        sent |= new_sent
    collector = Collector(root)
    collector.loader.drain()
    collector.close()
    with Workspace.open(root) as ws:
        counts = dict(ws.con.execute("SELECT event_id, count(*) FROM events GROUP BY 1").fetchall())
        purchases = ws.scalar("SELECT count(*) FROM events WHERE event = 'purchase'")
    assert acked, f"seed {seed}"
    assert acked <= set(counts), f"seed {seed}: lost {sorted(acked - set(counts))[:5]}"
    assert set(counts) <= sent, f"seed {seed}: stored what was never sent"
    assert max(counts.values()) == 1, f"seed {seed}: stored twice"
    assert purchases == len(counts)
