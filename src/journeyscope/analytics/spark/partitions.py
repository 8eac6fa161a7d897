"""Whole customers per partition: how Spark hands journeys to the compiled passes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame


def in_journey_order(rows: DataFrame) -> DataFrame:
    """Each customer's rows in one partition, sorted by (customer, time µs ``us``, seq)."""
    return rows.repartition("customer_id").sortWithinPartitions("customer_id", "us", "seq")


def whole_partition(batches: Iterator[pd.DataFrame]) -> pd.DataFrame | None:
    """All Arrow batches of a ``mapInPandas`` partition as one frame (None: no rows), so no
    customer is split between two calls of a pass."""
    import pandas as pd

    frames = [b for b in batches if len(b)]
    return pd.concat(frames, ignore_index=True) if frames else None
