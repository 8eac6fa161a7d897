"""The application layer's dispatch: every query type has an operation, reports carry
JSON Schemas, identity results are typed, and a writing query opens the workspace for
writing."""

from __future__ import annotations

import json
from pathlib import Path

from journeyscope.app import OPERATIONS, run
from journeyscope.app import queries as q
from journeyscope.app import reports as r
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig


def test_every_query_type_has_one_operation() -> None:
    kinds = [
        c
        for c in vars(q).values()
        if isinstance(c, type) and issubclass(c, q.Query) and c.kind and c is not q.Query
    ]
    assert sorted(c.__name__ for c in kinds) == sorted(c.__name__ for c in OPERATIONS)


def test_reports_publish_a_json_schema() -> None:
    schema = r.FunnelReport.model_json_schema()
    assert {"steps", "mode", "window_seconds"} <= set(schema["properties"])
    assert "FunnelStep" in json.dumps(schema)


def test_resolve_and_explain_are_typed_operations(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "w", WorkspaceConfig(timezone="UTC"))
    src = tmp_path / "e.jsonl"
    src.write_text(
        "\n".join(
            json.dumps(e)
            for e in [
                {
                    "event_id": "1",
                    "ts": "2026-01-01T00:00:00Z",
                    "event": "a",
                    "phone": "0903123456",
                    "email": "lan@example.com",
                },
                {
                    "event_id": "2",
                    "ts": "2026-01-02T00:00:00Z",
                    "event": "b",
                    "email": "LAN@example.com ",
                },
            ]
        ),
        "utf-8",
    )
    ingest_files(ws, [src], load_mapping(None))
    ws.close()
    steps: list[str] = []
    resolved = run(q.ResolveQuery(), tmp_path / "w", progress=steps.append)
    assert isinstance(resolved, r.ResolveReport)
    assert (resolved.customers, resolved.events) == (1, 2)
    assert steps, "resolve names its steps to whoever shows progress"
    explained = run(q.ExplainQuery(ref="email:lan@example.com"), tmp_path / "w")
    assert isinstance(explained, r.ExplainReport)
    assert explained.customer_id is not None
    assert explained.identifier == "email:lan@example.com"
