"""Hostile and careless inputs: nothing dropped silently, no traceback, the right exit code.

Each test reproduces a case of the probe in issue 16 (items 4 and 5) and the class around it:
stale XLSX dimensions, repeated headers, ids reused with other content, non-finite revenue,
text in other encodings, deep JSON, over-long lines, columns named like ours, and outputs
or workspaces that cannot be written.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from journeyscope.errors import InputError, OutputError, WorkspaceError
from journeyscope.events.ingest import IngestResult, ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace

NOW = datetime(2026, 11, 23, 12, 0)
TS = "2026-05-01T10:00:00+07:00"


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    with Workspace.init(tmp_path / "ws") as workspace:
        yield workspace


def run(ws: Workspace, *paths: Path, encoding: str | None = None) -> IngestResult:
    return ingest_files(ws, list(paths), load_mapping(None), now=NOW, encoding=encoding)


def rows(
    ws: Workspace, sql: str = "SELECT event_id, event, revenue FROM events ORDER BY seq"
) -> Any:
    return ws.con.execute(sql).fetchall()


def quarantined(result: IngestResult) -> list[dict[str, str]]:
    assert result.quarantine is not None
    with Path(result.quarantine).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------- XLSX: every row and column


def _sheet(path: Path, table: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in table:
        sheet.append(row)
    book.save(path)
    return path


def _stale_dimension(source: Path, target: Path, ref: str) -> Path:
    """Copy the workbook with the sheet's <dimension> tag rewritten, as some writers leave it."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data
                )
                assert n == 1, "the test workbook has no <dimension> tag to make stale"
            out.writestr(item, data)
    return target


def test_xlsx_stale_dimension_still_reads_every_row_and_column(
    ws: Workspace, tmp_path: Path
) -> None:
    table: list[list[Any]] = [["event_id", "ts", "event", "revenue"]]
    table += [[i, TS, "purchase", 1000 * i] for i in range(1, 11)]
    fresh = _sheet(tmp_path / "fresh.xlsx", table)
    stale = _stale_dimension(fresh, tmp_path / "stale.xlsx", "A1:B2")

    result = run(ws, stale)

    assert (result.accepted, result.rejected) == (10, 0)
    assert rows(ws, "SELECT count(*), sum(revenue) FROM events") == [(10, 55000.0)]


def test_xlsx_repeated_and_extra_headers_keep_every_cell_as_csv_does(
    ws: Workspace, tmp_path: Path
) -> None:
    header = ["event_id", "ts", "event", "shop", "Shop", "shop"]
    sheet = _sheet(
        tmp_path / "dup.xlsx",
        [header, [1, TS, "view", "a", "b", "c", "beyond the header"]],
    )
    text = tmp_path / "dup.csv"
    text.write_text(csv_text([",".join(header), f"2,{TS},view,a,b,c"]), encoding="utf-8")

    run(ws, sheet, text)

    props = [json.loads(p) for (p,) in rows(ws, "SELECT properties FROM events ORDER BY seq")]
    assert props[0] == {"shop": "a", "Shop_": "b", "shop__": "c", "column_7": "beyond the header"}
    assert props[1] == {"shop": "a", "Shop_": "b", "shop__": "c"}


# ------------------------------------------------------ ids reused with different content


def test_an_id_stored_with_other_content_is_reported_not_counted_as_duplicate(
    ws: Workspace, tmp_path: Path
) -> None:
    first = tmp_path / "orders-1.csv"
    first.write_text(
        csv_text(["event_id,ts,event,revenue", f"100,{TS},purchase,5", f"101,{TS},purchase,5"]),
        encoding="utf-8",
    )
    again = tmp_path / "orders-2.csv"
    again.write_text(
        csv_text(["event_id,ts,event,revenue", f"100,{TS},purchase,7", f"101,{TS},purchase,5"]),
        encoding="utf-8",
    )
    run(ws, first)

    result = run(ws, again)

    done = result.files[0]
    assert (done.accepted, done.duplicates, done.conflicts) == (0, 1, 1)
    assert done.conflict_examples == [{"line": 2, "event_id": "100"}]
    assert result.to_dict()["conflicts"] == 1
    assert rows(ws) == [("100", "purchase", 5.0), ("101", "purchase", 5.0)]  # first version kept


def test_an_id_repeated_inside_one_file_with_other_content_is_reported(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "repeat.jsonl"
    lines = [
        {"event_id": "a", "ts": TS, "event": "view"},
        {"event_id": "a", "ts": TS, "event": "view"},
        {"event_id": "b", "ts": TS, "event": "view"},
        {"event_id": "b", "ts": TS, "event": "purchase", "revenue": 9},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")

    done = run(ws, path).files[0]

    assert (done.accepted, done.duplicates, done.conflicts) == (2, 1, 1)
    assert done.conflict_examples == [{"line": 4, "event_id": "b"}]


def test_reimporting_the_same_file_reports_no_conflict(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "same.csv"
    path.write_text(
        csv_text(["event_id,ts,event,revenue,note", f"1,{TS},purchase,1.250.000 ₫,xin chào"]),
        encoding="utf-8",
    )
    run(ws, path)
    done = run(ws, path).files[0]
    assert (done.accepted, done.duplicates, done.conflicts) == (0, 1, 0)


# ------------------------------------------------------------------ non-finite revenue


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_nan_infinite_and_overflowing_revenue_is_quarantined(
    ws: Workspace, tmp_path: Path, suffix: str
) -> None:
    values: list[Any] = ["NaN", "inf", "-Infinity", "1e400", "250000"]
    path = tmp_path / f"revenue{suffix}"
    if suffix == ".csv":
        body = [f"{i},{TS},purchase,{v}" for i, v in enumerate(values)]
        path.write_text(csv_text(["event_id,ts,event,revenue", *body]), encoding="utf-8")
    elif suffix == ".jsonl":  # Python writes NaN/Infinity; 1e400 is a JSON number too large
        numbers = ["NaN", "Infinity", "-Infinity", "1e400", "250000"]
        path.write_text(
            "".join(
                f'{{"event_id": {i}, "ts": "{TS}", "event": "purchase", "revenue": {n}}}\n'
                for i, n in enumerate(numbers)
            ),
            encoding="utf-8",
        )
    else:
        floats = [float("nan"), float("inf"), float("-inf"), 1e308 * 10, 250000.0]
        table = {"event_id": list(range(5)), "ts": [TS] * 5, "event": ["purchase"] * 5}
        pq.write_table(pa.table({**table, "revenue": floats}), path)

    result = run(ws, path)

    assert (result.accepted, result.rejected) == (1, 4)
    assert rows(ws) == [("4", "purchase", 250000.0)]
    reasons = {(r["line"], r["field"], r["reason"]) for r in quarantined(result)}
    first = 2 if suffix == ".csv" else 1
    assert {line for line, _, _ in reasons} == {str(first + i) for i in range(4)}
    assert all(f == "revenue" and "finite" in why for _, f, why in reasons)


# ------------------------------------------------------------------------ text encodings


def _utf16_csv(encoding: str, bom: bytes = b"") -> bytes:
    text = csv_text(["event_id,ts,event,note", f"1,{TS},xem hàng,Cà phê sữa đá"])
    return bom + text.encode(encoding)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf-16 with its byte-order mark", _utf16_csv("utf-16")),
        ("utf-16-be with its byte-order mark", _utf16_csv("utf-16-be", codecs.BOM_UTF16_BE)),
        ("utf-16-le without a mark", _utf16_csv("utf-16-le")),
        ("utf-8 with a mark (Excel)", _utf16_csv("utf-8", codecs.BOM_UTF8)),
        ("utf-32 with its mark", _utf16_csv("utf-32")),
    ],
)
def test_unicode_csv_in_any_form_is_read_exactly(
    ws: Workspace, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    result = run(ws, path)
    assert result.accepted == 1, name
    assert rows(ws, "SELECT event, properties->>'note' FROM events") == [
        ("xem_hàng", "Cà phê sữa đá")
    ]


def test_a_legacy_encoding_needs_encoding_and_is_then_read_exactly(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(csv_text(["event_id,ts,event", f"1,{TS},xem hàng"]).encode("cp1258"))

    with pytest.raises(InputError) as refused:
        run(ws, path)
    assert "--encoding" in (refused.value.hint_en or "")
    assert rows(ws) == []

    assert run(ws, path, encoding="cp1258").accepted == 1
    assert rows(ws, "SELECT event FROM events") == [("xem_hàng",)]


def test_invalid_utf8_deep_in_a_csv_names_its_line_and_stores_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    body = "".join(f"{i},{TS},view\n" for i in range(4500))
    path = tmp_path / "late.csv"
    path.write_bytes(b"event_id,ts,event\n" + body.encode() + f"x,{TS},vi".encode() + b"\xff\n")

    with pytest.raises(InputError) as refused:
        run(ws, path)

    assert refused.value.location is not None
    assert refused.value.location.line == 4502
    assert "utf-8" in refused.value.message_en.lower()
    assert refused.value.message_vi != refused.value.message_en
    assert rows(ws) == []


def test_a_byte_the_given_encoding_cannot_read_names_its_line(
    ws: Workspace, tmp_path: Path
) -> None:
    good = csv_text(["event_id,ts,event", f"1,{TS},view", f"2,{TS},view"]).encode("utf-16-le")
    path = tmp_path / "broken16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + good + "3,".encode("utf-16-le") + b"\x00\xdc" + b"a\x00")

    with pytest.raises(InputError) as refused:
        run(ws, path)

    assert refused.value.location is not None
    assert refused.value.location.line == 4
    assert "utf-16" in refused.value.message_en


def test_an_unknown_encoding_name_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(csv_text(["event_id,ts,event", f"1,{TS},view"]), encoding="utf-8")
    with pytest.raises(InputError, match="unknown text encoding"):
        run(ws, path, encoding="klingon-8")


def test_json_lines_not_utf8_or_nested_too_deep_are_quarantined_by_line(
    ws: Workspace, tmp_path: Path
) -> None:
    good = json.dumps({"event_id": 1, "ts": TS, "event": "view"}).encode()
    deep = b'{"event_id": 2, "ts": "' + TS.encode() + b'", "event": "view", "p": '
    deep += b"[" * 5000 + b"]" * 5000 + b"}"
    latin = b'{"event_id": 3, "ts": "' + TS.encode() + b'", "event": "caf\xe9"}'
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([good, deep, latin, good.replace(b"1", b"4", 1)]) + b"\n")

    result = run(ws, path)

    assert rows(ws, "SELECT event_id FROM events ORDER BY event_id") == [("1",), ("4",)]
    reasons = {r["line"]: r["reason"] for r in quarantined(result)}
    assert set(reasons) == {"2", "3"}
    assert "nested deeper" in reasons["2"]
    assert "not UTF-8" in reasons["3"]


def test_json_lines_in_utf16_are_read(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    line = json.dumps({"event_id": 1, "ts": TS, "event": "mở app"}, ensure_ascii=False)
    path.write_bytes((line + "\n").encode("utf-16"))
    assert run(ws, path).accepted == 1
    assert rows(ws, "SELECT event FROM events") == [("mở_app",)]


def test_an_over_long_csv_line_keeps_duckdbs_reason(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(csv_text(["event_id,ts,event", f"1,{TS}," + "x" * 2_100_000]), encoding="utf-8")
    with pytest.raises(InputError, match=r"(?i)maximum line size") as refused:
        run(ws, path)
    assert refused.value.location is not None
    assert refused.value.location.line == 2


# ----------------------------------------------------- temporary copies of the user's rows


def _scratch_files(ws: Workspace) -> list[Path]:
    folder = ws.root / "tmp"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_decoded_copies_live_in_the_workspace_and_never_outlive_the_import(
    ws: Workspace, tmp_path: Path
) -> None:
    leftover = ws.root / "tmp" / "ingest" / "decoded-crashed.txt"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("0903123456,a row a crashed import left\n", encoding="utf-8")
    half = ws.root / "quarantine" / ".ingest-20260101T000000.csv.abc123.tmp"
    half.parent.mkdir()
    half.write_text("file,line,field,reason,record\nx.csv,2,ts,missing time,{}\n", "utf-8")
    ok = tmp_path / "ok.csv"
    ok.write_bytes(_utf16_csv("utf-16"))
    broken = tmp_path / "no-event.csv"  # decoded, then refused: the mapping lacks `event`
    broken.write_bytes(csv_text(["event_id,ts", f"1,{TS}"]).encode("utf-16"))
    mixed = tmp_path / "mixed.jsonl"  # some lines copied aside so DuckDB reads the rest
    mixed.write_text(
        json.dumps({"event_id": 9, "ts": TS, "event": "view"}) + "\nnot json\n", encoding="utf-8"
    )

    run(ws, ok, mixed)
    assert _scratch_files(ws) == []
    assert not half.exists()
    with pytest.raises(InputError):
        run(ws, broken)
    assert _scratch_files(ws) == []


# ------------------------------------------------------------ outputs and workspace paths


def test_a_quarantine_path_that_is_a_file_is_an_output_error_and_stores_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    (ws.root / "quarantine").write_text("not a folder", encoding="utf-8")
    path = tmp_path / "bad.csv"
    path.write_text(
        csv_text(["event_id,ts,event", f"1,{TS},view", "2,not a time,view"]), encoding="utf-8"
    )

    with pytest.raises(OutputError) as failed:
        run(ws, path)

    assert failed.value.exit_code == 4
    assert "quarantine" in failed.value.message_en
    assert rows(ws) == []  # the rejected row could not be kept, so the file is not stored


def test_a_folder_given_as_an_event_file_is_refused_by_name(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "exports.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        run(ws, folder)


def test_a_workspace_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="is a file"):
        Workspace.init(path)


# ---------------------------------------------------------------------------- the CLI


def test_cli_errors_are_json_with_the_documented_exit_codes(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    workspace = tmp_path / "ws"
    assert cli("init", "-w", workspace).code == 0
    latin = tmp_path / "latin.csv"
    latin.write_bytes(csv_text(["event_id,ts,event", f"1,{TS},xem hàng"]).encode("cp1258"))
    folder = tmp_path / "folder.csv"
    folder.mkdir()

    cases = [
        (("init", "-w", plain), 2, "invalid_workspace"),
        (("ingest", latin, "-w", workspace), 2, "invalid_encoding"),
        (("events", "export", "-w", workspace, "-o", tmp_path), 4, "output_failed"),
        (("events", "export", "-w", workspace, "-o", folder), 4, "output_failed"),
        (("events", "export", "-w", workspace, "-o", plain / "x.csv"), 4, "output_failed"),
    ]
    for args, code, name in cases:
        result = cli(*args, "--json")
        assert result.code == code, (args, result.out, result.err)
        error = json.loads(result.out)["error"]
        assert error["code"] == name
        assert error["location"]["file"], args
        assert "Traceback" not in result.err

    ok = cli("ingest", latin, "-w", workspace, "--encoding", "cp1258", "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["accepted"] == 1


def test_cli_reports_reused_ids_in_json_and_warns(cli: Callable[..., Any], tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    cli("init", "-w", workspace)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(csv_text(["event_id,ts,event", f"7,{TS},view"]), encoding="utf-8")
    second.write_text(csv_text(["event_id,ts,event", f"7,{TS},purchase"]), encoding="utf-8")
    cli("ingest", first, "-w", workspace)

    result = cli("ingest", second, "-w", workspace, "--json")

    assert result.code == 0
    data = result.json()
    assert data["conflicts"] == 1
    assert data["files"][0]["conflict_examples"] == [{"line": 2, "event_id": "7"}]
    assert "1" in result.err and "7" in result.err  # the warning line names count and id


# ------------------------------------------- columns named like ours, values DuckDB refuses


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_a_column_named_like_our_record_number_is_kept_under_another_name(
    ws: Workspace, tmp_path: Path, suffix: str
) -> None:
    table = [
        {"ts": TS, "event": "view", "_rec": 100, "_line": "x"},
        {"ts": TS, "event": "view", "_rec": 200, "_line": "y"},
    ]
    path = tmp_path / f"own{suffix}"
    if suffix == ".csv":
        path.write_text(
            csv_text(["ts,event,_rec,_line", f"{TS},view,100,x", f"{TS},view,200,y"]),
            encoding="utf-8",
        )
    elif suffix == ".jsonl":  # a second, broken line sends the file down the line-by-line path
        lines = [json.dumps(table[0]), "{broken", json.dumps(table[1])]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(table), path)
    else:
        _sheet(path, [list(table[0]), *[list(r.values()) for r in table]])

    run(ws, path)

    props = [json.loads(p) for (p,) in rows(ws, "SELECT properties FROM events ORDER BY seq")]
    assert [(str(p["_rec_"]), p["_line"]) for p in props] == [("100", "x"), ("200", "y")]
    seqs = [s & 0xFFFFFFFF for (s,) in rows(ws, "SELECT seq FROM events ORDER BY seq")]
    assert seqs[1] - seqs[0] in {1, 2}  # our record numbers, not the file's 100 and 200


def test_epoch_times_beyond_any_calendar_are_quarantined_not_a_refused_file(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "epoch.parquet"
    table = {"ts": [1714532400.0, 1e300, float("nan")], "event": ["view"] * 3}
    pq.write_table(pa.table(table), path)

    result = run(ws, path)

    assert (result.accepted, result.rejected) == (1, 2)
    assert {r["field"] for r in quarantined(result)} == {"ts"}


def test_a_properties_column_of_plain_text_is_kept_as_text(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "props.csv"
    path.write_text(
        csv_text(["ts,event,properties", f'{TS},view,"{{""a"": 1}}"', f"{TS},view,gift wrap"]),
        encoding="utf-8",
    )
    assert run(ws, path).accepted == 2
    assert rows(ws, "SELECT CAST(properties AS VARCHAR) FROM events ORDER BY seq") == [
        ('{"a": 1}',),
        ('"gift wrap"',),
    ]


def test_a_mapping_path_that_is_a_folder_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "shop.yaml"
    folder.mkdir()
    with pytest.raises(InputError, match="cannot read") as refused:
        load_mapping(folder)
    assert refused.value.exit_code == 2


def test_a_scratch_path_that_is_a_file_is_an_output_error(ws: Workspace, tmp_path: Path) -> None:
    (ws.root / "tmp").write_text("not a folder", encoding="utf-8")
    path = tmp_path / "a.csv"
    path.write_bytes(_utf16_csv("utf-16"))
    with pytest.raises(OutputError, match="scratch") as failed:
        run(ws, path)
    assert failed.value.exit_code == 4
    assert rows(ws) == []
