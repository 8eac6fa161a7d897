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
from typing import TYPE_CHECKING, Any

import numpy as np

from journeyscope.analytics.attribution.journeys import (
    Cut,
    PathSpec,
    cut_arrays,
    decay_credits,
    decay_sums,
    node_sql,
    path_groups,
    path_table,
)
from journeyscope.analytics.attribution.models import Credits
from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.analytics.runner import SparkRunner
from journeyscope.analytics.scope import Scope, field_sql
from journeyscope.analytics.spark.partitions import in_journey_order, whole_partition
from journeyscope.events.ingest import event_name

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

PATHS = "path array<int>, conversions double, value double, nulls double"


def _rows(r: SparkRunner, spec: PathSpec, scope: Scope) -> tuple[DataFrame, list[str]]:
    """Touches and conversions, one partition per group of whole customers, in journey
    order; and the node names (codes are their positions). Made once per runner, so
    `attribution --compare …,time_decay` picks and checkpoints the rows once."""
    return r.once(("attribution rows", spec, scope), lambda: _picked(r, spec, scope))


def _picked(r: SparkRunner, spec: PathSpec, scope: Scope) -> tuple[DataFrame, list[str]]:
    spec.check()
    q = r.sql()
    value = field_sql(spec.value, q, "e")
    conv = q.bind(event_name(spec.conversion))
    base = r.source(scope, q, f"e.seq, e.ts, e.event, {node_sql(spec)} AS node, {value} AS v")
    picked = r.frame(
        f"""SELECT customer_id, seq, {q.micros("ts")} AS us, event = {conv} AS c, node,
            CASE WHEN event = {conv} THEN coalesce(try_cast(v AS DOUBLE), 0) ELSE 0 END AS v
        FROM ({base}) b WHERE event = {conv} OR node IS NOT NULL""",
        q,
    ).localCheckpoint()
    nodes = sorted(
        str(row[0]) for row in picked.filter("NOT c").select("node").distinct().collect()
    )
    return in_journey_order(picked), nodes


def _cut(rows: pd.DataFrame, nodes: list[str], spec: PathSpec) -> Cut:
    code = {name: i for i, name in enumerate(nodes)}
    conv = rows["c"].to_numpy(bool)
    node = np.where(conv, -1, rows["node"].map(code).fillna(-1).to_numpy()).astype(np.int32)
    cust = rows["customer_id"].to_numpy(np.int64)
    cut = cut_arrays(nodes, cust, rows["us"].to_numpy(np.int64), node, spec.lookback)
    if cut is None:  # pragma: no cover - in_journey_order guarantees the order
        raise RuntimeError("a partition came out of journey order")
    cut.c_value = rows["v"].to_numpy(np.float64)[conv]
    return cut


def _per_partition(
    nodes: list[str], spec: PathSpec, emit: Callable[[Cut], dict[str, Any]]
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function each partition runs: cut its whole customers, emit ``emit(cut)``."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        rows = whole_partition(batches)
        if rows is not None:
            yield pd.DataFrame(emit(_cut(rows, nodes, spec)))

    return run


def build_paths_spark(
    r: SparkRunner, spec: PathSpec, scope: Scope
) -> tuple[PathTable, dict[str, Any]]:
    """The aggregated path table, as :func:`journeys.build_paths` builds it from DuckDB."""
    from pyspark.sql import functions as fn

    def groups(cut: Cut) -> dict[str, Any]:
        paths, conversions, value, nulls = path_groups(cut, spec.repeats == "collapse")
        path = [list(p) for p in paths]
        return {"path": path, "conversions": conversions, "value": value, "nulls": nulls}

    rows, nodes = _rows(r, spec, scope)
    summed = (
        rows.mapInPandas(_per_partition(nodes, spec, groups), PATHS)
        .groupBy("path")
        .agg(*(fn.sum(c).alias(c) for c in ("conversions", "value", "nulls")))
        .collect()
    )
    found = sorted(
        ((tuple(row["path"]), row["conversions"], row["value"], row["nulls"]) for row in summed),
        key=lambda row: (-row[1], -row[3], row[0]),
    )
    columns = [list(c) for c in zip(*found, strict=True)] if found else [[], [], [], []]
    return path_table(nodes, *columns)


def time_decay_spark(r: SparkRunner, spec: PathSpec, scope: Scope, half_life: timedelta) -> Credits:
    """Time-decay credits per node, summed across partitions."""
    from pyspark.sql import functions as fn

    rows, nodes = _rows(r, spec, scope)

    def sums(cut: Cut) -> dict[str, Any]:
        conversions, value = decay_sums(cut, half_life)
        return {"node": np.arange(len(nodes) + 1), "conversions": conversions, "value": value}

    summed = (
        rows.mapInPandas(
            _per_partition(nodes, spec, sums), "node int, conversions double, value double"
        )
        .groupBy("node")
        .agg(fn.sum("conversions").alias("c"), fn.sum("value").alias("v"))
        .collect()
    )
    conversions, value = np.zeros(len(nodes) + 1), np.zeros(len(nodes) + 1)
    for row in summed:
        conversions[row["node"]], value[row["node"]] = row["c"], row["v"]
    return decay_credits(nodes, conversions, value, half_life)
