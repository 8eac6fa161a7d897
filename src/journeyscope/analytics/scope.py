"""Which events an analysis reads: a date range, property filters, and step definitions.

Filters are parsed into a small tree and rendered as SQL with bound parameters, so user
text never becomes SQL text. The grammar (documented in docs/analytics.md)::

    filter  := clause ("and" clause)*
    clause  := FIELD OP VALUE | FIELD ["not"] "in" "(" VALUE ("," VALUE)* ")"
    OP      := = | != | <> | > | >= | < | <= | ~        (~ : contains, any case)
    FIELD   := event | channel | touchpoint | source | currency | revenue | rating
               | <identifier> | segment             (segment = NAME: its customers' events)
               | properties.KEY | KEY                   (any other name is a property)
    VALUE   := word | 'quoted text' | "quoted text" | number

A step is ``EVENT`` or ``EVENT[filter]``; ``*`` stands for any event.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import EVENT_ROW_ONLY
from journeyscope.errors import InputError, Location
from journeyscope.events.query import event_name
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.when import to_utc
from journeyscope.events.workspace import Workspace

COLUMNS = frozenset({"event", "channel", "touchpoint", "source", "currency", *IDENTIFIER_TYPES})
NUMERIC = frozenset({"revenue", "rating"})
NAMES = COLUMNS - frozenset(IDENTIFIER_TYPES)  # event, channel, touchpoint, source, currency


_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'[^']*'|"[^"]*")|(?P<op>!=|<>|>=|<=|=|>|<|~)|(?P<punct>[(),])"""
    r"""|(?P<word>[^\s=!<>~(),'"]+))"""
)
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


_WHERE_EXAMPLE = "\"channel in (shopee, lazada) and category = 'túi xách'\""
_DURATION_EXAMPLE = "90s, 30m, 12h, 7d, 2w"
#: The longest duration a report takes (a window, a lookback): longer is a typo
MAX_DURATION = timedelta(days=36525)
_WHEN_EXAMPLE = "2026-05-01, 2026-05-01T09:30"
_STEPS_EXAMPLE = "product_view,add_to_cart[category=bags],purchase"


def _bad(
    text: str,
    what_en: str,
    what_vi: str,
    field_name: str,
    example: str = _WHERE_EXAMPLE,
    code: str = "invalid_filter",
) -> InputError:
    """Unreadable input, with an example of the kind the user was writing (a filter, a
    duration, a date or steps), never another kind's, and that kind's code."""
    return InputError(
        f"cannot read {field_name} {text!r}: {what_en}",
        f"không đọc được {field_name} {text!r}: {what_vi}",
        location=Location(field=field_name),
        hint_en=f"example: {example}",
        hint_vi=f"ví dụ: {example}",
        code=code,
    )


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    values: tuple[str, ...]
    #: ``segment`` clauses: the named segments' customer ids (bound by ``Scope.parse``)
    members: tuple[int, ...] | None = None


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


def parse_filter(text: str | None, field_name: str = "--where", *, events: bool = True) -> Filter:
    """Parse a filter expression (grammar in the module docstring). ``events``: its fields
    are the events' (refuse comparisons that could only be false); segment rules, whose
    fields are a customer's, check their own (``segments_rule``)."""
    if not text or not text.strip():
        return Filter()
    text = unicodedata.normalize("NFC", text)  # as import stores text
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
            if events:
                _check_comparison(clauses[-1], text, field_name)
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
            if events:
                _check_comparison(clauses[-1], text, field_name)
            i += 1
        if i == len(toks):
            return Filter(tuple(clauses))
        need(
            toks[i][0] == "word" and toks[i][1].lower() == "and",
            f"expected 'and' before {toks[i][1]!r}",
            f"cần 'and' trước {toks[i][1]!r}",
        )
        i += 1


def _check_comparison(c: Clause, text: str, field_name: str) -> None:
    """A comparison that could only ever be false is refused, not answered with zero:
    a number field against text, or a name column ordered (``channel > 5``; identifiers
    may be numbers, so ``user_id > 1000`` stays)."""
    words = [v for v in c.values if not _is_number(v)]
    if c.field in NUMERIC and words and c.op != "~":
        raise _bad(
            text,
            f"{c.field} is a number: {words[0]!r} is not one",
            f"{c.field} là số: {words[0]!r} không phải số",
            field_name,
        )
    if c.field in NAMES and c.op in (">", ">=", "<", "<="):
        raise _bad(
            text,
            f"{c.field} is text: compare it with =, !=, in (...) or ~",
            f"{c.field} là chữ: so sánh bằng =, !=, in (...) hoặc ~",
            field_name,
        )


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


def _segment_sql(c: Clause, q: Sql, alias: str) -> str:
    """A segment's customers, bound as one array (``analytics.segments``)."""
    if c.members is None:
        raise _bad(
            describe(c),
            "segments filter a report's --where only",
            "phân khúc chỉ dùng trong --where của báo cáo",
            "segment",
        )
    negate = c.op in ("!=", "not in")
    if not c.members:
        return "TRUE" if negate else "FALSE"
    inside = f"array_contains({q.bind(list(c.members))}, {alias + '.' if alias else ''}customer_id)"
    return f"NOT {inside}" if negate else inside


def _clause_sql(c: Clause, q: Sql, alias: str) -> str:
    if c.field == "segment":
        return _segment_sql(c, q, alias)
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


def split_top(text: str, sep: str = ",", *, keep_empty: bool = False) -> list[str]:
    """Split at ``sep`` outside brackets, parentheses and quotes (empty parts dropped
    unless ``keep_empty``)."""
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
    return parts if keep_empty else [p for p in parts if p]


def parse_step(text: str, field_name: str = "--steps") -> Step:
    """``product_view`` or ``product_view[category=handbags]`` or ``*``."""
    m = re.fullmatch(r"\s*([^\[\]]+?)\s*(?:\[(.*)\])?\s*", text)
    if not m:
        raise _bad(
            text,
            "a step is EVENT or EVENT[filter]",
            "bước có dạng SỰ_KIỆN hoặc SỰ_KIỆN[lọc]",
            field_name,
            _STEPS_EXAMPLE,
            code="invalid_steps",
        )
    name = m.group(1)
    flt = parse_filter(m.group(2), f"{field_name} {name}") if m.group(2) else Filter()
    return Step(None if name in ("*", "any") else event_name(name), flt, text.strip())


def parse_steps(text: str, field_name: str = "--steps") -> list[Step]:
    parts = split_top(text, keep_empty=True)
    if len(parts) > 1 and not all(parts):
        raise _bad(
            text,
            f"step {parts.index('') + 1} is empty (two commas in a row?)",
            f"bước {parts.index('') + 1} bị trống (hai dấu phẩy liền nhau?)",
            field_name,
            _STEPS_EXAMPLE,
            code="invalid_steps",
        )
    return [parse_step(p, field_name) for p in parts if p]


def parse_duration(text: str, field_name: str = "--window") -> timedelta:
    """``90s``, ``30m``, ``12h``, ``7d``, ``2w`` (a bare number means days)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise _bad(
            text,
            "write a number with s, m, h, d or w",
            "viết số kèm s, m, h, d hoặc w",
            field_name,
            _DURATION_EXAMPLE,
            code="invalid_duration",
        )
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}
    try:
        found = timedelta(**{unit[m.group(2)]: float(m.group(1))})
    except OverflowError:
        found = timedelta.max
    if found > MAX_DURATION:
        raise _bad(
            text,
            "longer than 100 years",
            "dài hơn 100 năm",
            field_name,
            _DURATION_EXAMPLE,
            code="invalid_duration",
        )
    return found


def _parse_when(text: str, zone: ZoneInfo, end: bool, field_name: str) -> datetime:
    try:
        return to_utc(text, zone, end)
    except ValueError as exc:
        raise _bad(
            text,
            "use YYYY-MM-DD or an ISO date-time",
            "dùng YYYY-MM-DD hoặc ngày giờ ISO",
            field_name,
            _WHEN_EXAMPLE,
            code="invalid_date",
        ) from exc


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
        flt = parse_filter(where)
        if any(c.field == "segment" for c in flt.clauses):
            from journeyscope.analytics.segments import bind_segments

            flt = bind_segments(ws, flt)
        return cls(
            _parse_when(since, zone, False, "--from") if since else None,
            _parse_when(until, zone, True, "--to") if until else None,
            flt,
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
