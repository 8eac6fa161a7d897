"""A collector under load, for tests/collect/test_crash.py: prints every acknowledged id.

Usage: python crash_client.py WORKSPACE FIRST_ID RETRY_IDS — it first resends RETRY_IDS
(comma-separated, a client retrying after the crash), then new ids from FIRST_ID on, with
the loader storing in the background, until it is killed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from journeyscope.collect import Collector


def body(ids: list[str]) -> bytes:
    messages = [
        {"type": "track", "messageId": i, "userId": f"u-{i}", "event": "Order Completed"}
        for i in ids
    ]
    return json.dumps({"batch": messages}).encode()


def main() -> None:
    root, first, retry = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    collector = Collector(root, interval=0.01, batch=7)
    collector.start()
    if retry:
        ids = retry.split(",")
        collector.accept("batch", body(ids), source="segment:crash")
        print(" ".join(ids), flush=True)
    number = first
    while True:
        ids = [f"e{number + k}" for k in range(5)]
        print("sending " + " ".join(ids), flush=True)
        collector.accept("batch", body(ids), source="segment:crash")
        print(" ".join(ids), flush=True)  # acknowledged: durable on disk
        number += 5


if __name__ == "__main__":
    main()
