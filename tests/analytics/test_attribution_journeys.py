"""Attribution on a workspace's own journeys: paths, lookback, time decay, planted fact."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics.attribution.journeys import (
    PathSpec,
    build_paths,
    build_paths_sql,
    time_decay,
)
from journeyscope.analytics.attribution.models import attribute
from journeyscope.analytics.scope import Scope
from journeyscope.events.workspace import Workspace
from tests.analytics.conftest import MakeWorkspace
from tests.conftest import Result

Cli = Callable[..., Result]


def day(d: int, h: int = 10) -> str:
    return f"2024-05-{d:02d}T{h:02d}:00:00Z"


JOURNEYS: list[dict[str, Any]] = [
    {"user_id": "a", "event": "ad_click", "channel": "facebook", "ts": day(1)},
    {"user_id": "a", "event": "message_sent", "channel": "zalo", "ts": day(3)},
    {"user_id": "a", "event": "purchase", "channel": "web", "ts": day(4), "revenue": 100},
    {"user_id": "b", "event": "product_view", "channel": "web", "ts": day(1)},
    # b buys 31 days later: the view is older than the 30-day lookback
    {
        "user_id": "b",
        "event": "purchase",
        "channel": "shopee",
        "ts": "2024-06-01T11:00:00Z",
        "revenue": 50,
    },
    {"user_id": "c", "event": "message_sent", "channel": "email", "ts": day(2)},  # never buys
    {"user_id": "d", "event": "store_visit", "channel": "store", "ts": day(5)},
    {"user_id": "d", "event": "purchase", "channel": "store", "ts": day(5), "revenue": 30},
]


def _ws(make_workspace: MakeWorkspace) -> Workspace:
    return make_workspace([{"event_id": str(i), **e} for i, e in enumerate(JOURNEYS)])


def test_paths_from_journeys(make_workspace: MakeWorkspace) -> None:
    table, info = build_paths(_ws(make_workspace), PathSpec(), Scope())
    got = {
        tuple(table.channels[i] for i in p): (c, v, n)
        for p, c, v, n in zip(table.paths, table.conversions, table.value, table.nulls, strict=True)
    }
    assert got == {
        ("facebook", "zalo"): (1, 100, 0),
        ("(direct)",): (1, 50, 0),  # b's only touch is older than the lookback
        ("store",): (1, 30, 0),  # a touch at the instant of the purchase counts
        ("email",): (0, 0, 1),  # a journey that did not convert
    }
    assert info["conversions_without_touches"] == 1
    longer, _ = build_paths(_ws(make_workspace), PathSpec(lookback=timedelta(days=40)), Scope())
    assert ("web",) in {tuple(longer.channels[i] for i in p) for p in longer.paths}


def test_time_decay_by_hand(make_workspace: MakeWorkspace) -> None:
    credits = time_decay(_ws(make_workspace), PathSpec(), Scope(), timedelta(days=1))
    # a: facebook is 3 days old (weight 1/8), zalo 1 day (1/2): shares 0.2 and 0.8
    assert credits.conversions == pytest.approx(
        {"facebook": 0.2, "zalo": 0.8, "(direct)": 1.0, "store": 1.0}
    )
    assert credits.value == pytest.approx(
        {"facebook": 20.0, "zalo": 80.0, "(direct)": 50.0, "store": 30.0}
    )


def test_every_model_adds_up_on_journeys(make_workspace: MakeWorkspace) -> None:
    table, _ = build_paths(_ws(make_workspace), PathSpec(repeats="collapse"), Scope())
    for model in ("first", "last", "linear", "position", "markov", "shapley"):
        credits = attribute(table, model)
        assert sum(credits.conversions.values()) == pytest.approx(3)
        assert sum(credits.value.values()) == pytest.approx(180)


def test_cli_on_a_workspace(cli: Cli, make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    ws = _ws(make_workspace)
    root = ws.root
    ws.close()
    data: Any = cli(
        "attribution", "-w", root, "--compare", "last,time_decay,markov", "--json"
    ).json()
    assert [m["model"] for m in data["models"]] == ["last", "time_decay", "markov"]
    assert data["total_conversions"] == 3 and data["null_journeys"] == 1
    source = tmp_path / "p.csv"
    source.write_text("path;total_conversions\na > b;1\n", "utf-8")
    bad = cli("attribution", "--paths", source, "--model", "time_decay")
    assert bad.code == 2 and "time_decay needs the times" in bad.err


def test_zalo_drives_conversions(cli: Cli, demo_workspace: Path, demo_sources: Path) -> None:
    """The demo's planted driving channel earns the most Markov credit of the channels
    that reach out to people (messages and ads)."""
    facts = json.loads((demo_sources / "facts.json").read_text("utf-8"))
    data: Any = cli("attribution", "-w", demo_workspace, "--model", "markov", "--json").json()
    outreach = ("zalo", "sms", "email", "facebook", "google_ads", "tiktok")
    credits = {c: data["conversions"].get(c, 0.0) for c in outreach}
    assert max(credits, key=lambda c: credits[c]) == facts["driving_channel"]["channel"]


# --- the compiled path pass against its SQL twin and a plain-Python reading -----------------

JOURNEY_EVENT = st.fixed_dictionaries(
    {
        "user_id": st.sampled_from(["a", "b", "c", "d"]),
        "event": st.sampled_from(["purchase", "product_view", "ad_click"]),
        "channel": st.sampled_from(["web", "zalo", "shopee"]),
        "day": st.integers(1, 9),
        "hour": st.sampled_from([0, 12]),  # coarse times: many ties
    }
)


def _events(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(raw):
        row = {k: v for k, v in e.items() if k not in ("day", "hour")}
        row.update(event_id=str(i), ts=day(e["day"], e["hour"]))
        if e["event"] == "purchase":  # the same value for purchases at one instant
            row["revenue"] = e["day"] * 10 + e["hour"]
        out.append(row)
    return out


def _reference(
    events: list[dict[str, Any]], lookback_days: int, half_life_days: float
) -> tuple[dict[tuple[str, ...], list[float]], dict[str, float]]:
    """Paths and time-decay credits read straight off the events, one customer at a time."""
    paths: dict[tuple[str, ...], list[float]] = {}
    decay: dict[str, float] = {}
    for person in {e["user_id"] for e in events}:
        mine = sorted(
            (e for e in events if e["user_id"] == person),
            key=lambda e: (e["ts"], int(e["event_id"])),
        )
        convs = [e for e in mine if e["event"] == "purchase"]
        owner: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(convs))}
        tail: list[dict[str, Any]] = []
        for t in (e for e in mine if e["event"] != "purchase"):
            after = [i for i, c in enumerate(convs) if c["ts"] >= t["ts"]]
            (owner[after[0]] if after else tail).append(t)
        for i, c in enumerate(convs):
            when = datetime.fromisoformat(c["ts"])
            touches = [
                t
                for t in owner[i]
                if when - datetime.fromisoformat(t["ts"]) <= timedelta(days=lookback_days)
            ]
            key = tuple(t["channel"] for t in touches) or ("(direct)",)
            paths.setdefault(key, [0, 0, 0])
            paths[key][0] += 1
            paths[key][1] += c["revenue"]
            ages = [
                (when - datetime.fromisoformat(t["ts"])).total_seconds() / 86400 for t in touches
            ]
            weights = [2 ** (-a / half_life_days) for a in ages] or [1.0]
            for name, w in zip(key, weights, strict=True):
                decay[name] = decay.get(name, 0.0) + w / sum(weights)
        if tail:
            key = tuple(t["channel"] for t in tail)
            paths.setdefault(key, [0, 0, 0])
            paths[key][2] += 1
    return paths, decay


def _as_dict(table: Any) -> dict[tuple[str, ...], list[float]]:
    """Path → [conversions, value, nulls], summing rows that name the same path."""
    out: dict[tuple[str, ...], list[float]] = {}
    for p, *counts in zip(table.paths, table.conversions, table.value, table.nulls, strict=True):
        row = out.setdefault(tuple(table.channels[i] for i in p), [0, 0, 0])
        row[:] = [x + y for x, y in zip(row, counts, strict=True)]
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.lists(JOURNEY_EVENT, min_size=1, max_size=24), lookback=st.integers(1, 5))
def test_compiled_paths_equal_sql_and_reference(
    make_workspace: MakeWorkspace, raw: list[dict[str, Any]], lookback: int
) -> None:
    events = _events(raw)
    ws = make_workspace(events)
    spec = PathSpec(lookback=timedelta(days=lookback))
    table, info = build_paths(ws, spec, Scope())
    sql_table, sql_info = build_paths_sql(ws, spec, Scope())
    expected, decay = _reference(events, lookback, 1.5)
    assert _as_dict(table) == _as_dict(sql_table) == expected
    assert info == sql_info
    credits = time_decay(ws, spec, Scope(), timedelta(days=1.5))
    assert credits.conversions == pytest.approx(decay)
    collapsed, _ = build_paths(ws, PathSpec(lookback=spec.lookback, repeats="collapse"), Scope())
    sql_collapsed, _ = build_paths_sql(
        ws, PathSpec(lookback=spec.lookback, repeats="collapse"), Scope()
    )
    assert _as_dict(collapsed) == _as_dict(sql_collapsed)


@settings(deadline=None)  # the first example loads the compiled grouping
@given(
    paths=st.lists(st.lists(st.integers(0, 3), max_size=5), min_size=1, max_size=30),
    data=st.data(),
    collapse=st.booleans(),
)
def test_ranked_paths_are_the_grouped_paths_in_the_reports_order(
    paths: list[list[int]], data: st.DataObject, collapse: bool
) -> None:
    """One call's paths ranked at once (a matrix and one lexsort) equal the grouped paths
    sorted as tuples by (-conversions, -nulls, path), as several calls' paths are."""
    from journeyscope.analytics.attribution import journeys

    n_conv = data.draw(st.integers(0, len(paths)))
    lens = [len(p) for p in paths]
    ends = np.cumsum(lens)
    cut = journeys.Cut(
        ["a", "b", "c", "d"],
        np.array([x for p in paths for x in p], np.int32),
        np.zeros(sum(lens), np.int64),
        (ends - lens).astype(np.int64),
        ends.astype(np.int64),
        np.zeros(n_conv, np.int64),
        np.array(data.draw(st.lists(st.integers(0, 9), min_size=n_conv, max_size=n_conv)), float),
        np.zeros(n_conv, np.int64),
    )
    got = journeys.ranked_paths(cut, collapse)
    grouped = journeys.path_groups(cut, collapse)
    want = sorted(zip(*grouped, strict=True), key=lambda g: (-g[1], -g[3], g[0]))
    assert list(zip(*got, strict=True)) == want
    journeys.MAX_RANK_CELLS, kept = 0, journeys.MAX_RANK_CELLS  # the sort of tuples
    try:
        assert list(zip(*journeys.ranked_paths(cut, collapse), strict=True)) == want
    finally:
        journeys.MAX_RANK_CELLS = kept
