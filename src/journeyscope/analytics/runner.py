"""Where a report's SQL runs: the workspace's DuckDB file, or Spark over an events dataset.

A report written against :class:`Runner` builds its statements with ``runner.sql()`` (the
dialect's query builder, :class:`~journeyscope.analytics.scope.Sql` or ``SparkSql``), reads
the scoped events through ``runner.source(...)``, keeps intermediate results with
``runner.table(...)`` and reads small results with ``runner.rows(...)``. The same report
code then runs on both engines, and tests hold the two answers equal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pyarrow as pa

from journeyscope.analytics.scope import Scope, SparkSql, Sql, customer_events
from journeyscope.errors import Location, NotFound
from journeyscope.events.export import write_relation
from journeyscope.events.spark_store import read_identities
from journeyscope.events.workspace import Workspace
from journeyscope.identity.normalize import parse_identifier
from journeyscope.identity.profiles import customer_id_of

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_views = count()
T = TypeVar("T")


class Runner:
    """The embedded engine: the workspace's DuckDB connection."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def zone(self) -> str:
        return self.ws.config.timezone

    def sql(self) -> Sql:
        return Sql()

    def source(self, scope: Scope, q: Sql, columns: str) -> str:
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

    @contextmanager
    def scratch(self, *names: str) -> Iterator[None]:
        """Intermediate tables of one report, dropped however it ends."""
        try:
            yield
        finally:
            for name in names:
                self.drop(name)


class SparkRunner(Runner):
    """Spark over an events dataset (``export-parquet`` layout); intermediate results are
    checkpointed temp views, and only the small answers are collected.

    ``dataset``: where the events came from. Who the customers are is read from there, on
    first use, when Spark resolved it (``_identity/``); else the customers are the
    workspace's (the dataset is an export of it)."""

    def __init__(self, ws: Workspace, events: DataFrame, dataset: str | None = None) -> None:
        super().__init__(ws)
        self.spark = events.sparkSession
        self.view = f"journeyscope_events_{next(_views)}"
        events.createOrReplaceTempView(self.view)
        self.dataset = dataset
        self._identity_view: str | None = None
        self._kept: dict[Hashable, Any] = {}

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` the first time ``key`` is asked for, then the same result: rows that
        two reports of one command share (paths and time decay) are prepared once."""
        if key not in self._kept:
            self._kept[key] = make()
        return cast(T, self._kept[key])

    @functools.cached_property
    def _own_identities(self) -> DataFrame | None:
        """The dataset's ``_identity/`` (read once, and only by the reports that name
        customers), or None."""
        return read_identities(self.spark, self.dataset) if self.dataset else None

    def sql(self) -> Sql:
        return SparkSql()

    def source(self, scope: Scope, q: Sql, columns: str) -> str:
        select = columns if columns == "e.*" else f"e.customer_id, {columns}"
        where = scope.sql(q, "e")
        return f"SELECT {select} FROM {self.view} e WHERE e.customer_id IS NOT NULL AND {where}"

    def frame(self, text: str, q: Sql | None = None) -> DataFrame:
        """The statement's result as a DataFrame, left distributed."""
        return self.spark.sql(text, args=q.params if q else {})

    def arrow(self, text: str, q: Sql | None = None) -> pa.Table:
        """The statement's (small) result on the driver, times as naive UTC like DuckDB's.

        Through Arrow, not ``collect()``: PySpark turns timestamps into the *driver
        process's* local time, which on a machine set to Asia/Ho_Chi_Minh is 7 hours off."""
        return naive_times(self.frame(text, q).toArrow())

    def rows(self, text: str, q: Sql | None = None) -> list[tuple[Any, ...]]:
        data = self.arrow(text, q)
        return (
            list(zip(*(c.to_pylist() for c in data.columns), strict=True))
            if data.num_columns
            else []
        )

    def table(self, name: str, text: str, q: Sql | None = None) -> None:
        self.frame(text, q).localCheckpoint().createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def register(self, name: str, data: pa.Table) -> None:
        # from Arrow, not pandas: an empty table keeps its schema (nobody dropped, say)
        self.spark.createDataFrame(data).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.drop(name)

    def write(self, text: str, target: Path, q: Sql | None = None) -> int:
        """Written on the driver, like the embedded engine's files (one row per customer)."""
        data = self.arrow(text, q)
        write_relation(self.ws.con.from_arrow(data), target)
        return int(data.num_rows)

    def identities(self) -> str:
        if self._identity_view is None:
            self._identity_view = f"journeyscope_identities_{next(_views)}"
            if self._own_identities is not None:
                frame = self._own_identities.selectExpr(
                    "customer_id", "identifier_type AS id_type", "identifier_value AS value"
                ).where("customer_id IS NOT NULL")
            else:  # an export of the workspace: its customers are the workspace's
                frame = self.spark.createDataFrame(
                    self.ws.con.sql(
                        "SELECT customer_id, id_type, value FROM identity_nodes "
                        "WHERE customer_id IS NOT NULL"
                    ).to_arrow_table()
                )
            frame.createOrReplaceTempView(self._identity_view)
        return self._identity_view

    def customer_id_of(self, ref: str) -> int:
        if self._own_identities is None:
            return super().customer_id_of(ref)
        q = self.sql()
        if ref.isdigit():
            where = f"customer_id = {q.bind(int(ref))}"
        else:
            id_type, value = parse_identifier(ref, self.ws.config.identity.default_region)
            where = f"id_type = {q.bind(id_type)} AND value = {q.bind(value)}"
        found = self.rows(f"SELECT customer_id FROM {self.identities()} WHERE {where} LIMIT 1", q)
        if not found:
            raise NotFound(
                f"no customer {ref} in the dataset",
                f"không có khách hàng {ref} trong dataset",
                location=Location(file=self.dataset, field="--customer"),
                hint_en="pass a customer id or TYPE:VALUE of an identifier in the events",
                hint_vi="dùng mã khách hàng hoặc LOẠI:GIÁ_TRỊ của một định danh trong dữ liệu",
            )
        return int(found[0][0])


def naive_times(data: pa.Table) -> pa.Table:
    """Zoned timestamp columns as naive UTC (what DuckDB's TIMESTAMP columns hold)."""
    for i, field in enumerate(data.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            data = data.set_column(
                i, field.name, data.column(i).cast(pa.timestamp(field.type.unit))
            )
    return data
