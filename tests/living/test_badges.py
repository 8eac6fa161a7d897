"""Badges: too few customers, stale data, a Wilson interval checked by hand."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from journeyscope.app.living import map_values
from journeyscope.app.operations import open_workspace
from journeyscope.living.bind import Settings
from journeyscope.living.stats import wilson
from journeyscope.maps.validate import load_map


def _values(ws: Path, path: Path, settings: Settings, until: str | None = None) -> list:  # type: ignore[type-arg]
    checked = load_map(path)
    assert checked.map is not None
    with open_workspace(ws) as opened:
        return [
            v for v in map_values(opened, checked.map, None, until, settings) if v.state == "ok"
        ]


def test_few_badge_follows_the_minimum(demo_workspace: Path, bound_map_file: Path) -> None:
    default = _values(demo_workspace, bound_map_file, Settings())
    assert {v.n is not None and v.n < 30 for v in default if "few" in v.badges} == {True}
    assert not [v for v in default if v.n is not None and v.n >= 30 and "few" in v.badges]
    strict = _values(demo_workspace, bound_map_file, Settings(min_customers=10**6))
    assert strict and all("few" in v.badges for v in strict)
    lax = _values(demo_workspace, bound_map_file, Settings(min_customers=0))
    assert not [v for v in lax if "few" in v.badges]


def test_stale_badge_compares_the_newest_event_with_to_or_today(
    demo_workspace: Path, bound_map_file: Path
) -> None:
    # the demo's newest event is at the end of June or in the first half of July 2026 (the
    # last customers' deliveries, reviews and messages)
    late = _values(demo_workspace, bound_map_file, Settings(today=dt.date(2026, 12, 1)))
    assert late and all("stale" in v.badges for v in late)
    fresh = _values(demo_workspace, bound_map_file, Settings(today=dt.date(2026, 7, 20)))
    assert not [v for v in fresh if "stale" in v.badges]
    ended = _values(demo_workspace, bound_map_file, Settings(stale_days=30), until="2026-09-30")
    assert ended and all("stale" in v.badges for v in ended)
    # the newest event of what each value reads (a filtered one: of the segment)
    assert all(v.data_ends and "2026-06-01" <= v.data_ends[:10] <= "2026-07-15" for v in late)


def test_wilson_matches_a_hand_computation() -> None:
    # 30 of 100: p = 0.3, z² = 3.8415; centre = (0.3 + 0.019207) / 1.038415 = 0.307399,
    # half = 1.96 · sqrt(0.0021 + 0.000096) / 1.038415 = 0.088450
    low, high = wilson(30, 100) or (math.nan, math.nan)
    assert math.isclose(low, 0.21895, abs_tol=5e-5)
    assert math.isclose(high, 0.39585, abs_tol=5e-5)
    # 0 of 10: the interval starts at 0 and is not empty (z² / (n + z²) = 0.2775)
    zero = wilson(0, 10)
    assert zero is not None and zero[0] == 0.0
    assert math.isclose(zero[1], 3.841458820694124 / (10 + 3.841458820694124))
    assert wilson(0, 0) is None


@given(st.integers(1, 10**6).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_share_and_stays_in_0_1(case: tuple[int, int]) -> None:
    k, n = case
    interval = wilson(k, n)
    assert interval is not None
    low, high = interval
    assert 0.0 <= low <= k / n + 1e-12
    assert k / n - 1e-12 <= high <= 1.0
