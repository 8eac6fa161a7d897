"""The compiled passes of the paths report: the directly-follows graph and the variants.

In NumPy (``paths_arrays.edges`` / ``variants``) each is a handful of passes over the 10 M
rows plus a sort (of the edge codes, of the customers' hashes): about 0.4 s each. Here
each is one or two walks over the rows. The NumPy forms stay: a short CLI process uses
them rather than pay numba's import, and ``tests/analytics/test_paths_kernel.py`` holds
the two equal.

Rows come in journey order (customer, then time, then seq), as ``Journeys`` holds them.
Both kernels take read-only arrays only (see ``compiled.frozen``): one signature each,
the one ``warm`` compiles.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
LENGTH_SALT = np.uint64(0xBF58476D1CE4E5B9)


@njit(cache=True, nogil=True)
def edge_pass(node, first, gap, owner, k):  # type: ignore[no-untyped-def]
    """Per edge code ``a * k + b``: how many times a row of node ``a`` is followed by one
    of node ``b`` of the same customer, how many customers that happens to, and the gaps
    (seconds) of those pairs grouped by code: ``grouped[offsets[e]:offsets[e + 1]]``.

    The loops have no branch on the data (a pair across two customers counts under the
    extra code ``k * k``, then is dropped): customers start every few rows, and a
    mispredicted branch per start cost more than the rest of the pass."""
    pairs = k * k
    n = node.shape[0]
    counts = np.zeros(pairs + 1, np.int64)
    customers = np.zeros(pairs + 1, np.int64)
    last_owner = np.full(pairs + 1, -1, np.int64)
    for i in range(n - 1):
        e = np.int64(node[i]) * k + node[i + 1]
        e += first[i + 1] * (pairs - e)
        counts[e] += 1
        customers[e] += last_owner[e] != owner[i]  # owners ascend: a new one is new
        last_owner[e] = owner[i]
    offsets = np.zeros(pairs + 2, np.int64)
    for e in range(pairs + 1):
        offsets[e + 1] = offsets[e] + counts[e]
    filled = offsets[:-1].copy()
    grouped = np.empty(offsets[pairs + 1], np.float64)
    for i in range(n - 1):
        e = np.int64(node[i]) * k + node[i + 1]
        e += first[i + 1] * (pairs - e)
        grouped[filled[e]] = gap[i]
        filled[e] += 1
    return counts[:pairs], customers[:pairs], grouped, offsets[: pairs + 1]


@njit(cache=True, nogil=True)
def _keyed(node, first, merge):  # type: ignore[no-untyped-def]
    """The variants one after another, where each customer's starts, and each one's hash."""
    n = node.shape[0]
    customers = 0
    for r in range(n):
        customers += first[r]
    seq = np.empty(n, np.int32)
    starts = np.empty(customers + 1, np.int64)
    keys = np.empty(customers, np.uint64)
    # no branch on the data (customers start every few rows; a mispredicted branch per
    # start cost more than the rest): every row is written to seq, and kept (m moves on)
    # when it starts a customer or differs from the row before (or always, not merging)
    m = 0  # rows of seq kept
    c = -1  # the customer
    h = np.uint64(0)
    p = np.uint64(1)
    length = 0
    every = not merge
    prev = np.int32(-1)
    for r in range(n):
        f = first[r]
        v = node[r]
        keep = f | every | (v != prev)
        c += f
        starts[c] = m - length * (1 - f)  # where this customer's variant starts
        h *= np.uint64(1 - f)
        p += np.uint64(f) * (np.uint64(1) - p)  # back to 1 at a new customer
        length = length * (1 - f) + keep
        h += np.uint64(keep) * (np.uint64(v) + np.uint64(1)) * p
        p *= np.uint64(1) + np.uint64(keep) * (MULTIPLIER - np.uint64(1))
        keys[c] = h + np.uint64(length) * LENGTH_SALT
        seq[m] = v
        m += keep
        prev = v
    n_cust = c + 1
    starts[n_cust] = m
    return seq[:m], starts, keys


@njit(cache=True, nogil=True)
def variant_pass(node, first, merge):  # type: ignore[no-untyped-def]
    """Customers grouped by their variant (the node sequence, repeats in a row collapsed
    when ``merge``): each group's customer count and first customer, the variants one
    after another (``seq[starts[c]:starts[c + 1]]`` is customer ``c``'s), and False when
    two different variants shared a hash (the caller then uses the SQL form). Groups are
    found by a hash table and every member is compared with its group's first customer,
    so a clash is seen, never merged."""
    seq, starts, keys = _keyed(node, first, merge)
    n_cust = len(keys)
    group_key = np.empty(n_cust, np.uint64)
    group_rep = np.empty(n_cust, np.int64)
    group_count = np.empty(n_cust, np.int64)
    groups = 0
    slots = np.full(1024, -1, np.int64)  # grows: most workspaces have few variants
    for c in range(n_cust):
        if 2 * groups >= len(slots):
            slots = _grown(slots, group_key, groups)
        key = keys[c]
        at = _slot(key, len(slots))
        while True:
            g = slots[at]
            if g == -1:
                slots[at] = groups
                group_key[groups] = key
                group_rep[groups] = c
                group_count[groups] = 1
                groups += 1
                break
            if group_key[g] == key:
                if not _same(seq, starts, group_rep[g], c):
                    return group_count[:0], group_rep[:0], seq, starts, False
                group_count[g] += 1
                break
            at = (at + 1) & (len(slots) - 1)
    return group_count[:groups], group_rep[:groups], seq, starts, True


@njit(cache=True, nogil=True)
def _slot(key, size):  # type: ignore[no-untyped-def]
    """Where ``key`` goes in a table of ``size`` (a power of two) slots: its bits mixed."""
    mixed = (key ^ (key >> np.uint64(31))) * LENGTH_SALT
    return np.int64((mixed ^ (mixed >> np.uint64(29))) & np.uint64(size - 1))


@njit(cache=True, nogil=True)
def _grown(slots, group_key, groups):  # type: ignore[no-untyped-def]
    """The table at four times the size, its groups placed again."""
    size = 4 * len(slots)
    out = np.full(size, -1, np.int64)
    for g in range(groups):
        at = _slot(group_key[g], size)
        while out[at] != -1:
            at = (at + 1) & (size - 1)
        out[at] = g
    return out


@njit(cache=True, nogil=True)
def _same(seq, starts, a, b):  # type: ignore[no-untyped-def]
    """Whether customers ``a`` and ``b`` have the same variant."""
    i, j = starts[a], starts[b]
    length = starts[a + 1] - i
    if starts[b + 1] - j != length:
        return False
    for k in range(length):  # noqa: SIM110 - a loop numba compiles, not a generator
        if seq[i + k] != seq[j + k]:
            return False
    return True


def warm_edges() -> None:
    """Compile (or load) the edge pass now, on a tiny input."""
    from journeyscope.compiled import frozen

    node = frozen(np.zeros(2), np.int32)
    first = frozen(np.array([True, False]), np.bool_)
    edge_pass(node, first, frozen(np.zeros(1), np.float64), frozen(np.zeros(2), np.int32), 1)


def warm_variants() -> None:
    """Compile (or load) the variant pass now, on a tiny input."""
    from journeyscope.compiled import frozen

    node = frozen(np.zeros(2), np.int32)
    variant_pass(node, frozen(np.array([True, False]), np.bool_), True)


def warm() -> None:
    """Compile (or load) the kernels now: ``python -m ...paths_kernel``."""
    warm_edges()
    warm_variants()


if __name__ == "__main__":
    warm()
