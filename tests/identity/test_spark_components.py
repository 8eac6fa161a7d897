"""Connected components on Spark: the same partition as networkx and as the embedded engine."""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import numpy as np
import pytest

from journeyscope.identity.spark_components import spark_components
from journeyscope.identity.stitch_kernel import label_components

pytestmark = pytest.mark.spark


def _graph(seed: int) -> tuple[list[tuple[int, int]], list[int]]:
    """Stars, pairs, a long chain and loners: the shapes identity graphs have."""
    rng = random.Random(seed)
    edges = [(rng.randrange(1, 400), rng.randrange(1, 400)) for _ in range(300)]
    edges += [(1000 + i, 1001 + i) for i in range(300)]  # a chain of 301 vertices
    edges += [(2000, 2001 + i) for i in range(50)]  # a star
    vertices = list(range(1, 2100))  # most of 400-999 and 2051-2099 have no edge
    return [(min(a, b), max(a, b)) for a, b in edges], vertices


@pytest.mark.parametrize("seed", [1, 2])
def test_spark_components_equal_networkx_and_duckdb(spark: Any, seed: int) -> None:
    edges, vertices = _graph(seed)
    e = spark.createDataFrame(edges, "a long, b long")
    v = spark.createDataFrame([(x,) for x in vertices], "v long")
    labels, rounds = spark_components(e, v)
    ours = dict(labels.rdd.map(tuple).collect())
    graph = nx.Graph()
    graph.add_nodes_from(vertices)
    graph.add_edges_from(edges)
    components = list(nx.connected_components(graph))
    assert set(ours) == set(vertices)
    assert all({ours[x] for x in c} == {min(c)} for c in components)  # smallest vertex
    assert rounds < 20  # pointer jumping: the 301-vertex chain does not take 300 rounds
    # the embedded engine's union-find agrees (its node ids are positions)
    position = {v: i for i, v in enumerate(sorted(vertices))}
    a = np.array([position[x] for x, _ in edges], np.int64)
    b = np.array([position[y] for _, y in edges], np.int64)
    labels = label_components(a, b, len(vertices)).tolist()
    by_position = sorted(vertices)
    assert {v: by_position[labels[position[v]]] for v in vertices} == ours
