"""Funnels against the peers' own test cases: ClickHouse (44) and PostHog (12)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.scope import Scope, Step
from journeyscope.events.workspace import Workspace
from tests.analytics.chdb_peer import Peer, load_cases
from tests.analytics.conftest import MakeWorkspace

TABLES, CASES = load_cases()
POSTHOG = json.loads(
    (Path(__file__).parents[1] / "data" / "posthog-funnel-cases" / "cases.json").read_text("utf-8")
)["cases"]


@pytest.fixture(scope="module")
def peer() -> Peer:
    return Peer(TABLES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_clickhouse_case(peer: Peer, case: Any) -> None:
    """Our kernel gives the pinned peer's rows (chdb 4.4.0) for every upstream case."""
    assert peer.ours(case) == case.peer_rows
    # the peer really answers so: the pinned version is what we compare with
    assert [[int(v) for v in row] for row in peer.rows(_peer_sql(case))] == case.peer_rows


def _peer_sql(case: Any) -> str:
    query = next(
        c["query"]
        for c in json.loads(
            (
                Path(__file__).parents[1] / "data" / "clickhouse-windowfunnel-cases" / "cases.json"
            ).read_text("utf-8")
        )["cases"]
        if c["id"] == case.id
    )
    return query.replace(f"FROM {case.table}", f"FROM wf.{case.table}")


def _window(spec: dict[str, int]) -> timedelta:
    return timedelta(**{k: v for k, v in spec.items() if k in ("days", "minutes", "hours")})


def _posthog_runs() -> list[tuple[str, dict[str, Any], str, dict[str, Any]]]:
    runs = []
    for case in POSTHOG:
        orders = case["order"] if isinstance(case["order"], list) else [case["order"]]
        variants = case.get("variants") or [case]
        for i, variant in enumerate(variants):
            for order in orders:
                runs.append((f"{case['id']}-{i}-{order}", case, order, variant))
    return runs


def posthog_funnel(
    make_workspace: MakeWorkspace, case: dict[str, Any], order: str, variant: dict[str, Any]
) -> tuple[Workspace, FunnelSpec, Scope]:
    """A PostHog case's events in a workspace, and its funnel and date range."""
    ws = make_workspace(
        [
            {
                "event_id": f"e{i}",
                "user_id": e["person"],
                "anonymous_id": e["distinct_id"],
                "event": e["event"],
                "ts": e["timestamp"],
            }
            for i, e in enumerate(case["events"])
        ]
    )
    mode = {"ordered": "ordered", "strict": "strict_order", "unordered": "unordered"}[order]
    steps = [Step(s, label=s or "*") for s in case["steps"]]
    since, until = case.get("date_range") or [None, None]
    spec = FunnelSpec(steps, _window(variant.get("window") or case["window"]), mode)
    return ws, spec, Scope.parse(ws, since, until, None)


@pytest.mark.parametrize(
    ("case", "order", "variant"),
    [r[1:] for r in _posthog_runs()],
    ids=[r[0] for r in _posthog_runs()],
)
def test_posthog_case(
    make_workspace: MakeWorkspace,
    on_engine: Callable[..., Any],
    case: dict[str, Any],
    order: str,
    variant: dict[str, Any],
) -> None:
    """PostHog's expected counts and conversion times, through import → identity → funnel,
    on every engine."""
    ws, spec, scope = posthog_funnel(make_workspace, case, order, variant)
    mode = spec.mode
    report = funnel(on_engine(ws), spec, scope)
    counts = [s["customers"] for s in report["steps"]]
    expected = variant.get("expected_step_counts") or case.get("expected_step_counts")
    if expected:
        assert counts == expected
    exp = case.get("expected", {})
    for k, n in exp.get("step_counts_asserted", {}).items():
        assert counts[int(k)] == n
    if exp.get("step_counts_implied"):
        assert counts == exp["step_counts_implied"]
    if mode == "unordered":
        return  # PostHog reports no per-step times for any-order funnels here
    for key, ours in (
        ("average_conversion_time_s", "mean_seconds"),
        ("median_conversion_time_s", "median_seconds"),
    ):
        want = variant.get(key) or exp.get(key)
        if isinstance(want, dict):
            want = {int(k): v for k, v in want.items()}
        elif isinstance(want, list):
            want = {i: v for i, v in enumerate(want) if v is not None}
        for step, seconds in (want or {}).items():
            assert report["steps"][step][ours] == pytest.approx(seconds)
