"""The data commands end to end through the CLI: JSON shapes, exit codes, languages."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeyscope.events.schema import SCHEMA_VERSION
from tests.conftest import Result, shared_data

Cli = Callable[..., Result]


def _csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


EVENTS = [
    {
        "event_id": 1,
        "ts": "2026-05-01T10:00:00+07:00",
        "event": "product_view",
        "channel": "web",
        "anonymous_id": "ck1",
        "email": "",
    },
    {
        "event_id": 2,
        "ts": "2026-05-01T10:02:00+07:00",
        "event": "login",
        "channel": "web",
        "anonymous_id": "ck1",
        "email": "An@Example.vn",
    },
    {
        "event_id": 3,
        "ts": "2026-05-03T09:00:00+07:00",
        "event": "purchase",
        "channel": "shopee",
        "anonymous_id": "",
        "email": " an@example.vn",
    },
]


def test_init_ingest_resolve_show_stats_export_forget(cli: Cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", "-w", ws, "--json").json() == {
        "workspace": str(ws),
        "schema_version": SCHEMA_VERSION,
    }
    data = _csv(tmp_path / "e.csv", EVENTS)
    first = cli("ingest", data, "-w", ws, "--json")
    assert first.code == 0, first.err
    assert first.json() == {
        "accepted": 3,
        "suppressed": 0,
        "duplicates": 0,
        "rejected": 0,
        "conflicts": 0,
        "quarantine": None,
        "files": [
            {
                "file": str(data),
                "accepted": 3,
                "duplicates": 0,
                "rejected": 0,
                "quarantine": None,
                "suppressed": 0,
                "conflicts": 0,
                "conflict_examples": [],
            }
        ],
    }
    assert cli("ingest", data, "-w", ws, "--json").json()["duplicates"] == 3
    resolved = cli("identity", "resolve", "-w", ws, "--json").json()
    assert resolved == {
        "customers": 1,
        "identifiers": 2,
        "events": 3,
        "unattributed_events": 0,
        "invalid_identifiers": 0,
        "excluded_identifiers": [],
        "iterations": 1,
    }
    shown = cli("customers", "show", "email:AN@example.vn", "-w", ws, "--json").json()
    assert isinstance(shown, dict)
    assert shown["orders"] == 1 and shown["events"] == 3
    assert [e["event"] for e in shown["timeline"]] == ["product_view", "login", "purchase"]
    assert cli("customers", "show", "1", "-w", ws, "--json").json() == shown
    stats = cli("stats", "-w", ws, "--json").json()
    assert isinstance(stats, dict) and stats["events"] == 3 and stats["customers"] == 1
    human = cli("--lang", "vi", "stats", "-w", ws)
    assert "3 sự kiện, 1 khách hàng" in human.out
    out = tmp_path / "all.parquet"
    assert cli("events", "export", "-w", ws, "-o", out, "--json").json() == {
        "rows": 3,
        "file": str(out),
    }
    exported = (
        duckdb.connect().execute(f"SELECT event_id, event FROM '{out}' ORDER BY ts").fetchall()
    )
    assert exported == [("1", "product_view"), ("2", "login"), ("3", "purchase")]
    ids = tmp_path / "ids.csv"
    assert cli("identity", "export", "-w", ws, "-o", ids, "--json").json() == {
        "rows": 2,
        "file": str(ids),
    }
    explained = cli("identity", "explain", "anonymous_id:ck1", "-w", ws, "--json").json()
    assert isinstance(explained, dict) and explained["links"][0]["to"] == "email:an@example.vn"
    gone = cli("forget", "--identifier", "anonymous_id:ck1", "-w", ws, "--json").json()
    assert gone == {
        "deleted": {
            "events": 3,
            "identifiers": 2,
            "customers": 1,
            "spellings": 3,
            "nodes": 2,
            "quarantine_rows": 0,
            "segment_members": 0,
            "temporary_files": 0,
        },
        "suppressed": 2,
        "audit": "audit_log (counts only; no personal data)",
    }
    assert cli("stats", "-w", ws, "--json").json()["events"] == 0


def test_export_round_trips_into_a_new_workspace(cli: Cli, tmp_path: Path) -> None:
    cli("init", "-w", tmp_path / "a")
    cli("ingest", _csv(tmp_path / "e.csv", EVENTS), "-w", tmp_path / "a")
    for suffix in (".parquet", ".csv"):
        out = tmp_path / f"all{suffix}"
        cli("events", "export", "-w", tmp_path / "a", "-o", out)
        target = tmp_path / f"b{suffix}"
        cli("init", "-w", target)
        assert cli("ingest", out, "-w", target, "--json").json()["accepted"] == 3
        rows = []
        for ws in (tmp_path / "a", target):
            con = duckdb.connect(str(ws / "journeyscope.duckdb"), read_only=True)
            rows.append(
                con.execute(
                    "SELECT event_id, ts, event, channel, email FROM events ORDER BY ts"
                ).fetchall()
            )
            con.close()
        assert rows[0] == rows[1]


def test_export_parquet_partitions_by_local_date(cli: Cli, tmp_path: Path) -> None:
    ws, lake = tmp_path / "ws", tmp_path / "lake" / "events"
    late = {**EVENTS[0], "event_id": 4, "ts": "2026-05-01T18:00:00Z"}  # 01:00 on 2 May in Hà Nội
    cli("init", "-w", ws)
    cli("ingest", _csv(tmp_path / "e.csv", [*EVENTS, late]), "-w", ws)
    cli("identity", "resolve", "-w", ws)
    body = cli("export-parquet", "-w", ws, "-o", lake, "--json").json()
    assert body == {"rows": 4, "file": str(lake)}
    assert sorted(p.name for p in lake.iterdir()) == [
        "date=2026-05-01",
        "date=2026-05-02",
        "date=2026-05-03",
    ]
    con = duckdb.connect()
    rows = con.execute(
        "SELECT event_id, CAST(date AS VARCHAR), customer_id IS NOT NULL "
        "FROM read_parquet(?, hive_partitioning = true) ORDER BY event_id",
        [str(lake / "*" / "*.parquet")],
    ).fetchall()
    assert rows == [
        ("1", "2026-05-01", True),
        ("2", "2026-05-01", True),
        ("3", "2026-05-03", True),
        ("4", "2026-05-02", True),
    ]
    again = cli("export-parquet", "-w", ws, "-o", lake)
    assert again.code == 4 and "already exists" in again.err and "--overwrite" in again.err
    assert cli("export-parquet", "-w", ws, "-o", lake, "--overwrite").code == 0
    assert not (lake.parent / ".events.partial").exists()


def test_rejected_rows_exit_1_and_refused_files_exit_2(cli: Cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    cli("init", "-w", ws)
    mixed = _csv(tmp_path / "m.csv", [EVENTS[0], {**EVENTS[1], "ts": "31/02/2026 10:00"}])
    res = cli("ingest", mixed, "-w", ws, "--json")
    assert res.code == 1
    body = res.json()
    assert isinstance(body, dict) and body["accepted"] == 1 and body["rejected"] == 1
    assert Path(body["quarantine"]).exists()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    refused = cli("ingest", bad, "-w", ws, "--json")
    assert refused.code == 2
    error = refused.json()
    assert isinstance(error, dict) and error["error"]["location"]["file"] == str(bad)


def test_no_workspace_is_a_clear_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JOURNEYSCOPE_WORKSPACE", raising=False)
    res = cli("stats")
    assert res.code == 2 and "no workspace given" in res.err and "JOURNEYSCOPE_WORKSPACE" in res.err
    monkeypatch.setenv("JOURNEYSCOPE_WORKSPACE", str(tmp_path / "env-ws"))
    assert cli("init").code == 0
    assert cli("stats", "--json").json()["events"] == 0


def test_vietnamese_messages(cli: Cli, tmp_path: Path) -> None:
    res = cli("--lang", "vi", "stats", "-w", tmp_path / "nope")
    assert res.code == 2 and "không phải workspace JourneyScope" in res.err


@pytest.mark.shared_data
def test_uci_online_retail_imports_every_invoice_once(cli: Cli, tmp_path: Path) -> None:
    """541,909 invoice lines are 25,900 invoices (orders, cancellations, 3 adjustments)."""
    source = shared_data("uci-online-retail", "online_retail_2010-12-01_2011-12-09.csv.gz")
    mapping = Path(__file__).parent.parent / "examples" / "uci-online-retail.yaml"
    ws = tmp_path / "ws"
    cli("init", "-w", ws, "--timezone", "Europe/London", "--currency", "GBP")
    first = cli("ingest", source, "-w", ws, "-m", mapping, "--json").json()
    assert isinstance(first, dict) and (first["accepted"], first["rejected"]) == (25_900, 0)
    again = cli("ingest", source, "-w", ws, "-m", mapping, "--json").json()
    assert isinstance(again, dict) and (again["accepted"], again["duplicates"]) == (0, 25_900)
    resolved = cli("identity", "resolve", "-w", ws, "--json").json()
    assert isinstance(resolved, dict)
    # 135,080 lines without a CustomerID are 3,710 invoices
    assert resolved["customers"] == 4_372 and resolved["unattributed_events"] == 3_710
    stats = cli("stats", "-w", ws, "--json").json()
    assert isinstance(stats, dict)
    assert stats["first_event"] == "2010-12-01T08:26:00+00:00"  # London time, labelled
    assert stats["last_event"] == "2011-12-09T12:50:00+00:00"
    json.dumps(stats)


def test_human_output_in_both_languages(cli: Cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert "Workspace" in cli("init", "-w", ws).out
    data = _csv(tmp_path / "e.csv", EVENTS)
    assert "3 new, 0 already stored, 0 rejected" in cli("ingest", data, "-w", ws).out
    assert "0 mới, 3 đã có, 0 bị loại" in cli("--lang", "vi", "ingest", data, "-w", ws).out
    assert "1 customers from 2 identifiers" in cli("identity", "resolve", "-w", ws).out
    shown = cli("--lang", "vi", "customers", "show", "anonymous_id:ck1", "-w", ws).out
    assert "Khách hàng 1" in shown and "₫" in shown
    assert "email:an@example.vn" in cli("identity", "explain", "anonymous_id:ck1", "-w", ws).out
    assert "Blocked" in cli("identity", "block", "email:an@example.vn", "-w", ws).out
    assert "email:an@example.vn" in cli("identity", "blocks", "-w", ws).out
    split = cli("identity", "resolve", "-w", ws).out
    assert "1 without a usable identifier" in split and "blocked" in split
    assert cli(
        "identity", "block", "email:an@example.vn", "-w", ws, "--unblock", "--json"
    ).json() == {"removed": 1}
    assert "1 customers" in cli("identity", "resolve", "-w", ws).out


def test_a_customer_reference_in_other_digits_is_not_a_crash(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "-w", tmp_path / "w").code == 0
    found = cli("customers", "show", "²", "-w", tmp_path / "w", "--json")
    assert found.code == 2 and "error" in found.json()
