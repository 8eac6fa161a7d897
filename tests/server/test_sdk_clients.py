"""Real clients against a real `journeyscope serve` on loopback: Segment's and RudderStack's
Python SDKs send 10,000 events each; every event arrives exactly once, identities stitched."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from journeyscope.events.workspace import Workspace
from tests.conftest import Result
from tests.server.conftest import (
    Served,
    Shop,
    add_key,
    free_port,
    get,
    launch_server,
    wait_healthy,
)

EVENTS = 10_000
PEOPLE = 500


def send(client: Any, prefix: str, errors: list[Any]) -> None:
    """Per person: anonymous browsing, then identify (userId + email) joins them."""
    per_person = EVENTS // PEOPLE
    for person in range(PEOPLE):
        anon = f"{prefix}-anon-{person}"
        user = f"{prefix}-user-{person}"
        for step in range(per_person - 1):
            client.track(
                anonymous_id=anon,
                event="Product Viewed" if step % 3 else "Product Added",
                properties={"sku": f"SP{step}", "price": 199000},
                message_id=f"{prefix}-{person}-{step}",
            )
        client.identify(
            user_id=user,
            anonymous_id=anon,
            traits={"email": f"{prefix}.{person}@example.vn"},
            message_id=f"{prefix}-{person}-id",
        )
    client.flush()
    client.join()
    assert not errors, errors[:3]


@pytest.fixture
def parsed_aside(fresh_shop: Shop, tmp_path: Path) -> Iterator[Served]:
    """The server with one parser process (``--parse-workers 1``, as on 2 cores whatever
    the machine): the SDKs' bodies, gzipped and not, go through it."""
    yield from launch_server(fresh_shop.root, tmp_path, "--parse-workers", "1")


def test_segment_and_rudderstack_sdks_deliver_everything_once_and_stitched(
    parsed_aside: Served,
    fresh_shop: Shop,
    cli: Callable[..., Result],
) -> None:
    server = parsed_aside
    from rudderstack.analytics.client import Client as RudderClient
    from segment.analytics.client import Client as SegmentClient

    base = server.base
    errors: list[Any] = []
    segment_key = add_key(fresh_shop.root, "write")
    rudder_key = add_key(fresh_shop.root, "write")

    def failed(error: Exception, batch: list[Any]) -> None:
        errors.append(error)

    options = {"max_queue_size": 2 * EVENTS, "on_error": failed, "upload_size": 100}
    send(SegmentClient(segment_key, host=base, gzip=True, **options), "sg", errors)
    send(RudderClient(rudder_key, host=base, **options), "rs", errors)

    with urllib.request.urlopen(f"{base}/metrics", timeout=30) as answer:
        metrics = answer.read().decode()
    parsed = re.search(r"^journeyscope_collect_parser_bodies_parsed_total (\S+)$", metrics, re.M)
    # bodies of 100 events, but for those sent while the parser started (the server's)
    assert parsed and float(parsed.group(1)) >= EVENTS / 100
    err = server.stop()  # a clean stop drains the log into the store
    assert server.proc.returncode == 0, err
    assert "Traceback" not in err and segment_key not in err

    with Workspace.open(fresh_shop.root, read_only=True) as ws:
        counts = dict(
            ws.con.execute(
                "SELECT substr(event_id, 1, 2), count(*) FROM events "
                "WHERE source LIKE 'segment:%' GROUP BY 1"
            ).fetchall()
        )
        distinct = ws.scalar(
            "SELECT count(DISTINCT event_id) FROM events WHERE source LIKE 'segment:%'"
        )
    assert counts == {"sg": EVENTS, "rs": EVENTS}
    assert distinct == 2 * EVENTS  # none twice

    resolved = cli("identity", "resolve", "-w", fresh_shop.root, "--json")
    assert resolved.code == 0, resolved.err
    with Workspace.open(fresh_shop.root, read_only=True) as ws:
        per_person = ws.con.execute(
            "SELECT count(DISTINCT customer_id) FROM journey_events "
            "WHERE source LIKE 'segment:%' GROUP BY regexp_extract(event_id, '^(\\w+-\\d+)-')"
        ).fetchall()
    # each person's anonymous events and identify land on one customer
    assert len(per_person) == 2 * PEOPLE and {n for (n,) in per_person} == {1}


DEMO_SERVE = """
import sys
from pathlib import Path
from journeyscope.cli.demo import serve_demo
serve_demo(Path(sys.argv[1]), int(sys.argv[2]))
"""


def test_the_demo_ends_by_serving_its_workspace_with_fresh_keys(fresh_shop: Shop) -> None:
    """What `journeyscope demo` does after its report (unless --no-serve): keys printed
    once, the API and collection answering, Ctrl+C/SIGTERM a clean stop."""
    import json
    import re
    import urllib.request

    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-c", DEMO_SERVE, str(fresh_shop.root), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "JOURNEYSCOPE_LANG": "en"},
    ) as proc:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("Ctrl+C" in line for line in lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line)
        text = "".join(lines)
        read = re.search(r"read key for the API \(shown once\): (\S+)", text)
        write = re.search(r"write key to send events \(shown once\): (\S+)", text)
        assert read and write, text
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        status, stats = get(f"{base}/api/v1/workspaces/shop/stats", read.group(1))
        assert status == 200 and stats["events"] > 0
        web = re.search(r"web app at (\S+)/ and sign in as (\S+) with the password (\S+)", text)
        assert web and web.group(1) == base, text
        sign_in = urllib.request.Request(
            f"{base}/api/v1/workspaces/shop/session",
            data=json.dumps({"email": web.group(2), "password": web.group(3)}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(sign_in, timeout=30) as answer:
            assert json.loads(answer.read())["user"]["role"] == "admin"
            assert "HttpOnly" in answer.headers["Set-Cookie"]
        import base64

        body = json.dumps({"userId": "kh-1", "event": "Product Viewed", "messageId": "demo-1"})
        request = urllib.request.Request(
            f"{base}/v1/track",
            data=body.encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic "
                + base64.b64encode(f"{write.group(1)}:".encode()).decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert proc.returncode == 0
    with Workspace.open(fresh_shop.root, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM events WHERE event_id = 'demo-1'") == 1
        names = ws.con.execute("SELECT name, revoked_at IS NULL FROM api_keys").fetchall()
    assert ("demo-read", True) in names and ("demo-write", True) in names
