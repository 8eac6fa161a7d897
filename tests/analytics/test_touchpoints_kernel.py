"""The touchpoints report's compiled frames give what the NumPy form gives, to the bit."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.analytics import touchpoints_arrays, touchpoints_kernel
from journeyscope.analytics.events_arrays import Events
from journeyscope.analytics.touchpoints import TouchpointSpec

EVENTS = ["ad_impression", "call_center", "page_view", "product_view", "purchase", "review"]
TPS = ["ads:banner", "hotline", "shopee", "web:home", "zalo"]
DAY_US = 86_400_000_000

row = st.tuples(
    st.integers(0, 6),  # journey
    st.integers(0, 40 * 24).map(lambda h: h * 3_600_000_000),  # hours: windows and ties
    st.integers(0, len(EVENTS) - 1),
    st.integers(0, len(TPS) - 1),
    st.sampled_from([-1.0, -1.0, -1.0, 1.0, 4.0, 5.0]),  # a rating, or none
)


def events(rows: list[tuple[int, int, int, int, float]]) -> Events:
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    n = len(rows)
    owner = np.searchsorted(sorted({r[0] for r in rows}), [r[0] for r in rows])
    return Events(
        owner=np.asarray(owner, np.int64),
        us=np.array([1_700_000_000_000_000 + r[1] for r in rows], np.int64),
        event=np.array([r[2] for r in rows], np.int32),
        event_names=EVENTS,
        channel=np.array([r[3] % 2 for r in rows], np.int32),
        channel_names=["app", "web"],
        tp=np.array([r[3] for r in rows], np.int32),
        tp_names=TPS,
        rated=np.array([r[4] >= 0 for r in rows], np.bool_),
        rating=np.array([max(r[4], 0.0) for r in rows]),
        stage=np.array([r[2] % 3 - 1 for r in rows], np.int64),
        seq=np.arange(n, dtype=np.int64),
        revenue=np.full(n, np.nan),
        customer=np.arange(int(owner[-1]) + 1, dtype=np.int64),
    )


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(row, min_size=1, max_size=70),
    days=st.sampled_from([1, 3, 7]),
    conversion=st.sampled_from(["purchase", "product_view", "not_in_data"]),
)
def test_the_compiled_frames_equal_numpy(
    rows: list[tuple[int, int, int, int, float]], days: int, conversion: str
) -> None:
    ev = events(rows)
    spec = TouchpointSpec(
        conversion=conversion,
        within=timedelta(days=days),
        repeat_within=timedelta(days=days),
        contacts=("call_center", "review"),
        passive=("ad_impression",),
    )
    touchpoints_kernel.warm()
    with pytest.MonkeyPatch.context() as patch:  # NumPy, as a CLI process has it
        patch.setattr(touchpoints_arrays, "loaded_kernel", lambda module, name: None)
        numpy_form = touchpoints_arrays.rows_of(ev, spec)
    with pytest.MonkeyPatch.context() as patch:  # the kernel, as a server has it loaded
        patch.setattr(
            touchpoints_arrays, "loaded_kernel", lambda module, name: touchpoints_kernel.frames
        )
        compiled = touchpoints_arrays.rows_of(ev, spec)
    assert compiled == numpy_form
    # one signature, the one setup.sh compiles: a server never compiles on a request
    assert len(touchpoints_kernel.frames.signatures) == 1


def test_each_frame_on_one_journey() -> None:
    """By hand: a view, a purchase 2 days later, a rating 10 days after that (7-day
    window): the view converted and moved on; the purchase is not open, the rated row
    is again; only the rated row has a rating within the window, though each row of the
    journey finds it; the second journey's rows see nothing of the first's."""
    us = np.array([0, 2, 12, 1, 3], np.int64) * DAY_US
    owner = np.array([0, 0, 0, 1, 1], np.int64)
    conv = np.array([False, True, False, False, False])
    active = np.array([True, True, True, True, False])
    rated = np.array([False, False, True, False, False])
    rating = np.array([0.0, 0.0, 4.0, 0.0, 0.0])
    touchpoints_kernel.warm()
    columns = (owner, us, conv, active, rated, rating)
    frames = touchpoints_arrays._frames_compiled(touchpoints_kernel.frames, columns, 7 * DAY_US)
    numpy_frames = touchpoints_arrays._frames(columns, 7 * DAY_US)
    converted, opened, moved, rated_in, rating_at = (a.tolist() for a in frames)
    assert converted == [True, False, False, False, False]
    assert opened == [True, False, True, True, True]  # day 12: the purchase is 10 days back
    assert moved == [True, False, False, False, False]
    assert rated_in == [False, False, True, False, False]
    assert rating_at[:3] == [4.0, 4.0, 4.0]
    for mine, theirs in zip(frames, numpy_frames, strict=True):
        assert np.array_equal(mine, theirs)


def test_touchpoints_use_the_frames_once_loaded() -> None:
    from journeyscope.compiled import loaded_kernel

    touchpoints_arrays.load_touchpoints_kernel()
    found = loaded_kernel("journeyscope.analytics.touchpoints_kernel", "frames")
    assert found is touchpoints_kernel.frames
