"""The ordered funnel's NumPy form equals the compiled kernel (levels and step times).

The report runs the NumPy form (``funnel_vector``) for ordered funnels without exclusions,
so it starts without loading the compiler; customers with several steps in one row at a
shared instant still go to the kernel. Held equal here on random rows with ties, rows that
match several steps, customers without rows and windows at the edge.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.analytics import funnels
from journeyscope.analytics.funnel_kernel import ONCE, funnel_levels
from journeyscope.analytics.funnel_vector import ordered_levels, tied
from journeyscope.analytics.scope import Step

customers_st = st.lists(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 15)), max_size=14), max_size=6
)


def _arrays(
    customers: list[list[tuple[int, int]]], k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = [sorted(c) for c in customers]
    starts = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.int64)
    ts = np.array([t for r in rows for t, _ in r], np.int64)
    mask = np.array([m & ((1 << k) - 1) for r in rows for _, m in r], np.uint32)
    cust = np.repeat(np.arange(len(rows), dtype=np.int64) * 3 + 5, [len(r) for r in rows])
    return starts, cust, ts, mask


def _kernel(starts, ts, mask, k, window):  # type: ignore[no-untyped-def]
    return funnel_levels(starts, ts, mask, np.zeros(len(ts), np.bool_), k, window, ONCE, False)


@settings(max_examples=400, deadline=None)
@given(customers_st, st.integers(1, 4), st.integers(0, 14))
def test_numpy_form_equals_kernel_without_ties(customers, k, window):  # type: ignore[no-untyped-def]
    starts, cust, ts, mask = _arrays(customers, k)
    levels, times = _kernel(starts, ts, mask, k, window)
    ours, our_times = ordered_levels(starts, cust, ts, mask, k, window)
    free = ~tied(starts, ts)
    assert np.array_equal(ours[free], levels[free])
    assert np.array_equal(our_times[free], times[free])


@settings(max_examples=400, deadline=None)
@given(customers_st, st.integers(1, 4), st.integers(0, 14), st.booleans())
def test_report_walk_equals_kernel_with_ties(customers, k, window, one_step):  # type: ignore[no-untyped-def]
    """What the report runs (NumPy, the kernel for the customers it leaves) = the kernel."""
    if one_step:  # each row one step: every tie is the NumPy form's
        customers = [[(t, 1 << (m % k)) for t, m in c] for c in customers]
    starts, cust, ts, mask = _arrays(customers, k)
    spec = funnels.FunnelSpec(
        steps=[Step(event=f"e{i}") for i in range(k)], window=timedelta(microseconds=window)
    )
    levels, times = _kernel(starts, ts, mask, k, window)
    xs = np.zeros(len(ts), np.bool_)
    ours, our_times = funnels._levels(spec, starts, cust, ts, mask, xs, warm=False)
    assert np.array_equal(ours, levels)
    assert np.array_equal(our_times, times)


def test_ordered_funnel_does_not_load_the_compiler(demo_workspace):  # type: ignore[no-untyped-def]
    """The common funnel answers without importing numba (about a second at start-up)."""
    probe = (
        "import sys, journeyscope\n"
        f"ws = journeyscope.Workspace({str(demo_workspace)!r})\n"
        "r = ws.funnel(['product_view', 'add_to_cart', 'purchase'], window='7d')\n"
        "assert r.steps[0].customers > 0, r\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_kernel_still_being_imported_is_not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """A funnel with exclusions starts loading the kernel on a thread, then asks whether it
    is loaded: while that import runs, the module sits half made in ``sys.modules``, and
    asking must say "not yet" (the walk then waits on the import), not raise."""
    import sys
    import types

    from journeyscope.analytics import funnels

    half = types.ModuleType("journeyscope.analytics.funnel_kernel")
    monkeypatch.setitem(sys.modules, "journeyscope.analytics.funnel_kernel", half)
    assert funnels._kernel_ready() is False
