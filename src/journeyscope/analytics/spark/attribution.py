"""Attribution paths on Spark: each partition of customers cut by the same compiled pass.

Spark SQL picks the touches and conversions with the embedded engine's rules (the same node,
value and scope expressions, in Spark's dialect); the rows are shuffled so each customer's
events sit in one partition, sorted by (customer, time, seq); every partition runs
:func:`~journeyscope.analytics.attribution.journeys.cut_arrays` and
:func:`~journeyscope.analytics.attribution.journeys.path_groups` — the embedded engine's
code — and emits its distinct paths with their counts, which Spark sums across partitions.
Only distinct paths (or, for time decay, one credit per channel) reach the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import count
from typing import TYPE_CHECKING, Any

import numpy as np

from journeyscope.analytics.attribution.journeys import (
    DIRECT,
    PathSpec,
    cut_arrays,
    node_sql,
    path_groups,
    path_table,
)
from journeyscope.analytics.attribution.models import Credits
from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.analytics.scope import Scope, SparkSql, field_sql
from journeyscope.events.ingest import event_name

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

_views = count()
PATHS = "path array<int>, conversions double, value double, nulls double"


def _rows(events: DataFrame, spec: PathSpec, scope: Scope) -> tuple[DataFrame, list[str]]:
    """Touches and conversions, one partition per group of whole customers, in journey
    order; and the node names (codes are their positions)."""
    spec.check()
    q = SparkSql()
    value = field_sql(spec.value, q, "e")
    conv = q.bind(event_name(spec.conversion))
    view = f"journeyscope_paths_{next(_views)}"
    events.createOrReplaceTempView(view)
    spark = events.sparkSession
    picked = spark.sql(
        f"""SELECT customer_id, seq, unix_micros(ts) AS us, event = {conv} AS c,
            {node_sql(spec)} AS node,
            CASE WHEN event = {conv} THEN coalesce(try_cast({value} AS DOUBLE), 0)
                 ELSE 0 END AS v
        FROM {view} e
        WHERE e.customer_id IS NOT NULL AND {scope.sql(q, "e")}
          AND (event = {conv} OR {node_sql(spec)} IS NOT NULL)""",
        args=q.params,
    ).localCheckpoint()
    spark.catalog.dropTempView(view)
    nodes = sorted(str(r[0]) for r in picked.filter("NOT c").select("node").distinct().collect())
    ordered = picked.repartition("customer_id").sortWithinPartitions("customer_id", "us", "seq")
    return ordered, nodes


def _cut(rows: pd.DataFrame, nodes: list[str], spec: PathSpec) -> Any:
    code = {name: i for i, name in enumerate(nodes)}
    conv = rows["c"].to_numpy(bool)
    node = np.where(conv, -1, rows["node"].map(code).fillna(-1).to_numpy()).astype(np.int32)
    cust = rows["customer_id"].to_numpy(np.int64)
    cut = cut_arrays(nodes, cust, rows["us"].to_numpy(np.int64), node, spec.lookback)
    if cut is None:  # pragma: no cover - sortWithinPartitions guarantees the order
        raise RuntimeError("a partition came out of journey order")
    cut.c_value = rows["v"].to_numpy(np.float64)[conv]
    return cut


def _partition_paths(
    nodes: list[str], spec: PathSpec
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        frames = [b for b in batches if len(b)]
        if not frames:
            return
        cut = _cut(pd.concat(frames, ignore_index=True), nodes, spec)
        paths, conversions, value, nulls = path_groups(cut, spec.repeats == "collapse")
        yield pd.DataFrame(
            {
                "path": [list(p) for p in paths],
                "conversions": conversions,
                "value": value,
                "nulls": nulls,
            }
        )

    return run


def build_paths_spark(
    events: DataFrame, spec: PathSpec, scope: Scope
) -> tuple[PathTable, dict[str, Any]]:
    """The aggregated path table, as :func:`journeys.build_paths` builds it from DuckDB."""
    from pyspark.sql import functions as fn

    rows, nodes = _rows(events, spec, scope)
    summed = (
        rows.mapInPandas(_partition_paths(nodes, spec), PATHS)
        .groupBy("path")
        .agg(
            fn.sum("conversions").alias("conversions"),
            fn.sum("value").alias("value"),
            fn.sum("nulls").alias("nulls"),
        )
        .collect()
    )
    found = sorted(
        ((tuple(r["path"]), r["conversions"], r["value"], r["nulls"]) for r in summed),
        key=lambda r: (-r[1], -r[3], r[0]),
    )
    return path_table(
        nodes,
        [r[0] for r in found],
        [r[1] for r in found],
        [r[2] for r in found],
        [r[3] for r in found],
    )


def time_decay_spark(
    events: DataFrame, spec: PathSpec, scope: Scope, half_life: timedelta
) -> Credits:
    """Time-decay credits per node, summed across partitions."""
    from pyspark.sql import functions as fn

    rows, nodes = _rows(events, spec, scope)
    names = [*nodes, DIRECT]

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        frames = [b for b in batches if len(b)]
        if not frames:
            return
        from journeyscope.analytics.attribution import path_kernel

        cut = _cut(pd.concat(frames, ignore_index=True), nodes, spec)
        n = cut.conversions
        conv, value = path_kernel.decay_credits(
            cut.t_node,
            cut.t_ts,
            cut.c_ts,
            cut.a[:n],
            cut.b[:n],
            cut.c_value,
            half_life.total_seconds() * 1_000_000,
            len(nodes),
        )
        yield pd.DataFrame({"node": names, "conversions": conv, "value": value})

    summed = (
        rows.mapInPandas(run, "node string, conversions double, value double")
        .groupBy("node")
        .agg(fn.sum("conversions").alias("c"), fn.sum("value").alias("v"))
        .collect()
    )
    used = [r for r in summed if r["c"] > 0]
    return Credits(
        "time_decay",
        {r["node"]: float(r["c"]) for r in used},
        {r["node"]: float(r["v"]) for r in used},
        extra={"half_life_seconds": half_life.total_seconds()},
    )
