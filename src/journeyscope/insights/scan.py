"""One pass over the journeys that counts everything ``insights`` tests, per day and slice.

The pass reads each event's customer, time, event code, funnel-step bits and slice values
(small integer codes: the SQL maps names to codes with bound parameters), and the runner's
per-customer primitive hands whole customers to :func:`count`, in (time, source) order —
on DuckDB in one call, on Spark inside each partition — so both engines count the same.
What comes back is small: one row per (kind, what, slice, day) with two counts.

Kinds of count (``n`` and ``k`` per row):

- ``VOLUME``  — customers doing an event that day (``n``);
- ``PAIR``    — customers who did step A that day (``n``) and of them, who did step B
  within the pair's window after an A of that day (``k``): a funnel step's conversion,
  with the funnel report's ordered semantics (B strictly after A, window inclusive);
- ``LOOP``    — customers at funnel step k that day (``n``) whose next funnel step within
  the window was the one before (``k``): sent back a step;
- ``NEW``     — customers whose first event was that day (``n``) and who converted within
  the conversion window (``k``);
- ``COHORT``  — customers whose first conversion was that day (``n``) and who converted
  again within the repeat window (``k``).

A slice is a field's value (``channel = app``). Counts of events are per value of the
event (``--where "channel = app"``); a step, a new customer or a first purchase belongs
to the value of the event that took it (``checkout[channel = app]``), wherever the
customer went next.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from journeyscope.arrays import distinct_inverse

__all__ = ["COHORT", "KINDS", "LOOP", "NEW", "PAIR", "VOLUME", "Plan", "count", "merge"]

VOLUME, PAIR, LOOP, NEW, COHORT = range(5)
KINDS = ("volume", "pair", "loop", "new", "cohort")
SCHEMA = "kind long, a long, g long, val long, day long, n long, k long"
_COLUMNS = ("kind", "a", "g", "val", "day", "n", "k")


@dataclass(frozen=True)
class Plan:
    """What one pass counts; every name is already a small integer code."""

    bounds: np.ndarray  # µs of the start of each local day, and of the day after the last
    slices: int  # slice fields (the whole, ``g = 0``, comes on top)
    pairs: tuple[tuple[int, int, int], ...]  # (bit of A, bit of B, window µs)
    loops: tuple[tuple[int, int, int, int], ...]  # (bit before, bit at, bit after or -1, µs)
    conversion: int  # event code of the conversion event, -1 when the data has none
    convert_within: int  # µs: a new customer converted within this
    repeat_within: int  # µs: a first buyer bought again within this
    #: days (indices) on which a sale drew crowds: customers first seen then are the sale's
    #: own (their deliveries, messages and reviews would look like incidents for weeks)
    sale_days: tuple[int, ...] = ()
    #: event codes of what the business sends (messages, deliveries): not a visit, so a
    #: customer is new from their first *other* event
    passive: tuple[int, ...] = ()


#: Rows above which one call is split across the cores (whole customers per part)
PARALLEL_ROWS = 1_000_000


def count(cols: dict[str, Any], plan: Plan) -> dict[str, np.ndarray]:
    """The counts of one set of whole customers, sorted by (customer, time, source); a
    large set is counted in parts on every core (NumPy's sorts let go of the GIL) and the
    parts' counts summed."""
    cust = np.asarray(cols["customer_id"], np.int64)
    parts = min(os.cpu_count() or 1, len(cust) // PARALLEL_ROWS)
    if parts < 2:
        return _count(cols, plan)
    cuts = [0]
    for i in range(1, parts):
        at = len(cust) * i // parts
        # move the cut to where a customer starts: each part holds whole customers
        if cust[at] == cust[at - 1]:
            later = np.flatnonzero(cust[at:] != cust[at - 1])
            at = at + int(later[0]) if len(later) else len(cust)
        cuts.append(max(at, cuts[-1]))
    cuts.append(len(cust))
    pieces = [
        {name: np.asarray(values)[a:b] for name, values in cols.items()}
        for a, b in itertools.pairwise(cuts)
        if b > a
    ]
    with ThreadPoolExecutor(len(pieces)) as pool:
        return merge(list(pool.map(lambda piece: _count(piece, plan), pieces)))


def _count(cols: dict[str, Any], plan: Plan) -> dict[str, np.ndarray]:
    cust = np.asarray(cols["customer_id"], np.int64)
    if not len(cust):
        return {c: np.zeros(0, np.int64) for c in _COLUMNS}
    us = np.asarray(cols["us"], np.int64)
    ev = np.asarray(cols["ev"], np.int64)
    bits = np.asarray(cols["m"], np.int64)
    day = np.searchsorted(plan.bounds, us, side="right") - 1
    ordinal = np.concatenate([[0], np.cumsum(cust[1:] != cust[:-1])])
    if plan.sale_days:
        starts = np.flatnonzero(np.concatenate([[True], cust[1:] != cust[:-1]]))
        sale_customer = np.isin(day[starts], np.asarray(plan.sale_days))
        keep = ~sale_customer[ordinal]
        if not keep.all():
            cols = {name: np.asarray(values)[keep] for name, values in cols.items()}
            return _count(cols, Plan(**{**plan.__dict__, "sale_days": ()}))
    groups = [np.zeros(len(cust), np.int64)] + [
        np.asarray(cols[f"d{i}"], np.int64) for i in range(plan.slices)
    ]
    out: list[dict[str, np.ndarray]] = [_volume(ordinal, ev, day, groups)]
    seq = _Seq(ordinal, us, bits)
    for i, (a, b, within) in enumerate(plan.pairs):
        at = np.flatnonzero(seq.has(a))
        nxt, found = seq.next_of(at, seq.has(b))
        converted = found & (us[nxt] - us[at] <= within)
        out += _by_slice(PAIR, i, at, converted, ordinal, day, groups)
    for i, (before, here, after, within) in enumerate(plan.loops):
        at = np.flatnonzero(seq.has(here))
        back, has_back = seq.next_of(at, seq.has(before))
        looped = has_back & (us[back] - us[at] <= within)
        if after >= 0:
            ahead, has_ahead = seq.next_of(at, seq.has(after))
            looped &= ~has_ahead | (back < ahead)
        out += _by_slice(LOOP, i, at, looped, ordinal, day, groups)
    out.append(_firsts(ordinal, us, ev, day, groups, plan))
    return merge(out)


def merge(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Rows with the same (kind, a, g, val, day) summed: the partitions' counts as one."""
    parts = [p for p in parts if len(p["kind"])]
    if not parts:
        return {c: np.zeros(0, np.int64) for c in _COLUMNS}
    cols = {c: np.concatenate([np.asarray(p[c], np.int64) for p in parts]) for c in _COLUMNS}
    keys = np.stack([cols[c] for c in _COLUMNS[:5]], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    merged = {c: uniq[:, i] for i, c in enumerate(_COLUMNS[:5])}
    merged["n"] = np.bincount(inverse, cols["n"], len(uniq)).astype(np.int64)
    merged["k"] = np.bincount(inverse, cols["k"], len(uniq)).astype(np.int64)
    return merged


def _rows(
    kind: int, a: int, g: int, val: np.ndarray, day: np.ndarray, n: np.ndarray, k: np.ndarray
) -> dict[str, np.ndarray]:
    size = len(val)
    return {
        "kind": np.full(size, kind, np.int64),
        "a": np.full(size, a, np.int64),
        "g": np.full(size, g, np.int64),
        "val": val.astype(np.int64),
        "day": day.astype(np.int64),
        "n": n.astype(np.int64),
        "k": k.astype(np.int64),
    }


def _per_customer_day(
    ordinal: np.ndarray, val: np.ndarray, day: np.ndarray, flag: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (customer, value, day) units, summed per (value, day): units and flagged."""
    if not len(ordinal):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    unit = (val << 20) | day  # values and days stay under 2**20 (checked by the plan)
    if int(ordinal[-1]) < 1 << 22:
        # one int64 per row — customer, unit, flag — and one sort (the common case: under
        # four million customers in one call)
        packed = np.sort((ordinal << 41) | (unit << 1) | flag.astype(np.int64))
        last = np.concatenate([packed[1:] >> 1 != packed[:-1] >> 1, [True]])
        kept = packed[last]  # per (customer, unit): the row with the highest flag
        unit_of, unit_flag = (kept >> 1) & ((1 << 40) - 1), kept & 1
    else:
        order = np.lexsort((unit, ordinal))
        unit, owner, flag = unit[order], ordinal[order], flag[order]
        starts = np.flatnonzero(
            np.concatenate([[True], (unit[1:] != unit[:-1]) | (owner[1:] != owner[:-1])])
        )
        unit_flag = np.maximum.reduceat(flag.astype(np.int64), starts)
        unit_of = unit[starts]
    vals, days = unit_of >> 20, unit_of & ((1 << 20) - 1)
    width = int(days.max()) + 1
    bins = (int(vals.max()) + 1) * width
    if bins <= 1 << 25:  # a count per (value, day) without another sort
        cell = vals * width + days
        n_all = np.bincount(cell, minlength=bins)
        k_all = np.bincount(cell, unit_flag, minlength=bins)
        used = np.flatnonzero(n_all)
        return used // width, used % width, n_all[used], k_all[used].astype(np.int64)
    keys, inverse = distinct_inverse(unit_of)
    n = np.bincount(inverse, minlength=len(keys))
    k = np.bincount(inverse, unit_flag, minlength=len(keys))
    return keys >> 20, keys & ((1 << 20) - 1), n, k


def _volume(
    ordinal: np.ndarray, ev: np.ndarray, day: np.ndarray, groups: list[np.ndarray]
) -> dict[str, np.ndarray]:
    parts = []
    named = ev >= 0
    for g, val in enumerate(groups):
        keep = named & (val >= 0)
        # the event code rides in the value's place: (customer, event*64+value, day)
        combined = ev[keep] * 64 + val[keep]
        vals, days, n, _ = _per_customer_day(
            ordinal[keep], combined, day[keep], np.zeros(int(keep.sum()), np.int64)
        )
        rows = _rows(VOLUME, 0, g, vals % 64, days, n, np.zeros(len(n), np.int64))
        rows["a"] = vals // 64
        parts.append(rows)
    return merge(parts)


def _by_slice(
    kind: int,
    index: int,
    at: np.ndarray,
    flag: np.ndarray,
    ordinal: np.ndarray,
    day: np.ndarray,
    groups: list[np.ndarray],
) -> list[dict[str, np.ndarray]]:
    """Units (customer, day) of the events ``at``, per slice value *of those events*: a
    step taken on Android that converted anywhere counts for Android, as the funnel step
    ``checkout[platform = android]`` would."""
    out = []
    for g, val in enumerate(groups):
        v = val[at]
        keep = v >= 0
        vals, days, n, k = _per_customer_day(ordinal[at][keep], v[keep], day[at][keep], flag[keep])
        out.append(_rows(kind, index, g, vals, days, n, k))
    return out


@dataclass(frozen=True)
class _Seq:
    """Events in (customer, time, source) order."""

    ordinal: np.ndarray
    us: np.ndarray
    bits: np.ndarray

    def has(self, bit: int) -> np.ndarray:
        return ((self.bits >> bit) & 1).astype(bool)

    def next_of(self, at: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each position in ``at``: the next later position of the same customer where
        ``mask`` holds, and whether there is one."""
        where = np.flatnonzero(mask)
        if not len(where):
            return np.zeros(len(at), np.int64), np.zeros(len(at), bool)
        i = np.searchsorted(where, at, side="right")
        found = i < len(where)
        nxt = where[np.minimum(i, len(where) - 1)]
        found &= self.ordinal[nxt] == self.ordinal[at]
        return nxt, found


def _firsts(
    ordinal: np.ndarray,
    us: np.ndarray,
    ev: np.ndarray,
    day: np.ndarray,
    groups: list[np.ndarray],
    plan: Plan,
) -> dict[str, np.ndarray]:
    """New customers (first event) and first buyers (first conversion), per slice of the
    event that made them so."""
    never = np.iinfo(np.int64).max
    active = ~np.isin(ev, np.asarray(plan.passive, np.int64))
    # each customer's first active event (customers with none are not new visitors)
    act_pos = np.flatnonzero(active)
    act_first = _first_per_customer(act_pos, ordinal)
    starts = np.flatnonzero(np.concatenate([[True], ordinal[1:] != ordinal[:-1]]))
    is_conv = ev == plan.conversion if plan.conversion >= 0 else np.zeros(len(ev), bool)
    conv_us = np.where(is_conv, us, never)
    first_conv = np.minimum.reduceat(conv_us, starts)  # per customer
    new_converted = first_conv[ordinal[act_first]] - us[act_first] <= plan.convert_within
    parts = []
    conv_at = np.flatnonzero(is_conv)
    # the first conversion of each customer, and the one after it
    first_pos = _first_per_customer(conv_at, ordinal)
    second = np.searchsorted(conv_at, first_pos, side="right")
    has_second = second < len(conv_at)
    if len(conv_at):
        second_pos = conv_at[np.minimum(second, len(conv_at) - 1)]
        has_second &= ordinal[second_pos] == ordinal[first_pos]
    else:
        second_pos = first_pos
    repeated = has_second & (us[second_pos] - us[first_pos] <= plan.repeat_within)
    for g, val in enumerate(groups):
        v = val[act_first]
        keep = v >= 0
        parts.append(_summed(NEW, g, v[keep], day[act_first][keep], new_converted[keep]))
        if len(first_pos):
            v = val[first_pos]
            keep = v >= 0
            parts.append(_summed(COHORT, g, v[keep], day[first_pos][keep], repeated[keep]))
    return merge(parts)


def _first_per_customer(positions: np.ndarray, ordinal: np.ndarray) -> np.ndarray:
    """The first of ``positions`` (ascending) of each customer that has any."""
    if not len(positions):
        return positions
    owners = ordinal[positions]
    return np.asarray(positions[np.concatenate([[True], owners[1:] != owners[:-1]])])


def _summed(
    kind: int, g: int, val: np.ndarray, day: np.ndarray, flag: np.ndarray
) -> dict[str, np.ndarray]:
    """Customers (one row each) summed per (value, day)."""
    if not len(val):
        return _rows(kind, 0, g, *(np.zeros(0, np.int64) for _ in range(4)))
    keys, inverse = distinct_inverse(val * (1 << 20) + day)
    n = np.bincount(inverse, minlength=len(keys))
    k = np.bincount(inverse, flag.astype(np.int64), minlength=len(keys))
    return _rows(kind, 0, g, keys >> 20, keys & ((1 << 20) - 1), n, k)
