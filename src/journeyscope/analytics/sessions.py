"""Sessions as journeys: the one place that says what a session is.

A report normally follows each customer's whole history. With ``--per session`` it follows
each *session* instead: the reports read their events through :class:`SessionRunner`,
whose ``source`` hands them a ``customer_id`` that is a journey key — the customer and the
number of the session within the customer's history. Funnels, paths and touchpoints then
partition, walk and count journeys exactly as before, on either engine, with no change of
their own.

A session is cut from *all* of a customer's events (a visit is a visit whatever the report
then filters), in (``ts``, ``seq``) order — ``seq`` is the place in the source, so events at
one instant keep the order they were written in. Two rules (docs/analytics.md, "Sessions"):

- **gap**: a new session starts when more than ``gap`` passed since the customer's previous
  event (30 minutes by default, as Google Analytics and Segment count);
- **column**: a field holding a session id (``properties.session_id`` of a Segment or GA
  export). Sessions are numbered by their first event; an event without an id belongs to
  the latest session begun before it (or to a session of its own before the first id).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from journeyscope.analytics.scope import field_sql, parse_duration
from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Columns, PerCustomer, Runner, Scoped, as_runner
from journeyscope.errors import InputError, Location

if TYPE_CHECKING:
    from journeyscope.events.workspace import SessionConfig, Workspace

__all__ = [
    "KEY_BITS",
    "PER",
    "SessionRule",
    "SessionRunner",
    "check_per",
    "customer_of",
    "per_session",
    "session_rule",
]

#: What one journey is
PER = ("customer", "session")
#: A journey key is ``customer_id << KEY_BITS | session number`` (16.7 million sessions per
#: customer; customer ids are numbered 1, 2, 3, … by both engines' resolve)
KEY_BITS = 24
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class SessionRule:
    """Where one session ends: after ``gap`` of inactivity, or where ``column`` changes.
    ``origin`` names where the rule came from (an option or ``workspace.yaml``), for errors."""

    gap: timedelta = timedelta(minutes=30)
    column: str | None = None
    origin: str = "--session-gap"

    def describe(self) -> dict[str, Any]:
        """The rule as the reports' JSON states it."""
        if self.column is not None:
            return {"rule": "column", "column": self.column}
        return {"rule": "gap", "gap_seconds": self.gap.total_seconds()}


def check_per(per: str) -> str:
    """``customer`` or ``session``; anything else is refused with the choices."""
    if per not in PER:
        raise InputError(
            f"--per {per!r}: a journey is per customer or per session",
            f"--per {per!r}: hành trình tính theo customer (khách hàng) hoặc session (phiên)",
            location=Location(field="--per"),
            hint_en="--per customer (the default) or --per session",
            hint_vi="--per customer (mặc định) hoặc --per session",
            code="invalid_option",
        )
    return per


def session_rule(gap: str | None, column: str | None, config: SessionConfig) -> SessionRule:
    """The rule of one report: the options, else ``workspace.yaml``'s ``sessions``."""
    if gap is not None and column is not None:
        raise InputError(
            "--session-gap and --session-column are two rules for one session: pick one",
            "--session-gap và --session-column là hai quy tắc cho một phiên: hãy chọn một",
            location=Location(field="--session-column"),
            hint_en="leave out --session-gap to use the session id column",
            hint_vi="bỏ --session-gap để dùng cột mã phiên",
            code="conflicting_options",
        )
    if column is not None:
        return SessionRule(column=_column(column, "--session-column"), origin="--session-column")
    if gap is not None:
        return SessionRule(gap=parse_duration(gap, "--session-gap"))
    if config.column:
        where = "workspace.yaml sessions.column"
        return SessionRule(column=_column(config.column, where), origin=where)
    where = "workspace.yaml sessions.gap"
    return SessionRule(gap=parse_duration(config.gap, where), origin=where)


def _column(name: str, where: str) -> str:
    """A field name as a filter writes it (``properties.session_id``, ``session_id``)."""
    name = name.strip()
    if not _FIELD.fullmatch(name):
        raise InputError(
            f"{where} {name!r}: not a field name",
            f"{where} {name!r}: không phải tên trường",
            location=Location(field=where),
            hint_en="e.g. --session-column properties.session_id",
            hint_vi="ví dụ --session-column properties.session_id",
            code="invalid_option",
        )
    return name


def per_session(r: Runner | Workspace, rule: SessionRule) -> SessionRunner:
    """``r`` (a workspace: its DuckDB) with sessions as the journeys its reports follow."""
    return SessionRunner(as_runner(r), rule)


def customer_of(journey: Any) -> Any:
    """The customer id(s) of journey key(s) (an int or a NumPy array)."""
    return journey >> KEY_BITS


class _All:
    """Every event: sessions are cut before the report's own filter."""

    def sql(self, q: Sql, alias: str = "e") -> str:
        return "TRUE"


class SessionRunner(Runner):
    """A runner whose journeys are sessions: ``source`` numbers each customer's sessions
    and hands the reports ``customer_id`` = the journey key; everything else is the wrapped
    runner's (DuckDB's or Spark's)."""

    def __init__(self, inner: Runner, rule: SessionRule) -> None:
        self.inner = inner
        self.ws = inner.ws
        self.name = inner.name
        self.rule = rule

    def __getattr__(self, name: str) -> Any:  # an engine's own extras (Spark's frame, ...)
        if name == "inner":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    @property
    def zone(self) -> str:
        return self.inner.zone

    def sql(self) -> Sql:
        return self.inner.sql()

    def source(self, scope: Scoped, q: Sql, columns: str) -> str:
        """The scoped events of each session, ``customer_id`` being the journey key.

        The rows come out of window functions, in no promised order: ``q.event_row`` is
        set, which tells the reports to sort (as they do after a join to the event row)."""
        value = field_sql(self.rule.column, q, "b") if self.rule.column else None
        where = scope.sql(q, "e")  # first: it may need the full event row
        inner = self.inner.source(_All(), q, "e.*")
        numbered = _numbered_sql(q, inner, value, self.rule.gap)
        if columns == "e.*":
            names = [c for c in self._names(inner) if c != "customer_id"]
            columns = ", ".join(f"e.{c}" for c in names)
        q.event_row = True
        return f"SELECT e.js_journey AS customer_id, {columns} FROM ({numbered}) e WHERE {where}"

    def _names(self, inner: str) -> list[str]:
        """The columns of the engine's event rows (what ``e.*`` stands for)."""
        probe = f"SELECT * FROM ({inner}) t LIMIT 0"
        frame = getattr(self.inner, "frame", None)
        if frame is not None:
            return list(frame(probe).columns)
        return [d[0] for d in self.ws.con.execute(probe).description]

    # the rest is the wrapped engine's
    def rows(self, text: str, q: Sql | None = None) -> list[tuple[Any, ...]]:
        return self.inner.rows(text, q)

    def table(self, name: str, text: str, q: Sql | None = None) -> None:
        self.inner.table(name, text, q)

    def drop(self, name: str) -> None:
        self.inner.drop(name)

    def register(self, name: str, data: pa.Table) -> None:
        self.inner.register(name, data)

    def unregister(self, name: str) -> None:
        self.inner.unregister(name)

    def write(self, text: str, target: Path, q: Sql | None = None) -> int:
        return self.inner.write(text, target, q)

    def identities(self) -> str:
        return self.inner.identities()

    def customer_id_of(self, ref: str) -> int:
        return self.inner.customer_id_of(ref)

    def per_customer(
        self, text: str, q: Sql, run: PerCustomer, schema: str, *, in_order: bool = False
    ) -> Columns:
        return self.inner.per_customer(text, q, run, schema, in_order=False)

    @contextmanager
    def scratch(self, *names: str) -> Iterator[None]:
        with self.inner.scratch(*names):
            yield


def _numbered_sql(q: Sql, inner: str, value: str | None, gap: timedelta) -> str:
    """Every event of ``inner`` with ``js_journey``: its customer and session number."""
    w = "PARTITION BY b.customer_id ORDER BY b.ts, b.seq"
    running = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    if value is None:
        us, prev = q.micros("b.ts"), q.micros(f"lag(b.ts) OVER ({w})")
        limit = q.bind(int(gap.total_seconds() * 1_000_000))
        marked = f"""SELECT b.*, CASE WHEN lag(b.ts) OVER ({w}) IS NULL
                OR {us} - {prev} > {limit} THEN 1 ELSE 0 END AS js_new
            FROM ({inner}) b"""
        sid = f"sum(m.js_new) OVER ({w.replace('b.', 'm.')} {running})"
        numbered = f"SELECT m.*, {sid} AS js_sid FROM ({marked}) m"
    else:
        marked = f"""SELECT b.*, {value} AS js_value, row_number() OVER ({w}) AS js_pos
            FROM ({inner}) b"""
        first = f"""SELECT m.*, CASE WHEN m.js_value IS NOT NULL THEN min(m.js_pos) OVER (
                PARTITION BY m.customer_id, m.js_value) END AS js_first
            FROM ({marked}) m"""
        started = "CASE WHEN f.js_pos = f.js_first THEN 1 ELSE 0 END"
        numbered = f"""SELECT f.*, CASE WHEN f.js_value IS NULL
                THEN coalesce(sum({started}) OVER (
                    PARTITION BY f.customer_id ORDER BY f.js_pos {running}), 0)
                ELSE dense_rank() OVER (
                    PARTITION BY f.customer_id ORDER BY f.js_first NULLS LAST) END AS js_sid
            FROM ({first}) f"""
    key = f"CAST(n.customer_id AS BIGINT) * {1 << KEY_BITS} + CAST(n.js_sid AS BIGINT)"
    return f"SELECT n.*, CAST({key} AS BIGINT) AS js_journey FROM ({numbered}) n"
