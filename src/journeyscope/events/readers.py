"""Readers: put one source file in front of DuckDB as the relation ``src`` with ``_rec``.

``_rec`` is the 0-based record number; :attr:`Staged.first_line` turns it into the line (or
row) users see. DuckDB reads every format; when it refuses a file, a small Python scan finds
the line to blame, so the error says where and what, not just "could not sniff".
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa

from journeyscope.errors import InputError, Location, missing_file
from journeyscope.events.mapping import FORMATS, Mapping

SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}


@dataclass
class Staged:
    """A source file registered as the view ``src`` (its columns plus ``_rec``)."""

    path: Path
    kind: str
    columns: dict[str, str]
    first_line: int  # line (CSV, JSON Lines) or row (XLSX, Parquet) number of record 0
    bad_records: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, why)
    cleanup: list[Path] = field(default_factory=list)
    line_map: bool = False  # `_rec` already holds the line number

    def line_sql(self, rec: str = "_rec") -> str:
        return rec if self.line_map else f"({rec} + {self.first_line})"

    def close(self) -> None:
        for path in self.cleanup:
            path.unlink(missing_ok=True)


def file_kind(path: Path, mapping: Mapping) -> str:
    if mapping.format:
        return mapping.format
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None and path.suffix.lower() == ".gz":
        kind = SUFFIXES.get(Path(path.stem).suffix.lower())
    if kind is None:
        raise InputError(
            f"cannot tell the format of {path.name} from its extension",
            f"không nhận ra định dạng của {path.name} từ phần mở rộng",
            location=Location(str(path)),
            hint_en=f"use one of {', '.join(sorted(SUFFIXES))} or set `format:` "
            f"({', '.join(FORMATS)}) in the mapping",
            hint_vi=f"dùng một trong {', '.join(sorted(SUFFIXES))} "
            "hoặc đặt `format:` trong tệp ánh xạ",
        )
    return kind


def stage(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping) -> Staged:
    """Register ``path`` as the view ``src``; raise :class:`InputError` naming file and line."""
    if not path.is_file():
        raise missing_file(path)
    kind = file_kind(path, mapping)
    con.execute("DROP VIEW IF EXISTS src")
    con.execute("DROP TABLE IF EXISTS src_raw")
    reader = {
        "parquet": _parquet,
        "csv": _csv,
        "tsv": _csv,
        "jsonl": _jsonl,
        "xlsx": _xlsx,
    }[kind]
    staged = reader(con, path, mapping, kind)
    described = con.execute("DESCRIBE src").fetchall()
    staged.columns = {str(r[0]): str(r[1]) for r in described if r[0] != "_rec"}
    return staged


def _bad_file(path: Path, what_en: str, what_vi: str, line: int | None = None) -> InputError:
    return InputError(
        what_en,
        what_vi,
        location=Location(str(path), line),
        hint_en="fix the file (or export it again) and re-run the import; "
        "nothing from it was stored",
        hint_vi="sửa tệp (hoặc xuất lại) rồi nhập lại; chưa có dòng nào của tệp được lưu",
    )


def _parquet(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, kind: str) -> Staged:
    try:
        # count(*) reads the footer only, and fetches no value (TIMESTAMPTZ would need pytz)
        con.execute("SELECT count(*) FROM read_parquet($path)", {"path": str(path)}).fetchall()
        rel = con.read_parquet(str(path), file_row_number=True)
    except duckdb.Error as exc:
        raise _bad_file(
            path,
            f"not a readable Parquet file ({_first_line(exc)}); is it truncated?",
            f"không đọc được tệp Parquet ({_first_line(exc)}); tệp có bị cắt cụt không?",
        ) from exc
    rel.create_view("src_file", replace=True)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW src AS "
        "SELECT * EXCLUDE (file_row_number), file_row_number AS _rec FROM src_file"
    )
    return Staged(path, kind, {}, first_line=1)


def _first_line(exc: BaseException) -> str:
    text = str(exc).split("\n", 1)[0]
    return text.removeprefix("Invalid Input Error: ")


def sniff_delimiter(path: Path, kind: str, mapping: Mapping) -> str:
    if mapping.delimiter:
        return mapping.delimiter
    if kind == "tsv":
        return "\t"
    with _open_text(path) as handle:
        header = handle.readline()
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_text(path: Path):  # type: ignore[no-untyped-def]
    if path.suffix.lower() == ".gz":
        import gzip

        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _header(path: Path, delimiter: str) -> list[str]:
    """Column names from the first record, made unique and non-empty."""
    with _open_text(path) as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    names: list[str] = []
    for index, raw in enumerate(first):
        name = raw.strip() or f"column_{index + 1}"
        while name in names:
            name += "_"
        names.append(name)
    return names


def _csv(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, kind: str) -> Staged:
    delimiter = sniff_delimiter(path, kind, mapping)
    try:
        header = _header(path, delimiter)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _bad_file(
            path, f"unreadable header line ({exc})", f"không đọc được dòng tiêu đề ({exc})", 1
        ) from exc
    if not header:
        raise _bad_file(path, "the file is empty", "tệp rỗng", 1)
    try:
        # The header is read here and the dialect given in full: DuckDB's sniffer would
        # otherwise skip "inconsistent" leading rows without a word.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE src_raw AS SELECT * FROM read_csv($path, header = false, "
            "skip = 1, auto_detect = false, columns = $columns, delim = $delim, quote = '\"', "
            "escape = '\"', strict_mode = true)",
            {"path": str(path), "delim": delimiter, "columns": dict.fromkeys(header, "VARCHAR")},
        )
    except (duckdb.Error, UnicodeDecodeError) as exc:
        raise _csv_error(path, delimiter, exc) from exc
    con.execute("CREATE OR REPLACE TEMP VIEW src AS SELECT *, rowid AS _rec FROM src_raw")
    return Staged(path, kind, {}, first_line=2)


def _csv_error(path: Path, delimiter: str, exc: BaseException) -> InputError:
    """DuckDB names the line; turn its report into one sentence, or scan for the line."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if line is None:
        return _diagnose_csv(path, delimiter, exc)
    number = int(line.group(1))
    if "unterminated quote" in text:
        return _bad_file(
            path,
            f"broken quoting: a quote opened on line {number} is never closed",
            f"lỗi dấu ngoặc kép: dấu mở ở dòng {number} không được đóng",
            number,
        )
    width = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if width:
        want, got = width.groups()
        return _bad_file(
            path,
            f"line {number} has {got} columns, the header has {want}",
            f"dòng {number} có {got} cột, dòng tiêu đề có {want}",
            number,
        )
    detail = text.rsplit("\n", maxsplit=1)[-1] if "\n" in text else text
    return _bad_file(
        path, f"unreadable CSV: {_first_line(exc)}", f"CSV không đọc được: {detail}", number
    )


def _diagnose_csv(path: Path, delimiter: str, exc: BaseException) -> InputError:
    """DuckDB gave no line: scan with Python's csv for an unclosed quote or a ragged row."""
    start = 1
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            width = None
            for row in reader:
                if width is None:
                    width = len(row)
                elif row and len(row) != width:
                    return _bad_file(
                        path,
                        f"line {start} has {len(row)} columns, the header has {width}",
                        f"dòng {start} có {len(row)} cột, dòng tiêu đề có {width}",
                        start,
                    )
                start = reader.line_num + 1
    except csv.Error as error:
        return _bad_file(
            path,
            f"broken quoting near line {start} ({error})",
            f"lỗi dấu ngoặc kép gần dòng {start} ({error})",
            start,
        )
    except UnicodeDecodeError:
        return _bad_file(path, "the file is not UTF-8 text", "tệp không phải văn bản UTF-8")
    return _bad_file(
        path,
        f"not a readable CSV file: {_first_line(exc)}",
        f"không đọc được tệp CSV: {_first_line(exc)}",
    )


def _jsonl(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, kind: str) -> Staged:
    staged = Staged(path, kind, {}, first_line=1)
    try:
        con.read_json(str(path), format="newline_delimited").to_table("src_raw")
    except duckdb.Error:
        # Some lines are not JSON objects: keep the good ones, quarantine the rest by line.
        good, staged.bad_records = _split_json_lines(path)
        if not good:
            raise _bad_file(
                path, "no line of the file is a JSON object", "không dòng nào là đối tượng JSON"
            ) from None
        fd, tmp = tempfile.mkstemp(suffix=".jsonl", prefix="journeyscope-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for line_no, text in good:
                obj = json.loads(text)
                obj["_line"] = line_no
                handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
        staged.cleanup.append(Path(tmp))
        con.read_json(tmp, format="newline_delimited").to_table("src_raw")
        con.execute(
            "CREATE OR REPLACE TEMP VIEW src AS "
            "SELECT * EXCLUDE (_line), _line AS _rec FROM src_raw"
        )
        staged.line_map = True
        return staged
    con.execute("CREATE OR REPLACE TEMP VIEW src AS SELECT *, rowid AS _rec FROM src_raw")
    return staged


def _split_json_lines(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str, str]]]:
    good: list[tuple[int, str]] = []
    bad: list[tuple[int, str, str]] = []
    with _open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                bad.append((number, "(line)", f"not JSON: {exc.msg} at column {exc.colno}"))
                continue
            if not isinstance(value, dict):
                bad.append((number, "(line)", "not a JSON object"))
                continue
            good.append((number, text))
    return good, bad


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[object, ...]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputError(
                f"no sheet {sheet!r} in {path.name}",
                f"không có trang tính {sheet!r} trong {path.name}",
                location=Location(str(path)),
                hint_en=f"sheets: {', '.join(workbook.sheetnames)}",
                hint_vi=f"các trang tính: {', '.join(workbook.sheetnames)}",
            )
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        yield from ws.iter_rows(values_only=True)
    finally:
        workbook.close()


def _xlsx(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, kind: str) -> Staged:
    try:
        rows = _xlsx_rows(path, mapping.sheet)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        body = [[_cell(v) for v in row] for row in rows]
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise _bad_file(
            path, f"not a readable XLSX workbook ({exc})", f"không đọc được tệp XLSX ({exc})"
        ) from exc
    names = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    columns = {
        name: pa.array([row[i] if i < len(row) else None for row in body], pa.string())
        for i, name in enumerate(names)
    }
    columns["_rec"] = pa.array(range(len(body)), pa.int64())
    table = pa.table(columns)
    con.register("src_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE src_raw AS SELECT * FROM src_arrow")
    con.unregister("src_arrow")
    con.execute("CREATE OR REPLACE TEMP VIEW src AS SELECT * FROM src_raw")
    return Staged(path, kind, {}, first_line=2)
