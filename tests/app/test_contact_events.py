"""Which events count as contacts with customer service is a workspace setting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import EventRoles, Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve

EVENTS = [
    ("2026-05-01T09:00:00Z", "purchase", "web"),
    ("2026-05-02T09:00:00Z", "zalo_chat", "zalo"),
    ("2026-05-03T09:00:00Z", "zalo_chat", "zalo"),
]


def _workspace(root: Path, roles: EventRoles | None) -> Path:
    config = WorkspaceConfig(timezone="UTC", **({"events": roles} if roles else {}))
    ws = Workspace.init(root, config)
    src = root / "events.jsonl"
    rows = [
        {"event_id": f"e{i}", "ts": ts, "event": ev, "channel": ch, "phone": "0903123456"}
        for i, (ts, ev, ch) in enumerate(EVENTS)
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    ingest_files(ws, [src], load_mapping(None))
    resolve(ws)
    ws.close()
    return root


def _zalo(cli: Any, root: Path) -> dict[str, Any]:
    result = cli("touchpoints", "-w", root, "--json")
    assert result.code == 0, result.err
    rows = [r for r in result.json()["touchpoints"] if r["channel"] == "zalo"]
    assert len(rows) == 1
    return dict(rows[0])


def test_contacts_come_from_the_workspace_settings(cli: Any, tmp_path: Path) -> None:
    default = _zalo(cli, _workspace(tmp_path / "a", None))
    assert default["contact_customers"] == 0  # zalo_chat is not a contact by default
    roles = EventRoles(contacts=["zalo_chat"])
    configured = _zalo(cli, _workspace(tmp_path / "b", roles))
    assert configured["contact_customers"] == 1
    assert configured["repeat_contacts"] == 1
    assert configured["repeat_contact_share"] == 1.0


def test_the_defaults_name_the_usual_contacts() -> None:
    assert {"support_call", "complaint", "chat"} <= set(EventRoles().contacts)
