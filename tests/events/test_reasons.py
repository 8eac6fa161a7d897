"""Every reason an import writes into its quarantine has its Vietnamese: rows refused by
each of the import's checks are read back as the web app reads them."""

from __future__ import annotations

import json
from pathlib import Path

from journeyscope.events.activity import read_quarantine
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.reasons import reason_vi
from journeyscope.events.workspace import Workspace

ROWS: list[object] = [
    {"event_id": "ok", "user_id": "a", "event": "view", "ts": "2024-01-01T00:00:00Z"},
    {"event_id": "r1", "user_id": "a", "event": "view"},  # missing time
    {"event_id": "r2", "user_id": "a", "event": "view", "ts": "2024-01-01T00:00:00+15:00"},
    {"event_id": "r3", "user_id": "a", "event": "view", "ts": "hôm qua"},
    {"event_id": "r4", "user_id": "a", "event": "view", "ts": "2999-01-01T00:00:00Z"},
    {"event_id": "r5", "user_id": "a", "event": "view", "ts": "1970-01-02T00:00:00Z"},
    {"event_id": "r6", "user_id": {"x": 1}, "event": "view", "ts": "2024-01-01T00:00:00Z"},
    {"event_id": "r7", "user_id": "a", "ts": "2024-01-01T00:00:00Z"},  # no event name
    {"event_id": "r8", "user_id": "a", "event": "buy", "ts": "2024-01-01T00:00:00Z",
     "revenue": "nhiều"},
    {"event_id": "r9", "user_id": "a", "event": "buy", "ts": "2024-01-01T00:00:00Z",
     "revenue": "NaN"},
]  # fmt: skip


def test_every_refused_row_reads_back_with_its_reason_in_vietnamese(tmp_path: Path) -> None:
    lines = [json.dumps(row, ensure_ascii=False).encode() for row in ROWS]
    lines += [b"\xff\xfe not utf-8", b"{not json", b"[1, 2]", b"[" * 200 + b"]" * 200]
    source = tmp_path / "events.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    with Workspace.init(tmp_path / "ws") as ws:
        result = ingest_files(ws, [source], load_mapping(None))
        (done,) = result.files
        assert done.accepted == 1 and done.quarantine
        rows = read_quarantine(ws, Path(done.quarantine).name)["rows"]
    assert len(rows) == len(ROWS) - 1 + 4
    untranslated = [r["reason"] for r in rows if not r["reason_vi"]]
    assert untranslated == []
    by_reason = {r["reason"]: r["reason_vi"] for r in rows}
    assert by_reason["cannot read hôm qua as a time"] == "không đọc được “hôm qua” thành thời gian"
    assert by_reason["missing time"] == "thiếu thời gian"


def test_the_orders_reasons_and_anything_else() -> None:
    assert reason_vi("no order_id / sku") == "không có order_id / sku"
    assert reason_vi("another line of this order was rejected")
    assert reason_vi("not JSON: Expecting value at column 2") == (
        "không phải JSON: Expecting value tại cột 2"
    )
    assert reason_vi("something no check writes") is None
    assert reason_vi(None) is None and reason_vi("") is None
