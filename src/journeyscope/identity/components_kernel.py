"""Connected components of an edge list in one compiled pass (union-find).

The embedded engine's fast path for identity resolution: the links come out of DuckDB as
two integer arrays, node ids (63-bit hashes) are mapped to dense indexes with an
open-addressing table, and a union-find with path halving joins them. Each node is
labelled with the smallest node id of its component (deterministic); the portable SQL
version (:func:`journeyscope.identity.resolve.connected_components`) finds the same
partition, which the tests check against networkx for both.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_EMPTY = np.int64(-1)


@njit(cache=True)
def _index(
    ids: np.ndarray, table: np.ndarray, nodes: np.ndarray, count: int
) -> tuple[np.ndarray, int]:
    """Dense index of every id, adding unseen ids to ``nodes``. ``table`` holds (key,
    index) pairs side by side, so a probe touches one cache line."""
    mask = len(table) // 2 - 1
    out = np.empty(len(ids), np.int64)
    for i in range(len(ids)):
        x = ids[i]
        h = (np.uint64(x) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)
        slot = np.int64(h) & mask
        while True:
            k = table[2 * slot + 1]
            if k == _EMPTY:
                table[2 * slot] = x
                table[2 * slot + 1] = count
                nodes[count] = x
                out[i] = count
                count += 1
                break
            if table[2 * slot] == x:
                out[i] = k
                break
            slot = (slot + 1) & mask
    return out, count


@njit(cache=True)
def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


@njit(cache=True)
def label_components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every node of the edges ``a[i] – b[i]`` with the smallest node id of its component."""
    n = 2 * len(a)
    size = 16
    while size < 1.5 * n:  # at most 2/3 full even if every end is a distinct node
        size *= 2
    table = np.full(2 * size, _EMPTY, np.int64)
    nodes = np.empty(n, np.int64)
    ia, count = _index(a, table, nodes, 0)
    ib, count = _index(b, table, nodes, count)
    parent = np.arange(count)
    for i in range(len(ia)):
        ra = _find(parent, ia[i])
        rb = _find(parent, ib[i])
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    smallest = nodes[:count].copy()
    for i in range(count):
        r = _find(parent, i)
        smallest[r] = min(smallest[r], nodes[i])
    labels = np.empty(count, np.int64)
    for i in range(count):
        labels[i] = smallest[_find(parent, i)]
    return nodes[:count], labels


def warm() -> None:
    """Compile (or load) the kernel on a tiny input."""
    label_components(np.array([1, 2], np.int64), np.array([2, 3], np.int64))


if __name__ == "__main__":
    warm()
