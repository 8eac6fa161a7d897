"""A kept whole-workspace scan answers exactly as a scan of the period would, and is never
older than the data (analytics/kept_events.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics import events_arrays, kept_events, paths_arrays
from journeyscope.analytics.paths import PathSpec
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.stages import rules_for
from journeyscope.app import operations as ops
from journeyscope.app.queries import (
    AttributionQuery,
    PathsQuery,
    RetentionQuery,
    StagesQuery,
    TouchpointsQuery,
)
from journeyscope.engine.runner import Runner
from journeyscope.events.workspace import Workspace


@pytest.fixture
def keeping() -> Iterator[kept_events.Kept[Any]]:
    kept_events.keep(256)
    store = kept_events.kept()
    assert store is not None
    try:
        yield store
    finally:
        kept_events.keep(0)


@pytest.fixture(scope="module")
def demo(demo_workspace_template: Path) -> Iterator[Workspace]:
    ws = Workspace.open(demo_workspace_template, read_only=True)
    try:
        yield ws
    finally:
        ws.close()


def _bounds(ws: Workspace) -> tuple[datetime, datetime]:
    low, high = ws.one("SELECT min(ts), max(ts) FROM journey_events") or (None, None)
    assert low is not None and high is not None
    return low, high


def _same_events(a: Any, b: Any) -> None:
    """Two dataclasses of arrays (scanned events, paths' journeys) equal field by field,
    dtypes included."""
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f.name
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            assert x == y, f.name


def _fresh(r: Runner, scope: Scope, staging: Any) -> events_arrays.Events:
    """A scan of ``scope`` with keeping off."""
    held = kept_events.kept()
    kept_events.keep(0)
    try:
        return events_arrays.read_events(r, scope, staging)
    finally:
        if held is not None:
            kept_events._PROCESS.append(held)


def _periods(ws: Workspace) -> list[Scope]:
    low, high = _bounds(ws)
    mid = low + (high - low) / 2
    return [
        Scope(),
        Scope(since=mid),
        Scope(until=mid),
        Scope(since=low + (high - low) / 4, until=mid),
        Scope(since=low - timedelta(days=1), until=high + timedelta(days=1)),  # all of it
        Scope(since=high + timedelta(days=1)),  # nothing
        Scope(since=low, until=low + timedelta(microseconds=1)),  # the very first instant
    ]


def test_kept_scan_equals_a_scan_of_each_period(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    r = Runner(demo)
    staging = rules_for("retail5", None, [])
    for scope in _periods(demo):
        for stages in (None, staging):
            _same_events(events_arrays.read_events(r, scope, stages), _fresh(r, scope, stages))
    assert keeping.scans == 1  # one whole scan served every period
    assert keeping.hits >= 13
    assert keeping.held_bytes() > 0


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.floats(0, 1), st.floats(0, 1), st.sampled_from(["event", "channel", "channel_event"]))
def test_kept_paths_journeys_equal_a_scan(
    demo: Workspace, keeping: kept_events.Kept[Any], a: float, b: float, level: str
) -> None:
    low, high = _bounds(demo)
    since, until = sorted((low + (high - low) * a, low + (high - low) * b))
    scope = Scope(since=since, until=until)
    r = Runner(demo)
    spec = PathSpec(level=level)
    kept = paths_arrays.read_journeys(r, spec, scope)
    kept_events.keep(0)
    fresh = paths_arrays.read_journeys(r, spec, scope)
    kept_events._PROCESS.append(keeping)
    _same_events(kept, fresh)


def _reports(ws: Workspace, since: str | None) -> list[Any]:
    period = {"since": since}
    return [
        ops.stages(ws, StagesQuery(**period)).model_dump(),
        ops.touchpoints(ws, TouchpointsQuery(conversion="purchase", **period)).model_dump(),
        ops.retention(ws, RetentionQuery(**period)).model_dump(),
        ops.paths(ws, PathsQuery(start="product_view", depth=3, **period)).model_dump(),
        ops.paths(ws, PathsQuery(level="channel", **period)).model_dump(),
        ops.attribution(
            ws, AttributionQuery(compare=("last", "markov", "time_decay"), **period)
        ).model_dump(),
        ops.attribution(ws, AttributionQuery(repeats="collapse", **period)).model_dump(),
    ]


def test_reports_from_the_kept_scan_equal_reports_that_scan(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    low, high = _bounds(demo)
    middle = (low + (high - low) / 2).date().isoformat()
    for since in (None, middle):
        kept = _reports(demo, since)
        kept_events.keep(0)
        fresh = _reports(demo, since)
        kept_events._PROCESS.append(keeping)
        assert kept == fresh
    assert keeping.scans == 1


def test_a_write_is_seen_at_once(demo_workspace: Path, keeping: kept_events.Kept[Any]) -> None:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        before = ops.stages(ws, StagesQuery())
        assert ops.stages(ws, StagesQuery()) == before
    assert keeping.scans == 1
    with Workspace.open(demo_workspace) as ws:  # one customer's events go (as forget does)
        one = ws.scalar("SELECT min(customer_id) FROM journey_events")
        ws.con.execute("DELETE FROM journey_events WHERE customer_id = ?", [one])
    with Workspace.open(demo_workspace, read_only=True) as ws:
        after = ops.stages(ws, StagesQuery())
    assert keeping.scans == 2
    assert after.model_dump() != before.model_dump()
    kept_events.keep(0)
    with Workspace.open(demo_workspace, read_only=True) as ws:
        assert ops.stages(ws, StagesQuery()) == after


def test_kept_arrays_are_read_only(demo: Workspace, keeping: kept_events.Kept[Any]) -> None:
    ev = events_arrays.read_events(Runner(demo), Scope(), None)
    with pytest.raises(ValueError, match="read-only"):
        ev.us[0] = 0


def test_a_workspace_over_the_budget_reads_only_its_period(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    """Events that would not fit are counted before any scan: each report reads just its
    own period (as the CLI does) and the store does not ask again at this stamp."""
    keeping.budget = 10_000  # bytes: the demo's events take more
    r = Runner(demo)
    high = _bounds(demo)[1]
    day = Scope(since=high - timedelta(days=1))
    for scope in (Scope(), day, day):
        _same_events(events_arrays.read_events(r, scope, None), _fresh(r, scope, None))
    assert (keeping.scans, keeping.hits, keeping.held_bytes()) == (0, 0, 0)
    assert events_arrays.kept_read(r, day) is None


def test_a_scan_larger_than_counted_is_used_once_then_refused(
    demo: Workspace, keeping: kept_events.Kept[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept_events, "ROW_BYTES", 1)  # the count lets it through
    keeping.budget = 10_000
    r = Runner(demo)
    first = events_arrays.read_events(r, Scope(), None)
    _same_events(first, _fresh(r, Scope(), None))
    events_arrays.read_events(r, Scope(), None)
    assert (keeping.scans, keeping.hits, keeping.held_bytes()) == (1, 0, 0)


def test_a_scan_that_cannot_code_the_names_is_not_tried_again(
    demo: Workspace, keeping: kept_events.Kept[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []

    def clash(*args: Any, **kwargs: Any) -> Any:
        tries.append(1)
        raise events_arrays.NotServed

    monkeypatch.setattr(events_arrays, "_read", clash)
    r = Runner(demo)
    assert events_arrays.kept_read(r, Scope()) is None
    assert events_arrays.kept_read(r, Scope()) is None
    assert tries == [1]


def test_a_filter_or_sessions_read_their_own_scan(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    r = Runner(demo)
    scope = Scope.parse(demo, None, None, "channel = web")
    _same_events(events_arrays.read_events(r, scope, None), _fresh(r, scope, None))
    assert keeping.scans == 0


def test_event_names_from_the_kept_scan_equal_sql(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    from journeyscope.analytics.event_names import event_names

    kept = event_names(Runner(demo))
    kept_events.keep(0)
    fresh = event_names(Runner(demo))
    kept_events._PROCESS.append(keeping)
    assert kept == fresh
    assert keeping.scans == 1
    assert sum(n["customers"] > 0 for n in kept) >= 5


def test_name_checks_use_a_kept_scan_and_never_take_one(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    from journeyscope.analytics.vocabulary import Vocabulary

    r = Runner(demo)
    fresh = {c: Vocabulary(r).values(c) for c in ("event", "channel")}
    assert keeping.scans == 0  # asking for names took no scan
    events_arrays.read_events(r, Scope(), None)
    assert {c: Vocabulary(r).values(c) for c in ("event", "channel")} == fresh
    assert events_arrays.kept_already(r) is not None


def test_stages_of_every_kept_row_are_kept_beside_the_scan(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    """A stage model's stages of the whole kept scan are computed once and kept (read-only,
    counted in the budget); a period still stages its own rows."""
    r = Runner(demo)
    staging = rules_for("retail5", None, [])
    aida = rules_for("aida", None, [])
    first = events_arrays.read_events(r, Scope(), staging)
    held = keeping.held_bytes()
    again = events_arrays.read_events(r, Scope(), staging)
    assert again.stage is first.stage and not again.stage.flags.writeable
    assert keeping.held_bytes() == held
    _same_events(again, _fresh(r, Scope(), staging))
    other = events_arrays.read_events(r, Scope(), aida)
    _same_events(other, _fresh(r, Scope(), aida))
    assert keeping.held_bytes() == held + other.stage.nbytes
    low, high = _bounds(demo)
    half = Scope(since=low + (high - low) / 2)
    _same_events(events_arrays.read_events(r, half, staging), _fresh(r, half, staging))
    keeping.budget = held + other.stage.nbytes  # room for two columns, not three
    third = events_arrays.read_events(r, Scope(), rules_for("current5", None, []))
    _same_events(third, _fresh(r, Scope(), rules_for("current5", None, [])))
    assert keeping.held_bytes() == held + other.stage.nbytes  # the oldest column went
    assert events_arrays.read_events(r, Scope(), staging).stage is not first.stage


def test_the_summary_counts_channel_customers_from_a_kept_scan_as_sql_does(
    demo: Workspace, keeping: kept_events.Kept[Any]
) -> None:
    from journeyscope.app.queries import StatsQuery

    fresh = ops.stats(demo, StatsQuery()).model_dump()  # no scan kept yet: SQL
    assert keeping.scans == 0
    events_arrays.read_events(Runner(demo), Scope(), None)
    assert ops._kept_channel_customers(demo) is not None
    assert ops.stats(demo, StatsQuery()).model_dump() == fresh
    assert sum(c["customers"] for c in fresh["channels"]) > 0


def test_a_peek_that_waits_takes_the_scan_running_now() -> None:
    """The server scans each workspace as it starts; `/stats` asked meanwhile waits for
    that scan rather than count in SQL beside it. A peek that does not wait never
    blocks, and neither scans."""
    import threading

    store: kept_events.Kept[str] = kept_events.Kept(1 << 20)
    release, started = threading.Event(), threading.Event()

    def scan() -> str:
        started.set()
        release.wait(10)
        return "rows"

    scanning = threading.Thread(target=lambda: store.get("ws", 1, scan, len))
    scanning.start()
    started.wait(10)
    assert store.peek("ws", 1) is None  # running, not waited for
    threading.Timer(0.2, release.set).start()
    assert store.peek("ws", 1, wait=True) == "rows"
    scanning.join(10)
    assert store.peek("other", 1, wait=True) is None  # nothing running: no wait
    assert store.scans == 1
