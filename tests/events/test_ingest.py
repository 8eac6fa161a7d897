"""Importing events: every format, mappings, per-row checks, quarantine, idempotency."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from journeyscope.errors import InputError
from journeyscope.events.ingest import IngestResult, ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace

NOW = datetime(2026, 11, 23, 12, 0)
ROWS = [
    {
        "event_id": 1,
        "ts": "2026-05-01T10:00:00+07:00",
        "event": "product_view",
        "channel": "web",
        "phone": "0903 123 456",
    },
    {
        "event_id": 2,
        "ts": "2026-05-01T10:05:00+07:00",
        "event": "add_to_cart",
        "channel": "web",
        "phone": "0903 123 456",
    },
    {
        "event_id": 3,
        "ts": "2026-05-01T10:09:00+07:00",
        "event": "purchase",
        "channel": "web",
        "phone": "0903 123 456",
        "revenue": 1250000,
    },
]


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    with Workspace.init(tmp_path / "ws") as workspace:
        yield workspace


def run(ws: Workspace, path: Path, mapping: dict[str, Any] | None = None) -> IngestResult:
    mapping_file = None
    if mapping is not None:
        mapping_file = path.with_suffix(".mapping.json")
        mapping_file.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    return ingest_files(ws, [path], load_mapping(mapping_file), now=NOW)


def stored(
    ws: Workspace,
    sql: str = "SELECT event_id, ts, event, channel, phone, revenue FROM events ORDER BY seq",
) -> list[tuple[Any, ...]]:
    return ws.con.execute(sql).fetchall()


def write_csv(path: Path, rows: list[dict[str, Any]], delimiter: str = ",") -> Path:
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    fields = list(dict.fromkeys(k for r in rows for k in r))
    sheet.append(fields)
    for row in rows:
        sheet.append([row.get(f) for f in fields])
    wb.save(path)
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    fields = list(dict.fromkeys(k for r in rows for k in r))
    pq.write_table(pa.Table.from_pylist([{f: r.get(f) for f in fields} for r in rows]), path)
    return path


EXPECTED = [
    ("1", datetime(2026, 5, 1, 3, 0), "product_view", "web", "0903 123 456", None),
    ("2", datetime(2026, 5, 1, 3, 5), "add_to_cart", "web", "0903 123 456", None),
    ("3", datetime(2026, 5, 1, 3, 9), "purchase", "web", "0903 123 456", 1250000.0),
]


@pytest.mark.parametrize(
    ("suffix", "writer"),
    [
        (".csv", write_csv),
        (".tsv", lambda p, r: write_csv(p, r, "\t")),
        (".jsonl", write_jsonl),
        (".parquet", write_parquet),
        (".xlsx", write_xlsx),
    ],
)
def test_our_field_names_import_without_mapping(
    ws: Workspace, tmp_path: Path, suffix: str, writer: Any
) -> None:
    path = writer(tmp_path / f"events{suffix}", ROWS)
    result = run(ws, path)
    assert (result.accepted, result.duplicates, result.rejected) == (3, 0, 0)
    assert stored(ws) == EXPECTED
    again = run(ws, path)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 3, 0)
    assert ws.scalar("SELECT count(*) FROM events") == 3


def test_semicolon_csv_is_sniffed(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ROWS, ";")
    assert run(ws, path).accepted == 3


def test_mapping_renames_sets_constants_parses_vietnamese_dates_and_names(
    ws: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "shopee.csv",
        [
            {
                "Mã đơn": "SP1",
                "Ngày đặt": "01/05/2026 10:00",
                "Trạng thái": "Đã đặt hàng",
                "SĐT": "84-903-123-456",
                "Tổng": "1.250.000 ₫",
                "Ghi chú": "giao giờ hành chính",
            },
            {
                "Mã đơn": "SP2",
                "Ngày đặt": "02/05/2026 08:30",
                "Trạng thái": "Đã giao",
                "SĐT": "+84903123456",
                "Tổng": "",
                "Ghi chú": "",
            },
        ],
    )
    mapping = {
        "source": "shopee",
        "columns": {
            "event_id": "Mã đơn",
            "ts": "Ngày đặt",
            "event": "Trạng thái",
            "phone": "SĐT",
            "revenue": "Tổng",
        },
        "constants": {"channel": "shopee"},
        "timestamp": {"format": "%d/%m/%Y %H:%M"},
        "events": {"Đã đặt hàng": "purchase", "Đã giao": "order_delivered"},
    }
    result = run(ws, path, mapping)
    assert result.accepted == 2 and result.rejected == 0
    rows = stored(
        ws,
        "SELECT source, event_id, ts, event, channel, revenue, currency, properties "
        "FROM events ORDER BY seq",
    )
    assert rows[0][:7] == (
        "shopee",
        "SP1",
        datetime(2026, 5, 1, 3, 0),
        "purchase",
        "shopee",
        1250000.0,
        "VND",
    )
    assert json.loads(rows[0][7]) == {"Ghi chú": "giao giờ hành chính"}
    assert rows[1][3] == "order_delivered" and rows[1][5] is None


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("epoch_s", "1777600800", datetime(2026, 5, 1, 2, 0)),
        ("epoch_ms", "1777600800000", datetime(2026, 5, 1, 2, 0)),
        ("auto", "1777600800000", datetime(2026, 5, 1, 2, 0)),
        ("auto", "1777600800", datetime(2026, 5, 1, 2, 0)),
        ("auto", "2026-05-01T09:00:00+07:00", datetime(2026, 5, 1, 2, 0)),
        ("auto", "2026-05-01T02:00:00Z", datetime(2026, 5, 1, 2, 0)),
        ("auto", "2026-05-01 09:00:00", datetime(2026, 5, 1, 2, 0)),
        ("auto", "01/05/2026 09:00", datetime(2026, 5, 1, 2, 0)),
        ("auto", "1/5/2026 09:00:00", datetime(2026, 5, 1, 2, 0)),
        ("iso", "2026-05-01T04:00:00+09:00", datetime(2026, 4, 30, 19, 0)),
        ("%Y%m%d%H%M", "202605010900", datetime(2026, 5, 1, 2, 0)),
    ],
)
def test_time_formats(
    ws: Workspace, tmp_path: Path, fmt: str, value: str, expected: datetime
) -> None:
    path = write_csv(tmp_path / "t.csv", [{"event_id": "a", "when": value, "event": "page_view"}])
    result = run(ws, path, {"columns": {"ts": "when"}, "timestamp": {"format": fmt}})
    assert result.accepted == 1, result.to_dict()
    assert ws.scalar("SELECT ts FROM events") == expected


def test_naive_times_follow_the_mapping_zone(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv", [{"event_id": "a", "ts": "2026-01-15 09:00:00", "event": "x"}]
    )
    run(ws, path, {"timestamp": {"timezone": "Europe/London"}})
    assert ws.scalar("SELECT ts FROM events") == datetime(2026, 1, 15, 9, 0)


def test_invalid_rows_go_to_quarantine_with_line_field_reason(
    ws: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            {
                "event_id": "1",
                "ts": "2026-05-01T10:00:00+07:00",
                "event": "page_view",
                "revenue": "",
            },
            {"event_id": "2", "ts": "hôm qua", "event": "page_view", "revenue": ""},
            {"event_id": "3", "ts": "2031-01-01T00:00:00Z", "event": "page_view", "revenue": ""},
            {"event_id": "4", "ts": "2026-05-01T10:00:00+07:00", "event": "", "revenue": ""},
            {
                "event_id": "5",
                "ts": "2026-05-01T10:00:00+07:00",
                "event": "purchase",
                "revenue": "nhiều tiền",
            },
            {"event_id": "6", "ts": "0", "event": "page_view", "revenue": ""},
            {
                "event_id": "7",
                "ts": "2026-05-01T10:00:00+07:00",
                "event": "page_view",
                "revenue": "12,5",
            },
        ],
    )
    result = run(ws, path)
    assert (result.accepted, result.rejected) == (2, 5)
    assert stored(ws, "SELECT event_id, revenue FROM events ORDER BY seq") == [
        ("1", None),
        ("7", 12.5),
    ]
    quarantine = result.files[0].quarantine
    assert quarantine is not None
    with Path(quarantine).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["field"]) for r in rows] == [
        ("3", "ts"),
        ("4", "ts"),
        ("5", "event"),
        ("6", "revenue"),
        ("7", "ts"),
    ]
    assert "hôm qua" in rows[0]["reason"] and "future" in rows[1]["reason"]
    assert json.loads(rows[0]["record"])["event_id"] == "2"
    assert result.to_dict()["quarantine"] == quarantine


def test_rows_without_ids_get_a_content_hash_and_repeats_are_kept(
    ws: Workspace, tmp_path: Path
) -> None:
    row = {"ts": "2026-05-01 10:00:00", "event": "purchase", "user_id": "17850.0"}
    path = write_csv(tmp_path / "lines.csv", [row, row, {**row, "event": "page_view"}])
    assert run(ws, path).accepted == 3
    ids = [r[0] for r in stored(ws, "SELECT event_id FROM events ORDER BY seq")]
    assert len(set(ids)) == 3 and all(i.startswith("h:") for i in ids)
    assert run(ws, path).duplicates == 3
    assert ws.scalar("SELECT count(*) FROM events") == 3


def test_duplicate_ids_inside_one_file_count_once(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [ROWS[0], ROWS[0], ROWS[1]])
    result = run(ws, path)
    assert (result.accepted, result.duplicates) == (2, 1)


def test_same_ids_from_different_sources_are_different_events(
    ws: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    run(ws, path, {"source": "shopee"})
    assert run(ws, path, {"source": "lazada"}).accepted == 3
    assert ws.scalar("SELECT count(*) FROM events") == 6


@pytest.mark.parametrize(
    ("utm_source", "utm_medium", "referrer", "channel"),
    [
        ("facebook", "cpc", "", "facebook"),
        ("google", "cpc", "", "google_ads"),
        ("google", "organic", "", "search"),
        ("zalo", "zns", "", "zalo"),
        ("", "zns", "", "zalo"),
        ("shopee", "affiliate", "", "shopee"),
        ("tiktokshop", "", "", "tiktok_shop"),
        ("newsletter-t5", "email", "", "email"),
        ("brand", "sms", "", "sms"),
        ("", "", "https://www.google.com.vn/", "search"),
        ("", "", "https://coccoc.com/search?q=x", "search"),
        ("", "", "https://l.facebook.com/l.php", "facebook"),
        ("", "", "https://zalo.me/123", "zalo"),
        ("", "", "https://blog.example.vn/review", "referral"),
        ("", "", "", "web"),
    ],
)
def test_channel_grouping(
    ws: Workspace, tmp_path: Path, utm_source: str, utm_medium: str, referrer: str, channel: str
) -> None:
    row = {
        "event_id": "1",
        "ts": "2026-05-01T10:00:00Z",
        "event": "page_view",
        "utm_source": utm_source,
        "utm_medium": utm_medium,
        "referrer": referrer,
    }
    run(ws, write_csv(tmp_path / "w.csv", [row]))
    assert ws.scalar("SELECT channel FROM events") == channel
    props = json.loads(ws.scalar("SELECT properties FROM events"))
    assert "utm_source" in props  # campaign data is kept for later analysis


def test_revenue_product_and_properties_list(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "inv.csv",
        [
            {
                "InvoiceDate": "2011-01-10 09:00:00",
                "Quantity": "6",
                "UnitPrice": "2.55",
                "CustomerID": "17850.0",
                "Country": "United Kingdom",
                "Noise": "x",
            }
        ],
    )
    mapping = {
        "columns": {"ts": "InvoiceDate", "user_id": "CustomerID"},
        "constants": {"event": "purchase", "currency": "gbp"},
        "revenue_product": ["Quantity", "UnitPrice"],
        "properties": ["Country"],
    }
    run(ws, path, mapping)
    revenue, currency, props = (
        ws.con.execute("SELECT revenue, currency, properties FROM events").fetchone() or ()
    )
    assert revenue == pytest.approx(15.3) and currency == "GBP"
    assert json.loads(props) == {"Country": "United Kingdom"}


# ------------------------------------------------------------------ bad input


def test_unknown_mapping_column_names_the_mapping_line(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ROWS)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("source: x\ncolumns:\n  ts: ts\n  phone: so_dien_thoai\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        ingest_files(ws, [path], load_mapping(mapping), now=NOW)
    loc = info.value.location
    assert (
        loc is not None
        and loc.file == str(mapping)
        and loc.line == 4
        and loc.field == "columns.phone"
    )
    assert "so_dien_thoai" in info.value.message_en and "event_id" in (info.value.hint_en or "")
    assert ws.scalar("SELECT count(*) FROM events") == 0


def test_unknown_field_in_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  telephone: SĐT\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown field 'telephone' in columns") as info:
        load_mapping(mapping)
    assert info.value.location is not None and info.value.location.line == 2


def test_missing_required_column(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [{"when": "2026-01-01", "what": "x"}])
    with pytest.raises(InputError, match="no 'ts' column"):
        run(ws, path)


def test_truncated_parquet_is_refused_whole(ws: Workspace, tmp_path: Path) -> None:
    good = write_parquet(tmp_path / "good.parquet", ROWS * 50)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes()[:400])
    with pytest.raises(InputError, match="truncated") as info:
        run(ws, bad)
    assert info.value.location is not None and info.value.location.file == str(bad)
    assert ws.scalar("SELECT count(*) FROM events") == 0


def test_broken_quote_names_the_line(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        'event_id,ts,event\n1,2026-05-01T10:00:00Z,page_view\n2,"2026-05-01T10:00:00Z,page_view\n3,2026-05-01T10:00:00Z,purchase\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        run(ws, path)
    assert info.value.location is not None and info.value.location.line == 3
    assert "quote" in info.value.message_en
    assert ws.scalar("SELECT count(*) FROM events") == 0


def test_wrong_column_count_names_the_line(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(
        "event_id,ts,event\n1,2026-05-01T10:00:00Z,page_view\n2,2026-05-01T10:00:00Z,x,extra\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        run(ws, path)
    assert info.value.location is not None and info.value.location.line == 3


def test_a_line_that_is_not_json_is_quarantined_the_rest_stored(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "e.jsonl"
    lines = [json.dumps(ROWS[0]), "{not json", json.dumps(ROWS[1]), "[1, 2]", json.dumps(ROWS[2])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(ws, path)
    assert (result.accepted, result.rejected) == (3, 2)
    assert result.files[0].quarantine is not None
    with Path(result.files[0].quarantine).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["line"] for r in rows] == ["2", "4"]
    assert "not JSON" in rows[0]["reason"]


def test_unknown_extension(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "e.dat"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the format"):
        run(ws, path)


def test_one_bad_file_does_not_spoil_the_others(ws: Workspace, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", ROWS)
    missing = tmp_path / "missing.csv"
    with pytest.raises(FileNotFoundError):
        ingest_files(ws, [good, missing], load_mapping(None), now=NOW)
    assert ws.scalar("SELECT count(*) FROM events") == 3


def test_one_quarantine_file_per_run_names_each_file(ws: Workspace, tmp_path: Path) -> None:
    bad = {"event_id": "x", "ts": "không rõ", "event": "page_view"}
    first = write_csv(tmp_path / "a.csv", [ROWS[0], bad])
    second = write_csv(tmp_path / "b.csv", [bad, ROWS[1]])
    result = ingest_files(ws, [first, second], load_mapping(None), now=NOW)
    assert (result.accepted, result.rejected) == (2, 2)
    body = result.to_dict()
    assert body["quarantine"] == result.files[0].quarantine == result.files[1].quarantine
    with Path(body["quarantine"]).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], r["line"]) for r in rows] == [("a.csv", "3"), ("b.csv", "2")]


def test_text_in_either_unicode_form_is_stored_composed(ws: Workspace, tmp_path: Path) -> None:
    """One system writes Vietnamese composed (NFC), another decomposed (NFD): both are
    stored NFC, so names, properties and identifiers match (a funnel, a filter, a merge)."""
    import unicodedata

    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    path = tmp_path / "mixed.csv"
    path.write_text(
        "event_id,ts,event,user_id,category\n"
        "1,2026-05-01T10:00:00Z,xem sản phẩm,Nguyễn,túi xách\n"
        f"{nfd('mã-ả')},2026-05-01T10:01:00Z,{nfd('xem sản phẩm')},{nfd('Nguyễn')},"
        f"{nfd('túi xách')}\n",
        encoding="utf-8",
    )
    assert run(ws, path).accepted == 2
    rows = ws.con.sql(
        "SELECT DISTINCT event, user_id, json_extract_string(properties, '$.category') FROM events"
    ).fetchall()
    assert rows == [("xem_sản_phẩm", "Nguyễn", "túi xách")]
    assert all(unicodedata.is_normalized("NFC", v) for v in rows[0])
    # event ids are keys, kept as written: a file imported before is still recognised
    assert ws.scalar("SELECT count(*) FROM events WHERE event_id = ?", [nfd("mã-ả")]) == 1
    nested = tmp_path / "nested.jsonl"  # properties as an object (a struct column)
    line = {"event_id": 9, "ts": "2026-05-01T10:02:00Z", "event": "x", "user_id": "u9"}
    nested.write_text(
        json.dumps({**line, "properties": {"category": nfd("túi xách")}}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert run(ws, nested).accepted == 1
    category = "SELECT json_extract_string(properties, '$.category') FROM events WHERE event = 'x'"
    assert ws.scalar(category) == "túi xách"


def test_json_lines_of_mixed_types_keep_text_without_quotes(ws: Workspace, tmp_path: Path) -> None:
    """A column that is text on one line and a number on another arrives as JSON values:
    stored as the text ("u1", not '"u1"'); an object where an id belongs is refused."""
    path = tmp_path / "mixed.jsonl"
    lines = [
        {"event_id": 1, "ts": "2026-05-01T10:00:00Z", "event": "view", "user_id": "u1"},
        {"event_id": 2, "ts": 1777629600, "event": "view", "user_id": 12345},
        {"event_id": 3, "ts": "2026-05-01T10:02:00Z", "event": "view", "user_id": {"x": 1}},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = run(ws, path)
    assert (result.accepted, result.rejected) == (2, 1)
    assert result.quarantine is not None
    ids = sorted(r[0] for r in ws.con.sql("SELECT user_id FROM events").fetchall())
    assert ids == ["12345", "u1"]
    with Path(result.quarantine).open(encoding="utf-8") as fh:
        (bad,) = list(csv.DictReader(fh))
    assert bad["field"] == "user_id" and "not a JSON object or list" in bad["reason"]


def test_a_bad_byte_is_blamed_on_its_own_line(ws: Workspace, tmp_path: Path) -> None:
    """In a small file too (reading the header as text decoded a whole buffer)."""
    path = tmp_path / "bad.csv"
    path.write_bytes(b"event_id,ts,event,user_id\n1,2026-05-01T10:00:00Z,vi\xe9w,u1\n")
    with pytest.raises(InputError) as info:
        run(ws, path)
    assert info.value.location is not None and info.value.location.line == 2


def test_csv_with_old_mac_line_ends_imports(ws: Workspace, tmp_path: Path) -> None:
    """Excel's "CSV (Macintosh)" ends lines with a bare CR."""
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b"event_id,ts,event,user_id\r1,2026-05-01T10:00:00Z,view,u1\r"
        b"2,2026-05-01T10:01:00Z,buy,u1\r"
    )
    assert run(ws, path).accepted == 2


def _import_twice(root: Path, tmp: Path) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """A first import, then one with a duplicate, a conflict, a repeat, a bad row and new
    rows: what each import reported, and what is stored."""
    first = tmp / "first.csv"
    second = tmp / "second.csv"
    fields = ["event_id", "ts", "event", "channel", "phone", "revenue"]
    rows_1 = [
        [1, "2026-05-01T10:00:00+07:00", "product_view", "web", "0903 123 456", ""],
        [2, "2026-05-01T10:05:00+07:00", "purchase", "web", "0903 123 456", "450.000"],
    ]
    rows_2 = [
        [1, "2026-05-01T10:00:00+07:00", "product_view", "web", "0903 123 456", ""],  # dup
        [2, "2026-05-01T10:05:00+07:00", "purchase", "web", "0903 123 456", "500.000"],  # conflict
        [3, "2026-05-02T09:00:00+07:00", "product_view", "zalo", "0912 000 111", ""],
        [3, "2026-05-02T09:00:00+07:00", "product_view", "zalo", "0912 000 111", ""],  # repeat
        [4, "not a time", "product_view", "web", "0912 000 111", ""],  # quarantined
        [5, "2026-05-03T08:00:00+07:00", "Đặt hàng", "store", "", "1.200.000 đ"],
    ]
    for path, rows in ((first, rows_1), (second, rows_2)):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(fields)
            writer.writerows(rows)
    reports = []
    with Workspace.init(root) as ws:
        for path in (first, second):
            done = asdict(ingest_files(ws, [path], load_mapping(None), now=NOW).files[0])
            done.pop("quarantine", None)  # a path with a time stamp
            done.pop("file", None)
            reports.append(done)
        stored = ws.con.execute(
            "SELECT * EXCLUDE (seq, import_id) FROM events ORDER BY event_id"
        ).fetchall()
    return reports, stored


def test_a_file_too_large_to_check_once_is_stored_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small files are checked once into a temporary table every later step reads; a file
    over ``CHECK_ONCE_ROWS`` is checked again by each step. Both store and report alike."""
    from journeyscope.events import ingest

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    once = _import_twice(tmp_path / "a" / "ws", tmp_path / "a")
    monkeypatch.setattr(ingest, "CHECK_ONCE_ROWS", 0)
    each_step = _import_twice(tmp_path / "b" / "ws", tmp_path / "b")
    assert once == each_step
    reports, stored = once
    assert (reports[1]["accepted"], reports[1]["duplicates"], reports[1]["rejected"]) == (2, 2, 1)
    assert reports[1]["conflicts"] == 1 and len(stored) == 4
