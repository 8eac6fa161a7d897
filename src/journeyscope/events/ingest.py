"""Import event files into a workspace: map, validate per row, quarantine, store once.

One file is one transaction. Each row is checked in SQL (no Python loop over rows); rows
that fail go to a quarantine CSV with their line, field and reason, the rest are inserted.
``(source, event_id)`` is the idempotency key: rows already stored count as duplicates, so
importing the same file twice adds nothing. Sources without ids get a content hash plus the
occurrence number of identical rows, so genuine repeats inside one file are all kept.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from journeyscope.errors import InputError, Location, OutputError
from journeyscope.events import orders
from journeyscope.events.conflicts import find_conflicts
from journeyscope.events.grouping import grouping_sql
from journeyscope.events.mapping import GROUPING_FIELDS, LoadedMapping
from journeyscope.events.query import Query, quote
from journeyscope.events.readers import Staged, fresh_scratch, import_failed, stage
from journeyscope.events.schema import EVENT_FIELDS, IDENTIFIER_TYPES, SEQ_SHIFT
from journeyscope.events.suppression import drop_suppressed
from journeyscope.events.workspace import Workspace
from journeyscope.maps.io import write_atomic
from journeyscope.maps.spreadsheet import safe_csv_rows

Progress = Callable[[str, float], None]
REQUIRED = ("ts", "event")
TEXT_FIELDS = ("touchpoint", *IDENTIFIER_TYPES)
#: The event fields a mapping fills, in table order (``source`` comes from the mapping itself).
MAPPED_FIELDS = tuple(f for f in EVENT_FIELDS if f != "source")
OLDEST = datetime(1990, 1, 1)
#: A time of day followed by a UTC offset (or Z) at the end of a text.
TIME_WITH_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
OFFSET_HOURS = r"[+-](\d{2}):?(?:\d{2})?$"
OFFSET_MINUTES = r"[+-]\d{2}:?(\d{2})$"
#: Real UTC offsets run from -12:00 to +14:00.
MAX_OFFSET_MINUTES = 14 * 60
#: Vietnamese exports write day first.
VN_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
]


@dataclass
class FileResult:
    file: str
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    quarantine: str | None = None
    # rows whose id is already known with other content: not stored, reported
    conflicts: int = 0
    conflict_examples: list[dict[str, Any]] = field(default_factory=list)
    # rows carrying an identifier of a forgotten person (events/suppression.py): not stored
    suppressed: int = 0


@dataclass
class Quarantine:
    """One CSV per import run for every rejected row of every file, rewritten whole each time."""

    target: Path
    rows: list[list[object]] = field(default_factory=list)

    def add(self, file: str, rows: list[tuple[object, ...]]) -> str:
        self.rows.extend([file, *row] for row in rows)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["file", "line", "field", "reason", "record"])
        writer.writerows(safe_csv_rows(self.rows))  # a spreadsheet must not run a row's text
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.target, buffer.getvalue())
        except OSError as exc:  # quarantine/ is a file, or the folder is read-only
            raise OutputError(
                f"cannot write the quarantine file {self.target}: {exc.strerror or exc}",
                f"không ghi được tệp cách ly {self.target}: {exc.strerror or exc}",
                location=Location(str(self.target)),
                hint_en="make quarantine/ in the workspace a writable folder and import "
                "again (nothing from this file was stored)",
                hint_vi="hãy để quarantine/ trong workspace là thư mục ghi được rồi nhập lại "
                "(chưa có dòng nào của tệp này được lưu)",
            ) from exc
        return str(self.target)


@dataclass
class IngestResult:
    files: list[FileResult] = field(default_factory=list)
    quarantine: str | None = None

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def conflicts(self) -> int:
        return sum(f.conflicts for f in self.files)

    @property
    def suppressed(self) -> int:
        return sum(f.suppressed for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "suppressed": self.suppressed,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
            "quarantine": self.quarantine,
            "files": [f.__dict__ for f in self.files],
        }


def _text(expr: str, typ: str = "", *, nfc: bool = True) -> str:
    """A field as trimmed text (NULL when empty), in Unicode NFC: an input method or a
    system that writes Vietnamese letters decomposed (``ả`` as ``a`` + two combining
    marks) stores the same text as one that composes them, so names, ids and filters
    match. A JSON value (a JSON Lines column of mixed types) is its text without quotes.
    ``nfc=False`` for event ids: opaque keys, kept as written, so a file imported before
    this normalisation is still recognised as already stored."""
    text = f"json_extract_string({expr}, '$')" if typ == "JSON" else f"CAST({expr} AS VARCHAR)"
    return f"nullif(trim({f'nfc_normalize({text})' if nfc else text}), '')"


def _refuse_nested_identifiers(staged: Staged, sources: dict[str, str]) -> None:
    """A struct, list or map is no identifier: written as text it would link whoever shares
    its shape, so the file is refused, naming the column (docs/identity.md)."""
    for name in IDENTIFIER_TYPES:
        column = sources.get(name)
        typ = staged.columns.get(column or "", "")
        if column and (typ.startswith(("STRUCT", "MAP", "UNION")) or typ.endswith("]")):
            raise InputError(
                f"column {column!r} ({name}) holds nested values ({typ}); "
                "an identifier must be text or a number",
                f"cột {column!r} ({name}) chứa giá trị lồng nhau ({typ}); "
                "định danh phải là chữ hoặc số",
                location=Location(str(staged.path), field=column),
                hint_en=f"map {name} to a plain column (--mapping), or flatten the field first",
                hint_vi=f"ánh xạ {name} vào một cột thường (--mapping), hoặc làm phẳng trường đó",
                code="invalid_file",
            )


def _number(expr: str, typ: str) -> str:
    """Money or a count: numbers pass; text like '1.250.000 ₫' or '1,250.5' is read."""
    if typ.split("(", maxsplit=1)[0] in {
        "DOUBLE",
        "FLOAT",
        "BIGINT",
        "INTEGER",
        "DECIMAL",
        "HUGEINT",
        "SMALLINT",
        "TINYINT",
        "UBIGINT",
        "UINTEGER",
    }:
        return f"CAST({expr} AS DOUBLE)"
    text = f"json_extract_string({expr}, '$')" if typ == "JSON" else f"CAST({expr} AS VARCHAR)"
    s = rf"regexp_replace(trim({text}), '(\s|₫|đ|Đ|VND|vnd)', '', 'g')"
    return (
        # a dot before groups of three is a thousands separator (1.250.000), except after a
        # leading 0: 0.001 is a fraction (UCI's unit price of a bank charge)
        f"try_cast(CASE WHEN regexp_matches({s}, '^-?[1-9]\\d{{0,2}}(\\.\\d{{3}})+$') "
        f"THEN replace({s}, '.', '') "
        f"WHEN regexp_matches({s}, '^-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?$') "
        f"THEN replace({s}, ',', '') "
        f"WHEN regexp_matches({s}, '^-?\\d+,\\d+$') THEN replace({s}, ',', '.') "
        f"ELSE {s} END AS DOUBLE)"
    )


def _epoch(num: str, fmt: str) -> str:
    # beyond year 290000 (or NaN) DuckDB's to_timestamp fails the whole query: NULL instead,
    # so the row is quarantined as an unreadable time
    seconds = f"CASE WHEN abs({num}) < 9e12 THEN CAST(to_timestamp({num}) AS TIMESTAMP) END"
    millis = f"CASE WHEN abs({num}) < 9e15 THEN CAST(to_timestamp({num} / 1000.0) AS TIMESTAMP) END"
    if fmt == "epoch_s":
        return seconds
    if fmt == "epoch_ms":
        return millis
    return f"CASE WHEN abs({num}) >= 100000000000 THEN {millis} ELSE {seconds} END"


def bad_offset(q: Query, v: str) -> str:
    """SQL: ``v`` ends in a UTC offset past ±14:00 (or with 60+ minutes), which no place uses.

    DuckDB reads '+99:00' without complaint and shifts the time by four days; such rows are
    quarantined with their own reason instead.
    """
    hours = f"try_cast(nullif(regexp_extract({v}, {q.bind(OFFSET_HOURS)}, 1), '') AS INTEGER)"
    minutes = f"try_cast(nullif(regexp_extract({v}, {q.bind(OFFSET_MINUTES)}, 1), '') AS INTEGER)"
    return (
        f"(regexp_matches({v}, {q.bind(TIME_WITH_OFFSET)}) AND "
        f"(coalesce({hours}, 0) * 60 + coalesce({minutes}, 0) > {MAX_OFFSET_MINUTES} "
        f"OR coalesce({minutes}, 0) >= 60))"
    )


def _ts(q: Query, expr: str, typ: str, fmt: str, zone: str) -> str:
    """SQL giving a UTC TIMESTAMP (NULL when unreadable) from a column of any type."""

    def local(e: str) -> str:
        return f"CAST(timezone({q.bind(zone)}, {e}) AS TIMESTAMP)"

    base = typ.split("(", maxsplit=1)[0]
    if base.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"CAST({expr} AS TIMESTAMP)"
    if base.startswith("TIMESTAMP") or base == "DATE":
        return local(f"CAST({expr} AS TIMESTAMP)")
    if base in {"BIGINT", "INTEGER", "DOUBLE", "FLOAT", "DECIMAL", "HUGEINT", "UBIGINT"}:
        return _epoch(f"CAST({expr} AS DOUBLE)", fmt)
    text = f"json_extract_string({expr}, '$')" if base == "JSON" else f"CAST({expr} AS VARCHAR)"
    v = f"trim({text})"
    if "%" in fmt:
        parsed = f"try_strptime({v}, {q.bind(fmt)})"
        if "%z" in fmt.lower():
            return f"CASE WHEN {bad_offset(q, v)} THEN NULL ELSE CAST({parsed} AS TIMESTAMP) END"
        return local(parsed)
    if fmt in {"epoch_s", "epoch_ms"}:
        return _epoch(f"try_cast({v} AS DOUBLE)", fmt)
    # An offset counts only after a time of day: '2026-05-01' is a date (midnight in the
    # zone), not 2026-05 at offset -01.
    iso = (
        f"CASE WHEN regexp_matches({v}, {q.bind(TIME_WITH_OFFSET)}) "
        f"THEN CASE WHEN {bad_offset(q, v)} THEN NULL "
        f"ELSE CAST(try_cast({v} AS TIMESTAMPTZ) AS TIMESTAMP) END "
        f"ELSE {local(f'try_cast({v} AS TIMESTAMP)')} END"
    )
    if fmt == "iso":
        return iso
    vn = local(f"try_strptime({v}, {q.bind(VN_FORMATS)})")
    return (
        f"CASE WHEN regexp_matches({v}, '^-?\\d{{9,13}}(\\.\\d+)?$') "
        f"THEN {_epoch(f'try_cast({v} AS DOUBLE)', 'auto')} "
        f"WHEN regexp_matches({v}, '^\\d{{1,2}}[/-]\\d{{1,2}}[/-]\\d{{4}}') THEN {vn} "
        f"ELSE {iso} END"
    )


def _name_map(q: Query, expr: str, names: dict[str, str]) -> str:
    """Source names mapped to ours, the rest lower_snake_case (see :func:`event_name`)."""
    normal = f"lower(replace({expr}, ' ', '_'))"
    if not names:
        return normal
    whens = " ".join(f"WHEN {q.bind(k)} THEN {q.bind(v)}" for k, v in names.items())
    return f"CASE {expr} {whens} ELSE {normal} END"


class Plan:
    """Where each event field comes from in one staged file."""

    def __init__(self, staged: Staged, loaded: LoadedMapping, zone: str, currency: str) -> None:
        self.staged = staged
        self.loaded = loaded
        self.mapping = loaded.mapping
        self.zone = self.mapping.timestamp.timezone or zone
        self.currency = currency
        self.sources: dict[str, str] = {}
        lower = {c.lower(): c for c in staged.columns}
        for name, column in self.mapping.columns.items():
            if column not in staged.columns:
                raise InputError(
                    f"the mapping names column {column!r}, which {staged.path.name} does not have",
                    f"tệp ánh xạ dùng cột {column!r} nhưng {staged.path.name} không có cột đó",
                    location=loaded.location("columns", name),
                    hint_en=f"columns in the file: {', '.join(staged.columns)}",
                    hint_vi=f"các cột trong tệp: {', '.join(staged.columns)}",
                    code="missing_column",
                )
            self.sources[name] = column
        for name in (*self.all_fields(), *GROUPING_FIELDS):
            if name not in self.sources and name not in self.mapping.constants and name in lower:
                self.sources[name] = lower[name]
        for column in self.mapping.revenue_product or []:
            if column not in staged.columns:
                raise InputError(
                    f"revenue_product names column {column!r}, which {staged.path.name} lacks",
                    f"revenue_product dùng cột {column!r} nhưng {staged.path.name} không có",
                    location=loaded.location("revenue_product"),
                    hint_en=f"columns in the file: {', '.join(staged.columns)}",
                    hint_vi=f"các cột trong tệp: {', '.join(staged.columns)}",
                    code="missing_column",
                )
        orders.check_columns(loaded, staged.columns, staged.path.name)
        for name in REQUIRED:
            if name not in self.sources and name not in self.mapping.constants:
                raise InputError(
                    f"{staged.path.name} has no {name!r} column and the mapping does not set one",
                    f"{staged.path.name} không có cột {name!r} và tệp ánh xạ không chỉ định",
                    location=loaded.location("columns") if loaded.path else None,
                    hint_en=f"add `columns: {{{name}: <column>}}` (or a constant) "
                    "to a mapping file "
                    "and pass it with --mapping",
                    hint_vi=f"thêm `columns: {{{name}: <cột>}}` (hoặc hằng số) vào tệp ánh xạ và "
                    "truyền bằng --mapping",
                    code="missing_column",
                )
        _refuse_nested_identifiers(staged, self.sources)

    @staticmethod
    def all_fields() -> tuple[str, ...]:
        return MAPPED_FIELDS

    def column(self, name: str) -> str | None:
        col = self.sources.get(name)
        return quote(col) if col else None

    def typ(self, name: str) -> str:
        return self.staged.columns[self.sources[name]]

    def text(self, name: str) -> str | None:
        """The field's column as text (:func:`_text`), or None when no column feeds it."""
        col = self.column(name)
        return _text(col, self.typ(name), nfc=name != "event_id") if col else None

    def raw_text(self, q: Query, name: str) -> str:
        text = self.text(name)
        if text:
            return text
        if name in self.mapping.constants:
            return f"CAST({q.bind(str(self.mapping.constants[name]))} AS VARCHAR)"
        return "CAST(NULL AS VARCHAR)"

    def extra_columns(self) -> list[str]:
        used = {c for f, c in self.sources.items() if f not in GROUPING_FIELDS}
        used |= set(self.mapping.revenue_product or [])
        if self.mapping.properties is not None:
            missing = [c for c in self.mapping.properties if c not in self.staged.columns]
            if missing:
                raise InputError(
                    f"properties names column {missing[0]!r}, which {self.staged.path.name} lacks",
                    f"properties dùng cột {missing[0]!r} nhưng {self.staged.path.name} không có",
                    location=self.loaded.location("properties"),
                    hint_en=f"columns in the file: {', '.join(self.staged.columns)}",
                    hint_vi=f"các cột trong tệp: {', '.join(self.staged.columns)}",
                    code="missing_column",
                )
            lines = set(self.mapping.lines or [])  # kept per line in properties.lines
            return [c for c in self.mapping.properties if c not in lines]
        used |= set(self.mapping.lines or [])
        return [c for c in self.staged.columns if c not in used]


def _nfc(column: str, typ: str) -> str:
    """A column's value in NFC (see :func:`_text`): text, and the text inside nested values;
    numbers, times and booleans as they are."""
    if typ == "VARCHAR":
        return f"nfc_normalize({quote(column)})"
    if typ.startswith(("STRUCT", "MAP", "UNION", "JSON")) or typ.endswith("]"):
        return f"CAST(nfc_normalize(CAST(to_json({quote(column)}) AS VARCHAR)) AS JSON)"
    return quote(column)


def _properties(q: Query, plan: Plan) -> str:
    extras = plan.extra_columns()
    own = plan.column("properties")
    parts: list[str] = []
    if own:
        typ = plan.typ("properties")
        if typ in ("VARCHAR", "JSON"):  # text that is not JSON is kept as a JSON string
            own = f"nfc_normalize(CAST({own} AS VARCHAR))"  # one spelling (see _text)
            parts.append(
                f"CASE WHEN json_valid({own}) THEN CAST({own} AS JSON) "
                f"ELSE to_json(nullif(trim({own}), '')) END"
            )
        else:  # a struct (JSON Lines objects): its text in NFC too
            parts.append(f"CAST(nfc_normalize(CAST(to_json({own}) AS VARCHAR)) AS JSON)")
    if extras:
        pairs = ", ".join(f"{q.bind(c)}, {_nfc(c, plan.staged.columns[c])}" for c in extras)
        parts.append(f"json_object({pairs})")
    if not parts:
        return "CAST(NULL AS JSON)"
    if len(parts) == 1:
        return parts[0]
    return f"json_merge_patch(coalesce({parts[0]}, '{{}}'), {parts[1]})"


def _revenue(q: Query, plan: Plan) -> tuple[str, str]:
    """(revenue expression, expression that is true when revenue text was unreadable)."""
    if plan.mapping.revenue_product:
        cols = plan.mapping.revenue_product
        values = [_number(quote(c), plan.staged.columns[c]) for c in cols]
        raws = [_text(quote(c)) for c in cols]
        bad = " OR ".join(
            f"({r} IS NOT NULL AND {v} IS NULL)" for r, v in zip(raws, values, strict=True)
        )
        return " * ".join(values), bad
    col = plan.column("revenue")
    if col:
        value = _number(col, plan.typ("revenue"))
        return value, f"({plan.text('revenue')} IS NOT NULL AND {value} IS NULL)"
    if "revenue" in plan.mapping.constants:
        return f"CAST({q.bind(float(plan.mapping.constants['revenue']))} AS DOUBLE)", "false"
    return "CAST(NULL AS DOUBLE)", "false"


def _channel(q: Query, plan: Plan) -> str:
    given = _name_map(q, plan.raw_text(q, "channel"), plan.mapping.channels)
    grouped = grouping_sql(
        q.bind,
        plan.text("utm_source"),
        plan.text("utm_medium"),
        plan.text("referrer"),
    )
    fallback = "'web'" if grouped != "NULL" else "'other'"
    if plan.column("channel"):
        return f"coalesce({given}, {grouped}, {fallback})"
    return f"coalesce({grouped}, {given}, {fallback})"


def _nested_ids(plan: Plan) -> str:
    """Why a row's identifier is refused when a JSON Lines column of mixed types holds an
    object or a list there (written as text it would link whoever shares its shape)."""
    whens = [
        f"WHEN json_type({col}) IN ('OBJECT', 'ARRAY') THEN "
        f"'{name}|an identifier must be text or a number, not a JSON object or list'"
        for name in IDENTIFIER_TYPES
        if (col := plan.column(name)) and plan.typ(name) == "JSON"
    ]
    return f"CASE {' '.join(whens)} END" if whens else "CAST(NULL AS VARCHAR)"


def staging_sql(plan: Plan, now: datetime) -> Query:
    """The SELECT that maps, parses and checks every row of ``src``."""
    q = Query()
    if plan.column("ts"):
        ts = _ts(
            q, plan.column("ts") or "", plan.typ("ts"), plan.mapping.timestamp.format, plan.zone
        )
        ts_raw = plan.column("ts") or ""
        if plan.typ("ts") in {"VARCHAR", "JSON"}:
            ts_raw = _text(ts_raw, plan.typ("ts"))
    else:
        const = str(plan.mapping.constants["ts"])
        ts = _ts(q, q.bind(const), "VARCHAR", plan.mapping.timestamp.format, plan.zone)
        ts_raw = f"CAST({q.bind(const)} AS VARCHAR)"
    event_raw = plan.raw_text(q, "event")
    event = orders.event_case(q.bind, plan.mapping, _name_map(q, event_raw, plan.mapping.events))
    event_raw = orders.event_case(q.bind, plan.mapping, event_raw)
    channel = _channel(q, plan)
    texts = {name: plan.raw_text(q, name) for name in TEXT_FIELDS}
    properties = _properties(q, plan)
    revenue, revenue_bad = _revenue(q, plan)
    revenue = orders.refund_revenue(q.bind, plan.mapping, revenue)
    currency = f"upper(coalesce({plan.raw_text(q, 'currency')}, {q.bind(plan.currency)}))"
    id_raw = plan.raw_text(q, "event_id")
    needs_hash = plan.column("event_id") is None and "event_id" not in plan.mapping.constants
    key = orders.group_key(plan.mapping)  # lines grouped into orders: the key is the id
    if key is not None and needs_hash:
        id_raw, needs_hash = key, False
    content = ", ".join(
        f"coalesce(CAST({quote(c)} AS VARCHAR), chr(0))" for c in plan.staged.columns
    )
    source = q.bind(plan.mapping.source) if needs_hash else ""
    content_hash = f"md5(concat_ws(chr(31), {source}, {content}))" if needs_hash else "NULL"
    inner = f"""
        SELECT _rec,
            {ts_raw} AS _ts_raw, {ts} AS ts,
            {event_raw} AS _event_raw, {event} AS event,
            {channel} AS channel,
            {", ".join(f"{expr} AS {name}" for name, expr in texts.items())},
            {properties} AS properties,
            {revenue} AS revenue, ({revenue_bad}) AS _revenue_bad,
            CASE WHEN {revenue} IS NULL THEN NULL ELSE {currency} END AS currency,
            {id_raw} AS _id,
            {content_hash} AS _h,
            {key or "NULL"} AS _g, {orders.line_object(q.bind, plan.mapping)} AS _line,
            {_nested_ids(plan)} AS _nested_id
        FROM src"""
    future = q.bind(now + timedelta(days=1))
    oldest = q.bind(OLDEST)
    event_id = (
        "'h:' || _h || ':' || row_number() OVER (PARTITION BY _h ORDER BY _rec)"
        if needs_hash
        else "_id"
    )
    sql = f"""
        SELECT *, {event_id} AS event_id,
            CASE
                WHEN _ts_raw IS NULL THEN 'ts|missing time'
                WHEN ts IS NULL AND {bad_offset(q, "trim(CAST(_ts_raw AS VARCHAR))")}
                    THEN 'ts|the UTC offset of ' || left(CAST(_ts_raw AS VARCHAR), 40)
                        || ' is outside -14:00…+14:00'
                WHEN ts IS NULL
                    THEN 'ts|cannot read ' || left(CAST(_ts_raw AS VARCHAR), 40) || ' as a time'
                WHEN ts > {future} THEN 'ts|' || CAST(ts AS VARCHAR) || ' UTC is in the future'
                WHEN ts < {oldest}
                    THEN 'ts|' || CAST(ts AS VARCHAR) || ' is before 1990 (wrong epoch unit?)'
                WHEN _nested_id IS NOT NULL THEN _nested_id
                WHEN _event_raw IS NULL THEN 'event|missing event name'
                WHEN _revenue_bad THEN 'revenue|not a number'
                WHEN isnan(revenue) OR isinf(revenue)
                    THEN 'revenue|not a finite number (NaN, infinite or too large)'
                {orders.missing_key(q.bind, plan.mapping)}
                WHEN _id IS NULL AND _h IS NULL THEN 'event_id|missing id'
            END AS _problem
        FROM ({inner}) AS mapped"""
    q.sql = orders.grouped_sql(sql, plan.mapping, q.bind) if key is not None else sql
    return q


@contextmanager
def _watch(con: duckdb.DuckDBPyConnection, label: str, progress: Progress | None) -> Iterator[None]:
    """Report DuckDB's own progress of the running query while it runs."""
    if progress is None:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.25):
            try:
                value = con.query_progress()
            except duckdb.Error:
                continue
            if value >= 0:
                progress(label, min(value, 100.0))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        progress(label, 100.0)


def ingest_files(
    ws: Workspace,
    files: list[Path],
    loaded: LoadedMapping,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    encoding: str | None = None,
) -> IngestResult:
    """Import every file; each file commits alone, so one bad file spoils no other.

    ``encoding`` is the text encoding of CSV/JSON Lines files (default: detected)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    scratch = fresh_scratch(ws.root)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    quarantine = Quarantine(ws.root / "quarantine" / f"ingest-{stamp}.csv")
    result = IngestResult()
    for path in files:
        done = ingest_file(
            ws,
            path,
            loaded,
            progress=progress,
            now=now,
            quarantine=quarantine,
            encoding=encoding,
            scratch=scratch,
        )
        result.files.append(done)
        result.quarantine = done.quarantine or result.quarantine
    return result


def ingest_file(
    ws: Workspace,
    path: Path,
    loaded: LoadedMapping,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    quarantine: Quarantine | None = None,
    encoding: str | None = None,
    scratch: Path | None = None,
    types: dict[str, str] | None = None,
) -> FileResult:
    """Import one file (committed whole); ``types`` as :func:`readers.stage` takes them."""
    con = ws.con
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if quarantine is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        quarantine = Quarantine(ws.root / "quarantine" / f"ingest-{stamp}.csv")
    scratch = scratch or fresh_scratch(ws.root)
    try:
        staged = stage(
            con,
            path,
            loaded.mapping,
            encoding=encoding,
            scratch=scratch,
            progress=progress,
            types=types,
        )
    except duckdb.Error as exc:
        raise import_failed(path, exc) from exc
    try:
        plan = Plan(staged, loaded, ws.config.timezone, ws.config.currency)
        query = staging_sql(plan, now)
        suppressed = drop_suppressed(ws, query)  # forgotten people stay out (docs/security.md)
        result = _store(ws, staged, plan, query, now, progress, quarantine)
        result.suppressed = suppressed
        return result
    except duckdb.Error as exc:  # e.g. a value DuckDB cannot read deep in the file
        raise import_failed(path, exc) from exc
    finally:
        con.execute("DROP VIEW IF EXISTS src")
        con.execute("DROP VIEW IF EXISTS src_file")
        con.execute("DROP TABLE IF EXISTS src_raw")
        staged.close()


#: Files of at most this many rows are checked once into a temporary table that every later
#: step reads (a collection pass, most imports); a larger one is checked again by each step
#: instead, so an import's memory does not grow with a copy of all its rows.
CHECK_ONCE_ROWS = 1_000_000


def _store(
    ws: Workspace,
    staged: Staged,
    plan: Plan,
    query: Query,
    now: datetime,
    progress: Progress | None,
    quarantine: Quarantine,
) -> FileResult:
    """Check, count, compare and store the file's rows. The counts, the conflicts, the
    insert and the quarantine read the checked rows: from a temporary table the staging
    query filled once when the file is small enough, else from the query itself."""
    con = ws.con
    with ws.scratch("temp.checked", "temp.stored_ids"):
        if int(ws.scalar("SELECT count(*) FROM src")) <= CHECK_ONCE_ROWS:
            with _watch(con, f"{staged.path.name}: checking", progress):
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE checked AS SELECT * FROM ({query.sql}) AS s",
                    query.params,
                )
            checked = Query()
            checked.sql = "SELECT * FROM checked"
        else:
            checked = query
        return _store_checked(ws, staged, plan, checked, now, progress, quarantine)


def _store_checked(
    ws: Workspace,
    staged: Staged,
    plan: Plan,
    checked: Query,
    now: datetime,
    progress: Progress | None,
    quarantine: Quarantine,
) -> FileResult:
    con = ws.con
    path = staged.path
    source = plan.mapping.source
    res = FileResult(str(path))
    with _watch(con, f"{path.name}: checking", progress):
        counts = ws.one(
            f"""SELECT count(*) FILTER (_problem IS NULL), count(*) FILTER (_problem IS NOT NULL),
                   count(DISTINCT event_id) FILTER (_problem IS NULL)
            FROM ({checked.sql}) AS c""",
            checked.params,
        ) or (0, 0, 0)
    valid, rejected, distinct = (int(c) for c in counts)
    res.rejected = rejected + len(staged.bad_records)
    first_only = (
        ""
        if distinct == valid
        else "QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY s._rec) = 1"
    )
    columns = ", ".join(("seq", "source", *MAPPED_FIELDS, "import_id"))
    mapped = ", ".join(f"s.{name}" for name in MAPPED_FIELDS)
    with ws.transaction():
        # the file's ids this source already stored: the source's events probed with the
        # file's ids (a scan of the stored ids, never a hash table of them all); a first
        # import of the source skips even that
        seen = ws.scalar(
            "SELECT count(*) FROM (SELECT 1 FROM events WHERE source = ? LIMIT 1)", [source]
        )
        stored = 0
        if seen:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE stored_ids AS SELECT DISTINCT event_id
                FROM events WHERE source = $source AND event_id IN (
                    SELECT event_id FROM ({checked.sql}) AS c WHERE _problem IS NULL)""",
                {**checked.params, "source": source},
            )
            stored = int(ws.scalar("SELECT count(*) FROM stored_ids"))
        conflicts = find_conflicts(
            con,
            checked.sql,
            {**checked.params, "source": source} if stored else checked.params,
            staged.line_sql("s._rec"),
            stored=bool(stored),
            repeats=distinct != valid,
        )
        res.conflicts, res.conflict_examples = conflicts.count, conflicts.examples
        already_stored = (
            "AND NOT EXISTS (SELECT 1 FROM stored_ids k WHERE k.event_id = s.event_id)"
            if stored
            else ""
        )
        import_id = int(ws.scalar("SELECT coalesce(max(import_id), 0) + 1 FROM imports"))
        with _watch(con, f"{path.name}: storing", progress):
            row = ws.one(
                f"""INSERT INTO events ({columns})
                SELECT (CAST($import_id AS BIGINT) << {SEQ_SHIFT}) | s._rec, $source, {mapped},
                    $import_id
                FROM ({checked.sql}) AS s
                WHERE s._problem IS NULL {already_stored}
                {first_only}""",
                {**checked.params, "import_id": import_id, "source": source},
            )
        res.accepted = int(row[0]) if row else 0
        res.duplicates = valid - res.accepted - res.conflicts
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                path.name,
                path.stat().st_size,
                source,
                now,
                res.accepted,
                res.duplicates,
                res.rejected,
            ],
        )
        if res.rejected:
            res.quarantine = quarantine.add(path.name, _rejected_rows(ws, staged, checked))
    return res


def _without_rec(record: str) -> str:
    data = json.loads(record)
    data.pop("_rec", None)
    return json.dumps(data, ensure_ascii=False)


def _rejected_rows(ws: Workspace, staged: Staged, checked: Query) -> list[tuple[object, ...]]:
    """(line, field, reason, the row as JSON) for every rejected row, in file order."""
    rows = ws.con.execute(
        f"""SELECT {staged.line_sql("s._rec")} AS line, split_part(s._problem, '|', 1) AS field,
                   split_part(s._problem, '|', 2) AS reason, CAST(to_json(r) AS VARCHAR) AS record
            FROM ({checked.sql}) AS s JOIN src r ON r._rec = s._rec
            WHERE s._problem IS NOT NULL ORDER BY s._rec""",
        checked.params,
    ).fetchall()
    return sorted(
        [(line, f, why, _without_rec(rec)) for line, f, why, rec in rows]
        + [(line, f, why, "") for line, f, why in staged.bad_records]
    )
