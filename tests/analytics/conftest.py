"""Helpers: a workspace built from plain event dicts, identities resolved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve

MakeWorkspace = Callable[[list[dict[str, Any]]], Workspace]


@pytest.fixture
def make_workspace(tmp_path: Path) -> MakeWorkspace:
    """``make([{"user_id": "p1", "event": "a", "ts": "2024-01-01T00:00:00Z"}, ...])``.

    The workspace's time zone is UTC so dates in tests mean what they say.
    """
    opened: list[Workspace] = []
    count = [0]

    def make(events: list[dict[str, Any]]) -> Workspace:
        count[0] += 1
        root = tmp_path / f"ws{count[0]}"
        ws = Workspace.init(root, WorkspaceConfig(timezone="UTC"))
        src = root / "events.jsonl"
        rows = [{"channel": "web", **e} for e in events]
        src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
        ingest_files(ws, [src], load_mapping(None))
        resolve(ws)
        opened.append(ws)
        return ws

    yield make  # type: ignore[misc]
    for ws in opened:
        ws.close()
