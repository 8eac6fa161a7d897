"""The touchpoints report from arrays equals the SQL form (what Spark runs), whole JSON."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics.scope import Scope
from journeyscope.analytics.sessions import SessionRule, per_session
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints_in_sql, touchpoints_on
from journeyscope.engine.runner import Runner
from journeyscope.events.workspace import Workspace
from tests.analytics.conftest import MakeWorkspace

EVENTS = [
    "product_view",
    "add_to_cart",
    "purchase",
    "support_call",
    "complaint",
    "ad_impression",
    "message_sent",
    "review",
]

rows_st = st.lists(
    st.tuples(
        st.integers(0, 2),  # customer
        # minutes: ties, and gaps at the windows' edges (30 and 60 minutes, 7 days)
        st.sampled_from([0, 0, 1, 30, 31, 60, 61, 90, 120, 10080, 10081, 20000]),
        st.sampled_from(EVENTS),
        st.sampled_from(["web", "app", "hotline"]),
        st.sampled_from([None, "tp:a", "tp:b"]),
        st.sampled_from([None, None, 1.0, 4.0, 5.0, 4.5]),  # rating
    ),
    min_size=1,
    max_size=30,
)

#: stage rules with a repeat and a ``where`` (decided per event in SQL)
RULES_WITH_A_FILTER = (
    "model: retail5\nrules:\n"
    "  - {stage: loyalty, events: [purchase], repeat: true}\n"
    "  - {stage: service, where: 'channel = hotline'}\n"
    "  - {stage: consideration, events: [product_view, add_to_cart]}\n"
    "  - {stage: purchase, events: [purchase]}\n"
)

SPECS = [
    TouchpointSpec(),
    TouchpointSpec(within=timedelta(hours=1), repeat_within=timedelta(minutes=30)),
    TouchpointSpec(conversion="add_to_cart", stage_model=None, min_customers=2),
    TouchpointSpec(within=timedelta(minutes=60), contacts=("support_call", "review"), passive=()),
    TouchpointSpec(conversion="Add To Cart", passive=("Ad Impression",), contacts=("Review",)),
]


def _events(rows: list[Any]) -> list[dict[str, Any]]:
    base = np.datetime64("2024-03-30T20:00:00")
    out = []
    for i, (c, m, event, channel, tp, rating) in enumerate(rows):
        ts = str(base + np.timedelta64(m * 60, "s")) + "Z"  # many at one instant
        row: dict[str, Any] = {"event_id": f"{i:04d}", "user_id": f"c{c}", "event": event}
        row |= {"ts": ts, "channel": channel}
        row |= ({"touchpoint": tp} if tp else {}) | ({"rating": rating} if rating else {})
        out.append(row)
    return out


def _same(r: Runner, spec: TouchpointSpec, scope: Scope) -> dict[str, Any]:
    report = touchpoints_on(r, spec, scope)
    assert report == touchpoints_in_sql(r, spec, scope)
    return report


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_st)
def test_arrays_equal_sql_on_generated_events(
    make_workspace: MakeWorkspace, rows: list[Any]
) -> None:
    ws = make_workspace(_events(rows))
    r = Runner(ws)
    for spec in SPECS:
        _same(r, spec, Scope())
    _same(per_session(r, SessionRule(timedelta(minutes=45))), TouchpointSpec(), Scope())
    for where in ("channel = web", "user_id = c1"):  # the second joins the full event row
        _same(r, TouchpointSpec(), Scope.parse(ws, None, None, where))
    _same(r, TouchpointSpec(), Scope.parse(ws, "2024-03-31", "2024-04-01", None))


def test_stage_rule_with_a_filter_stays_equal(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """A rule reading more than the name (``where``) is decided in SQL per event."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_WITH_A_FILTER, "utf-8")
    rows = [
        (0, 0, "product_view", "web", None, None),
        (0, 0, "purchase", "web", None, None),
        (0, 5, "purchase", "web", None, None),
        (0, 9, "support_call", "hotline", None, None),
        (1, 1, "product_view", "hotline", "tp:a", None),
        (1, 2, "review", "web", None, 4.0),
    ]
    ws = make_workspace(_events(rows))
    report = _same(Runner(ws), TouchpointSpec(stage_rules=rules), Scope())
    stages = {t["touchpoint"]: t["stage"] for t in report["touchpoints"]}
    assert stages["web:purchase"] in {"purchase", "loyalty"}
    assert stages["hotline:support_call"] == "service"


def test_arrays_equal_sql_on_the_demo(demo_workspace: Path) -> None:
    ws = Workspace.open(demo_workspace)
    try:
        r = Runner(ws)
        report = _same(r, TouchpointSpec(), Scope())
        assert report["touchpoints"] and any(t["rated"] for t in report["touchpoints"])
        assert any(t["repeat_contacts"] for t in report["touchpoints"])
        _same(r, TouchpointSpec(min_observed=5), Scope.parse(ws, None, None, "channel = web"))
        _same(r, TouchpointSpec(), Scope.parse(ws, "2026-01-01", "2026-03-31", None))
    finally:
        ws.close()


def test_window_edges(make_workspace: MakeWorkspace) -> None:
    """A touch exactly one window after a conversion is not open; contacts exactly
    ``repeat_within`` apart are a repeat, one minute more is not."""
    rows = [
        (0, 0, "purchase", "web", None, None),
        (0, 60, "product_view", "web", "tp:a", None),
        (0, 200, "ad_impression", "web", None, None),
        (1, 0, "support_call", "hotline", "tp:s", None),
        (1, 30, "support_call", "hotline", "tp:s", None),
        (2, 0, "support_call", "hotline", "tp:s", None),
        (2, 31, "support_call", "hotline", "tp:s", None),
    ]
    ws = make_workspace(_events(rows))
    spec = TouchpointSpec(within=timedelta(hours=1), repeat_within=timedelta(minutes=30))
    found = {t["touchpoint"]: t for t in _same(Runner(ws), spec, Scope())["touchpoints"]}
    assert (found["tp:a"]["customers"], found["tp:a"]["observed"]) == (1, 0)
    s = found["tp:s"]
    assert (s["contact_customers"], s["repeat_contacts"]) == (2, 1)
    assert (s["observed"], s["dropped"]) == (2, 2)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_st)
def test_blocks_of_customers_add_up_to_the_whole(
    make_workspace: MakeWorkspace, rows: list[Any]
) -> None:
    """Split into blocks of whole customers (one per core at scale), the sums are the
    unsplit report's: forced here with a block per customer."""
    from journeyscope.analytics import events_arrays as touchpoints_arrays

    ws = make_workspace(_events(rows))
    r = Runner(ws)
    whole = touchpoints_in_sql(r, TouchpointSpec(), Scope())
    saved = touchpoints_arrays.BLOCK_ROWS, touchpoints_arrays.cores
    touchpoints_arrays.BLOCK_ROWS = 1
    touchpoints_arrays.cores = lambda: 3
    try:
        assert touchpoints_on(r, TouchpointSpec(), Scope()) == whole
        owner = np.sort(np.array([c for c, *_ in rows]))
        blocks = touchpoints_arrays.blocks(owner, 3)
        assert blocks[0][0] == 0 and blocks[-1][1] == len(owner)
        for (_, a), (b, _) in itertools.pairwise(blocks):
            assert a == b and owner[b] != owner[b - 1]  # cut where a journey starts
    finally:
        touchpoints_arrays.BLOCK_ROWS, touchpoints_arrays.cores = saved
