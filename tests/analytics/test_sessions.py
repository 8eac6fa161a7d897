"""Sessions as journeys (``--per session``): funnels equal ClickHouse ``windowFunnel``
grouped by a session key, paths and touchpoints equal an independent pandas computation,
on every engine; a session id column, ties in time and bad input."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pytest

from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.paths import PathSpec, paths_on
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.sessions import SessionRule, customer_of, per_session
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints_on
from journeyscope.app import run
from journeyscope.app.queries import DroppedQuery, FunnelQuery, PathsQuery, TouchpointsQuery
from journeyscope.errors import JourneyScopeError
from tests.conftest import MakeWorkspace, Result

NAMES = ["view", "cart", "checkout", "buy", "page"]
START = datetime(2026, 5, 1, 8, tzinfo=UTC)
GAP = timedelta(minutes=30)


def generated(seed: int, customers: int = 30, ties: bool = False) -> list[dict[str, Any]]:
    """Events in file order: short and long pauses (so sessions split), at whole seconds;
    with ``ties``, some events share the previous one's instant."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        t = START + timedelta(seconds=int(rng.integers(0, 86400)))
        for _ in range(int(rng.integers(1, 16))):
            pause = rng.choice(3, p=[0.15, 0.55, 0.3] if ties else [0.0, 0.7, 0.3])
            if pause == 1:
                t += timedelta(seconds=int(rng.integers(1, 1500)))
            elif pause == 2:
                t += timedelta(seconds=int(rng.integers(1700, 20000)))  # 1800 s: the edge
            event = NAMES[int(rng.choice(5, p=[0.35, 0.2, 0.15, 0.1, 0.2]))]
            rows.append({"user_id": f"u{c}", "event": event, "ts": t.isoformat()})
    return rows


def sessions_frame(rows: list[dict[str, Any]], gap: timedelta = GAP) -> pd.DataFrame:
    """The rows with their session (the gap rule, written independently): sorted by
    customer, time and file position."""
    df = pd.DataFrame(rows)
    df["pos"] = range(len(df))
    df["t"] = pd.to_datetime(df["ts"], utc=True)
    df = df.sort_values(["user_id", "t", "pos"], kind="stable").reset_index(drop=True)
    new = (df["user_id"] != df["user_id"].shift()) | (df["t"].diff() > gap)
    df["session"] = new.cumsum()
    return df


def merged(path: list[str]) -> tuple[str, ...]:
    return tuple(a for i, a in enumerate(path) if i == 0 or path[i - 1] != a)


def chdb_session_levels(df: pd.DataFrame, steps: list[str], window: int) -> list[int]:
    """ClickHouse windowFunnel(window, 'strict_once') per (customer, session): the count
    of sessions reaching each step."""
    from chdb import session

    s = session.Session()
    s.query("CREATE DATABASE IF NOT EXISTS js")
    s.query("DROP TABLE IF EXISTS js.ev")
    s.query("CREATE TABLE js.ev (s UInt32, t UInt32, e String) ENGINE = Memory")
    epoch = (df["t"] - pd.Timestamp(START)).dt.total_seconds().astype(int)
    values = ",".join(
        f"({int(sid)},{int(t)},'{e}')"
        for sid, t, e in zip(df["session"], epoch, df["event"], strict=True)
    )
    s.query(f"INSERT INTO js.ev VALUES {values}")
    conds = ", ".join(f"e = '{name}'" for name in steps)
    result = s.query(
        f"SELECT s, windowFunnel({window}, 'strict_once')(t, {conds}) FROM js.ev GROUP BY s",
        "JSONCompact",
    )
    levels = [int(level) for _, level in json.loads(result.bytes())["data"]]
    return [sum(level >= k for level in levels) for k in range(1, len(steps) + 1)]


def test_funnel_per_session_equals_clickhouse_window_funnel_by_session(
    make_workspace: MakeWorkspace, on_engine: Callable[[Any], Any]
) -> None:
    rows = generated(7)
    df = sessions_frame(rows)
    r = on_engine(make_workspace(rows))
    steps = ["view", "cart", "checkout", "buy"]
    spec = FunnelSpec(parse_steps(",".join(steps)), timedelta(hours=1))
    ours = funnel(per_session(r, SessionRule(GAP)), spec, Scope())
    expected = chdb_session_levels(df, steps, 3600)
    assert [s["customers"] for s in ours["steps"]] == expected
    # sessions, not customers: more journeys than customers entered step 1
    assert expected[0] > funnel(r, spec, Scope())["steps"][0]["customers"]


def test_paths_per_session_equal_pandas_with_and_without_merging(
    make_workspace: MakeWorkspace, on_engine: Callable[[Any], Any]
) -> None:
    rows = generated(11, ties=True)
    df = sessions_frame(rows)
    journeys = [list(g["event"]) for _, g in df.groupby("session", sort=False)]
    r = per_session(on_engine(make_workspace(rows)), SessionRule(GAP))
    for merge in (True, False):
        spec = PathSpec(top=10_000, merge_repeats=merge)
        report = paths_on(r, spec, Scope())
        variants = report["variants"]
        expected = Counter(merged(j) if merge else tuple(j) for j in journeys)
        assert variants["customers"] == len(journeys)
        assert variants["merge_repeats"] is merge
        assert {tuple(v["path"]): v["customers"] for v in variants["top"]} == expected
    edges = Counter(pair for j in journeys for pair in pairwise(j))
    assert {(e["from"], e["to"]): e["count"] for e in report["edges"]} == edges
    assert report["starts"] == dict(Counter(j[0] for j in journeys))


def test_touchpoints_per_session_count_sessions(
    make_workspace: MakeWorkspace, on_engine: Callable[[Any], Any]
) -> None:
    rows = generated(3)
    df = sessions_frame(rows)
    base = on_engine(make_workspace(rows))
    spec = TouchpointSpec(conversion="buy")
    by_session = touchpoints_on(per_session(base, SessionRule(GAP)), spec, Scope())
    by_customer = touchpoints_on(base, spec, Scope())
    sessions = df.groupby("event")["session"].nunique()
    found = {t["touchpoint"]: t for t in by_session["touchpoints"]}
    assert {k: t["customers"] for k, t in found.items()} == {
        f"web:{e}": int(n) for e, n in sessions.items()
    }
    for t in by_customer["touchpoints"]:
        mine = found[t["touchpoint"]]
        assert mine["customers"] >= t["customers"]
        assert mine["events"] == t["events"]  # the same events, cut differently
    # converted within the session: a session with a buy after a touch converts
    conv = df.groupby("session").apply(_converted_after, include_groups=False)
    assert found["web:view"]["converted"] == int(conv.sum())


def _converted_after(g: pd.DataFrame) -> bool:
    """A view followed (strictly later, within 7 days) by a buy in the same session."""
    views, buys = g.loc[g["event"] == "view", "t"], g.loc[g["event"] == "buy", "t"]
    return any(((buys > v) & (buys - v <= timedelta(days=7))).any() for v in views)


def test_session_id_column_numbers_sessions_by_first_event(
    make_workspace: MakeWorkspace, on_engine: Callable[[Any], Any]
) -> None:
    """Interleaved ids keep their sessions; an event without an id joins the latest
    session begun before it (one before any id is a session of its own)."""

    def ev(user: str, minute: int, event: str, sid: str | None) -> dict[str, Any]:
        row: dict[str, Any] = {
            "user_id": user,
            "event": event,
            "ts": f"2026-05-01T10:{minute:02d}:00Z",
        }
        if sid is not None:
            row["properties"] = {"session_id": sid}
        return row

    rows = [
        ev("a", 0, "view", "s1"),
        ev("a", 1, "page", "s2"),
        ev("a", 2, "cart", "s1"),
        ev("a", 3, "buy", None),  # latest begun: s2
        ev("b", 0, "page", None),  # before any id: its own
        ev("b", 1, "view", "x"),
        ev("b", 50, "buy", "x"),  # 49 minutes later: the same session by id
    ]
    r = per_session(on_engine(make_workspace(rows)), SessionRule(column="properties.session_id"))
    report = paths_on(r, PathSpec(top=50), Scope())
    found = {tuple(v["path"]): v["customers"] for v in report["variants"]["top"]}
    assert found == {("view", "cart"): 1, ("page", "buy"): 1, ("page",): 1, ("view", "buy"): 1}


def test_ties_in_time_keep_the_source_order(make_workspace: MakeWorkspace) -> None:
    rows = []
    for n in range(6):
        pair = ("view", "cart") if n % 2 else ("cart", "view")
        rows += [{"user_id": f"c{n}", "event": e, "ts": "2026-05-01T10:00:00Z"} for e in pair]
        rows.append({"user_id": f"c{n}", "event": "buy", "ts": "2026-05-01T13:00:00Z"})
    r = per_session(make_workspace(rows), SessionRule(GAP))
    found = {
        tuple(v["path"]): v["customers"]
        for v in paths_on(r, PathSpec(), Scope())["variants"]["top"]
    }
    assert found == {("view", "cart"): 3, ("cart", "view"): 3, ("buy",): 6}
    # two sessions each (the buy comes 3 hours later); a funnel treats one instant as one
    # step's time either way (windowFunnel's rule), so both orders reach the cart
    spec = FunnelSpec(parse_steps("view,cart,buy"), timedelta(hours=4))
    assert [s["customers"] for s in funnel(r, spec, Scope())["steps"]] == [6, 6, 0]


def test_journey_keys_carry_the_customer() -> None:
    assert customer_of(np.array([(5 << 24) + 3, (7 << 24) + 1])).tolist() == [5, 7]


# -- the application layer: JSON, the workspace's default, bad input --------------------


def test_reports_say_the_journey_unit(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace(generated(5, customers=8))
    report = run(FunnelQuery(steps="view,buy", per="session", session_gap="1h"), ws)
    data = report.for_language("en")
    assert data["per"] == "session"
    assert data["session"] == {"rule": "gap", "gap_seconds": 3600.0}
    assert "per" not in run(FunnelQuery(steps="view,buy"), ws).for_language("en")
    paths = run(PathsQuery(per="session", session_column="user_id"), ws).for_language("vi")
    assert paths["session"] == {"rule": "column", "column": "user_id"}
    # one session per customer when the id is the customer's own: the customer count
    assert paths["variants"]["customers"] == 8
    tps = run(TouchpointsQuery(per="session", conversion="buy"), ws).for_language("en")
    assert tps["per"] == "session"


def test_the_workspace_yaml_rule_is_the_default(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace(generated(5, customers=8))
    wide = run(PathsQuery(per="session", session_gap="1000d"), ws).for_language("en")
    ws.config.sessions.gap = "1000d"
    found = run(PathsQuery(per="session"), ws).for_language("en")
    assert found["session"]["gap_seconds"] == 1000 * 86400
    assert found["variants"] == wide["variants"]
    assert found["variants"]["customers"] == 8


@pytest.mark.parametrize(
    ("query", "code", "field", "vi"),
    [
        (
            FunnelQuery(steps="view", per="session", session_column="properties.sesion_id"),
            "unknown_field",
            "--session-column",
            "không",
        ),
        (
            FunnelQuery(steps="view", per="session", session_gap="3x"),
            "invalid_duration",
            "--session-gap",
            "không đọc được",
        ),
        (FunnelQuery(steps="view", per="visit"), "invalid_option", "--per", "phiên"),
        (
            TouchpointsQuery(session_column="properties.session_id", conversion="buy"),
            "conflicting_options",
            "--session-column",
            "cần thêm --per session",
        ),
        (
            PathsQuery(per="session", session_gap="1h", session_column="user_id"),
            "conflicting_options",
            "--session-column",
            "hãy chọn một",
        ),
    ],
)
def test_bad_session_input_is_a_located_bilingual_error(
    make_workspace: MakeWorkspace, query: Any, code: str, field: str, vi: str
) -> None:
    ws = make_workspace([{**e, "properties": {"session_id": "s"}} for e in generated(5, 3)])
    with pytest.raises(JourneyScopeError) as info:
        run(query, ws)
    assert info.value.code == code
    assert info.value.location is not None and info.value.location.field == field
    assert vi in info.value.render("vi")
    if code == "unknown_field":
        assert "session_id" in info.value.render("en")  # the suggestion


def test_dropped_lists_customers_not_sessions(make_workspace: MakeWorkspace, tmp_path: Any) -> None:
    ws = make_workspace(generated(5, customers=3))
    query = DroppedQuery(steps="view,buy", step="view", output=tmp_path / "d.csv", per="session")
    with pytest.raises(JourneyScopeError) as info:
        run(query, ws)
    assert info.value.code == "conflicting_options"
    assert not (tmp_path / "d.csv").exists()


def test_cli_tables_count_sessions(
    make_workspace: MakeWorkspace, cli: Callable[..., Result]
) -> None:
    ws = make_workspace(generated(5, customers=4))
    root = ws.root
    ws.close()
    en = cli("funnel", "-w", root, "--steps", "view,buy", "--per", "session")
    assert en.code == 0 and "Sessions" in en.out and "Each journey is one session" in en.out
    vi = cli("--lang", "vi", "touchpoints", "-w", root, "--conversion", "buy", "--per", "session")
    assert vi.code == 0 and "Phiên" in vi.out and "Mỗi hành trình là một phiên" in vi.out
    found = cli("paths", "-w", root, "--per", "session", "--keep-repeats", "--json").json()
    assert found["per"] == "session" and found["variants"]["merge_repeats"] is False
    bad = cli("paths", "-w", root, "--per", "session", "--session-column", "sesion_id")
    assert bad.code == 2 and "unknown_field" in bad.out + bad.err
