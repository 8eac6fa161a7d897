"""Funnel invariants (hypothesis) and conformance with chdb on generated data."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics.funnel_kernel import (
    DEDUP,
    INCREASE,
    ONCE,
    ORDER,
    REENTRY,
    funnel_levels,
)
from tests.analytics.chdb_peer import Peer

PEER_MODES = {
    "strict_once": ONCE,
    "strict_order": ORDER,
    "strict_deduplication": DEDUP,
    "strict_increase": INCREASE,
}
Row = tuple[int, int, int]  # customer, timestamp, event type

rows_st = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 12), st.integers(0, 3)), max_size=60)
steps_st = st.lists(
    st.sets(st.integers(0, 3), min_size=1, max_size=2).map(sorted), min_size=1, max_size=4
)
modes_st = st.sets(st.sampled_from(sorted(PEER_MODES))).map(sorted)


def levels_of(
    rows: list[Row], steps: list[list[int]], window: int, flags: int, unordered: bool = False
) -> dict[int, int]:
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    if not rows:
        return {}
    keys = np.array([r[0] for r in rows])
    users = sorted(set(keys.tolist()))
    starts = np.searchsorted(keys, np.array([*users, max(users) + 1])).astype(np.int64)
    ts = np.array([r[1] for r in rows], np.int64)
    mask = np.array([sum((r[2] in s) << i for i, s in enumerate(steps)) for r in rows], np.uint32)
    levels, _ = funnel_levels(
        starts, ts, mask, np.zeros(len(rows), np.bool_), len(steps), window, flags, unordered
    )
    return {u: int(v) for u, v in zip(users, levels, strict=True) if v}


_peer: list[Peer] = []


def peer() -> Peer:
    if not _peer:
        _peer.append(Peer({}))
    return _peer[0]


def chdb_levels(
    rows: list[Row], steps: list[list[int]], window: int, modes: list[str]
) -> dict[Any, Any]:
    s = peer().session
    s.query("DROP TABLE IF EXISTS wf.gen")
    s.query("CREATE TABLE wf.gen (u UInt32, t UInt32, e UInt8) ENGINE = Memory")
    if rows:
        s.query("INSERT INTO wf.gen VALUES " + ",".join(f"({u},{t},{e})" for u, t, e in rows))
    params = ", ".join([str(window), *(f"'{m}'" for m in modes)])
    conds = ", ".join(f"e IN ({', '.join(map(str, c))})" for c in steps)
    result = s.query(
        f"SELECT u, windowFunnel({params})(t, {conds}) AS l FROM wf.gen GROUP BY u HAVING l > 0",
        "JSONCompact",
    )
    data: list[list[Any]] = json.loads(result.bytes())["data"] if result.bytes() else []
    return {int(u): int(v) for u, v in data}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_st, steps_st, st.integers(0, 8), modes_st, st.booleans())
def test_levels_equal_clickhouse(
    rows: list[Row], steps: list[list[int]], window: int, modes: list[str], reentry: bool
) -> None:
    """Every mode combination gives windowFunnel's level for every customer (chdb 4.4.0)."""
    flags = 0
    for m in modes:
        flags |= PEER_MODES[m]
    if reentry and "strict_order" in modes:
        modes = [*modes, "allow_reentry"]
        flags |= REENTRY
    assert levels_of(rows, steps, window, flags) == chdb_levels(rows, steps, window, modes)


@settings(max_examples=200, deadline=None)
@given(rows_st, steps_st, st.integers(0, 8), st.integers(0, 8), st.sampled_from([ONCE, 0, -1]))
def test_wider_window_never_lowers(
    rows: list[Row], steps: list[list[int]], w1: int, w2: int, flags: int
) -> None:
    small, large = sorted((w1, w2))
    unordered = flags < 0
    a = levels_of(rows, steps, small, max(flags, 0), unordered)
    b = levels_of(rows, steps, large, max(flags, 0), unordered)
    assert all(b.get(u, 0) >= level for u, level in a.items())


@settings(max_examples=300, deadline=None)
@given(
    rows_st,
    steps_st,
    st.integers(0, 8),
    st.sampled_from([ONCE, 0, ORDER, DEDUP, INCREASE]),
    st.randoms(),
)
def test_row_order_changes_nothing(
    rows: list[Row], steps: list[list[int]], window: int, flags: int, rnd: Any
) -> None:
    """Rows at one instant may come in any order (the engine's sort is not stable).

    Holds for every mode the product offers. (ClickHouse's own combination of strict_once
    with strict_deduplication is not one: with rows at one instant it depends on the order
    rows arrived in, in ClickHouse too.)
    """
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert levels_of(shuffled, steps, window, flags) == levels_of(rows, steps, window, flags)
    assert levels_of(shuffled, steps, window, 0, True) == levels_of(rows, steps, window, 0, True)
