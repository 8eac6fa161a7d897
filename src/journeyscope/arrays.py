"""Small NumPy helpers every layer may use.

``np.unique`` of NumPy 2.x takes a hash-based path for a plain call (no ``return_*``):
on ten million wide int64 keys it runs ~70× slower than sorting (15 s against 0.2 s on
2 cores), and with ``return_inverse`` ~10× slower. Counting passes over millions of rows
use these instead; the answers are the same (sorted distinct values, and where each
value went).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = [
    "ascending",
    "distinct",
    "distinct_inverse",
    "in_journey_order",
    "interpolate",
    "journey_order",
]


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (``np.unique(values)``), by one sort, or none when the
    values come sorted already (keys built in journey order mostly do)."""
    flat = np.asarray(values).ravel()
    ordered = flat if ascending(flat) else np.sort(flat)
    if not len(ordered):
        return ordered
    return np.asarray(ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])])


def ascending(values: np.ndarray, chunk: int = 1 << 18) -> bool:
    """Are the values in non-decreasing order? (In chunks that stay in the CPU's cache,
    stopping at the first that is not: a tenth of a sort's time when they are.)"""
    n = len(values)
    for lo in range(0, max(n - 1, 0), chunk):
        part = values[lo : min(lo + chunk + 1, n)]
        if not bool(np.all(part[1:] >= part[:-1])):
            return False
    return True


def distinct_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by one argsort: the sorted distinct
    values, and for each value the index of its distinct value."""
    flat = np.asarray(values).ravel()
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    if not len(ordered):
        return ordered, np.zeros(0, np.int64)
    new = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    inverse = np.empty(len(flat), np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def in_journey_order(
    cust: np.ndarray, us: np.ndarray, seq: np.ndarray, chunk: int = 1 << 18
) -> bool:
    """Are the rows in strictly increasing (customer, us, seq) order? Checked in chunks
    that stay in the CPU's cache (three whole-length differences cost more than the
    comparisons)."""
    for lo in range(0, max(len(cust) - 1, 0), chunk):
        hi = min(lo + chunk + 1, len(cust))
        dc = np.diff(cust[lo:hi])
        du = np.diff(us[lo:hi])
        ds = np.diff(seq[lo:hi])
        if not bool(np.all((dc > 0) | ((dc == 0) & ((du > 0) | ((du == 0) & (ds > 0)))))):
            return False
    return True


def journey_order(cust: np.ndarray, us: np.ndarray, seq: np.ndarray) -> np.ndarray | None:
    """The permutation that puts rows in (customer, us, seq) order; ``None`` when they
    are in it already.

    ``journey_events`` is one long run in that order followed by a few short ones (live
    identity appends each pass's rows as a run, ``identity/incremental.py``, and a full
    rewrite merges them now and then). A stable sort on the customer alone merges runs in
    about linear time (NumPy's stable sort of 64-bit keys is Timsort, which finds runs);
    a customer's rows then keep their runs' order, which is already time order whenever
    the later runs hold later events, as live ones do. Only customers where it is not
    are sorted on all three keys. A full three-key sort of 10 M rows costs seconds."""
    cust, us, seq = np.asarray(cust), np.asarray(us), np.asarray(seq)
    if in_journey_order(cust, us, seq):
        return None
    perm = np.argsort(cust, kind="stable")
    c, u, s = cust[perm], us[perm], seq[perm]
    same = c[1:] == c[:-1]
    back = same & ((u[1:] < u[:-1]) | ((u[1:] == u[:-1]) & (s[1:] <= s[:-1])))
    if not back.any():
        return perm
    wrong = distinct(c[1:][back])
    rows = np.flatnonzero(np.isin(c, wrong))  # those customers' rows, one block each
    fix = np.lexsort((s[rows], u[rows], c[rows]))
    perm[rows] = perm[rows][fix]
    return perm


def interpolate(lo: float, hi: float, d: float) -> float:
    """DuckDB's interpolation between two neighbours of a continuous quantile of doubles,
    to the last bit: ``lo * (1 - d) + hi * d`` as its build computes it, the first product
    fused into the sum (one rounding; checked against ``quantile_cont`` in the tests)."""
    if d == 0.5:  # halving is exact: the fused and the plain forms agree
        return lo * 0.5 + hi * 0.5
    return float(Fraction(lo) * Fraction(1.0 - d) + Fraction(hi * d))
