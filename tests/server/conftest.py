"""A small shop workspace, keys of every role, and an app serving it (and a second shop)."""

from __future__ import annotations

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
