"""The paths report's compiled passes give what the NumPy forms give, to the bit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.analytics import paths_arrays, paths_kernel
from journeyscope.analytics.paths_arrays import Journeys, _journeys

NAMES = ["add_to_cart", "checkout", "page_view", "product_view", "purchase", "support_call"]


def journeys(rows: list[tuple[int, int, int]], read_only: bool = False) -> Journeys:
    """Rows (customer, seconds, event code) in journey order."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    cols = {
        "customer_id": np.array([r[0] for r in rows], np.int64),
        "us": np.array([r[1] * 1_000_000 for r in rows], np.int64),
    }
    code = np.array([r[2] for r in rows], np.int32)
    channel = np.zeros(len(rows), np.int32)
    if read_only:
        code.setflags(write=False)
    return _journeys("event", cols, {"event": (code, NAMES), "channel": (channel, ["web"])})


@contextmanager
def numpy_only() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths_arrays, "_kernel", lambda name: None)
        yield


def both(part: Any, *args: Any) -> tuple[Any, Any]:
    paths_kernel.warm()
    with numpy_only():
        numpy_form = part(*args)
    with pytest.MonkeyPatch.context() as patch:  # the kernels as a server has them loaded
        patch.setattr(paths_arrays, "_kernel", lambda name: getattr(paths_kernel, name))
        compiled = part(*args)
    return numpy_form, compiled


row = st.tuples(
    st.integers(0, 8),  # customer
    st.integers(0, 3 * 86400),  # seconds: ties happen
    st.integers(0, len(NAMES) - 1),
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(row, min_size=1, max_size=80),
    few=st.booleans(),
    top=st.integers(0, 6),
    merge=st.booleans(),
)
def test_the_compiled_passes_equal_numpy(
    rows: list[tuple[int, int, int]], few: bool, top: int, merge: bool
) -> None:
    if few:  # two names: at most four edges, NumPy's comparison form
        rows = [(c, s, e % 2) for c, s, e in rows]
    j = journeys(rows)
    numpy_edges, compiled_edges = both(paths_arrays.edges, j)
    assert compiled_edges == numpy_edges
    numpy_variants, compiled_variants = both(paths_arrays.variants, j, top, merge)
    assert compiled_variants == numpy_variants
    # one signature each, the one setup.sh compiles: a server never compiles on a request
    assert len(paths_kernel.edge_pass.signatures) == 1
    assert len(paths_kernel.variant_pass.signatures) == 1


def test_many_variants_grow_the_table() -> None:
    """Thousands of distinct journeys: the compiled pass's table grows past its first size
    (1,024 slots) and still finds every group NumPy finds."""
    rng = np.random.default_rng(7)
    customers = rng.integers(0, 20_000, 120_000)
    rows = list(
        zip(
            customers.tolist(),
            rng.integers(0, 10**6, 120_000).tolist(),
            rng.integers(0, len(NAMES), 120_000).tolist(),
            strict=True,
        )
    )
    j = journeys(rows)
    for merge in (True, False):
        numpy_form, compiled = both(paths_arrays.variants, j, 20, merge)
        assert compiled == numpy_form and compiled["distinct"] > 5_000


def test_read_only_and_writable_arrays_share_the_signature() -> None:
    for read_only in (True, False):
        j = journeys([(0, 1, 3), (0, 2, 4), (1, 5, 3)], read_only)
        assert both(paths_arrays.edges, j)[1][0]["from"] == "product_view"
        assert both(paths_arrays.variants, j, 3, True)[1]["distinct"] == 2
    assert len(paths_kernel.edge_pass.signatures) == 1
    assert len(paths_kernel.variant_pass.signatures) == 1


def test_journeys_with_one_hash_are_compared_not_trusted() -> None:
    """Members of a group are compared with its first customer, so two journeys are one
    variant only when they are equal."""
    seq = np.array([3, 4, 3, 4, 4, 3, 3, 4, 4], np.int32)
    seq.setflags(write=False)
    starts = np.array([0, 2, 4, 6, 9], np.int64)
    paths_kernel.warm()
    assert paths_kernel._same(seq, starts, 0, 1)
    assert not paths_kernel._same(seq, starts, 1, 2)  # 3 4 against 4 3
    assert not paths_kernel._same(seq, starts, 0, 3)  # 3 4 against 3 4 4


def test_paths_use_the_passes_once_loaded() -> None:
    """The server loads the kernels on a thread; a report then takes them."""
    paths_arrays.load_paths_kernel()
    assert paths_arrays._kernel("edge_pass") is paths_kernel.edge_pass
    assert paths_arrays._kernel("variant_pass") is paths_kernel.variant_pass
