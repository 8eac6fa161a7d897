"""The sort-based distinct helpers answer exactly what np.unique answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from journeyscope.arrays import distinct, distinct_inverse


@given(st.lists(st.integers(-(2**62), 2**62), max_size=200))
def test_distinct_is_np_unique(values: list[int]) -> None:
    a = np.array(values, np.int64)
    assert distinct(a).tolist() == np.unique(a).tolist()
    uniq, inverse = distinct_inverse(a)
    want_uniq, want_inverse = np.unique(a, return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert inverse.tolist() == want_inverse.reshape(-1).tolist()
