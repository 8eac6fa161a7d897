"""Exclusions (ordered and unordered funnels), on PostHog's own exclusion scenarios."""

from __future__ import annotations

from datetime import timedelta

from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.scope import Scope, parse_steps
from tests.analytics.conftest import MakeWorkspace


def hour(h: float) -> str:
    return f"2024-06-01T{int(h):02d}:{int(h % 1 * 60):02d}:00Z"


def run(
    make_workspace: MakeWorkspace,
    people: dict[str, list[tuple[str, float]]],
    mode: str = "ordered",
    window_h: int = 24,
) -> tuple[list[int], int]:
    events = [
        {"event_id": f"{p}-{i}", "user_id": p, "event": e, "ts": hour(h)}
        for p, rows in people.items()
        for i, (e, h) in enumerate(rows)
    ]
    ws = make_workspace(events)
    spec = FunnelSpec(
        parse_steps("signup,pay,watch"), timedelta(hours=window_h), mode, parse_steps("cancel")
    )
    report = funnel(ws, spec, Scope())
    return [s["customers"] for s in report["steps"]], report["excluded_customers"]


def test_an_exclusion_inside_an_attempt_drops_it(make_workspace: MakeWorkspace) -> None:
    counts, excluded = run(
        make_workspace,
        {
            "clean": [("signup", 1), ("pay", 2), ("watch", 3)],
            "cancelled": [("signup", 1), ("cancel", 1.5), ("pay", 2), ("watch", 3)],
            "no_end": [("signup", 1), ("cancel", 2)],  # never finished: still dropped
        },
    )
    assert counts == [1, 1, 1] and excluded == 2


def test_an_exclusion_outside_the_window_does_not(make_workspace: MakeWorkspace) -> None:
    counts, excluded = run(
        make_workspace,
        {
            "late_cancel": [("signup", 1), ("pay", 2), ("cancel", 20)],  # after 19 h, window 2 h
        },
        window_h=2,
    )
    assert counts == [1, 1, 0] and excluded == 0


def test_a_later_clean_attempt_rescues(make_workspace: MakeWorkspace) -> None:
    counts, excluded = run(
        make_workspace,
        {
            "second_try": [("signup", 1), ("cancel", 1.5), ("signup", 5), ("pay", 6), ("watch", 7)],
        },
    )
    assert counts == [1, 1, 1] and excluded == 0


def test_an_exclusion_after_completion_changes_nothing(make_workspace: MakeWorkspace) -> None:
    counts, excluded = run(
        make_workspace,
        {
            "done_then_cancel": [("signup", 1), ("pay", 2), ("watch", 3), ("cancel", 4)],
        },
    )
    assert counts == [1, 1, 1] and excluded == 0


def test_an_exclusion_hitting_only_a_newer_attempt(make_workspace: MakeWorkspace) -> None:
    """The older attempt got to 'pay' cleanly before the newer one was cancelled."""
    counts, excluded = run(
        make_workspace,
        {
            "two": [("signup", 1), ("pay", 2), ("signup", 10), ("cancel", 11)],
        },
        window_h=3,
    )
    assert counts == [1, 1, 0] and excluded == 0


def test_unordered_exclusion_clears_what_is_held(make_workspace: MakeWorkspace) -> None:
    counts, _ = run(
        make_workspace,
        {
            # 'pay' is forgotten when 'cancel' comes: only signup and watch are held together
            "cleared": [("pay", 1), ("cancel", 1.5), ("signup", 2), ("watch", 3)],
            "whole": [("watch", 1), ("pay", 2), ("signup", 3)],
        },
        mode="unordered",
    )
    assert counts == [2, 2, 1]
