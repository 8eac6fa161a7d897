"""The paths report from arrays equals the SQL form (what Spark runs) exactly, part by part."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics.paths import LEVELS, PathSpec, paths_in_sql, paths_on
from journeyscope.analytics.paths_arrays import duckdb_median, local_days
from journeyscope.analytics.scope import Scope
from journeyscope.engine.runner import Runner
from tests.analytics.conftest import MakeWorkspace

rows_st = st.lists(
    st.tuples(
        st.integers(0, 5),  # customer
        st.sampled_from([0, 1, 5, 29, 31, 90, 600, 1439, 1440, 3000]),  # minutes: ties, days
        st.sampled_from(["product_view", "add_to_cart", "purchase", "page_view"]),
        st.sampled_from(["web", "app", "store"]),
        st.sampled_from([None, "ad:1", "ad:2"]),
    ),
    min_size=1,
    max_size=40,
)


def _events(rows: list[Any]) -> list[dict[str, Any]]:
    base = np.datetime64("2024-03-30T20:00:00")
    out = []
    for i, (c, m, event, channel, tp) in enumerate(rows):
        ts = str(base + np.timedelta64(m * 60 + i % 3, "s")) + "Z"  # some at one instant
        row = {"event_id": f"{i:04d}", "user_id": f"c{c}", "event": event, "ts": ts}
        row |= {"channel": channel} | ({"touchpoint": tp} if tp else {})
        out.append(row)
    return out


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_st, st.integers(1, 4))
def test_arrays_equal_sql_on_every_level(
    make_workspace: MakeWorkspace, rows: list[Any], top: int
) -> None:
    ws = make_workspace(_events(rows))
    r = Runner(ws)
    for level in LEVELS:
        spec = PathSpec(level=level, top=top)
        assert paths_on(r, spec, Scope()) == paths_in_sql(r, spec, Scope())
    for where in ("channel = web", "user_id = c1"):  # the second joins the full event row
        scope = Scope.parse(ws, None, None, where)
        assert paths_on(r, PathSpec(), scope) == paths_in_sql(r, PathSpec(), scope)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows_st,
    st.sampled_from(["product_view", "add_to_cart", "purchase"]),
    st.booleans(),
    st.integers(1, 5),
    st.sampled_from(LEVELS),
)
def test_sankey_from_arrays_equals_sql(
    make_workspace: MakeWorkspace,
    rows: list[Any],
    anchor: str,
    after: bool,
    depth: int,
    level: str,
) -> None:
    """From the first anchor (or to the last), at every depth and level: the links the
    arrays find are the SQL form's, in the same order."""
    ws = make_workspace(_events(rows))
    r = Runner(ws)
    spec = PathSpec(
        level=level, depth=depth, start=anchor if after else None, end=None if after else anchor
    )
    assert paths_on(r, spec, Scope()) == paths_in_sql(r, spec, Scope())


def test_a_small_sankey(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace(
        _events([(0, 0, "product_view", "web", None), (0, 5, "purchase", "app", None)])
    )
    report = paths_on(Runner(ws), PathSpec(start="product_view", depth=2), Scope())
    assert report == paths_in_sql(Runner(ws), PathSpec(start="product_view", depth=2), Scope())
    assert {"source": "0:product_view", "target": "1:purchase", "value": 1} in report["sankey"][
        "links"
    ]


@pytest.mark.parametrize(
    "zone",
    ["UTC", "Asia/Ho_Chi_Minh", "America/New_York", "America/St_Johns", "Australia/Lord_Howe"],
)
def test_local_days_equal_duckdb(zone: str) -> None:
    """Across daylight-saving changes, including half-hour ones and the 00:01 changes."""
    rng = np.random.default_rng(7)
    start = np.datetime64("2005-01-01", "us").astype(np.int64)
    end = np.datetime64("2026-12-31", "us").astype(np.int64)
    us = np.sort(rng.integers(start, end, 20_000))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    want = con.sql(
        "SELECT date_diff('day', DATE '1970-01-01', "
        "CAST(timezone($z, CAST(make_timestamp(us) AS TIMESTAMPTZ)) AS DATE)) AS d "
        "FROM (SELECT unnest($us) AS us)",
        params={"z": zone, "us": us.tolist()},
    ).fetchnumpy()["d"]
    assert np.array_equal(local_days(us, zone), np.asarray(want))


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 1000])
@pytest.mark.parametrize("zeros", [0.0, 0.5, 0.99, 1.0])
def test_median_is_duckdbs_to_the_bit(n: int, zeros: float) -> None:
    rng = np.random.default_rng(n)
    values = rng.random(n) * 1e6 / 7
    values[rng.random(n) < zeros] = 0.0
    want = duckdb.sql(
        "SELECT median(x) FROM (SELECT unnest($v) AS x)", params={"v": values.tolist()}
    ).fetchall()[0][0]
    assert duckdb_median(values) == want


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1_600_000_000, 1_700_000_000), min_size=1, max_size=40),
    st.sampled_from(["Asia/Ho_Chi_Minh", "Europe/Berlin", "America/Sao_Paulo", "UTC"]),
)
def test_local_clock_is_the_zones_wall_clock(seconds: list[int], zone: str) -> None:
    """Each instant's wall clock, as Python's zoneinfo has it: one offset added where the
    zone keeps one over the data (Vietnam), per hour around DST changes elsewhere."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from journeyscope.analytics.paths_arrays import local_us

    us = np.array([s * 1_000_000 + 123 for s in seconds], np.int64)
    want = [
        int(
            (
                datetime.fromtimestamp(s, UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
                - datetime(1970, 1, 1)
            )
            // timedelta(microseconds=1)
        )
        + 123
        for s in seconds
    ]
    assert local_us(us, zone).tolist() == want
