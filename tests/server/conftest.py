"""A small shop workspace, keys of every role, and an app serving it (and a second shop)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from journeyscope.events.keys import create_key
from journeyscope.events.workspace import Workspace
from journeyscope.server.app import Limits, create_app


def shop_events() -> list[dict[str, Any]]:
    """Six customers over two channels: some buy, some drop, one buys twice."""
    day = "2024-03-0{}T{:02d}:00:00Z"
    events: list[dict[str, Any]] = []
    for n in range(1, 7):
        user, channel = f"u{n}", "web" if n % 2 else "app"
        events.append(
            {"user_id": user, "event": "page_view", "ts": day.format(1, n), "channel": "ads"}
        )
        events.append(
            {
                "user_id": user,
                "event": "product_view",
                "ts": day.format(1, n + 1),
                "channel": channel,
            }
        )
        if n <= 4:
            events.append(
                {
                    "user_id": user,
                    "event": "add_to_cart",
                    "ts": day.format(2, n),
                    "channel": channel,
                }
            )
        if n <= 2:
            events.append(
                {
                    "user_id": user,
                    "event": "purchase",
                    "ts": day.format(3, n),
                    "channel": channel,
                    "revenue": 100 * n,
                }
            )
    events.append(
        {
            "user_id": "u1",
            "event": "purchase",
            "ts": day.format(5, 9),
            "channel": "web",
            "revenue": 50,
        }
    )
    events.append(
        {
            "user_id": "u1",
            "email": "lan@example.com",
            "event": "login",
            "ts": day.format(5, 8),
            "channel": "web",
        }
    )
    return events


def add_key(root: Path, role: str) -> str:
    with Workspace.open(root) as ws:
        return create_key(ws, role, f"test {role}")[1]


@dataclass
class Shop:
    root: Path
    other: Path
    keys: dict[str, str]  # role -> key of `root`
    other_key: str  # a read key of `other`
    revoked: str  # a revoked read key of `root`


def build_workspace(root: Path, events: list[dict[str, Any]]) -> Path:
    """What ``make_workspace`` builds (UTC, resolved), at a path of our choosing."""
    import json

    from journeyscope.events.ingest import ingest_files
    from journeyscope.events.mapping import load_mapping
    from journeyscope.events.workspace import WorkspaceConfig
    from journeyscope.identity.resolve import resolve

    with Workspace.init(root, WorkspaceConfig(timezone="UTC")) as ws:
        src = root / "events.jsonl"
        src.write_text("\n".join(json.dumps(e) for e in events), "utf-8")
        ingest_files(ws, [src], load_mapping(None))
        resolve(ws)
    return root


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """Built once per run: tests may add keys to it; other changes take ``fresh_shop``."""
    base = tmp_path_factory.mktemp("shops")
    root = build_workspace(base / "shop", shop_events())
    other = build_workspace(base / "other", shop_events()[:4])
    keys = {role: add_key(root, role) for role in ("read", "write", "admin")}
    revoked = add_key(root, "read")
    from journeyscope.events.keys import key_id_of, revoke_key

    with Workspace.open(root) as opened:
        key_id = key_id_of(revoked)
        assert key_id is not None
        revoke_key(opened, key_id)
    return Shop(root, other, keys, add_key(other, "read"), revoked)


@pytest.fixture
def fresh_shop(shop: Shop, tmp_path: Path) -> Shop:
    """A private copy of the shop (same keys) for a test that changes it."""
    import shutil

    root = Path(shutil.copytree(shop.root, tmp_path / "shop"))
    other = Path(shutil.copytree(shop.other, tmp_path / "other"))
    return Shop(root, other, shop.keys, shop.other_key, shop.revoked)


def serve(shop: Shop) -> TestClient:
    """No rate limits here: tests send requests faster than a client would (test_collect
    checks the limits)."""
    app = create_app({"shop": shop.root, "other": shop.other}, limits=Limits(0, 0))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(shop: Shop) -> Iterator[TestClient]:
    with serve(shop) as c:
        yield c


@pytest.fixture
def fresh_client(fresh_shop: Shop) -> Iterator[TestClient]:
    with serve(fresh_shop) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, key: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@dataclass
class Served:
    """A `journeyscope serve` process on loopback; its output goes to files (a pipe nobody
    reads would fill after some thousand log lines and stall the server)."""

    base: str
    proc: subprocess.Popen[bytes]
    out_file: Path
    err_file: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> str:
        """Send ``sig``, wait for the exit, and return the server's standard error."""
        self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)
        return self.err_file.read_text("utf-8", errors="replace")

    def out(self) -> str:
        return self.out_file.read_text("utf-8", errors="replace")


def wait_healthy(base: str, proc: subprocess.Popen[Any], seconds: float = 60) -> None:
    """Until ``/healthz`` answers; fails at once if the process died."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        assert proc.poll() is None, f"the server exited with {proc.returncode}"
        assert time.monotonic() < deadline, f"the server did not start within {seconds:g} s"
        time.sleep(0.2)


def launch_server(root: Path, folder: Path, *options: str) -> Iterator[Served]:
    """`journeyscope serve -w shop=ROOT` on a free port, killed afterwards if still alive."""
    port = free_port()
    command = [sys.executable, "-m", "journeyscope.cli", "serve", "-w", f"shop={root}"]
    out_file, err_file = folder / "server.out", folder / "server.err"
    with out_file.open("wb") as out, err_file.open("wb") as err:
        proc = subprocess.Popen(
            [*command, "--port", str(port), *options],
            stdout=out,
            stderr=err,
            env={**os.environ, "JOURNEYSCOPE_LANG": "en"},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield Served(base, proc, out_file, err_file)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def server(fresh_shop: Shop, tmp_path: Path) -> Iterator[Served]:
    yield from launch_server(fresh_shop.root, tmp_path)
