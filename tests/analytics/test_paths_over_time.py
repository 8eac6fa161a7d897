"""Paths over time from one scan equal the paths report run over each period alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from journeyscope.analytics.intervals import periods_between
from journeyscope.analytics.over_time import edges_by_period
from journeyscope.analytics.paths import PathSpec, paths_on
from journeyscope.analytics.scope import Scope
from journeyscope.engine.runner import Runner
from journeyscope.events.workspace import Workspace


@pytest.mark.parametrize(("interval", "level"), [("week", "event"), ("day", "channel")])
def test_every_periods_edges_equal_the_report_over_that_period(
    demo_workspace: Path, interval: str, level: str
) -> None:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        r = Runner(ws)
        spec = PathSpec(level=level)
        scope = Scope()
        grouped = edges_by_period(r, spec, scope, interval)
        assert grouped is not None
        bounds = ws.con.execute("SELECT min(ts), max(ts) FROM journey_events").fetchone()
        assert bounds is not None
        first, last = bounds
        periods = periods_between(first, last, interval, r.zone)
        compared = 0
        for period in periods[:: max(1, len(periods) // 12)]:
            part = replace(scope, since=period.start, until=period.end)
            alone = {
                f"{e['from']} → {e['to']}": {"value": e["count"], "count": e["count"]}
                for e in paths_on(r, spec, part)["edges"]
            }
            assert grouped(part) == alone, period.label
            compared += bool(alone)
        assert compared >= 5  # periods with edges were compared, not only empty ones
