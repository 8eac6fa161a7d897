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


def test_position_and_step_pair_refuse_nan_and_non_ascii_digits() -> None:
    import pytest

    from journeyscope.app.operations import _position, _step_pair
    from journeyscope.errors import InputError

    assert _position("40,40") == (0.4, 0.4)
    assert _step_pair("2, 4") == (2, 4)
    for text in ("nan,10", "10,nan", "inf,0", "40"):
        with pytest.raises(InputError):
            _position(text)
    for text in ("²,3", "1,٣", "1"):
        with pytest.raises(InputError):
            _step_pair(text)


def test_out_of_range_numbers_are_located_errors(tmp_path: Path) -> None:
    import pytest

    from journeyscope.errors import InputError

    ws = Workspace.init(tmp_path / "w", WorkspaceConfig(timezone="UTC"))
    src = tmp_path / "e.jsonl"
    row = {"event_id": "1", "ts": "2026-01-01T00:00:00Z", "event": "a", "phone": "0903123456"}
    src.write_text(json.dumps(row), "utf-8")
    ingest_files(ws, [src], load_mapping(None))
    ws.close()
    run(q.ResolveQuery(), tmp_path / "w")
    assert run(q.PathsQuery(top=1, depth=1), tmp_path / "w")
    assert run(q.CustomerQuery(ref="phone:0903123456", limit=0), tmp_path / "w")
    assert run(q.RetentionQuery(threshold=1.0, purchase="a"), tmp_path / "w")
    for query, field in (
        (q.PathsQuery(top=-1), "--top"),
        (q.PathsQuery(depth=0), "--depth"),
        (q.CustomerQuery(ref="phone:0903123456", limit=-1), "--limit"),
        (q.RetentionQuery(threshold=float("nan")), "--threshold"),
        (q.RetentionQuery(threshold=1.5), "--threshold"),
    ):
        with pytest.raises(InputError) as caught:
            run(query, tmp_path / "w")
        assert caught.value.location is not None and caught.value.location.field == field
        assert "phải" in caught.value.render("vi")


def test_spark_options_without_spark_name_the_option_given(tmp_path: Path) -> None:
    import pytest

    from journeyscope.errors import InputError

    Workspace.init(tmp_path / "w", WorkspaceConfig(timezone="UTC")).close()
    for option, query in (
        ("--spark-master", q.ResolveQuery(spark_master="local[2]")),
        ("--overwrite", q.ResolveQuery(overwrite=True)),
        ("--source", q.ResolveQuery(source="raw", dataset="lake")),
    ):
        with pytest.raises(InputError) as caught:
            run(query, tmp_path / "w")
        assert caught.value.location is not None and caught.value.location.field == option
        assert option in caught.value.render("vi")
