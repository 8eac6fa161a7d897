"""Junk never links people: placeholders, hubs, nested values, ids across file formats."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeyscope.errors import InputError
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve
from tests.conftest import MakeWorkspace


def _event(i: int, **ids: Any) -> dict[str, Any]:
    return {"event_id": f"e{i}", "event": "visit", "ts": f"2026-03-01T00:{i % 60:02d}:00Z", **ids}


def _customers(ws: Workspace, id_type: str, values: list[str]) -> set[int]:
    """The customers of events carrying these identifier values (as stored, raw)."""
    rows = ws.con.execute(
        f"SELECT DISTINCT customer_id FROM events_with_customers WHERE {id_type} IN "
        "(SELECT unnest($v))",
        {"v": values},
    ).fetchall()
    return {r[0] for r in rows}


#: two people who each gave the shop every kind of junk a form lets through
JUNK = [
    {"phone": "0999999999", "email": "test@test.com", "loyalty_id": "N/A"},
    {"phone": "0999 999 999", "email": "TEST@test.com ", "loyalty_id": "NULL"},
    {"phone": "N/A", "email": "noemail@shop.vn", "loyalty_id": "0"},
    {"phone": "-", "email": "none", "loyalty_id": "1111111111"},
    {"phone": "0987654321", "email": "unknown", "loyalty_id": "0.0"},
]


def test_placeholders_never_link_two_people(make_workspace: MakeWorkspace) -> None:
    events = []
    for i, junk in enumerate(JUNK):
        events.append(_event(2 * i, user_id="an", **junk))
        events.append(_event(2 * i + 1, user_id="binh", **junk))
    ws = make_workspace(events)
    result = resolve(ws).to_dict()
    assert result["customers"] == 2
    assert _customers(ws, "user_id", ["an"]) != _customers(ws, "user_id", ["binh"])
    excluded = {x["identifier"]: x for x in result["excluded_identifiers"]}
    assert excluded["phone:+84999999999"]["rule"] == "placeholder"
    assert excluded["email:test@test.com"] == {
        "identifier": "email:test@test.com",
        "reason": "excluded",
        "links": 2,
        "linked_type": "user_id",
        "rule": "placeholder",
    }
    assert {"loyalty_id:N/A", "loyalty_id:1111111111", "phone:+84987654321"} <= set(excluded)
    assert all(x["rule"] == "placeholder" for x in excluded.values())


def test_the_deny_list_is_the_workspace_s(make_workspace: MakeWorkspace) -> None:
    """A shop's own placeholder (a shared card) links people until the workspace lists it;
    the next resolve normalises every stored value again under the new rules."""
    ws = make_workspace(
        [
            _event(1, user_id="an", loyalty_id="KH-0000"),
            _event(2, user_id="binh", loyalty_id="KH-0000"),
        ]
    )
    assert resolve(ws).customers == 1
    ws.config.identity.deny = {**ws.config.identity.deny, "loyalty_id": ["kh-0000"]}
    result = resolve(ws)
    assert result.customers == 2
    assert [x["identifier"] for x in result.excluded_identifiers] == ["loyalty_id:KH-0000"]
    ws.config.identity.deny = {**ws.config.identity.deny, "loyalty_id": []}
    assert resolve(ws).customers == 1


def _hub_events(members: int, hub_size: int) -> list[dict[str, Any]]:
    """``members`` people, each with an e-mail and their own phone; ``hub_size`` of them
    also gave one shared phone (a shop's number, fewer people than ``max_links``)."""
    events = [_event(i, email=f"p{i}@shop.vn", phone=f"0903{i:06d}") for i in range(members)]
    events += [
        _event(members + i, email=f"p{i}@shop.vn", phone="0912000999") for i in range(hub_size)
    ]
    return events


def test_the_relative_guard_excludes_a_hub_and_reports_it(make_workspace: MakeWorkspace) -> None:
    """Eight people share a phone: under ``max_links`` (20), but where 99% of phones have
    one e-mail, eight is implausible — excluded, reported with the limit the data set."""
    ws = make_workspace(_hub_events(150, 8))
    assert ws.config.identity.max_links == 20
    result = resolve(ws)
    assert result.customers == 150
    assert result.excluded_identifiers == [
        {
            "identifier": "phone:+84912000999",
            "reason": "excluded",
            "links": 8,
            "linked_type": "email",
            "rule": "relative",
            "limit": 5,
        }
    ]
    ws.config.identity.relative_links = 0  # off: only max_links guards, and the hub merges
    off = resolve(ws)
    assert off.excluded_identifiers == [] and off.customers == 150 - 7


def test_the_relative_guard_needs_enough_data_to_say_what_is_typical(
    make_workspace: MakeWorkspace,
) -> None:
    """With fewer than 100 phones linked to e-mails, only ``max_links`` applies."""
    ws = make_workspace(_hub_events(60, 8))
    result = resolve(ws)
    assert result.excluded_identifiers == [] and result.customers == 60 - 7


def _workspace(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws", WorkspaceConfig(timezone="UTC"))


def test_ids_are_canonical_across_formats(tmp_path: Path) -> None:
    """``2`` from a CSV, ``2.0`` from a Parquet double, an integer and a decimal: one id."""
    csv = tmp_path / "shop.csv"
    csv.write_text("event_id,event,ts,user_id,phone\nc1,visit,2026-03-01T00:00:00Z,2,\n", "utf-8")
    rows: dict[str, Any] = {"event": ["buy"], "ts": ["2026-03-02T00:00:00Z"]}
    files = [csv]
    for name, array in {
        "double": pa.array([2.0], pa.float64()),
        "int": pa.array([2], pa.int64()),
        "decimal": pa.array([Decimal("2.00")], pa.decimal128(10, 2)),
    }.items():
        path = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table({"event_id": [name], **rows, "user_id": array}), path)
        files.append(path)
    with _workspace(tmp_path) as ws:
        ingest_files(ws, files, load_mapping(None))
        result = resolve(ws)
        values = ws.con.execute(
            "SELECT DISTINCT value FROM identity_values WHERE id_type = 'user_id'"
        ).fetchall()
    assert result.customers == 1 and result.events == 4
    assert values == [("2",)]


def test_nested_identifier_values_are_refused_with_the_column(tmp_path: Path) -> None:
    for name, array in {
        "struct": pa.array([{"id": 1}], pa.struct([("id", pa.int64())])),
        "list": pa.array([[1, 2]], pa.list_(pa.int64())),
    }.items():
        path = tmp_path / f"{name}.parquet"
        table = {"event_id": ["x"], "event": ["visit"], "ts": ["2026-03-01T00:00:00Z"]}
        pq.write_table(pa.table({**table, "user_id": array}), path)
        with _workspace(tmp_path / name) as ws:
            with pytest.raises(InputError) as caught:
                ingest_files(ws, [path], load_mapping(None))
            assert ws.scalar("SELECT count(*) FROM events") == 0
        error = caught.value
        assert "'user_id'" in str(error) and "nested values" in str(error)
        assert "lồng nhau" in error.message_vi
        assert error.location is not None and error.location.file == str(path)


@pytest.mark.spark
def test_spark_agrees_on_placeholders_and_hubs(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """The same customers, identifiers and excluded list (placeholders, the relative
    guard's hub) from Spark as from the embedded engine."""
    from journeyscope.events.export import export_partitioned
    from journeyscope.identity.spark_resolve import resolve_dataset
    from tests.identity.test_spark_resolve import _embedded, _on_spark, _summary

    junk = [_event(200 + i, user_id=f"u{i % 2}", **j) for i, j in enumerate(JUNK * 2)]
    ws = make_workspace(_hub_events(150, 8) + junk)
    embedded = resolve(ws).to_dict()
    assert {x["rule"] for x in embedded["excluded_identifiers"]} == {"placeholder", "relative"}
    export_partitioned(ws, tmp_path / "raw")
    result = resolve_dataset(ws, spark, str(tmp_path / "raw"), str(tmp_path / "out")).to_dict()
    assert _summary(result) == _summary(embedded)
    assert _on_spark(tmp_path / "out") == _embedded(ws)


@pytest.mark.spark
def test_spark_reads_whole_doubles_as_the_embedded_engine_does(spark: Any, tmp_path: Path) -> None:
    """Java writes ``1.2345678E7`` for a double DuckDB writes ``12345678.0``: both are the
    id ``12345678`` (and ``2.5`` stays ``2.5``) — the same identifiers from one Parquet file."""
    from journeyscope.identity.spark_resolve import resolve_dataset
    from tests.identity.test_spark_resolve import _embedded, _on_spark

    lake = tmp_path / "lake"
    lake.mkdir()
    ids = [12345678.0, 2.0, 2.5, 12345678.0, 1e20]
    table = pa.table(
        {
            "event_id": [f"e{i}" for i in range(len(ids))],
            "ts": pa.array([f"2026-03-01T00:0{i}:00Z" for i in range(len(ids))], pa.string()).cast(
                pa.timestamp("us", "UTC")
            ),
            "event": ["visit"] * len(ids),
            "channel": ["web"] * len(ids),
            "user_id": pa.array(ids, pa.float64()),
        }
    )
    pq.write_table(table, lake / "events.parquet")
    with _workspace(tmp_path) as ws:
        ingest_files(ws, [lake / "events.parquet"], load_mapping(None))
        embedded = resolve(ws).to_dict()
        result = resolve_dataset(ws, spark, str(lake), str(tmp_path / "out")).to_dict()
        want = _embedded(ws)
    assert {x[1] for x in want[1]} == {"12345678", "2", "2.5"}
    assert embedded["invalid_identifiers"] == result["invalid_identifiers"] == 1  # 1e20
    assert _on_spark(tmp_path / "out") == want
