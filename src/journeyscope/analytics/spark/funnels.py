"""Funnels on Spark: the same rows, the same compiled walk, run inside the executors.

Spark SQL computes each event's step bits from the same query builder as the embedded
engine (:func:`journeyscope.analytics.funnels.row_sql`, rendered in Spark's dialect), the
rows are shuffled so that each customer's events sit in one partition, sorted by
(customer, time, arrival), and every partition runs the compiled walk
(:func:`journeyscope.analytics.funnels.walk_columns`) — the very code DuckDB's path runs,
so the semantics cannot drift. Only one row per customer (level, step times, breakdown
value) comes back to the driver, never an event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from journeyscope.analytics.funnels import FunnelSpec, Walk, row_sql, walk_columns
from journeyscope.analytics.runner import SparkRunner
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.spark.partitions import in_journey_order, whole_partition

if TYPE_CHECKING:
    import pandas as pd

RESULT = "customer_id long, level int, times array<long>, by_value string"


def walk_spark(r: SparkRunner, spec: FunnelSpec, scope: Scope) -> Walk:
    """Walk every customer's events on Spark."""
    q = r.sql()
    rows = row_sql(spec, q)
    extra = (", x" if rows.excl else "") + (
        ", CAST(by_value AS STRING) AS by_value, by_value IS NOT NULL AS by_ok" if rows.by else ""
    )
    base = r.source(scope, q, f"e.seq, {rows.columns}")
    picked = r.frame(
        f"""SELECT customer_id, seq, {q.micros("ts")} AS us, CAST(m AS BIGINT) AS m{extra}
        FROM ({base}) b WHERE {rows.keep}""",
        q,
    )
    walked = in_journey_order(picked).mapInPandas(
        _partition_walker(spec, rows.excl, rows.by), RESULT
    )
    return _as_walk(walked.toArrow(), len(spec.steps), rows.by)


def _partition_walker(
    spec: FunnelSpec, excl: bool, by: bool
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function each partition runs: all its rows (whole customers) → one row each."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        rows = whole_partition(batches)
        if rows is None:
            return
        cols: dict[str, Any] = {
            "customer_id": rows["customer_id"].to_numpy(np.int64),
            "ts": rows["us"].to_numpy(np.int64),
            "m": rows["m"].to_numpy(np.int64).astype(np.uint32),
        }
        if excl:
            cols["x"] = rows["x"].to_numpy(bool)
        if by:
            cols["by_value"] = rows["by_value"].to_numpy(object)
            cols["by_ok"] = rows["by_ok"].to_numpy(bool)
        w = walk_columns(spec, cols, excl=excl, by=by)
        yield pd.DataFrame(
            {
                "customer_id": w.customers,
                "level": w.levels.astype(np.int32),
                "times": list(w.times.astype(np.int64)),
                "by_value": list(w.breakdown) if w.breakdown is not None else None,
            }
        )

    return run


def _as_walk(table: pa.Table, steps: int, by: bool) -> Walk:
    """The per-customer rows, in customer order, as the walk the report reads."""
    if table.num_rows:
        table = table.sort_by("customer_id")
    customers = table.column("customer_id").to_numpy().astype(np.int64)
    levels = table.column("level").to_numpy().astype(np.int8)
    flat = table.column("times").combine_chunks().flatten().to_numpy()
    times = np.asarray(flat, np.int64).reshape(len(customers), steps)
    breakdown = np.asarray(table.column("by_value").to_pylist(), object) if by else None
    return Walk(customers, levels, times, breakdown)
