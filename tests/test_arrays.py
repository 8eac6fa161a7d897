"""The sort-based distinct helpers answer exactly what np.unique answers, and journey order
merges runs into the order a full sort gives."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from journeyscope.arrays import (
    ascending,
    distinct,
    distinct_inverse,
    in_journey_order,
    journey_order,
)


@given(st.lists(st.integers(-(2**62), 2**62), max_size=200))
def test_distinct_is_np_unique(values: list[int]) -> None:
    a = np.array(values, np.int64)
    assert distinct(a).tolist() == np.unique(a).tolist()
    uniq, inverse = distinct_inverse(a)
    want_uniq, want_inverse = np.unique(a, return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert inverse.tolist() == want_inverse.reshape(-1).tolist()


@given(st.lists(st.integers(-5, 5), max_size=60), st.booleans())
def test_distinct_of_sorted_input_skips_the_sort_and_answers_the_same(
    values: list[int], presorted: bool
) -> None:
    a = np.array(sorted(values) if presorted else values, np.int64)
    np.testing.assert_array_equal(distinct(a), np.unique(a))
    assert ascending(a) == bool(np.all(np.diff(a) >= 0))


def test_ascending_looks_past_its_first_chunk() -> None:
    a = np.arange(10, dtype=np.int64)
    a[8] = 0
    assert not ascending(a, chunk=3)
    assert ascending(np.arange(10), chunk=3)
    assert ascending(np.array([], np.int64))


_ROWS = st.lists(st.tuples(st.integers(1, 6), st.integers(0, 4)), max_size=80)


def _columns(rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer, µs, seq) columns; ``seq`` is each row's place, unique as in the store."""
    cust = np.array([r[0] for r in rows], np.int64)
    us = np.array([r[1] for r in rows], np.int64)
    return cust, us, np.arange(len(rows), dtype=np.int64)


def _sorted_runs(rows: list[tuple[int, int]], cuts: list[int]) -> list[int]:
    """Row indices cut into consecutive pieces (by store order), each piece sorted by
    (customer, µs, seq): the layout live identity leaves in ``journey_events``."""
    bounds = sorted({0, len(rows), *(c % (len(rows) + 1) for c in cuts)})
    out: list[int] = []
    for lo, hi in itertools.pairwise(bounds):
        out += sorted(range(lo, hi), key=lambda i: (rows[i][0], rows[i][1], i))
    return out


@given(_ROWS, st.lists(st.integers(0, 80), max_size=5), st.booleans())
def test_journey_order_merges_runs_into_the_full_sort(
    rows: list[tuple[int, int]], cuts: list[int], shuffle: bool
) -> None:
    """Runs of rows, later ones holding earlier times too (late events), or rows in no
    order at all: the permutation gives exactly the three-key sort."""
    cust, us, seq = _columns(rows)
    layout = np.array(_sorted_runs(rows, cuts), np.int64)
    if shuffle:
        layout = np.random.default_rng(len(rows)).permutation(len(rows))
    c, u, s = cust[layout], us[layout], seq[layout]
    perm = journey_order(c, u, s)
    want = np.lexsort((s, u, c))
    if perm is None:
        assert in_journey_order(c, u, s)
        np.testing.assert_array_equal(want, np.arange(len(rows)))
    else:
        np.testing.assert_array_equal(s[perm], s[want])
        assert in_journey_order(c[perm], u[perm], s[perm])


def test_journey_order_of_a_sorted_table_is_nothing() -> None:
    cust = np.repeat(np.arange(1, 4, dtype=np.int64), 3)
    us = np.tile(np.array([5, 5, 9], np.int64), 3)
    assert journey_order(cust, us, np.arange(9, dtype=np.int64)) is None
