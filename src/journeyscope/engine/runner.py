"""Where a report's SQL runs: the embedded engine, DuckDB over the workspace's file.

A report written against :class:`Runner` builds its statements with ``runner.sql()`` (the
dialect's query builder, :class:`~journeyscope.engine.dialect.Sql` or ``SparkSql``), reads
the scoped events through ``runner.source(...)``, keeps intermediate results with
``runner.table(...)``, reads small results with ``runner.rows(...)``, and runs per-customer
passes (the funnel walk, attribution's path cutting) with ``runner.per_customer(...)``.
The same report code then runs on both engines (:mod:`journeyscope.engine.spark` is the
other), and tests hold the two answers equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from journeyscope.engine.dialect import Sql
from journeyscope.errors import InputError
from journeyscope.events.export import write_relation
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import Workspace
from journeyscope.identity.profiles import customer_id_of

if TYPE_CHECKING:  # pyarrow loads in ~0.1 s: only where a table is built
    import pyarrow as pa

__all__ = [
    "EVENT_ROW_ONLY",
    "Columns",
    "PerCustomer",
    "Runner",
    "Scoped",
    "as_runner",
    "customer_events",
    "require_resolved",
]

#: Fields that live only in ``events``, not in the journey-ordered copy
EVENT_ROW_ONLY = frozenset(IDENTIFIER_TYPES) | {"properties"}

#: A per-customer pass's input and output: named columns (NumPy arrays)
Columns = dict[str, Any]
#: A per-customer pass: rows of whole customers in journey order -> one row per customer
PerCustomer = Callable[[Columns], Columns]


def as_runner(where: Runner | Workspace) -> Runner:
    """A runner as given, or the embedded engine's over a workspace (the convenience
    functions take either, so tests run one report on every engine)."""
    return where if isinstance(where, Runner) else Runner(where)


class Scoped(Protocol):
    """What a runner needs of an analysis's scope: its filter as SQL."""

    def sql(self, q: Sql, alias: str = "e") -> str: ...


class Runner:
    """The embedded engine: the workspace's DuckDB connection."""

    name = "duckdb"

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def zone(self) -> str:
        return self.ws.config.timezone

    def sql(self) -> Sql:
        return Sql()

    def source(self, scope: Scoped, q: Sql, columns: str) -> str:
        """SQL of the scoped events that belong to a customer (``customer_id`` + columns)."""
        return customer_events(self.ws, scope, q, columns)

    def rows(self, text: str, q: Sql | None = None) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.ws.con.execute(text, q.params if q else {}).fetchall()]

    def table(self, name: str, text: str, q: Sql | None = None) -> None:
        self.ws.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {text}", q.params if q else {})

    def drop(self, name: str) -> None:
        self.ws.con.execute(f"DROP TABLE IF EXISTS {name}")

    def register(self, name: str, data: pa.Table) -> None:
        """A small table from the driver (e.g. one row per customer) as a view."""
        self.ws.con.register(name, data)

    def unregister(self, name: str) -> None:
        self.ws.con.unregister(name)

    def write(self, text: str, target: Path, q: Sql | None = None) -> int:
        """The statement's rows as a CSV or Parquet file, whole or not at all; the count."""
        with self.scratch("js_written"):
            self.table("js_written", text, q)
            write_relation(self.ws.con.table("js_written"), target)
            return int(self.rows("SELECT count(*) FROM js_written")[0][0])

    def identities(self) -> str:
        """A view of ``(customer_id, id_type, value)``: every identifier with a customer."""
        return "identity_nodes"

    def customer_id_of(self, ref: str) -> int:
        """A customer from ``42`` or one of its identifiers (``phone:0903123456``)."""
        return customer_id_of(self.ws, ref)

    def per_customer(
        self, text: str, q: Sql, run: PerCustomer, schema: str, *, in_order: bool = False
    ) -> Columns:
        """``run`` over every customer's rows in journey order; its rows back as columns.

        ``text`` selects ``customer_id``, ``us`` (µs since the epoch), ``seq`` (for the
        order only: ``run`` may not get it) and what ``run`` reads. ``run`` gets whole
        customers, sorted by (customer, us, seq), as NumPy columns and returns columns
        (one row per customer, or per anything it sums); ``schema`` names them as Spark
        DDL (``customer_id long, level int``), which the Spark engine needs to hand
        partitions to ``run``. Here the whole scan is one call (the compiled passes use
        every core themselves); ``in_order``: the rows come in that order already, or
        as a few runs in it (a scan of ``journey_events``), so no sort is asked of the
        database: the runs are merged here (:func:`arrays.journey_order`)."""
        order = "" if in_order else " ORDER BY customer_id, us, seq"
        # con.sql(...).fetchnumpy() moves columns without a row-wise result set
        rel = self.ws.con.sql(f"SELECT * FROM ({text}) t{order}", params=q.params)
        cols = dict(rel.fetchnumpy())
        if in_order:
            import numpy as np

            from journeyscope.arrays import journey_order

            perm = journey_order(*(np.asarray(cols[k]) for k in ("customer_id", "us", "seq")))
            if perm is not None:
                cols = {k: v[perm] for k, v in cols.items()}  # masked arrays stay masked
            del cols["seq"]
        return dict(run(cols))

    @contextmanager
    def scratch(self, *names: str) -> Iterator[None]:
        """Intermediate tables of one report, dropped however it ends."""
        try:
            yield
        finally:
            for name in names:
                self.drop(name)


def customer_events(
    ws: Workspace, scope: Scoped, q: Sql, columns: str = "e.*", *, event_row: bool = False
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
            code="not_resolved",
        )
