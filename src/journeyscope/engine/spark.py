"""Spark over an events dataset: the same reports as the embedded engine, distributed.

Statements are the same builders rendered in Spark's dialect; intermediate results are
checkpointed temp views; per-customer passes run inside the executors on whole customers
(each customer's rows shuffled into one partition, sorted by customer, time and arrival)
and only one row per customer comes back. PySpark is imported by whoever builds the
DataFrame this runner is given (``events.spark_store``), never at import time here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pyarrow as pa

from journeyscope.engine.dialect import SparkSql, Sql
from journeyscope.engine.runner import Columns, PerCustomer, Runner, Scoped
from journeyscope.errors import Location, NotFound
from journeyscope.events.export import write_relation
from journeyscope.events.spark_store import read_identities
from journeyscope.events.workspace import Workspace
from journeyscope.identity.normalize import parse_identifier

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

__all__ = ["SparkRunner", "in_journey_order", "naive_times", "whole_partition"]

_views = count()
T = TypeVar("T")


class SparkRunner(Runner):
    """Spark over an events dataset (``export-parquet`` layout); intermediate results are
    checkpointed temp views, and only the small answers are collected.

    ``dataset``: where the events came from. Who the customers are is read from there, on
    first use, when Spark resolved it (``_identity/``); else the customers are the
    workspace's (the dataset is an export of it)."""

    name = "spark"

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

    def source(self, scope: Scoped, q: Sql, columns: str) -> str:
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

    def per_customer(
        self, text: str, q: Sql, run: PerCustomer, schema: str, *, in_order: bool = False
    ) -> Columns:
        """``run`` inside the executors: each customer's rows shuffled into one partition
        and sorted by (customer, us, seq); every partition is handed over whole (no
        customer split between two calls), and only ``run``'s rows come back, in customer
        order (when they carry ``customer_id``). ``in_order`` means nothing here: a
        lake's files promise no order."""
        frame = in_journey_order(self.frame(text, q)).mapInPandas(_on_partitions(run), schema)
        table = naive_times(frame.toArrow())
        if table.num_rows and "customer_id" in table.column_names:
            table = table.sort_by("customer_id")
        return {
            name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
        }

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
        if ref.isascii() and ref.isdigit():  # int("²") would raise
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


def in_journey_order(rows: DataFrame) -> DataFrame:
    """Each customer's rows in one partition, sorted by (customer, time µs ``us``, seq)."""
    return rows.repartition("customer_id").sortWithinPartitions("customer_id", "us", "seq")


def whole_partition(batches: Iterator[pd.DataFrame]) -> pd.DataFrame | None:
    """All Arrow batches of a ``mapInPandas`` partition as one frame (None: no rows), so no
    customer is split between two calls of a pass."""
    import pandas as pd

    frames = [b for b in batches if len(b)]
    return pd.concat(frames, ignore_index=True) if frames else None


def _on_partitions(run: PerCustomer) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """``run`` as the function each partition calls: its rows as NumPy columns in, a frame
    of one row per customer out."""

    def each(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        rows = whole_partition(batches)
        if rows is None:
            return
        out = run({name: rows[name].to_numpy() for name in rows.columns if name != "seq"})
        yield pd.DataFrame({k: list(v) if getattr(v, "ndim", 1) > 1 else v for k, v in out.items()})

    return each
