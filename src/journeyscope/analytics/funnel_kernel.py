"""The compiled funnel pass: one walk over each customer's time-ordered events.

Input is three flat arrays sorted by (customer, ts): ``starts`` (offsets of each customer's
rows, length customers + 1), ``ts`` (int64, any unit — the window is in the same unit) and
``mask`` (uint32, bit ``q`` set when the row matches step ``q + 1``). Output per customer:
the level reached (0 … steps) and the step timestamps of the first attempt that reached it
(for time to convert; -1 where unused).

Semantics follow ClickHouse ``windowFunnel`` (pinned: chdb 4.4.0, engine 26.9) so the
result can be compared with it row for row, and PostHog's unordered funnel. Rows at one
timestamp are handled as ClickHouse sorts them: by step, so a step-1 row and a step-2 row at
the same instant convert. See docs/analytics.md for the mode table.

Why numba: the walk is a state machine over ordered rows that SQL cannot express without
quadratic self-joins; compiled, it runs at memory speed. The SQL engine still does the
heavy parts (filtering, the step masks, the sort).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from journeyscope.analytics.funnel_flags import DEDUP, EXCLUDE, INCREASE, ONCE, ORDER, REENTRY

__all__ = ["DEDUP", "EXCLUDE", "INCREASE", "ONCE", "ORDER", "REENTRY", "funnel_levels"]
NEG = np.iinfo(np.int64).min


@njit(cache=True)
def _first_empty(has: np.ndarray, k: int) -> int:
    for q in range(k):
        if not has[q]:
            return q
    return k


@njit(cache=True)
def _top(has: np.ndarray, k: int) -> int:
    for q in range(k, 0, -1):
        if has[q - 1]:
            return q
    return 0


@njit(cache=True)
def _instant_end(ts, i, hi):  # type: ignore[no-untyped-def]
    """The first row after ``i`` with a later timestamp (rows i..end-1 share ts[i])."""
    j = i
    while j < hi and ts[j] == ts[i]:
        j += 1
    return j


@njit(cache=True)
def _has_other(mask, i, j):  # type: ignore[no-untyped-def]
    # a plain loop: numba compiles it; any() over a generator it does not
    for r in range(i, j):  # noqa: SIM110
        if mask[r] == 0:
            return True
    return False


@njit(cache=True)
def _record(rec: np.ndarray, path_src: np.ndarray, upto: int) -> None:
    for q in range(upto + 1):
        rec[upto, q] = path_src[q]


@njit(cache=True)
def _plain(ts, mask, lo, hi, k, window, flags, rec, has, first, last, path):  # type: ignore[no-untyped-def]
    """windowFunnel without ``strict_once``: one event may fill several steps.

    ``has``, ``first``, ``last`` and ``path`` are scratch arrays, reset here.
    """
    order = flags & ORDER != 0
    dedup = flags & DEDUP != 0
    increase = flags & INCREASE != 0
    reentry = flags & REENTRY != 0
    has[:] = False
    seen_first = False
    i = lo
    while i < hi:
        t = ts[i]
        j = _instant_end(ts, i, hi)
        if order and seen_first and _has_other(mask, i, j):
            return _top(has, k)  # strict_order: an event that is no step ends the chain
        for q in range(k):
            bit = np.uint32(1) << np.uint32(q)
            for r in range(i, j):
                if mask[r] & bit == 0:
                    continue
                if q == 0:
                    new = not has[0]
                    has[0] = True
                    first[0] = t
                    last[0] = t
                    path[0, 0] = t
                    seen_first = True
                    if new:
                        _record(rec, path[0], 0)
                elif dedup and has[q]:
                    return _top(has, k)
                elif order and seen_first and not has[q - 1]:
                    if reentry:
                        continue
                    return _first_empty(has, k)
                elif has[q - 1]:
                    ok = t <= first[q - 1] + window
                    if increase:
                        ok = ok and last[q - 1] < t
                    if ok:
                        new = not has[q]
                        has[q] = True
                        first[q] = first[q - 1]
                        last[q] = t
                        for p in range(q):
                            path[q, p] = path[q - 1, p]
                        path[q, q] = t
                        if new:
                            _record(rec, path[q], q)
                        if q + 1 == k:
                            return k
        i = j
    return _top(has, k)


@njit(cache=True)
def _augment(step, lo_step, rows_of, nrows, excluded, match_row, visited):  # type: ignore[no-untyped-def]
    """Kuhn's augmenting path: give ``step`` a row of its own (iterative DFS)."""
    stack_step = np.empty(64, np.int64)
    stack_r = np.empty(64, np.int64)
    parent = np.full(64, -1, np.int64)
    depth = 0
    stack_step[0] = step
    stack_r[0] = 0
    while depth >= 0:
        s = stack_step[depth]
        advanced = False
        while stack_r[depth] < nrows:
            r = stack_r[depth]
            stack_r[depth] += 1
            if r == excluded or visited[r] or not rows_of[s - lo_step, r]:
                continue
            visited[r] = True
            owner = match_row[r]
            parent[depth] = r
            if owner < 0:
                # unwind: every step on the stack takes the row chosen at its depth
                for d in range(depth, -1, -1):
                    rr = parent[d]
                    match_row[rr] = stack_step[d]
                return True
            depth += 1
            stack_step[depth] = owner
            stack_r[depth] = 0
            advanced = True
            break
        if not advanced:
            depth -= 1
    return False


@njit(cache=True)
def _fillable(rows_of, lo_step, hi_step, nrows, excluded):  # type: ignore[no-untyped-def]
    """Can steps lo_step..hi_step-1 each take a different row of the group (not ``excluded``)?"""
    if hi_step <= lo_step:
        return True
    if hi_step - lo_step > nrows - (1 if excluded >= 0 else 0):
        return False
    match_row = np.full(nrows, -1, np.int64)
    for s in range(lo_step, hi_step):
        visited = np.zeros(nrows, np.bool_)
        if not _augment(s, 0, rows_of, nrows, excluded, match_row, visited):
            return False
    return True


@njit(cache=True)
def _path_into(out, path, base, q, t):  # type: ignore[no-untyped-def]
    """``out[:q+1]``: steps before ``base`` from the stored attempt, the rest at ``t``."""
    for p in range(base):
        out[p] = path[base - 1, p]
    for p in range(base, q + 1):
        out[p] = t


@njit(cache=True)
def _best_start(rows_of, n, u, q, t, has, best, window, increase):  # type: ignore[no-untyped-def]
    """Latest start of an attempt that reaches step ``q`` (0-based) with row ``u``.

    ``base`` steps were taken before this timestamp (the stored attempt at that level);
    the steps between are taken by other rows of this timestamp, one row each. With
    strict_increase nothing may share the instant, so only base = q qualifies. Among
    equal starts the highest base wins: the steps the attempt took before keep their
    earlier times (PostHog: a level keeps the first event that reached it), which is also
    what the ordered funnel's NumPy form (``funnel_vector``) records.
    Returns (start, base); start is NEG when no attempt qualifies.
    """
    start = NEG
    base = 0
    for b in range(q if increase else 0, q + 1):
        if b == 0:
            cand = t
        elif has[b - 1] and t <= best[b - 1] + window:
            cand = best[b - 1]
        else:
            continue
        if cand >= start and _fillable(rows_of, b, q, n, u):
            start = cand
            base = b
    return start, base


@njit(cache=True)
def _group_rows(mask, i, n, k):  # type: ignore[no-untyped-def]
    rows_of = np.zeros((k, n), np.bool_)
    for q in range(k):
        bit = np.uint32(1) << np.uint32(q)
        for r in range(n):
            rows_of[q, r] = mask[i + r] & bit != 0
    return rows_of


@njit(cache=True)
def _commit(has, best, path, g_has, g_best, g_base, t, k):  # type: ignore[no-untyped-def]
    """End of a timestamp: per level keep the attempt with the latest start.

    Levels go from the top down, so a level's new path reads the lower levels' paths as
    they were before this timestamp.
    """
    for q in range(k - 1, -1, -1):
        if not g_has[q] or (has[q] and g_best[q] <= best[q]):
            continue
        _path_into(path[q], path, g_base[q], q, t)
        has[q] = True
        best[q] = g_best[q]


@njit(cache=True)
def _once(ts, mask, lo, hi, k, window, flags, rec, has, best, path, g_has, g_best, g_base, one):  # type: ignore[no-untyped-def]
    """windowFunnel with ``strict_once``: one event fills at most one step of an attempt.

    ClickHouse keeps every partial attempt. Equivalent and bounded: between timestamps only
    the attempt with the latest start matters per level (later rows can never reuse an
    earlier row), and within one timestamp an attempt exists iff the group's rows can fill
    the remaining steps one row each — a bipartite matching, solved per row and step.
    """
    order = flags & ORDER != 0
    has[:] = False
    seen_first = False
    i = lo
    while i < hi:
        t = ts[i]
        j = _instant_end(ts, i, hi)
        if order and seen_first and _has_other(mask, i, j):
            return _top(has, k)  # strict_order: an event that is no step ends the chain
        if j - i == 1 and not order and not flags & DEDUP:
            # the common case, one row at this instant: it cannot share an attempt with
            # itself, so each step it matches extends the stored attempt one level down
            if _single_row(mask[i], t, k, window, rec, has, best, path):
                return k
            i = j
            continue
        rows_of = _group_rows(mask, i, j - i, k) if j - i > 1 else one
        g_has[:] = False
        for q in range(k):
            bit = np.uint32(1) << np.uint32(q)
            for u in range(j - i):
                if mask[i + u] & bit == 0:
                    continue
                seen_first = seen_first or q == 0
                stop = _once_entry(
                    rows_of,
                    j - i,
                    u,
                    q,
                    t,
                    k,
                    window,
                    flags,
                    seen_first,
                    has,
                    best,
                    path,
                    g_has,
                    g_best,
                    g_base,
                    rec,
                )
                if stop >= 0:
                    return stop
        _commit(has, best, path, g_has, g_best, g_base, t, k)
        i = j
    return _top(has, k)


@njit(cache=True)
def _single_row(m, t, k, window, rec, has, best, path):  # type: ignore[no-untyped-def]
    """One row alone at instant ``t`` (strict_once, no strict_order/deduplication).

    Levels go from the top down so each reads the level below as it was before this row.
    Returns True when the last step is reached.
    """
    for q in range(k - 1, -1, -1):
        if m & (np.uint32(1) << np.uint32(q)) == 0:
            continue
        if q == 0:
            start = t
        elif has[q - 1] and t <= best[q - 1] + window:
            start = best[q - 1]
        else:
            continue
        if not has[q] or start > best[q]:
            for p in range(q):
                path[q, p] = path[q - 1, p]
            path[q, q] = t
            if not has[q]:
                for p in range(q + 1):
                    rec[q, p] = path[q, p]
            has[q] = True
            best[q] = start
    return has[k - 1]


@njit(cache=True)
def _once_entry(  # type: ignore[no-untyped-def]
    rows_of, n, u, q, t, k, window, flags, seen_first, has, best, path, g_has, g_best, g_base, rec
):
    """Row ``u`` of this instant matches step ``q``; returns the final level or -1 to go on."""
    either_q = has[q] or g_has[q]
    if q == 0:
        if not either_q:
            _path_into(rec[0], path, 0, 0, t)
        g_has[0] = True
        g_best[0] = t
        g_base[0] = 0
        return -1
    if flags & DEDUP and either_q:
        return _top(has | g_has, k)
    prev = has[q - 1] or g_has[q - 1]
    if flags & ORDER and seen_first and not prev:
        return -1 if flags & REENTRY else _first_empty(has | g_has, k)
    if not prev:
        return -1
    start, base = _best_start(rows_of, n, u, q, t, has, best, window, flags & INCREASE != 0)
    if start == NEG:
        return -1
    if not either_q:
        _path_into(rec[q], path, base, q, t)
    if not g_has[q] or start > g_best[q]:
        g_best[q] = start
        g_base[q] = base
    g_has[q] = True
    return k if q + 1 == k else -1


@njit(cache=True)
def _excluding(ts, mask, excl, lo, hi, k, window, rec):  # type: ignore[no-untyped-def]
    """Ordered funnel with exclusions, attempt by attempt.

    Every step-1 row opens an attempt that takes the earliest later row for each next step
    (one row per step) within the window. An excluded event after the attempt's start and
    before its last step discards it. Result: the furthest level of an attempt that was
    not discarded; -1 when the customer had attempts and every one was discarded.
    """
    top = 0
    attempts = 0
    times = np.empty(k, np.int64)
    g = lo
    for a in range(lo, hi):
        if ts[a] != ts[g]:
            g = a
        if mask[a] & np.uint32(1) == 0:
            continue
        attempts += 1
        start = ts[a]
        times[0] = start
        level = 1
        dropped = False
        r = g  # rows at the start instant may fill later steps (they sort after step 1)
        while r < hi and level < k:
            if r == a:
                r += 1
                continue
            t = ts[r]
            if t > start + window:
                break
            if excl[r] and t > start:
                dropped = True
                break
            if (r > a or t == start) and mask[r] & (np.uint32(1) << np.uint32(level)) != 0:
                times[level] = t
                level += 1
            r += 1
        if dropped:
            continue
        if level > top:
            top = level
            for p in range(level):
                rec[level - 1, p] = times[p]
    if attempts > 0 and top == 0:
        return -1
    return top


@njit(cache=True)
def _unordered(ts, mask, excl, lo, hi, k, window, rec):  # type: ignore[no-untyped-def]
    """PostHog's "any order" funnel: distinct steps held within a sliding window.

    An excluded event clears every step held (PostHog: exclusions span the whole funnel).
    """
    held = np.full(k, NEG, np.int64)
    top = 0
    i = lo
    while i < hi:
        j = i
        while j < hi and ts[j] == ts[i]:
            j += 1
        if j - i == 1:
            top = _unordered_row(ts[i], mask[i], excl[i], held, k, window, rec, top)
            i = j
            continue
        # rows at one instant: fewest matching steps first, so the result is the same
        # whatever order they arrived in
        key = np.empty(j - i, np.int64)
        for r in range(i, j):
            bits = 0
            for q in range(k):
                bits += (mask[r] >> np.uint32(q)) & np.uint32(1)
            key[r - i] = (np.int64(bits) << 40) + np.int64(mask[r]) * 2 + np.int64(excl[r])
        for r0 in np.argsort(key, kind="mergesort"):
            top = _unordered_row(ts[i + r0], mask[i + r0], excl[i + r0], held, k, window, rec, top)
        i = j
    return top


@njit(cache=True)
def _unordered_row(t, m, excluded, held, k, window, rec, top):  # type: ignore[no-untyped-def]
    for q in range(k):
        if held[q] != NEG and held[q] < t - window:
            held[q] = NEG
    if excluded:
        held[:] = NEG
        return top
    if m == 0:
        return top
    pick = -1
    for q in range(k):
        if m & (np.uint32(1) << np.uint32(q)) == 0:
            continue
        if held[q] == NEG:
            pick = q
            break
        if pick < 0 or held[q] < held[pick]:
            pick = q
    held[pick] = t
    level = 0
    for q in range(k):
        if held[q] != NEG:
            level += 1
    if level > top:
        # times of the steps held, oldest first, stand for the completed steps
        n = 0
        for q in range(k):
            if held[q] == NEG:
                continue
            p = n
            while p > 0 and rec[level - 1, p - 1] > held[q]:
                rec[level - 1, p] = rec[level - 1, p - 1]
                p -= 1
            rec[level - 1, p] = held[q]
            n += 1
        top = level
    return top


@njit(cache=True)
def _walk_range(starts, ts, mask, excl, k, window, flags, unordered, c0, c1, levels, times):  # type: ignore[no-untyped-def]
    """Customers c0..c1-1, one after the other, with their own scratch state."""
    order = flags & ORDER != 0
    # scratch state, allocated once and reset per customer (allocation would dominate)
    rec = np.full((k, k), -1, np.int64)
    path = np.full((k, k), -1, np.int64)
    has = np.zeros(k, np.bool_)
    g_has = np.zeros(k, np.bool_)
    first = np.zeros(k, np.int64)
    last = np.zeros(k, np.int64)
    g_base = np.zeros(k, np.int64)
    one = np.zeros((k, 1), np.bool_)
    for c in range(c0, c1):
        lo = starts[c]
        hi = starts[c + 1]
        if hi <= lo:
            continue
        rec[:, :] = -1
        if unordered:
            level = _unordered(ts, mask, excl, lo, hi, k, window, rec)
        elif flags & EXCLUDE:
            level = _excluding(ts, mask, excl, lo, hi, k, window, rec)
        else:
            first_match = -1
            for r in range(lo, hi):
                if mask[r] != 0:
                    first_match = r
                    break
            if first_match < 0 and not order:
                continue
            if k == 1 and not order:
                levels[c] = 1
                times[c, 0] = ts[first_match]
                continue
            if flags & ONCE:
                level = _once(
                    ts,
                    mask,
                    lo,
                    hi,
                    k,
                    window,
                    flags,
                    rec,
                    has,
                    first,
                    path,
                    g_has,
                    last,
                    g_base,
                    one,
                )
            else:
                level = _plain(ts, mask, lo, hi, k, window, flags, rec, has, first, last, path)
        levels[c] = level
        if level > 0:
            for p in range(level):
                times[c, p] = rec[level - 1, p]


@njit(cache=True, parallel=True)
def funnel_levels(starts, ts, mask, excl, k, window, flags, unordered):  # type: ignore[no-untyped-def]
    """Level and recorded step times for every customer (see the module docstring).

    ``excl`` marks excluded events (only read with the EXCLUDE flag or ``unordered``); a
    customer every one of whose attempts was excluded gets level -1. Customers are
    independent, so blocks of them run on all cores.
    """
    customers = starts.shape[0] - 1
    levels = np.zeros(customers, np.int8)
    times = np.full((customers, k), -1, np.int64)
    blocks = max(1, min(customers // 4096, 256))
    for b in prange(blocks):
        c0 = customers * b // blocks
        c1 = customers * (b + 1) // blocks
        _walk_range(starts, ts, mask, excl, k, window, flags, unordered, c0, c1, levels, times)
    return levels, times


def warm() -> None:
    """Compile (or load) the kernel now, on a tiny input: ``python -m ...funnel_kernel``."""
    one = np.zeros(2, np.int64)
    one[1] = 1
    funnel_levels(
        one, np.zeros(1, np.int64), np.ones(1, np.uint32), np.zeros(1, np.bool_), 1, 1, 0, False
    )


if __name__ == "__main__":
    warm()
