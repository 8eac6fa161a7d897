"""Compiled passes that cut each customer's journey into conversion paths.

Input is the scoped events in (customer, time, seq) order as arrays: where each customer
starts, the time (µs), and the touch's node code (−1 on a conversion). A
conversion's path is a contiguous run of the customer's touches (the touches after the
previous conversion, or at its very instant, up to this one's instant, trimmed to the
lookback), so every path is a slice ``[a, b)`` of the touch arrays; touches that no
conversion follows form the customer's *null* slice. Paths are then grouped in a hash
table keyed by their (optionally collapsed) node sequence; equal hashes are confirmed
element by element, so a hash collision can never merge two different paths.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MULT = np.uint64(0x100000001B3)
_SEED = np.uint64(0xCBF29CE484222325)


@njit(cache=True)
def _unordered() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    empty = np.empty(0, np.int64)
    return np.empty(0, np.int32), empty, empty, empty, empty, -1


@njit(cache=True)
def conversion_slices(
    cust: np.ndarray, ts: np.ndarray, node: np.ndarray, lookback: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Touch arrays and path slices; ``node`` is −1 on a conversion row.

    Returns the touches' nodes and times, each conversion's row (in row order), the path
    slices ``[a, b)`` — the conversions' first, then one null slice per customer with
    touches after their last conversion — and the number of conversions (−1: the rows
    were not in (customer, time) order). A touch goes to the first conversion at or after
    its instant (ties: the first such row).
    """
    rows = len(ts)
    n_conv = 0
    customers = 0
    for r in range(rows):
        if node[r] < 0:
            n_conv += 1
        if r == 0 or cust[r] != cust[r - 1]:
            customers += 1
            if r and cust[r] < cust[r - 1]:
                return _unordered()
        elif ts[r] < ts[r - 1]:
            return _unordered()
    t_node = np.empty(rows - n_conv, np.int32)
    t_ts = np.empty(rows - n_conv, np.int64)
    c_row = np.empty(n_conv, np.int64)
    p_a = np.empty(n_conv + customers, np.int64)
    p_b = np.empty(n_conv + customers, np.int64)
    k_touch, k_conv, k_null = 0, 0, n_conv  # null slices go after the conversions'
    s = 0
    for e in range(1, rows + 1):
        if e < rows and cust[e] == cust[e - 1]:
            continue
        # one customer's rows [s, e): their touches, then each conversion's slice
        first_touch = k_touch
        for r in range(s, e):
            if node[r] >= 0:
                t_node[k_touch] = node[r]
                t_ts[k_touch] = ts[r]
                k_touch += 1
        k = first_touch
        for r in range(s, e):
            if node[r] >= 0:
                continue
            when = ts[r]
            a = k
            while k < k_touch and t_ts[k] <= when:
                k += 1
            while a < k and when - t_ts[a] > lookback:
                a += 1
            c_row[k_conv] = r
            p_a[k_conv] = a
            p_b[k_conv] = k
            k_conv += 1
        if k < k_touch:
            p_a[k_null] = k
            p_b[k_null] = k_touch
            k_null += 1
        s = e
    return t_node, t_ts, c_row, p_a[:k_null], p_b[:k_null], n_conv


@njit(cache=True)
def _hash(t_node: np.ndarray, a: int, b: int, collapse: bool) -> tuple[np.uint64, int]:
    """A 64-bit FNV-style hash and the length of a slice's node sequence (consecutive
    repeats skipped when ``collapse``)."""
    h = _SEED
    m = 0
    prev = -1
    for k in range(a, b):
        x = t_node[k]
        if collapse and x == prev:
            continue
        prev = x
        h = (h ^ np.uint64(x + 1)) * _MULT
        m += 1
    return (h ^ np.uint64(m)) * _MULT, m


@njit(cache=True)
def _same(t_node: np.ndarray, a1: int, b1: int, a2: int, b2: int, collapse: bool) -> bool:
    i, j = a1, a2
    prev_i, prev_j = -1, -1
    while True:
        while collapse and i < b1 and t_node[i] == prev_i:
            i += 1
        while collapse and j < b2 and t_node[j] == prev_j:
            j += 1
        if i >= b1 or j >= b2:
            return i >= b1 and j >= b2
        if t_node[i] != t_node[j]:
            return False
        prev_i, prev_j = t_node[i], t_node[j]
        i += 1
        j += 1


@njit(cache=True)
def _slots(g_hash: np.ndarray, groups: int, size: int) -> np.ndarray:
    """An open-addressing table of ``size`` slots holding groups ``0..groups-1``."""
    slot_group = np.full(size, -1, np.int64)
    mask = np.uint64(size - 1)
    for g in range(groups):
        slot = g_hash[g] & mask
        while slot_group[slot] >= 0:
            slot = (slot + np.uint64(1)) & mask
        slot_group[slot] = g
    return slot_group


@njit(cache=True)
def group_paths(
    t_node: np.ndarray, a: np.ndarray, b: np.ndarray, collapse: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal paths in one pass with an open-addressing table keyed by the hash
    (grown as distinct paths appear, so it stays small and in cache); equal hashes are
    confirmed by comparing the sequences, so groups are exact.

    Returns each path's group, each group's first path, and each path's length.
    """
    n = len(a)
    group = np.empty(n, np.int64)
    first = np.empty(n, np.int64)
    g_hash = np.empty(n, np.uint64)
    length = np.empty(n, np.int64)
    size = 1024
    slot_group = np.full(size, -1, np.int64)
    groups = 0
    for i in range(n):
        h, m = _hash(t_node, a[i], b[i], collapse)
        length[i] = m
        mask = np.uint64(size - 1)
        slot = h & mask
        while True:
            g = slot_group[slot]
            if g < 0:
                slot_group[slot] = groups
                g_hash[groups] = h
                first[groups] = i
                group[i] = groups
                groups += 1
                if 2 * groups > size:
                    size *= 2
                    slot_group = _slots(g_hash, groups, size)
                break
            f = first[g]
            if g_hash[g] == h and _same(t_node, a[i], b[i], a[f], b[f], collapse):
                group[i] = g
                break
            slot = (slot + np.uint64(1)) & mask
    return group, first[:groups], length


@njit(cache=True)
def decay_credits(
    t_node: np.ndarray,
    t_ts: np.ndarray,
    c_ts: np.ndarray,
    c_a: np.ndarray,
    c_b: np.ndarray,
    c_value: np.ndarray,
    half_life: float,
    nodes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Time-decay credits per node (the last index is ``(direct)``): each touch weighs
    2^(−age / half-life) at its conversion, normalised to 1 per conversion."""
    conv = np.zeros(nodes + 1)
    value = np.zeros(nodes + 1)
    for j in range(len(c_a)):
        if c_a[j] == c_b[j]:
            conv[nodes] += 1.0
            value[nodes] += c_value[j]
            continue
        # ages are taken from the newest touch (weight 1), so the sum never underflows
        newest = t_ts[c_b[j] - 1]
        total = 0.0
        for k in range(c_a[j], c_b[j]):
            total += 2.0 ** (-(newest - t_ts[k]) / half_life)
        for k in range(c_a[j], c_b[j]):
            w = 2.0 ** (-(newest - t_ts[k]) / half_life) / total
            conv[t_node[k]] += w
            value[t_node[k]] += w * c_value[j]
    return conv, value


def warm() -> None:
    """Compile (or load) every kernel on a tiny input."""
    ts = np.array([0, 1], np.int64)
    node = np.array([0, -1], np.int32)
    t_node, t_ts, c_row, a, b, n = conversion_slices(np.zeros(2, np.int64), ts, node, 10)
    group_paths(t_node, a, b, True)
    decay_credits(t_node, t_ts, ts[c_row], a[:n], b[:n], np.zeros(1), 1.0, 1)


if __name__ == "__main__":
    warm()
