"""Which events an analysis reads: a date range, property filters, and step definitions.

Filters are parsed into a small tree and rendered as SQL with bound parameters, so user
text never becomes SQL text. The grammar (documented in docs/analytics.md)::

    filter  := clause ("and" clause)*
    clause  := FIELD OP VALUE | FIELD ["not"] "in" "(" VALUE ("," VALUE)* ")"
    OP      := = | != | <> | > | >= | < | <= | ~        (~ : contains, any case)
    FIELD   := event | channel | touchpoint | source | currency | revenue | rating
               | <identifier>
               | properties.KEY | KEY                   (any other name is a property)
    VALUE   := word | 'quoted text' | "quoted text" | number

A step is ``EVENT`` or ``EVENT[filter]``; ``*`` stands for any event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journeyscope.errors import InputError, Location
from journeyscope.events.ingest import Query, event_name
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import Workspace

COLUMNS = frozenset({"event", "channel", "touchpoint", "source", "currency", *IDENTIFIER_TYPES})
NUMERIC = frozenset({"revenue", "rating"})
#: Fields that live only in ``events``, not in the journey-ordered copy
EVENT_ROW_ONLY = frozenset(IDENTIFIER_TYPES) | {"properties"}


class Sql(Query):
    """Query text with bound parameters, noting whether it reads fields that only the full
    event row has (identifiers, properties): then the journey table is joined to it.

    The dialect is DuckDB's; :class:`SparkSql` renders the same analyses for Spark SQL."""

    uint = "UINTEGER"  # the type of a funnel's step bits

    def __init__(self) -> None:
        super().__init__()
        self.event_row = False

    def json_text(self, column: str, path: str) -> str:
        return f"json_extract_string({column}, {self.bind(path)})"

    def is_event(self, column: str, names: tuple[str, ...] | list[str]) -> str:
        """``column`` is one of the event ``names`` (normalised; FALSE for none — an empty
        ``IN ()`` is not SQL, and ``IN (NULL)`` would make ``NOT`` unknown, not TRUE)."""
        if not names:
            return "FALSE"
        return f"{column} IN ({', '.join(self.bind(event_name(n)) for n in names)})"

    # the few functions whose spelling differs between the engines
    def seconds(self, ts: str) -> str:
        """A timestamp as seconds since the epoch (fractional)."""
        return f"epoch({ts})"

    def micros(self, ts: str) -> str:
        """A timestamp as whole microseconds since the epoch."""
        return f"epoch_us({ts})"

    def ordered_list(self, value: str, order: str) -> str:
        return f"list({value} ORDER BY {order})"

    def joined_text(self, value: str, where: str) -> str:
        """The rows' ``value`` where ``where`` holds, sorted, joined by spaces (NULL: none)."""
        return f"string_agg({value}, ' ' ORDER BY {value}) FILTER (WHERE {where})"

    def from_micros(self, us: str) -> str:
        """Microseconds since the epoch as a UTC timestamp."""
        return f"make_timestamp({us})"

    def format_time(self, ts: str) -> str:
        """``YYYY-MM-DD HH:MM:SS``."""
        return f"strftime({ts}, '%Y-%m-%d %H:%M:%S')"

    # ``value`` on the row with the smallest / largest ``key`` (rows whose key is NULL are
    # ignored), even when ``value`` is NULL there: DuckDB's arg_min/arg_max would skip to
    # another row, Spark's min_by/max_by would not, so both engines use these
    def value_at_min(self, value: str, key: str) -> str:
        return f"arg_min_null({value}, {key})"

    def value_at_max(self, value: str, key: str) -> str:
        return f"arg_max_null({value}, {key})"

    def local_date(self, ts: str, zone: str) -> str:
        """The date of a UTC timestamp in the time zone ``zone`` (an SQL expression)."""
        return f"CAST({self.local_time(ts, zone)} AS DATE)"

    def numbers(self, upto: int) -> str:
        """A one-column table ``k`` of 0..upto."""
        return f"(SELECT range AS k FROM range(0, {int(upto) + 1}))"

    def quantile(self, value: str, p: float) -> str:
        """The exact quantile with linear interpolation between neighbours."""
        return f"quantile_cont({value}, {float(p)})"

    def row(self, *fields: str) -> str:
        """A comparable tuple of fields (an ordering key)."""
        return f"({', '.join(fields)})"

    def local_time(self, ts: str, zone: str) -> str:
        """A UTC timestamp as wall-clock time in ``zone`` (a timestamp without zone)."""
        return f"timezone({zone}, CAST({ts} AS TIMESTAMPTZ))"

    def days_between(self, a: str, b: str) -> str:
        """Calendar days from ``a`` to ``b`` (midnights crossed)."""
        return f"date_diff('day', {a}, {b})"

    def periods_between(self, period: str, a: str, b: str) -> str:
        """Whole periods (day, week, month) from period start ``a`` to period start ``b``."""
        return f"date_diff('{_period(period)}', {a}, {b})"


class SparkSql(Sql):
    """The same queries for Spark SQL: ``:name`` parameters (``spark.sql(text, args=...)``),
    ``get_json_object`` for properties, signed step bits (at most 31 steps fit)."""

    uint = "INT"

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def json_text(self, column: str, path: str) -> str:
        return f"get_json_object({column}, {self.bind(path)})"

    def seconds(self, ts: str) -> str:
        return f"(unix_micros({ts}) / 1e6)"

    def micros(self, ts: str) -> str:
        return f"unix_micros({ts})"

    def ordered_list(self, value: str, order: str) -> str:
        return f"transform(array_sort(collect_list(struct({order} AS o, {value} AS v))), x -> x.v)"

    def joined_text(self, value: str, where: str) -> str:
        return (
            f"nullif(array_join(array_sort(collect_list({value}) FILTER (WHERE {where})), ' '), '')"
        )

    def from_micros(self, us: str) -> str:
        return f"timestamp_micros({us})"

    def format_time(self, ts: str) -> str:
        return f"date_format({ts}, 'yyyy-MM-dd HH:mm:ss')"

    def value_at_min(self, value: str, key: str) -> str:
        return f"min_by({value}, {key})"

    def value_at_max(self, value: str, key: str) -> str:
        return f"max_by({value}, {key})"

    def numbers(self, upto: int) -> str:
        return f"(SELECT id AS k FROM range(0, {int(upto) + 1}))"

    def quantile(self, value: str, p: float) -> str:
        return f"percentile({value}, {float(p)})"

    def row(self, *fields: str) -> str:
        return f"struct({', '.join(fields)})"

    def local_time(self, ts: str, zone: str) -> str:
        return f"from_utc_timestamp({ts}, {zone})"

    def days_between(self, a: str, b: str) -> str:
        return f"datediff(CAST({b} AS DATE), CAST({a} AS DATE))"

    def periods_between(self, period: str, a: str, b: str) -> str:
        return f"timestampdiff({_period(period).upper()}, {a}, {b})"


def _period(name: str) -> str:
    """A period name checked against the three we use (it is written into the SQL text)."""
    if name not in ("day", "week", "month"):
        raise ValueError(f"unknown period {name!r}")
    return name


_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'[^']*'|"[^"]*")|(?P<op>!=|<>|>=|<=|=|>|<|~)|(?P<punct>[(),])"""
    r"""|(?P<word>[^\s=!<>~(),'"]+))"""
)
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


def _bad(text: str, what_en: str, what_vi: str, field_name: str) -> InputError:
    return InputError(
        f"cannot read {field_name} {text!r}: {what_en}",
        f"không đọc được {field_name} {text!r}: {what_vi}",
        location=Location(field=field_name),
        hint_en="example: \"channel in (shopee, lazada) and category = 'túi xách'\"",
        hint_vi="ví dụ: \"channel in (shopee, lazada) and category = 'túi xách'\"",
    )


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Filter:
    clauses: tuple[Clause, ...] = ()

    def sql(self, q: Sql, alias: str = "") -> str:
        """``TRUE`` or the clauses joined by AND, every value bound as a parameter."""
        if not self.clauses:
            return "TRUE"
        return " AND ".join(_clause_sql(c, q, alias) for c in self.clauses)


def _tokens(text: str, field_name: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _bad(
                text,
                f"unexpected text at character {pos + 1}",
                f"ký tự lạ ở vị trí {pos + 1}",
                field_name,
            )
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = value[1:-1]
        out.append((kind, value))
        pos = m.end()
    return out


def parse_filter(text: str | None, field_name: str = "--where") -> Filter:
    """Parse a filter expression (grammar in the module docstring)."""
    if not text or not text.strip():
        return Filter()
    toks = _tokens(text, field_name)
    clauses: list[Clause] = []
    i = 0

    def need(cond: bool, en: str, vi: str) -> None:
        if not cond:
            raise _bad(text, en, vi, field_name)

    while True:
        need(
            i < len(toks) and toks[i][0] == "word" and bool(_FIELD.fullmatch(toks[i][1])),
            "expected a field name",
            "cần tên trường",
        )
        name = toks[i][1]
        i += 1
        negate = False
        if i < len(toks) and toks[i] == ("word", "not"):
            negate = True
            i += 1
        need(i < len(toks), f"nothing after {name!r}", f"thiếu phần sau {name!r}")
        kind, op = toks[i]
        if kind == "word" and op.lower() == "in":
            i += 1
            need(
                i < len(toks) and toks[i] == ("punct", "("),
                "expected '(' after in",
                "cần '(' sau in",
            )
            i += 1
            values: list[str] = []
            while True:
                need(
                    i < len(toks) and toks[i][0] in ("word", "str"),
                    "expected a value",
                    "cần một giá trị",
                )
                values.append(toks[i][1])
                i += 1
                need(i < len(toks), "missing ')'", "thiếu ')'")
                if toks[i] == ("punct", ")"):
                    i += 1
                    break
                need(toks[i] == ("punct", ","), "expected ',' or ')'", "cần ',' hoặc ')'")
                i += 1
            clauses.append(Clause(name, "not in" if negate else "in", tuple(values)))
        else:
            need(
                kind == "op" and not negate,
                f"expected an operator after {name!r}",
                f"cần toán tử sau {name!r}",
            )
            i += 1
            need(
                i < len(toks) and toks[i][0] in ("word", "str"),
                f"expected a value after {op}",
                f"cần giá trị sau {op}",
            )
            clauses.append(Clause(name, "!=" if op == "<>" else op, (toks[i][1],)))
            i += 1
        if i == len(toks):
            return Filter(tuple(clauses))
        need(
            toks[i][0] == "word" and toks[i][1].lower() == "and",
            f"expected 'and' before {toks[i][1]!r}",
            f"cần 'and' trước {toks[i][1]!r}",
        )
        i += 1


def field_sql(name: str, q: Sql, alias: str = "") -> str:
    """The SQL expression of a field: a column, or a property read from the JSON."""
    prefix = f"{alias}." if alias else ""
    if name in EVENT_ROW_ONLY or name not in COLUMNS | NUMERIC | {"ts"}:
        q.event_row = True
    if name in COLUMNS or name in NUMERIC or name == "ts":
        return f"{prefix}{name}"
    key = name.removeprefix("properties.")
    return q.json_text(f"{prefix}properties", "$." + json_key(key))


def json_key(key: str) -> str:
    """A JSON path segment; keys with dots or spaces are quoted."""
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else '"' + key.replace('"', "") + '"'


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _clause_sql(c: Clause, q: Sql, alias: str) -> str:
    expr = field_sql(c.field, q, alias)
    numeric = c.field in NUMERIC or (
        c.op in (">", ">=", "<", "<=") and all(_is_number(v) for v in c.values)
    )
    if numeric:
        expr = f"TRY_CAST({expr} AS DOUBLE)"

    def val(v: str) -> str:
        return q.bind(float(v) if numeric and _is_number(v) else v)

    if c.op in ("in", "not in"):
        inner = ", ".join(val(v) for v in c.values)
        sql = f"{expr} IN ({inner})"
        return f"coalesce(NOT ({sql}), TRUE)" if c.op == "not in" else f"coalesce({sql}, FALSE)"
    if c.op == "~":
        return f"coalesce(contains(lower({expr}), lower({q.bind(c.values[0])})), FALSE)"
    if c.op == "!=":
        return f"coalesce({expr} <> {val(c.values[0])}, TRUE)"
    return f"coalesce({expr} {c.op} {val(c.values[0])}, FALSE)"


@dataclass(frozen=True)
class Step:
    """One funnel step: an event name (``None``: any event) and a filter."""

    event: str | None
    filter: Filter = field(default_factory=Filter)
    label: str = ""

    def sql(self, q: Sql, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        name = None if self.event is None else event_name(self.event)
        parts = [] if name is None else [f"{prefix}event = {q.bind(name)}"]
        if self.filter.clauses:
            parts.append(self.filter.sql(q, alias))
        return " AND ".join(parts) or "TRUE"


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside brackets, parentheses and quotes."""
    parts: list[str] = []
    depth, quote, cur = 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p]


def parse_step(text: str, field_name: str = "--steps") -> Step:
    """``product_view`` or ``product_view[category=handbags]`` or ``*``."""
    m = re.fullmatch(r"\s*([^\[\]]+?)\s*(?:\[(.*)\])?\s*", text)
    if not m:
        raise _bad(
            text,
            "a step is EVENT or EVENT[filter]",
            "bước có dạng SỰ_KIỆN hoặc SỰ_KIỆN[lọc]",
            field_name,
        )
    name = m.group(1)
    flt = parse_filter(m.group(2), f"{field_name} {name}") if m.group(2) else Filter()
    return Step(None if name in ("*", "any") else event_name(name), flt, text.strip())


def parse_steps(text: str, field_name: str = "--steps") -> list[Step]:
    return [parse_step(p, field_name) for p in split_top(text)]


def parse_duration(text: str, field_name: str = "--window") -> timedelta:
    """``90s``, ``30m``, ``12h``, ``7d``, ``2w`` (a bare number means days)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise _bad(
            text, "write a number with s, m, h, d or w", "viết số kèm s, m, h, d hoặc w", field_name
        )
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}
    return timedelta(**{unit[m.group(2)]: float(m.group(1))})


def _parse_when(text: str, zone: ZoneInfo, end: bool, field_name: str) -> datetime:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            local = datetime.combine(day + timedelta(days=1) if end else day, time())
        else:
            local = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _bad(
            text,
            "use YYYY-MM-DD or an ISO date-time",
            "dùng YYYY-MM-DD hoặc ngày giờ ISO",
            field_name,
        ) from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass(frozen=True)
class Scope:
    """The events an analysis reads: ``since <= ts < until`` (UTC) and a filter."""

    since: datetime | None = None
    until: datetime | None = None
    where: Filter = field(default_factory=Filter)

    @classmethod
    def parse(cls, ws: Workspace, since: str | None, until: str | None, where: str | None) -> Scope:
        """--from / --to in the workspace's time zone (a date --to includes that day)."""
        zone = ZoneInfo(ws.config.timezone)
        return cls(
            _parse_when(since, zone, False, "--from") if since else None,
            _parse_when(until, zone, True, "--to") if until else None,
            parse_filter(where),
        )

    def sql(self, q: Sql, alias: str = "e") -> str:
        parts = [self.where.sql(q, alias)]
        if self.since:
            parts.append(f"{alias}.ts >= {q.bind(self.since)}")
        if self.until:
            parts.append(f"{alias}.ts < {q.bind(self.until)}")
        return " AND ".join(parts)

    def describe(self) -> dict[str, Any]:
        return {
            "from": self.since.isoformat() + "Z" if self.since else None,
            "to": self.until.isoformat() + "Z" if self.until else None,
            "where": [describe(c) for c in self.where.clauses],
        }


def describe(c: Clause) -> str:
    if c.op in ("in", "not in"):
        return f"{c.field} {c.op} ({', '.join(c.values)})"
    return f"{c.field} {c.op} {c.values[0]}"


def customer_events(
    ws: Workspace, scope: Scope, q: Sql, columns: str = "e.*", *, event_row: bool = False
) -> str:
    """SQL of the scoped events that belong to a customer (``customer_id`` and ``columns``).

    They come from ``journey_events``, stored in (customer, time) order, so a
    plain scan returns each customer's events ready to walk. When an expression read a
    field only the full event row has (``q.event_row``, or ``event_row=True``), the row is
    joined by ``seq`` and the order is no longer guaranteed: callers that need it check
    ``q.event_row`` and sort.
    """
    require_resolved(ws)
    where = scope.sql(q, "e")
    q.event_row = q.event_row or event_row
    source = "journey_events"
    if q.event_row:
        extra = ", ".join(f"x.{c}" for c in sorted(EVENT_ROW_ONLY))
        source = f"(SELECT j.*, {extra} FROM journey_events j JOIN events x ON x.seq = j.seq)"
    select = columns if columns == "e.*" else f"e.customer_id, {columns}"
    return f"SELECT {select} FROM {source} e WHERE {where}"


def require_resolved(ws: Workspace) -> None:
    """Analytics count customers: refuse clearly when identities were never resolved (or
    were resolved before this version kept journeys in order)."""
    stale = ws.scalar("SELECT count(*) FROM event_customers") and not ws.scalar(
        "SELECT count(*) FROM journey_events"
    )
    never = ws.scalar("SELECT count(*) FROM identity_runs") == 0
    if (never or stale) and ws.scalar("SELECT count(*) FROM events"):
        raise InputError(
            "events are not yet stitched into customers",
            "sự kiện chưa được ghép thành khách hàng",
            hint_en="run `journeyscope identity resolve -w DIR` first",
            hint_vi="hãy chạy `journeyscope identity resolve -w THƯ_MỤC` trước",
        )
