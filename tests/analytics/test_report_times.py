"""Times a user sees are in the workspace's zone with their offset; money has its code and
is rounded to the currency's minor unit (JSON, CSV, tables)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve
from tests.conftest import Result

Cli = Callable[..., Result]

EVENTS = [
    ("u1", "2026-05-01T03:00:00Z", "product_view", None),
    ("u1", "2026-05-01T03:05:00Z", "add_to_cart", None),
    ("u1", "2026-05-01T03:09:00Z", "purchase", 247.66 - 0.00000000000003),
    ("u2", "2026-05-02T01:00:00Z", "product_view", None),
    ("u2", "2026-05-02T01:01:00Z", "add_to_cart", None),
]


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    src = tmp_path / "e.jsonl"
    rows = [
        {"user_id": u, "ts": ts, "event": e, "channel": "web", "revenue": r, "currency": "USD"}
        for u, ts, e, r in EVENTS
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with Workspace.init(root, WorkspaceConfig(timezone="Asia/Ho_Chi_Minh", currency="USD")) as ws:
        ingest_files(ws, [src], load_mapping(None))
        resolve(ws)
    return root


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_customer_card_times_and_money(cli: Cli, ws_dir: Path) -> None:
    run = cli  # the in-process CLI
    data = run("customers", "show", "user_id:u1", "-w", ws_dir, "--json").json()
    assert data["first_seen"] == "2026-05-01T10:00:00+07:00"
    assert data["timeline"][2]["ts"] == "2026-05-01T10:09:00+07:00"
    assert data["revenue"] == 247.66 and data["timeline"][2]["revenue"] == 247.66
    assert data["currency"] == "USD" and data["timeline"][2]["currency"] == "USD"
    text = run("customers", "show", "user_id:u1", "-w", ws_dir)
    assert "USD 247.66" in text.out and "VND" not in text.out and "₫" not in text.out
    stats = run("stats", "-w", ws_dir, "--json").json()
    assert stats["first_event"] == "2026-05-01T10:00:00+07:00"


def test_csv_files_say_their_zone(cli: Cli, ws_dir: Path, tmp_path: Path) -> None:
    run = cli
    dropped = tmp_path / "dropped.csv"
    steps = "product_view,add_to_cart,purchase"
    res = run(
        "funnel", "--steps", steps, "--dropped-at", "add_to_cart", "-o", dropped, "-w", ws_dir
    )
    assert res.code == 0, res.err
    assert [r["reached_at"] for r in _rows(dropped)] == ["2026-05-02T08:01:00+07:00"]
    churn = tmp_path / "churn.csv"
    assert run("retention", "-o", churn, "-w", ws_dir).code == 0
    rows = {r["customer_id"]: r for r in _rows(churn)}
    assert all(r["last_active"].endswith("+07:00") for r in rows.values())
    assert "247.66" in {r["monetary"] for r in rows.values()}
    staged = tmp_path / "stages.csv"
    assert run("stages", "-o", staged, "-w", ws_dir).code == 0
    first = _rows(staged)[0]
    assert first["last_event_at"] == "2026-05-01T10:09:00+07:00"
    timeline = run("stages", "--customer", "user_id:u1", "-w", ws_dir, "--json").json()
    assert timeline["timeline"][0]["first_at"] == "2026-05-01T10:00:00+07:00"
