"""Where a report's SQL runs: the workspace's DuckDB file, or Spark over an events dataset.

A report written against :class:`Runner` builds its statements with ``runner.sql()`` (the
dialect's query builder, :class:`~journeyscope.analytics.scope.Sql` or ``SparkSql``), reads
the scoped events through ``runner.source(...)``, keeps intermediate results with
``runner.table(...)`` and reads small results with ``runner.rows(...)``. The same report
code then runs on both engines, and tests hold the two answers equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import TYPE_CHECKING, Any

from journeyscope.analytics.scope import Scope, SparkSql, Sql, customer_events
from journeyscope.events.workspace import Workspace

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_views = count()


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
    checkpointed temp views, and only the small answers are collected."""

    def __init__(self, ws: Workspace, events: DataFrame) -> None:
        super().__init__(ws)
        self.spark = events.sparkSession
        self.view = f"journeyscope_events_{next(_views)}"
        events.createOrReplaceTempView(self.view)

    def sql(self) -> Sql:
        return SparkSql()

    def source(self, scope: Scope, q: Sql, columns: str) -> str:
        select = columns if columns == "e.*" else f"e.customer_id, {columns}"
        where = scope.sql(q, "e")
        return f"SELECT {select} FROM {self.view} e WHERE e.customer_id IS NOT NULL AND {where}"

    def frame(self, text: str, q: Sql | None = None) -> DataFrame:
        """The statement's result as a DataFrame, left distributed."""
        return self.spark.sql(text, args=q.params if q else {})

    def rows(self, text: str, q: Sql | None = None) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.frame(text, q).collect()]

    def table(self, name: str, text: str, q: Sql | None = None) -> None:
        self.frame(text, q).localCheckpoint().createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
