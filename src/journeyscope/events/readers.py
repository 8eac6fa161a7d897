"""Readers: put one source file in front of DuckDB as the relation ``src`` with ``_rec``.

``_rec`` is the 0-based record number; :attr:`Staged.first_line` turns it into the line (or
row) users see. DuckDB reads every format; when it refuses a file, a small Python scan finds
the line to blame, so the error says where and what, not just "could not sniff".

Text that is not UTF-8 (a UTF-16 export from Excel, a Windows-1258 file) is decoded
strictly, by its byte-order mark or the user's ``--encoding``, into a UTF-8 copy in the
workspace's scratch folder, removed when the file is done (and on the next import, after a
crash): a byte the encoding cannot read is an error naming its line, never a silent ``?``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa

from journeyscope.errors import InputError, Location, OutputError, missing_file
from journeyscope.events.mapping import FORMATS, Mapping
from journeyscope.events.query import quote

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
TEXT_KINDS = ("csv", "tsv", "jsonl")
#: Byte-order marks and the codec that reads what follows them (UTF-32 LE before UTF-16 LE,
#: whose mark it starts with).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: DuckDB refuses JSON nested deeper than 128; lines deeper than this are quarantined.
MAX_JSON_DEPTH = 100


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
            code="unsupported_format",
        )
    return kind


def stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: Mapping,
    *,
    encoding: str | None = None,
    scratch: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
    types: dict[str, str] | None = None,
) -> Staged:
    """Register ``path`` as the view ``src``; raise :class:`InputError` naming file and line.

    ``encoding`` is the text encoding of CSV/JSON Lines (default: by byte-order mark, else
    UTF-8); ``scratch`` is where a decoded copy may be written (the workspace's, so no copy
    of the user's rows lands in a shared temporary folder); ``progress`` hears how far the
    reading of a sheet has gone (label, percent). ``types``: the DuckDB type of every key
    of a JSON Lines file whose writer knows them (the collection loader's staging files):
    read as given, without sampling the file to detect them; a file they do not fit is
    read the usual way."""
    if path.is_dir():
        raise _bad_file(
            path,
            f"{path.name} is a folder, not a file",
            f"{path.name} là thư mục, không phải tệp",
            hint=("name the files inside it (e.g. folder/*.csv)", "hãy liệt kê các tệp bên trong"),
        )
    if not path.is_file():
        raise missing_file(path)
    kind = file_kind(path, mapping)
    con.execute("DROP VIEW IF EXISTS src")
    con.execute("DROP TABLE IF EXISTS src_raw")
    if kind in TEXT_KINDS:
        staged = _stage_text(con, path, mapping, kind, encoding, scratch, types)
    elif kind == "xlsx":
        staged = _xlsx(con, path, mapping, kind, scratch, progress)
    else:
        staged = _parquet(con, path, mapping, kind)
    described = con.execute("DESCRIBE src").fetchall()
    staged.columns = {str(r[0]): str(r[1]) for r in described if r[0] != "_rec"}
    return staged


def _stage_text(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: Mapping,
    kind: str,
    encoding: str | None,
    scratch: Path | None,
    types: dict[str, str] | None = None,
) -> Staged:
    """CSV or JSON Lines, read from a UTF-8 copy when the file is in another encoding."""
    data = utf8_source(path, encoding, scratch)
    try:
        if kind == "jsonl":
            staged = _jsonl(con, path, mapping, kind, data, scratch, types)
        else:
            staged = _csv(con, path, mapping, kind, data)
    except BaseException:
        if data != path:
            data.unlink(missing_ok=True)
        raise
    if data != path:
        staged.cleanup.append(data)
    return staged


def _read_head(path: Path, size: int = 4096) -> bytes:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            return bytes(handle.read(size))
    except (OSError, EOFError) as exc:
        raise _bad_file(
            path, f"cannot read the file ({exc})", f"không đọc được tệp ({exc})"
        ) from exc


def text_codec(path: Path, given: str | None) -> tuple[str, int]:
    """(codec, bytes of byte-order mark to skip): the user's encoding, else the file's
    byte-order mark, else UTF-16 recognised by its zero bytes, else UTF-8."""
    head = _read_head(path)
    if given:
        try:
            name = codecs.lookup(given).name
        except LookupError:
            raise InputError(
                f"unknown text encoding {given!r}",
                f"không biết bảng mã {given!r}",
                location=Location(str(path), field="--encoding"),
                hint_en="e.g. utf-8, utf-16, cp1258 (Vietnamese Windows), cp1252, latin-1",
                hint_vi="ví dụ utf-8, utf-16, cp1258 (Windows tiếng Việt), cp1252, latin-1",
                code="invalid_encoding",
            ) from None
        family = name.replace("-sig", "").removesuffix("-le").removesuffix("-be")
        for bom, codec in BOMS:
            if head.startswith(bom) and codec.startswith(family):
                return codec, len(bom)
        return ("utf-16-le" if name == "utf-16" else name), 0
    for bom, codec in BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    even, odd = head[0:400:2], head[1:400:2]
    if len(head) >= 4 and odd.count(0) > len(odd) // 2 and not even.count(0):
        return "utf-16-le", 0
    if len(head) >= 4 and even.count(0) > len(even) // 2 and not odd.count(0):
        return "utf-16-be", 0
    return "utf-8", 0


def utf8_source(path: Path, encoding: str | None, scratch: Path | None) -> Path:
    """``path`` itself when it is UTF-8, else a strictly decoded UTF-8 copy in ``scratch``."""
    codec, skip = text_codec(path, encoding)
    if codec == "utf-8":
        return path
    folder = scratch or Path(tempfile.gettempdir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="decoded-", suffix=".txt", dir=folder)
    except OSError as exc:
        raise _scratch_error(folder, exc) from exc
    copy = Path(name)
    try:
        _decode_into(path, codec, skip, fd)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


def _scratch_error(folder: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"cannot write the scratch folder {folder}: {exc.strerror or exc}",
        f"không ghi được thư mục tạm {folder}: {exc.strerror or exc}",
        location=Location(str(folder)),
        hint_en="the workspace folder must be writable (and tmp/ in it a folder)",
        hint_vi="thư mục workspace phải ghi được (và tmp/ trong đó phải là thư mục)",
    )


def _decode_into(path: Path, codec: str, skip: int, fd: int) -> None:
    """Decode in blocks; a byte the codec cannot read fails with its line number."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    lines = 0
    with opener(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
        src.read(skip)
        while True:
            block = src.read(1 << 20)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                before = bytes(exc.object[: exc.start]).decode(codec, "replace")
                line = lines + before.count("\n") + 1
                raise _bad_file(
                    path,
                    f"line {line} is not {codec} text ({exc.reason})",
                    f"dòng {line} không phải văn bản {codec} ({exc.reason})",
                    line,
                    hint=_ENCODING_HINT,
                ) from None
            lines += text.count("\n")
            dst.write(text)
            if not block:
                return


_ENCODING_HINT = (
    "say the file's encoding with --encoding (e.g. utf-16, cp1258, cp1252), "
    "or save it as UTF-8; nothing from it was stored",
    "chỉ rõ bảng mã của tệp bằng --encoding (ví dụ utf-16, cp1258, cp1252), "
    "hoặc lưu tệp dạng UTF-8; chưa có dòng nào của tệp được lưu",
)


def _bad_file(
    path: Path,
    what_en: str,
    what_vi: str,
    line: int | None = None,
    hint: tuple[str, str] | None = None,
) -> InputError:
    return InputError(
        what_en,
        what_vi,
        location=Location(str(path), line),
        hint_en=hint[0]
        if hint
        else "fix the file (or export it again) and re-run the import; nothing from it was stored",
        hint_vi=hint[1]
        if hint
        else "sửa tệp (hoặc xuất lại) rồi nhập lại; chưa có dòng nào của tệp được lưu",
        # the encoding hint marks text that is not in the encoding read: a cause of its own
        code="invalid_encoding" if hint is _ENCODING_HINT else "invalid_file",
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
    _view_with_rec(con, "src_file", "file_row_number")
    return Staged(path, kind, {}, first_line=1)


def _view_with_rec(con: duckdb.DuckDBPyConnection, source: str, rec: str) -> None:
    """``src``: every column of ``source`` under a unique name (a column the file itself
    calls ``_rec`` arrives as ``_rec_``), plus the record number ``rec`` as ``_rec``."""
    described = con.execute(f"DESCRIBE {source}").fetchall()
    columns = [str(r[0]) for r in described if str(r[0]) != rec]
    chosen = "".join(
        f"{quote(c)} AS {quote(n)}, " for c, n in zip(columns, unique_names(columns), strict=True)
    )
    number = rec if rec == "rowid" else quote(rec)  # rowid: DuckDB's own, never quoted
    con.execute(f"CREATE OR REPLACE TEMP VIEW src AS SELECT {chosen}{number} AS _rec FROM {source}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).split("\n", 1)[0]
    return text.removeprefix("Invalid Input Error: ")


def sniff_delimiter(path: Path, kind: str, mapping: Mapping) -> str:
    """The delimiter: the mapping's, tab for TSV, else the most frequent one in the header."""
    if mapping.delimiter:
        return mapping.delimiter
    if kind == "tsv":
        return "\t"
    header = _header_line(path)
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_text(path: Path):  # type: ignore[no-untyped-def]
    if path.suffix.lower() == ".gz":
        import gzip

        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def unique_names(raw: list[str]) -> list[str]:
    """Column names made non-empty (``column_N``) and unique (``x``, ``x_``, ``x__``), so two
    columns with one name both arrive instead of the second hiding the first. ``_rec``
    (the record number we add) is taken already; case does not tell names apart."""
    names: list[str] = []
    taken = {"_rec"}
    for index, text in enumerate(raw):
        name = text.strip() or f"column_{index + 1}"
        while name.lower() in taken:  # DuckDB's names ignore case
            name += "_"
        names.append(name)
        taken.add(name.lower())
    return names


#: How far the header line is looked for (a longer first line is read as text instead).
HEADER_BYTES = 1 << 20


def _header_line(path: Path) -> str:
    """The first line alone, decoded: reading it as text would decode a whole buffer, and a
    bad byte on line 2 of a small file would be blamed on the header."""
    if path.suffix.lower() == ".gz":
        import gzip

        with gzip.open(path, "rb") as packed:
            raw = packed.read(HEADER_BYTES)
    else:
        with path.open("rb") as handle:
            raw = handle.read(HEADER_BYTES)
    ends = [i for i in (raw.find(b"\n"), raw.find(b"\r")) if i >= 0]  # \r: old Mac/Excel
    return raw[: min(ends)].decode("utf-8-sig") if ends else raw.decode("utf-8-sig")


def _header(path: Path, delimiter: str) -> list[str]:
    """Column names from the first record, made unique and non-empty."""
    line = _header_line(path)
    if line.count('"') % 2 == 0:  # the record is this line (no quoted line break)
        return unique_names(next(csv.reader([line], delimiter=delimiter), []))
    with _open_text(path) as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    return unique_names(first)


def _csv(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, kind: str, data: Path
) -> Staged:
    """CSV/TSV from ``data`` (``path`` itself, or its UTF-8 copy); errors name ``path``."""
    try:
        delimiter = sniff_delimiter(data, kind, mapping)
        header = _header(data, delimiter)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _bad_file(
            path,
            f"unreadable header line ({exc})",
            f"không đọc được dòng tiêu đề ({exc})",
            1,
            hint=_ENCODING_HINT if isinstance(exc, UnicodeDecodeError) else None,
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
            {"path": str(data), "delim": delimiter, "columns": dict.fromkeys(header, "VARCHAR")},
        )
    except (duckdb.Error, UnicodeDecodeError) as exc:
        raise _csv_error(path, data, delimiter, exc) from exc
    con.execute("CREATE OR REPLACE TEMP VIEW src AS SELECT *, rowid AS _rec FROM src_raw")
    return Staged(path, kind, {}, first_line=2)


def _csv_error(path: Path, data: Path, delimiter: str, exc: BaseException) -> InputError:
    """DuckDB names the line; turn its report into one sentence, or scan for the line."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if line is None:
        return _diagnose_csv(path, data, delimiter, exc)
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
    reason = _duckdb_reason(text)
    not_utf8 = "not utf-8 encoded" in text
    return _bad_file(
        path,
        f"unreadable CSV on line {number}: {reason}",
        f"CSV không đọc được ở dòng {number}: {reason}",
        number,
        hint=_ENCODING_HINT if not_utf8 else None,
    )


def _duckdb_reason(text: str) -> str:
    """DuckDB's own reason (e.g. "Maximum line size of 2000000 bytes exceeded"), which
    follows the line it quotes, without its dump of the CSV settings."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("Original Line:"):
            for reason in lines[index + 1 :]:
                if reason.strip() and not reason.startswith("Possible"):
                    return reason.strip()[:300]
    return lines[0].removeprefix("Invalid Input Error: ")[:300]


def _diagnose_csv(path: Path, data: Path, delimiter: str, exc: BaseException) -> InputError:
    """DuckDB gave no line: scan with Python's csv for an unclosed quote or a ragged row."""
    start = 1
    try:
        with _open_text(data) as handle:
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
    except UnicodeDecodeError as error:
        return _bad_file(
            path,
            f"the file is not UTF-8 text ({error.reason}) near line {start}",
            f"tệp không phải văn bản UTF-8 ({error.reason}) gần dòng {start}",
            start,
            hint=_ENCODING_HINT,
        )
    return _bad_file(
        path,
        f"not a readable CSV file: {_first_line(exc)}",
        f"không đọc được tệp CSV: {_first_line(exc)}",
    )


def _jsonl(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: Mapping,
    kind: str,
    data: Path,
    scratch: Path | None,
    types: dict[str, str] | None = None,
) -> Staged:
    """JSON Lines from ``data``; when DuckDB refuses some lines, the JSON objects among them
    are copied (to ``scratch``) and read, and every other line is quarantined by number."""
    staged = Staged(path, kind, {}, first_line=1)
    try:
        _json_table(con, str(data), types)
    except duckdb.Error as exc:
        # Some lines are not JSON objects: keep the good ones, quarantine the rest by line.
        good, staged.bad_records = _split_json_lines(data)
        if not good:
            raise _bad_file(
                path,
                f"no line of the file is a JSON object ({_first_line(exc)})",
                f"không dòng nào là đối tượng JSON ({_first_line(exc)})",
            ) from None
        folder = scratch or Path(tempfile.gettempdir())
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".jsonl", prefix="lines-", dir=folder)
        except OSError as error:
            raise _scratch_error(folder, error) from error
        staged.cleanup.append(Path(tmp))
        key = "_line"  # the line number's key: one no object uses
        while any(key.lower() in (k.lower() for k in obj) for _, obj in good):
            key += "_"
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for line_no, obj in good:
                    obj[key] = line_no
                    handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
            _json_table(con, tmp)
        except (duckdb.Error, ValueError) as error:
            staged.close()
            raise _bad_file(
                path,
                f"unreadable JSON Lines: {_first_line(error)}",
                f"JSON Lines không đọc được: {_first_line(error)}",
            ) from None
        except BaseException:
            staged.close()
            raise
        _view_with_rec(con, "src_raw", key)
        staged.line_map = True
        return staged
    _view_with_rec(con, "src_raw", "rowid")
    return staged


def _json_table(
    con: duckdb.DuckDBPyConnection, file: str, types: dict[str, str] | None = None
) -> None:
    """``src_raw`` as a TEMP table: a table in the database would write the user's rows into
    the workspace file, where freed blocks keep them after the drop — rows of a forgotten
    person too, which the import then drops (tests/identity/test_forget.py).

    With ``types``, the keys are read as those types (no sampling); when a line does not
    fit them, as detected."""
    if types is not None:
        try:
            _as_src_raw(con, con.read_json(file, format="newline_delimited", columns=types))
            return
        except duckdb.Error:
            con.execute("DROP VIEW IF EXISTS src_file")
    _as_src_raw(con, con.read_json(file, format="newline_delimited"))


def _as_src_raw(con: duckdb.DuckDBPyConnection, rows: duckdb.DuckDBPyRelation) -> None:
    rows.create_view("src_file", replace=True)
    con.execute("CREATE OR REPLACE TEMP TABLE src_raw AS SELECT * FROM src_file")
    con.execute("DROP VIEW src_file")


def _split_json_lines(
    path: Path,
) -> tuple[list[tuple[int, dict[str, object]]], list[tuple[int, str, str]]]:
    """(line, object) for every JSON object line; (line, field, why) for every other line.

    Lines are decoded one by one, so a line that is not UTF-8 is quarantined alone."""
    good: list[tuple[int, dict[str, object]]] = []
    bad: list[tuple[int, str, str]] = []
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            why, value = _json_line(bytes(raw), number == 1)
            if why:
                bad.append((number, "(line)", why))
            elif value is not None:
                good.append((number, value))
    return good, bad


def _json_line(raw: bytes, first: bool) -> tuple[str | None, dict[str, object] | None]:
    """(why the line is refused, or None; the object, or None for a blank line)."""
    try:
        text = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text ({exc.reason} at byte {exc.start + 1})", None
    if not text.strip():
        return None, None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg} at column {exc.colno}", None
    except RecursionError:
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels", None
    if not isinstance(value, dict):
        return "not a JSON object", None
    if _depth(value) > MAX_JSON_DEPTH:
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels", None
    return None, value


def _depth(value: object) -> int:
    """How deep lists and objects nest (iteratively: no recursion on hostile input)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _trimmed(cells: list[str | None] | list[str]) -> list[str | None]:
    """A row without its empty cells at the right end."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return list(cells[:end])


def _xlsx_rows(
    path: Path, sheet: str | None, on_size: Callable[[int | None], None] | None = None
) -> Iterator[tuple[object, ...]]:
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
                code="invalid_file",
            )
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        if on_size is not None:
            on_size(ws.max_row)  # what the <dimension> tag claims: an estimate for progress
        if hasattr(ws, "reset_dimensions"):
            # read-only mode trusts the sheet's <dimension> tag, which some writers leave
            # stale (A1:B2 over ten rows): forget it and read every row and cell there is
            ws.reset_dimensions()
        if hasattr(ws, "_get_source"):  # read-only sheet: stream it in constant memory
            from journeyscope.events.spill import sheet_values

            yield from sheet_values(ws)
        else:
            yield from ws.iter_rows(values_only=True)
    finally:
        workbook.close()


def _xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: Mapping,
    kind: str,
    scratch: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Staged:
    """A sheet streamed row by row (openpyxl's read-only mode) into Parquet batches in the
    scratch folder, so a million-row workbook imports in the memory of one batch."""
    from journeyscope.events.spill import spill_rows

    label = f"{path.name}: reading"
    claimed: list[int | None] = [None]

    def report(done: int) -> None:
        if progress is not None:
            total = claimed[0]
            progress(label, min(99.0, 100.0 * done / total) if total else 0.0)

    try:
        rows = _xlsx_rows(path, mapping.sheet, on_size=lambda n: claimed.__setitem__(0, n))
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        named = [h or "" for h in _trimmed(header)]
        body = (_trimmed([_cell(v) for v in row]) for row in rows)
        spilled = spill_rows(body, scratch or Path(tempfile.gettempdir()), len(named), report)
    except (InputError, OutputError):
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise _bad_file(
            path, f"not a readable XLSX workbook ({exc})", f"không đọc được tệp XLSX ({exc})"
        ) from exc
    # cells right of the header get a name too (column_N) rather than being left out
    names = unique_names(named + [""] * (spilled.width - len(named)))
    try:
        _sheet_view(con, names, spilled.files)
    except BaseException:
        spilled.remove()
        raise
    if progress is not None:
        progress(label, 100.0)
    return Staged(path, kind, {}, first_line=2, cleanup=list(spilled.files))


def _sheet_view(con: duckdb.DuckDBPyConnection, names: list[str], files: list[Path]) -> None:
    """``src``: the batch files' columns ``c0…`` under the sheet's header names."""
    if files:
        con.read_parquet([str(f) for f in files], union_by_name=True).create_view(
            "src_file", replace=True
        )
        chosen = "".join(
            f'c{i} AS "{name.replace(chr(34), chr(34) * 2)}", ' for i, name in enumerate(names)
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW src AS SELECT {chosen}_rec FROM src_file")
        return
    columns = {name: pa.array([], pa.string()) for name in names}
    columns["_rec"] = pa.array([], pa.int64())
    con.register("src_arrow", pa.table(columns))
    con.execute("CREATE OR REPLACE TEMP TABLE src_raw AS SELECT * FROM src_arrow")
    con.unregister("src_arrow")
    con.execute("CREATE OR REPLACE TEMP VIEW src AS SELECT * FROM src_raw")


def import_failed(path: Path, exc: duckdb.Error) -> InputError | OutputError:
    """A DuckDB error met while importing ``path``, located and with DuckDB's reason kept:
    the workspace's disk or memory failing is an output error, anything else the file's."""
    reason = _duckdb_reason(str(exc))
    if isinstance(exc, duckdb.IOException | duckdb.OutOfMemoryException):
        return OutputError(
            f"could not store {path.name} in the workspace: {reason}",
            f"không lưu được {path.name} vào workspace: {reason}",
            location=Location(str(path)),
            hint_en="check free disk space and memory, then import the file again "
            "(nothing from it was stored)",
            hint_vi="kiểm tra dung lượng đĩa và bộ nhớ rồi nhập lại tệp "
            "(chưa có dòng nào của tệp được lưu)",
        )
    return _bad_file(path, f"could not import the file: {reason}", f"không nhập được tệp: {reason}")


def fresh_scratch(root: Path) -> Path:
    """The workspace's scratch folder for decoded copies, emptied first: copies a crashed
    import left behind hold the user's rows and must not outlive it. Only a process that
    holds the workspace for writing calls this, so no other import is using the folder."""
    folder = root / "tmp" / "ingest"
    try:
        if folder.is_dir():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        quarantine = root / "quarantine"
        if quarantine.is_dir():  # a quarantine file half written when an import died
            for partial in quarantine.glob(".ingest-*.tmp"):
                partial.unlink(missing_ok=True)
    except OSError as exc:
        raise _scratch_error(folder, exc) from exc
    return folder
