"""Connected components on Spark: the same partition as networkx and as the embedded engine."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from journeyscope.events.workspace import Workspace
from journeyscope.identity.resolve import compiled_components
from journeyscope.identity.spark_components import spark_components

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
def test_spark_components_equal_networkx_and_duckdb(spark: Any, tmp_path: Path, seed: int) -> None:
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
    with Workspace.init(tmp_path / "ws") as ws:
        ws.con.execute("CREATE TEMP TABLE e (a BIGINT, b BIGINT)")
        ws.con.executemany("INSERT INTO e VALUES (?, ?)", edges)
        ws.con.execute("CREATE TEMP TABLE v AS SELECT unnest(?) AS v", [vertices])
        compiled_components(ws, "e", "v")
        assert dict(ws.con.execute("SELECT v, comp FROM cc").fetchall()) == ours
