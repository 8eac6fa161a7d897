"""The sort-based distinct helpers answer exactly what np.unique answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from journeyscope.arrays import ascending, distinct, distinct_inverse


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
