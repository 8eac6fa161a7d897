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

from journeyscope.errors import InputError
from journeyscope.events.grouping import grouping_sql
from journeyscope.events.mapping import GROUPING_FIELDS, LoadedMapping
from journeyscope.events.readers import Staged, stage
from journeyscope.events.schema import EVENT_FIELDS, IDENTIFIER_TYPES, SEQ_SHIFT
from journeyscope.events.workspace import Workspace
from journeyscope.maps.io import write_atomic

Progress = Callable[[str, float], None]
REQUIRED = ("ts", "event")
TEXT_FIELDS = ("touchpoint", *IDENTIFIER_TYPES)
#: The event fields a mapping fills, in table order (``source`` comes from the mapping itself).
MAPPED_FIELDS = tuple(f for f in EVENT_FIELDS if f != "source")
OLDEST = datetime(1990, 1, 1)
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
        writer.writerows(self.rows)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.target, buffer.getvalue())
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "quarantine": self.quarantine,
            "files": [f.__dict__ for f in self.files],
        }


def quote(name: str) -> str:
    """A SQL identifier for a column name from a file (never a value)."""
    return '"' + name.replace('"', '""') + '"'


class Query:
    """SQL text with its named parameters, built piece by piece (values never enter the text)."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.sql = ""

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"


def _text(expr: str) -> str:
    return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"


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
    s = rf"regexp_replace(trim(CAST({expr} AS VARCHAR)), '(\s|₫|đ|Đ|VND|vnd)', '', 'g')"
    return (
        f"try_cast(CASE WHEN regexp_matches({s}, '^-?\\d{{1,3}}(\\.\\d{{3}})+$') "
        f"THEN replace({s}, '.', '') "
        f"WHEN regexp_matches({s}, '^-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?$') "
        f"THEN replace({s}, ',', '') "
        f"WHEN regexp_matches({s}, '^-?\\d+,\\d+$') THEN replace({s}, ',', '.') "
        f"ELSE {s} END AS DOUBLE)"
    )


def _epoch(num: str, fmt: str) -> str:
    seconds = f"CAST(to_timestamp({num}) AS TIMESTAMP)"
    millis = f"CAST(to_timestamp({num} / 1000.0) AS TIMESTAMP)"
    if fmt == "epoch_s":
        return seconds
    if fmt == "epoch_ms":
        return millis
    return f"CASE WHEN abs({num}) >= 100000000000 THEN {millis} ELSE {seconds} END"


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
    v = f"trim(CAST({expr} AS VARCHAR))"
    if "%" in fmt:
        parsed = f"try_strptime({v}, {q.bind(fmt)})"
        return f"CAST({parsed} AS TIMESTAMP)" if "%z" in fmt.lower() else local(parsed)
    if fmt in {"epoch_s", "epoch_ms"}:
        return _epoch(f"try_cast({v} AS DOUBLE)", fmt)
    iso = (
        f"CASE WHEN regexp_matches({v}, '(Z|z|[+-]\\d{{2}}(:?\\d{{2}})?)$') "
        f"THEN CAST(try_cast({v} AS TIMESTAMPTZ) AS TIMESTAMP) "
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


def event_name(text: str) -> str:
    """An event name as import stores it (the Python twin of :func:`_name_map`'s rule):
    trimmed, lower case, spaces as underscores — so users may write ``Add To Cart``."""
    return text.strip().replace(" ", "_").lower()


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
                )
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
                )

    @staticmethod
    def all_fields() -> tuple[str, ...]:
        return MAPPED_FIELDS

    def column(self, name: str) -> str | None:
        col = self.sources.get(name)
        return quote(col) if col else None

    def typ(self, name: str) -> str:
        return self.staged.columns[self.sources[name]]

    def raw_text(self, q: Query, name: str) -> str:
        col = self.column(name)
        if col:
            return _text(col)
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
                )
            return list(self.mapping.properties)
        return [c for c in self.staged.columns if c not in used]


def _properties(q: Query, plan: Plan) -> str:
    extras = plan.extra_columns()
    own = plan.column("properties")
    parts: list[str] = []
    if own:
        typ = plan.typ("properties")
        parts.append(f"CAST({own} AS JSON)" if typ in {"VARCHAR", "JSON"} else f"to_json({own})")
    if extras:
        pairs = ", ".join(f"{q.bind(c)}, {quote(c)}" for c in extras)
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
        return value, f"({_text(col)} IS NOT NULL AND {value} IS NULL)"
    if "revenue" in plan.mapping.constants:
        return f"CAST({q.bind(float(plan.mapping.constants['revenue']))} AS DOUBLE)", "false"
    return "CAST(NULL AS DOUBLE)", "false"


def _channel(q: Query, plan: Plan) -> str:
    given = _name_map(q, plan.raw_text(q, "channel"), plan.mapping.channels)
    grouped = grouping_sql(
        q.bind,
        plan.column("utm_source") and _text(plan.column("utm_source") or ""),
        plan.column("utm_medium") and _text(plan.column("utm_medium") or ""),
        plan.column("referrer") and _text(plan.column("referrer") or ""),
    )
    fallback = "'web'" if grouped != "NULL" else "'other'"
    if plan.column("channel"):
        return f"coalesce({given}, {grouped}, {fallback})"
    return f"coalesce({grouped}, {given}, {fallback})"


def staging_sql(plan: Plan, now: datetime) -> Query:
    """The SELECT that maps, parses and checks every row of ``src``."""
    q = Query()
    if plan.column("ts"):
        ts = _ts(
            q, plan.column("ts") or "", plan.typ("ts"), plan.mapping.timestamp.format, plan.zone
        )
        ts_raw = plan.column("ts") or ""
        if plan.typ("ts") in {"VARCHAR", "JSON"}:
            ts_raw = _text(ts_raw)
    else:
        const = str(plan.mapping.constants["ts"])
        ts = _ts(q, q.bind(const), "VARCHAR", plan.mapping.timestamp.format, plan.zone)
        ts_raw = f"CAST({q.bind(const)} AS VARCHAR)"
    event_raw = plan.raw_text(q, "event")
    event = _name_map(q, event_raw, plan.mapping.events)
    channel = _channel(q, plan)
    texts = {name: plan.raw_text(q, name) for name in TEXT_FIELDS}
    properties = _properties(q, plan)
    revenue, revenue_bad = _revenue(q, plan)
    currency = f"upper(coalesce({plan.raw_text(q, 'currency')}, {q.bind(plan.currency)}))"
    id_raw = plan.raw_text(q, "event_id")
    needs_hash = plan.column("event_id") is None and "event_id" not in plan.mapping.constants
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
            {content_hash} AS _h
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
                WHEN ts IS NULL
                    THEN 'ts|cannot read ' || left(CAST(_ts_raw AS VARCHAR), 40) || ' as a time'
                WHEN ts > {future} THEN 'ts|' || CAST(ts AS VARCHAR) || ' UTC is in the future'
                WHEN ts < {oldest}
                    THEN 'ts|' || CAST(ts AS VARCHAR) || ' is before 1990 (wrong epoch unit?)'
                WHEN _event_raw IS NULL THEN 'event|missing event name'
                WHEN _revenue_bad THEN 'revenue|not a number'
                WHEN _id IS NULL AND _h IS NULL THEN 'event_id|missing id'
            END AS _problem
        FROM ({inner}) AS mapped"""
    q.sql = sql
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
) -> IngestResult:
    """Import every file; each file commits alone, so one bad file spoils no other."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    quarantine = Quarantine(ws.root / "quarantine" / f"ingest-{stamp}.csv")
    result = IngestResult()
    for path in files:
        done = ingest_file(ws, path, loaded, progress=progress, now=now, quarantine=quarantine)
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
) -> FileResult:
    con = ws.con
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if quarantine is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        quarantine = Quarantine(ws.root / "quarantine" / f"ingest-{stamp}.csv")
    staged = stage(con, path, loaded.mapping)
    try:
        plan = Plan(staged, loaded, ws.config.timezone, ws.config.currency)
        return _store(ws, staged, plan, staging_sql(plan, now), now, progress, quarantine)
    finally:
        con.execute("DROP VIEW IF EXISTS src")
        con.execute("DROP VIEW IF EXISTS src_file")
        con.execute("DROP TABLE IF EXISTS src_raw")
        staged.close()


def _store(
    ws: Workspace,
    staged: Staged,
    plan: Plan,
    query: Query,
    now: datetime,
    progress: Progress | None,
    quarantine: Quarantine,
) -> FileResult:
    con = ws.con
    path = staged.path
    res = FileResult(str(path))
    with _watch(con, f"{path.name}: checking", progress):
        counts = ws.one(
            f"""SELECT count(*) FILTER (_problem IS NULL), count(*) FILTER (_problem IS NOT NULL),
                   count(DISTINCT event_id) FILTER (_problem IS NULL)
            FROM ({query.sql}) AS checked""",
            query.params,
        ) or (0, 0, 0)
    valid, rejected, distinct = (int(c) for c in counts)
    res.rejected = rejected + len(staged.bad_records)
    first_only = (
        ""
        if distinct == valid
        else "QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY s._rec) = 1"
    )
    # the anti-join only when this source already has events (a first import skips it)
    seen = ws.scalar(
        "SELECT count(*) FROM (SELECT 1 FROM events WHERE source = ? LIMIT 1)",
        [plan.mapping.source],
    )
    already_stored = (
        "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.source = $source "
        "AND e.event_id = s.event_id)"
        if seen
        else ""
    )
    columns = ", ".join(("seq", "source", *MAPPED_FIELDS, "import_id"))
    mapped = ", ".join(f"s.{name}" for name in MAPPED_FIELDS)
    with ws.transaction():
        import_id = int(ws.scalar("SELECT coalesce(max(import_id), 0) + 1 FROM imports"))
        with _watch(con, f"{path.name}: storing", progress):
            row = ws.one(
                f"""INSERT INTO events ({columns})
                SELECT (CAST($import_id AS BIGINT) << {SEQ_SHIFT}) | s._rec, $source, {mapped},
                    $import_id
                FROM ({query.sql}) AS s
                WHERE s._problem IS NULL {already_stored}
                {first_only}""",
                {
                    **query.params,
                    "import_id": import_id,
                    "source": plan.mapping.source,
                },
            )
        res.accepted = int(row[0]) if row else 0
        res.duplicates = valid - res.accepted
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                path.name,
                path.stat().st_size,
                plan.mapping.source,
                now,
                res.accepted,
                res.duplicates,
                res.rejected,
            ],
        )
        if res.rejected:
            res.quarantine = quarantine.add(path.name, _rejected_rows(ws, staged, query))
    return res


def _without_rec(record: str) -> str:
    data = json.loads(record)
    data.pop("_rec", None)
    return json.dumps(data, ensure_ascii=False)


def _rejected_rows(ws: Workspace, staged: Staged, query: Query) -> list[tuple[object, ...]]:
    """(line, field, reason, the row as JSON) for every rejected row, in file order."""
    rows = ws.con.execute(
        f"""SELECT {staged.line_sql("s._rec")} AS line, split_part(s._problem, '|', 1) AS field,
                   split_part(s._problem, '|', 2) AS reason, CAST(to_json(r) AS VARCHAR) AS record
            FROM ({query.sql}) AS s JOIN src r ON r._rec = s._rec
            WHERE s._problem IS NOT NULL ORDER BY s._rec""",
        query.params,
    ).fetchall()
    return sorted(
        [(line, f, why, _without_rec(rec)) for line, f, why, rec in rows]
        + [(line, f, why, "") for line, f, why in staged.bad_records]
    )
