"""Retention's churn and cohort parts: the compiled passes give what the NumPy forms give,
to the bit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.analytics import retention_arrays, retention_kernel
from journeyscope.analytics.retention import RetentionSpec

NAMES = ["page_view", "product_view", "purchase", "support_call", "review", "email_sent"]
DAY_US = retention_arrays.DAY


def events(rows: list[tuple[int, int, int, float]]) -> Any:
    """Rows (customer, µs, event code, rating or -1) in journey order, as ``Events`` holds
    them for churn."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    owner = np.array([r[0] for r in rows], np.int64)
    us = np.array([r[1] for r in rows], np.int64)
    code = np.array([r[2] for r in rows], np.int32)
    rating = np.array([max(r[3], 0.0) for r in rows])

    def of_names(names: list[str], codes: np.ndarray) -> np.ndarray:
        return np.isin(codes, [NAMES.index(n) for n in names if n in NAMES])

    return SimpleNamespace(
        owner=owner,
        us=us,
        event=code,
        rated=np.array([r[3] >= 0 for r in rows], np.bool_),
        rating=rating,
        tp=np.array([f"tp-{c}" for c in code], dtype=object),
        of_names=of_names,
        code=lambda name: NAMES.index(name) if name in NAMES else -1,
    )


def both(ev: Any, spec: RetentionSpec) -> tuple[dict[str, Any], dict[str, Any] | None]:
    local = ev.us + 7 * 3_600_000_000  # Vietnam: a constant offset
    day = np.floor_divide(local, DAY_US)
    retention_kernel.warm()
    compiled = retention_arrays._churn_compiled(retention_kernel.churn_pass, ev, local, day, spec)
    return retention_arrays.churn_numpy(ev, local, day, spec), compiled


def equal(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for name, value in a.items():
        assert np.array_equal(np.asarray(value), np.asarray(b[name])), name
        assert np.asarray(value).dtype == np.asarray(b[name]).dtype, name


row = st.tuples(
    st.integers(0, 6),  # customer
    st.integers(1_700_000_000, 1_700_000_000 + 120 * 86400).map(lambda s: s * 1_000_000),
    st.integers(0, len(NAMES) - 1),
    st.sampled_from([-1.0, -1.0, 1.0, 2.0, 3.0, 5.0]),
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=60), contacts=st.booleans())
def test_the_compiled_pass_equals_numpy(
    rows: list[tuple[int, int, int, float]], contacts: bool
) -> None:
    spec = RetentionSpec(
        passive=("page_view", "email_sent"),
        contacts=("support_call", "review") if contacts else (),
    )
    ev = events(rows)
    ev.owner = np.searchsorted(np.unique(ev.owner), ev.owner).astype(np.int64)  # 0, 1, 2, …
    numpy_form, compiled = both(ev, spec)
    assert compiled is not None
    equal(numpy_form, compiled)
    # one signature, the one setup.sh compiles: a server never compiles on a request
    assert len(retention_kernel.churn_pass.signatures) == 1


def test_read_only_arrays_use_the_compiled_signature() -> None:
    """The server's kept arrays are read-only, a period's are not: numba would compile
    once more for either mix, on a user's request, unless every array goes in frozen."""
    ev = events([(0, 1_700_000_000_000_000, 2, -1.0), (1, 1_700_000_000_000_000, 3, 1.0)])
    for values in (ev.owner, ev.us):
        values.setflags(write=False)
    local = ev.us + 7 * 3_600_000_000
    retention_kernel.warm()
    found = retention_arrays._churn_compiled(
        retention_kernel.churn_pass, ev, local, np.floor_divide(local, DAY_US), RetentionSpec()
    )
    assert found is not None and len(retention_kernel.churn_pass.signatures) == 1


def test_days_that_go_back_leave_it_to_numpy() -> None:
    """A local clock set back across midnight: the pass says so, NumPy sorts the days."""
    base = 1_700_006_400 * 1_000_000
    ev = events([(0, base, 2, -1.0), (0, base + 86400 * 10**6, 2, -1.0)])
    local = ev.us.copy()
    local[1] = base - 86400 * 10**6  # the second action's local day is before the first's
    day = np.floor_divide(local, DAY_US)
    retention_kernel.warm()
    spec = RetentionSpec()
    assert (
        retention_arrays._churn_compiled(retention_kernel.churn_pass, ev, local, day, spec) is None
    )


def test_churn_uses_the_pass_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    retention_kernel.warm()
    real = retention_kernel.churn_pass

    class Counted:
        signatures = real.signatures

        def __call__(self, *args: Any) -> Any:
            calls.append(1)
            return real(*args)

    monkeypatch.setattr(retention_kernel, "churn_pass", Counted())
    ev = events([(0, 1_700_000_000_000_000, 2, -1.0), (0, 1_700_900_000_000_000, 2, 1.0)])
    local = ev.us + 7 * 3_600_000_000
    found = retention_arrays.churn(ev, local, np.floor_divide(local, DAY_US), RetentionSpec())
    assert calls == [1] and list(found["owner"]) == [0]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(row, min_size=1, max_size=60),
    period=st.sampled_from(["day", "week", "month"]),
    cohort_event=st.sampled_from([None, "purchase", "page_view", "not_in_data"]),
    return_event=st.sampled_from([None, "purchase", "product_view", "not_in_data"]),
    clock_back=st.booleans(),
)
def test_the_compiled_cohorts_equal_numpy(
    rows: list[tuple[int, int, int, float]],
    period: str,
    cohort_event: str | None,
    return_event: str | None,
    clock_back: bool,
) -> None:
    spec = RetentionSpec(period=period, cohort_event=cohort_event, return_event=return_event)
    ev = events(rows)
    ev.owner = np.searchsorted(np.unique(ev.owner), ev.owner).astype(np.int64)
    day = np.floor_divide(ev.us + 7 * 3_600_000_000, DAY_US)
    if clock_back and len(day) > 1:  # a local day that goes back within a customer
        day[-1] = day[0] - 3
    with pytest.MonkeyPatch.context() as patch:  # NumPy, as a CLI process has it
        patch.setattr(retention_arrays, "_kernel", lambda name: None)
        numpy_form = retention_arrays.cohort_rows(ev, day, spec)
    retention_kernel.warm()
    compiled = retention_arrays._cohorts_compiled(retention_kernel.cohort_pass, ev, day, spec)
    assert compiled == numpy_form
    assert len(retention_kernel.cohort_pass.signatures) == 1


def test_cohorts_use_the_pass_once_loaded() -> None:
    retention_arrays.load_retention_kernel()
    assert retention_arrays._kernel("cohort_pass") is retention_kernel.cohort_pass
    assert retention_arrays._kernel("churn_pass") is retention_kernel.churn_pass


def test_a_stray_event_years_off_leaves_daily_cohorts_to_numpy() -> None:
    """The compiled table spans every period of the data both ways: one event ten years
    before the rest would make it 13 million cells a day; NumPy counts only those used."""
    base = 1_700_000_000
    ev = events([(0, base * 10**6, 2, -1.0), (0, (base + 86400) * 10**6, 0, -1.0)])
    ev.us[0] -= 3650 * DAY_US  # the stray one
    day = np.floor_divide(ev.us, DAY_US)
    spec = RetentionSpec(period="day")
    retention_kernel.warm()
    assert retention_arrays._cohorts_compiled(retention_kernel.cohort_pass, ev, day, spec) is None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retention_arrays, "_kernel", lambda name: None)
        numpy_form = retention_arrays.cohort_rows(ev, day, spec)
    retention_arrays.load_retention_kernel()
    assert retention_arrays.cohort_rows(ev, day, spec) == numpy_form  # NumPy answered
