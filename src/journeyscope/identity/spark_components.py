"""Connected components on Spark: min-label propagation, as DataFrame rounds.

Every vertex takes the smallest label among its neighbours, then jumps to its label's label,
so long chains converge in O(log diameter) rounds — the distributed counterpart of the
embedded engine's one union-find pass (:mod:`journeyscope.identity.stitch_kernel`), with
the same labels (each component's smallest vertex). Nothing is collected to the driver but
one count per round, and each round is checkpointed locally, so the query plan does not
grow with the rounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def spark_components(
    edges: DataFrame, vertices: DataFrame | None = None, max_rounds: int = 100
) -> tuple[DataFrame, int]:
    """``(v, comp)`` for every vertex of ``edges(a, b)`` (and of ``vertices(v)``, alone when
    it has no edge), ``comp`` the smallest vertex of its component; and the rounds taken."""
    from pyspark.sql import functions as fn

    both = edges.select(fn.col("a").alias("v"), fn.col("b").alias("u")).unionByName(
        edges.select(fn.col("b").alias("v"), fn.col("a").alias("u"))
    )
    both = both.localCheckpoint()
    labels = both.select("v").distinct().withColumn("comp", fn.col("v")).localCheckpoint()
    rounds, moved = 0, 1
    while moved:
        if rounds == max_rounds:
            raise RuntimeError(f"components did not settle in {max_rounds} rounds")

        rounds += 1
        hop = (
            both.join(labels.select(fn.col("v").alias("u"), fn.col("comp").alias("c")), "u")
            .groupBy("v")
            .agg(fn.min("c").alias("h"))
        )
        stepped = labels.join(hop, "v", "left").select(
            "v",
            fn.least("comp", fn.coalesce("h", "comp")).alias("comp"),
            fn.col("comp").alias("old"),
        )
        target = stepped.select(fn.col("v").alias("t"), fn.col("comp").alias("tc"))
        jumped = stepped.join(target, stepped["comp"] == target["t"], "left").select(
            "v",
            fn.least("comp", fn.coalesce("tc", "comp")).alias("comp"),
            "old",
        )
        jumped = jumped.localCheckpoint()
        moved = jumped.filter(fn.col("comp") != fn.col("old")).count()
        labels = jumped.select("v", "comp")
    if vertices is not None:
        alone = vertices.select("v").join(labels.select("v"), "v", "left_anti")
        labels = labels.unionByName(alone.withColumn("comp", fn.col("v")))
    return labels, rounds
