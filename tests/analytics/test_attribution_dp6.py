"""DP6 Marketing-Attribution-Models' own test cases, through import → identity → attribution.

DP6 works on sessions: a user's sessions form a journey that ends at a converting session,
sessions older than the 30-day window are dropped, and the converting session's own channel
is a touch. We import each session as a touch event and a converting session also as a
purchase at the same instant (a touch at the instant of a conversion counts for it), so the
same journeys come out. DP6's expected weights per journey (``tests/test_end2end.py``,
``tests/test_multiple_conversions.py``) are summed per channel here; we report credit per
channel. Where DP6 defines a model differently the test says so (see docs/attribution.md).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.attribution.journeys import PathSpec, build_paths
from journeyscope.analytics.attribution.models import attribute, transition_rows
from journeyscope.analytics.scope import Scope
from tests.analytics.conftest import MakeWorkspace

DATA = Path(__file__).parents[1] / "data" / "dp6-attribution-cases"

#: DP6's journeys (after the window drops user A's first session), in their order
JOURNEYS = [
    ["direct", "google_ads", "direct"],  # A, converts
    ["seo", "direct"],  # B, does not convert
    ["direct", "crm", "direct"],  # C
    ["seo", "direct", "direct"],  # D, first purchase
    ["direct", "direct", "seo", "direct"],  # D, second purchase
    ["direct", "crm", "direct"],  # E (second file only), buys 2 in one session
]
#: DP6's expected weights per journey and touch (value-weighted in the second file)
EXPECTED: dict[str, Any] = {
    "first": [[1, 0, 0], [0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0, 0], [2, 0, 0]],
    "last": [[0, 0, 1], [0, 0], [0, 0, 1], [0, 0, 1], [0, 0, 0, 1], [0, 0, 2]],
    "linear": [
        [1 / 3] * 3,
        [0.0, 0.0],
        [1 / 3] * 3,
        [1 / 3] * 3,
        [0.25] * 4,
        [2 / 3] * 3,
    ],
}


def _workspace(make_workspace: MakeWorkspace, name: str) -> Any:
    events: list[dict[str, Any]] = []
    with (DATA / name).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ts = row["event_time"].replace(" ", "T") + "Z"
            who = {"anonymous_id": row["user_pseudo_id"], "ts": ts}
            events.append({"event": "session_start", "channel": row["source_medium"], **who})
            if row["is_conversion_purchase"] == "1":
                value = float(row.get("n_purchases") or 1)
                events.append({"event": "purchase", "channel": "web", "revenue": value, **who})
    return make_workspace([{"event_id": str(i), **e} for i, e in enumerate(events)])


def _by_channel(weights: list[list[float]], journeys: list[list[str]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for touches, ws in zip(journeys, weights, strict=True):
        for channel, w in zip(touches, ws, strict=True):
            if w:
                out[channel] += w
    return dict(out)


def _credited(credits: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in credits.items() if v}


def test_journeys_are_dp6s(make_workspace: MakeWorkspace) -> None:
    table, info = build_paths(_workspace(make_workspace, "test_dataset.csv"), PathSpec(), Scope())
    got = {
        tuple(table.channels[i] for i in p): (c, n)
        for p, c, n in zip(table.paths, table.conversions, table.nulls, strict=True)
    }
    assert got == {
        ("direct", "google_ads", "direct"): (1, 0),
        ("seo", "direct"): (0, 1),  # B never buys
        ("direct", "crm", "direct"): (1, 0),
        ("seo", "direct", "direct"): (1, 0),
        ("direct", "direct", "seo", "direct"): (1, 0),
    }
    assert info["conversions_without_touches"] == 0


@pytest.mark.parametrize("model", ["first", "last", "linear"])
def test_rule_based_credits_are_dp6s(make_workspace: MakeWorkspace, model: str) -> None:
    table, _ = build_paths(_workspace(make_workspace, "test_dataset.csv"), PathSpec(), Scope())
    expected = _by_channel(EXPECTED[model][:5], JOURNEYS[:5])
    credits = attribute(table, model)
    assert _credited(credits.conversions) == pytest.approx(expected)
    assert _credited(credits.value) == pytest.approx(expected)  # every purchase is worth 1


@pytest.mark.parametrize("model", ["first", "last", "linear"])
def test_rule_based_value_with_multiple_conversions(
    make_workspace: MakeWorkspace, model: str
) -> None:
    """E buys 2 in one session: DP6 weighs that journey by its value, as our value credits do."""
    ws = _workspace(make_workspace, "test_dataset_multiple_conversions.csv")
    table, _ = build_paths(ws, PathSpec(), Scope())
    expected = _by_channel(EXPECTED[model], JOURNEYS)
    assert _credited(attribute(table, model).value) == pytest.approx(expected)


def test_markov_removal_effects_and_chain_are_dp6s(make_workspace: MakeWorkspace) -> None:
    """DP6 keeps self-transitions (direct → direct 0.2); we collapse repeats as
    ChannelAttribution does, which leaves every absorption probability, hence every removal
    effect, unchanged: DP6's other transitions out of a state, renormalised, are ours."""
    table, _ = build_paths(_workspace(make_workspace, "test_dataset.csv"), PathSpec(), Scope())
    credits = attribute(table, "markov")
    assert credits.removal_effects == pytest.approx(
        {"crm": 1 / 6, "google_ads": 1 / 6, "seo": 0.5, "direct": 1.0}
    )
    dp6_direct = {"seo": 0.1, "crm": 0.1, "google_ads": 0.1, "(null)": 0.1, "(conversion)": 0.4}
    ours = {b: p for a, b, p in transition_rows(table) if a == "direct"}
    assert ours == pytest.approx({k: v / 0.8 for k, v in dp6_direct.items()})
    start = {b: p for a, b, p in transition_rows(table) if a == "(start)"}
    assert start == pytest.approx({"seo": 0.4, "direct": 0.6})
