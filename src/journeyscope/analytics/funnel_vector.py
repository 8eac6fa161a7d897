"""The ordered funnel (``strict_once``, no exclusions) as whole-array NumPy, no compiler.

The compiled walk (``funnel_kernel``) is a state machine over each customer's rows; loading
it (numba and its cached machine code) costs about a second at start-up, more than the scan
of ten million events. For the most common funnel, and for customers whose rows each stand
at their own instant, the same answer follows from a closed form:

- every step-1 row ``a`` starts a *greedy chain*: step j+1 is the first row after step j's
  row that matches step j+1, while within the window from ``a`` (inclusive);
- a customer's level is the longest chain of any start (the kernel keeps, per level, the
  attempt with the latest start: a later start reaching a level dominates an earlier one,
  and whatever an earlier chain uses a later one can use too);
- the recorded step times are those of the chain that reached that level first (the
  earliest row), and among the chains through that row, the latest start's: chains are
  monotone in their start, so these are a prefix of the starts reaching the level.

One row never fills two steps of a chain (rows strictly increase), as ``strict_once``
requires. Rows at one instant are ordered by step in ClickHouse (``in_step_order``); where
one row matches several steps, a bipartite matching in the kernel, the kernel walks. A
property test holds the two equal on random rows with and without ties.
"""

from __future__ import annotations

import numpy as np

#: Above this many (step-1 row x step) cells the kernel walks instead: the chains are held
#: whole (two int64 per cell at most), the kernel needs none of that memory.
MAX_CHAIN_CELLS = 40_000_000


def tied(starts: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Per customer: has two rows at one instant (the kernel's case)."""
    customers = len(starts) - 1
    out = np.zeros(customers, np.bool_)
    if len(ts) < 2:
        return out
    same = np.flatnonzero(ts[1:] == ts[:-1])  # row i and i+1 at one instant …
    if len(same):
        owner = np.searchsorted(starts, same, side="right") - 1
        inside = same + 1 < starts[owner + 1]  # … of one customer
        out[owner[inside]] = True
    return out


def in_step_order(
    mask: np.ndarray, ts: np.ndarray, rows: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """``mask`` with the rows of each instant of the tied customers (``rows``, ``sizes``
    rows each) taken in step order. Each row matches one step at most (the caller checks),
    so ClickHouse's order of rows at one instant (by step) is the order of their bits,
    and the greedy chains are exact."""
    local = np.repeat(np.arange(len(sizes)), sizes)
    m = mask[rows]
    out = mask.copy()
    out[rows] = m[np.lexsort((m, ts[rows], local))]
    return out


def ordered_levels(
    starts: np.ndarray, cust: np.ndarray, ts: np.ndarray, mask: np.ndarray, k: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Level and recorded step times per customer, as ``funnel_kernel.funnel_levels``
    gives them for the ordered mode (flags ``ONCE``), for customers not ``tied``.

    ``starts``: offsets of each customer's rows; ``cust``: each row's customer id."""
    customers = len(starts) - 1
    levels = np.zeros(customers, np.int8)
    times = np.full((customers, k), -1, np.int64)
    first = np.flatnonzero(mask & np.uint32(1))
    if not len(first):
        return levels, times
    owner = cust[first]
    head = np.empty(len(first), np.bool_)  # a customer's first start
    head[0] = True
    np.not_equal(owner[1:], owner[:-1], out=head[1:])
    heads = np.flatnonzero(head)
    end = ts[first] + window
    length = np.ones(len(first), np.int8)
    # the chains still growing: which starts, and the row each reached
    reached = [(np.arange(len(first)), first)]
    for q in range(1, k):
        alive, at_row = reached[-1]
        rows = np.flatnonzero(mask & np.uint32(1 << q))
        if not len(rows):
            break
        at = np.searchsorted(rows, at_row, side="right")
        nxt = rows[np.minimum(at, len(rows) - 1)]
        ok = (at < len(rows)) & (cust[nxt] == owner[alive]) & (ts[nxt] <= end[alive])
        if not ok.any():
            break
        alive = alive[ok]
        length[alive] += 1
        reached.append((alive, nxt[ok]))
    top = np.maximum.reduceat(length, heads)
    where = np.searchsorted(starts, first[heads], side="right") - 1
    levels[where] = top
    # level 1 only: the first start is the chain that reached it first
    once = top == 1
    times[where[once], 0] = ts[first[heads[once]]]
    if len(reached) > 1:
        group = np.cumsum(head) - 1
        _record(times, ts, reached, length, top[group], group, where)
    return levels, times


def _record(
    times: np.ndarray,
    ts: np.ndarray,
    reached: list[tuple[np.ndarray, np.ndarray]],
    length: np.ndarray,
    best: np.ndarray,
    group: np.ndarray,
    where: np.ndarray,
) -> None:
    """Step times of the chain that first reached each customer's level, for levels 2
    and up.

    ``length`` and ``best``: per start, its chain's length and its customer's longest;
    ``group``: each start's customer (0, 1, … over the customers with a start), which
    ``where`` turns into the customer's row of ``times``."""
    for level, (alive, row) in enumerate(reached[1:], start=2):
        pick = np.flatnonzero((length[alive] == level) & (best[alive] == level))
        if not len(pick):
            continue
        g = group[alive[pick]]
        lead = np.empty(len(pick), np.bool_)
        lead[0] = True
        np.not_equal(g[1:], g[:-1], out=lead[1:])
        earliest = row[pick][np.flatnonzero(lead)][np.cumsum(lead) - 1]
        pick = pick[row[pick] == earliest]  # the prefix through the earliest row …
        g = group[alive[pick]]
        last = alive[pick[np.r_[g[1:] != g[:-1], True]]]  # … and its latest start
        who = where[group[last]]
        times[who, 0] = ts[reached[0][1][last]]
        for p in range(1, level):
            a, r = reached[p]
            times[who, p] = ts[r[np.searchsorted(a, last)]]
