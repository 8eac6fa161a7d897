"""The stages report on the embedded engine, from the scoped events as arrays.

The SQL form (:mod:`journeyscope.analytics.stages`) writes every staged event to a
scratch table, groups it per (customer, stage), and joins the groups to find who moved on.
Here the rows come from one scan in journey order (:mod:`events_arrays`), so a customer's
first row of a stage is where the customer changes within that stage's rows, "moved on"
compares two row positions (the same as comparing (time, seq)), and the current stage is
the stage of the customer's last staged row.

The answer is the SQL form's to the last bit: seconds are DuckDB's ``epoch(ts)`` doubles
(µs / 1e6), medians and the 90th percentile DuckDB's ``quantile_cont`` over them. Spark
runs the SQL form; tests hold the two equal.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from journeyscope.analytics.events_arrays import Events, in_blocks
from journeyscope.arrays import interpolate

__all__ = ["StageRow", "duckdb_quantile", "per_stage"]

#: (stage, reached, now, moved, median seconds, p90 seconds, stalled), as the SQL form's
StageRow = tuple[int, int, int, int, float | None, float | None, int]


def duckdb_quantile(values: np.ndarray, p: float) -> float | None:
    """DuckDB's ``quantile_cont(values, p)``: the value at ``(n - 1) * p`` of the sorted
    values, interpolated as DuckDB does (:func:`journeyscope.arrays.interpolate`); None
    for no values."""
    n = len(values)
    if not n:
        return None
    rn = (n - 1) * p
    lo_i, hi_i = math.floor(rn), math.ceil(rn)
    part = np.partition(values, sorted({lo_i, hi_i}))
    lo = float(part[lo_i])
    if lo_i == hi_i:
        return lo
    return interpolate(lo, float(part[hi_i]), rn - lo_i)


def _firsts(owner: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Of rows in journey order, each journey's first."""
    if not len(rows):
        return rows
    who = owner[rows]
    keep = np.ones(len(rows), np.bool_)
    keep[1:] = who[1:] != who[:-1]
    out: np.ndarray = rows[keep]
    return out


def _lasts(owner: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Of rows in journey order, each journey's last."""
    if not len(rows):
        return rows
    who = owner[rows]
    keep = np.ones(len(rows), np.bool_)
    keep[:-1] = who[1:] != who[:-1]
    out: np.ndarray = rows[keep]
    return out


def per_stage(ev: Events, stages: int, stall: float) -> list[StageRow]:
    """Per stage someone reached: reached, there now, moved on to the next (median and
    p90 seconds to it), stalled (current stage, silent longer than ``stall`` seconds).
    Counted in blocks of whole customers, one per core, then added up."""
    if not len(ev.us):
        return []
    end = float(ev.us.max()) / 1e6  # DuckDB's epoch(max(ts))
    parts = in_blocks(ev, lambda b: _tally(ev, b, stages, stall, end))
    reached, now, stalled = (np.sum([p[k] for p in parts], axis=0) for k in range(3))
    out: list[StageRow] = []
    for s in range(stages):
        if not reached[s]:
            continue
        moves = np.concatenate([p.moves[s] for p in parts])
        out.append(
            (
                s,
                int(reached[s]),
                int(now[s]),
                len(moves),
                duckdb_quantile(moves, 0.5),
                duckdb_quantile(moves, 0.9),
                int(stalled[s]),
            )
        )
    return out


class Tally(NamedTuple):
    """One block's customers per stage: reached, there now, stalled; and its moves."""

    reached: np.ndarray
    now: np.ndarray
    stalled: np.ndarray
    moves: list[np.ndarray]


def _tally(ev: Events, block: tuple[int, int], stages: int, stall: float, end: float) -> Tally:
    """One block's customers per stage reached, there now, stalled, and its moves."""
    lo, hi = block
    owner, stage = ev.owner[lo:hi], ev.stage[lo:hi]
    secs = ev.us[lo:hi] / 1e6  # DuckDB's epoch(ts)
    first = int(owner[0]) if len(owner) else 0
    last_at = secs[_lasts(owner, np.arange(len(owner)))]  # by journey number - first
    staged = np.flatnonzero(stage >= 0)
    current = _lasts(owner, staged)
    now_stage = stage[current]
    silent = end - last_at[owner[current] - first] > stall
    of_stage = stage[staged]
    firsts = [_firsts(owner, staged[of_stage == s]) for s in range(stages)]
    moves = [
        _moves(owner, secs, firsts[s], firsts[s + 1]) if s + 1 < stages else secs[:0]
        for s in range(stages)
    ]
    return Tally(
        np.array([len(f) for f in firsts], np.int64),
        np.bincount(now_stage, minlength=stages),
        np.bincount(now_stage[silent], minlength=stages),
        moves,
    )


def _moves(owner: np.ndarray, secs: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Seconds from the first row of one stage to the first row of the next, for the
    journeys whose first row of the next comes after it."""
    if not len(a) or not len(b):
        return secs[:0]
    oa, ob = owner[a], owner[b]
    at = np.searchsorted(ob, oa)
    at_c = np.minimum(at, len(ob) - 1)
    both = (at < len(ob)) & (ob[at_c] == oa)
    ra, rb = a[both], b[at_c[both]]
    after = rb > ra
    out: np.ndarray = secs[rb[after]] - secs[ra[after]]
    return out
