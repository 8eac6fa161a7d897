"""Segments: rules over customer facts match an independent pandas computation on the demo
data, static lists resolve identifiers, ``--where "segment = NAME"`` keeps exactly the
segment's customers' events, and bad rules and names are clear errors."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from journeyscope.analytics import segments as seg
from journeyscope.analytics.retention import RetentionSpec, export_customers
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.segments_rule import parse_rule
from journeyscope.engine.runner import Runner
from journeyscope.errors import InputError, NotFound
from journeyscope.events.workspace import Workspace
from tests.conftest import MakeWorkspace


@pytest.fixture(scope="module")
def demo(
    demo_workspace_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    import shutil

    root = Path(shutil.copytree(demo_workspace_template, tmp_path_factory.mktemp("seg") / "ws"))
    ws = Workspace.open(root)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def truth(demo: Workspace) -> pd.DataFrame:
    """Every customer's facts computed here with pandas, from the raw stitched events."""
    ev = demo.con.execute(
        "SELECT customer_id, ts, seq, event, channel, revenue FROM journey_events"
    ).df()
    zone = demo.config.timezone
    ev["day"] = ev["ts"].dt.tz_localize("UTC").dt.tz_convert(zone).dt.date
    last_day = ev["day"].max()
    own = ev[~ev["event"].isin(demo.config.events.passive)]
    g = ev.groupby("customer_id")
    out = pd.DataFrame(index=sorted(ev["customer_id"].unique()))
    out["orders"] = g["event"].apply(lambda s: int((s == "purchase").sum()))
    money = ev[ev["event"].isin(["purchase", "refund"])].groupby("customer_id")["revenue"].sum()
    out["revenue"] = money.reindex(out.index).fillna(0.0)
    out["aov"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["events"] = g.size()
    og = own.groupby("customer_id")
    out["days_since_last"] = og["day"].max().map(lambda d: (last_day - d).days)
    out["days_since_first"] = og["day"].min().map(lambda d: (last_day - d).days)
    out["channels"] = og["channel"].agg(set).reindex(out.index)
    counts = own.groupby(["customer_id", "channel"]).size().reset_index(name="n")
    counts = counts.sort_values(["customer_id", "n", "channel"], ascending=[True, False, True])
    out["main_channel"] = counts.groupby("customer_id")["channel"].first()
    first = own.sort_values(["customer_id", "ts", "seq"]).groupby("customer_id")["channel"].first()
    out["first_channel"] = first
    out["own"] = og.size()
    out["store"] = own[own["channel"] == "store"].groupby("customer_id").size()
    out["views"] = ev[ev["event"] == "product_view"].groupby("customer_id").size()
    out = out.fillna({"store": 0, "views": 0})
    return out


def _used(row: Any, names: set[str]) -> bool:
    return isinstance(row.channels, set) and bool(row.channels & names)


RULES: dict[str, Callable[[Any], bool]] = {
    "orders >= 2": lambda c: c.orders >= 2,
    "revenue >= 2000000 and orders >= 1": lambda c: c.revenue >= 2e6 and c.orders >= 1,
    "aov > 1000000": lambda c: c.aov > 1e6,
    "channel in (shopee, lazada)": lambda c: _used(c, {"shopee", "lazada"}),
    "channel != store and orders >= 1": lambda c: not _used(c, {"store"}) and c.orders >= 1,
    "main_channel = app": lambda c: c.main_channel == "app",
    "channel_share.store >= 0.5": lambda c: c.own > 0 and c.store / c.own >= 0.5,
    "did.product_view >= 3 and days_since_last <= 30": (
        lambda c: c.views >= 3 and c.days_since_last <= 30
    ),
    "days_since_first > 90 and events >= 10": (
        lambda c: c.days_since_first > 90 and c.events >= 10
    ),
    "first_channel in (facebook, google_ads)": (
        lambda c: c.first_channel in ("facebook", "google_ads")
    ),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_members_equal_an_independent_computation(
    demo: Workspace, truth: pd.DataFrame, rule: str
) -> None:
    expected = sorted(int(i) for i, row in truth.iterrows() if RULES[rule](row))
    got = seg.members(demo, seg.Segment(name="t", rule=rule))
    assert got == expected
    assert 0 < len(got) < len(truth)  # a rule that keeps nobody or everybody tests nothing


def test_rfm_scores_are_retentions(demo: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "rfm.csv"
    export_customers(demo, RetentionSpec(), Scope(), target)
    with target.open(encoding="utf-8") as f:
        rfm = {
            int(r["customer_id"]): (int(r["r"]), int(r["f"]), int(r["m"]), r["segment"])
            for r in csv.DictReader(f)
            if r["r"]
        }
    facts = {
        int(row["customer_id"]): (row["r"], row["f"], row["m"], row["rfm_segment"])
        for row in seg.facts(demo)
        if row["r"] is not None
    }
    assert facts == rfm and len(rfm) > 50
    champions = seg.members(demo, seg.Segment(name="c", rule="rfm_segment = champions and r >= 5"))
    assert champions == sorted(c for c, v in rfm.items() if v[3] == "champions" and v[0] >= 5)


def test_traits_are_the_latest_identify(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace(
        [
            {"user_id": "a", "event": "identify", "ts": "2024-01-01T00:00:00Z",
             "traits": {"city": "Hà Nội"}},
            {"user_id": "a", "event": "identify", "ts": "2024-01-03T00:00:00Z",
             "traits": {"city": "Huế"}},
            {"user_id": "b", "event": "identify", "ts": "2024-01-02T00:00:00Z",
             "traits": {"city": "Hà Nội"}},
        ]
    )  # fmt: skip
    hanoi = seg.members(ws, seg.Segment(name="hn", rule="traits.city = 'Hà Nội'"))
    (b,) = [r["customer_id"] for r in seg.facts(ws) if r["customer_id"] in hanoi]
    assert seg.preferred_identifiers(ws, [b]) == {b: "user_id:b"}
    with pytest.raises(InputError, match=r"traits\.ciy") as caught:
        seg.check_rule(ws, parse_rule("traits.ciy = x"))
    assert "traits.city" in (caught.value.hint_en or "")


def test_static_lists_store_identifiers_and_count_the_unmatched(demo: Workspace) -> None:
    some = seg.members(demo, seg.Segment(name="t", rule="orders >= 2"))[:3]
    entries = [str(some[0]), str(some[1]), "email:nobody@example.invalid"]
    added = seg.add_segment(demo, seg.Segment(name="callback", members=entries))
    assert added.members is not None and all(":" in m for m in added.members)
    stored = seg.get_segment(demo.root, "callback")
    assert seg.members(demo, stored) == sorted(some[:2])
    assert seg.unmatched(demo, stored) == 1
    seg.remove_segment(demo.root, "callback")
    assert "callback" not in seg.load_segments(demo.root)


def test_filter_by_segment_is_filtering_by_its_customers(demo: Workspace) -> None:
    seg.add_segment(demo, seg.Segment(name="buyers", rule="orders >= 2"), replace=True)
    ids = set(seg.members(demo, seg.get_segment(demo.root, "buyers")))
    ev = demo.con.execute("SELECT customer_id, event FROM journey_events").df()
    r = Runner(demo)
    for where, keep in (("segment = buyers", True), ("segment not in (buyers)", False)):
        scope = Scope.parse(demo, None, None, where)
        q = r.sql()
        rows = r.rows(f"SELECT DISTINCT customer_id FROM ({r.source(scope, q, 'e.event')}) s", q)
        expected = {int(c) for c in ev["customer_id"] if (int(c) in ids) == keep}
        assert {int(c) for (c,) in rows} == expected
    from journeyscope.app import run
    from journeyscope.app.queries import FunnelQuery
    from journeyscope.app.reports import FunnelReport

    report = run(FunnelQuery(steps="product_view,purchase", where="segment = buyers"), demo)
    assert isinstance(report, FunnelReport)
    viewers = set(ev.loc[ev["event"] == "product_view", "customer_id"].astype(int))
    assert report.steps[0].customers == len(viewers & ids)
    assert report.scope.where == ["segment = buyers"]


def test_bad_rules_and_names_are_clear_errors(demo: Workspace) -> None:
    with pytest.raises(seg.UnknownSegment):
        Scope.parse(demo, None, None, "segment = buyrs")
    seg.add_segment(demo, seg.Segment(name="buyers", rule="orders >= 2"), replace=True)
    with pytest.raises(NotFound, match="buyrs") as unknown:
        Scope.parse(demo, None, None, "segment = buyrs")
    assert "buyers" in (unknown.value.hint_en or "") and unknown.value.code == "unknown_segment"
    with pytest.raises(InputError) as field:
        parse_rule("ordrs >= 2")
    assert field.value.code == "unknown_segment_field" and "orders" in (field.value.hint_en or "")
    with pytest.raises(InputError) as number:
        parse_rule("revenue >= lots")
    assert number.value.code == "invalid_rule" and number.value.message_vi
    with pytest.raises(InputError) as event:
        seg.check_rule(demo, parse_rule("did.purchse >= 1"))
    assert event.value.code == "unknown_event" and "purchase" in (event.value.hint_en or "")
    with pytest.raises(InputError) as channel:
        seg.check_rule(demo, parse_rule("channel = shoppe"))
    assert "shopee" in (channel.value.hint_en or "")
    with pytest.raises(InputError) as exists:
        seg.add_segment(demo, seg.Segment(name="buyers", rule="orders >= 3"))
    assert exists.value.code == "segment_exists"
    with pytest.raises(InputError) as name:
        seg.check_name("Khách VIP")
    assert name.value.code == "invalid_name"
    with pytest.raises(InputError) as where:
        Scope.parse(demo, None, None, "segment ~ buy")
    assert where.value.code == "invalid_filter"


def test_segment_filter_on_every_engine(
    make_workspace: MakeWorkspace, on_engine: Callable[..., Any]
) -> None:
    """The members are bound as one array: the same scoped events on DuckDB and Spark."""
    from journeyscope.analytics.funnels import FunnelSpec, funnel_report, walk
    from journeyscope.analytics.scope import parse_duration, parse_steps

    day = "2024-01-{:02d}T10:00:00Z"
    names = {"v": "product_view", "p": "purchase"}
    ws = make_workspace(
        [
            {"user_id": user, "event": names[x], "ts": day.format(d), "revenue": 10}
            for user, events in {"a": "vpp", "b": "vp", "c": "v", "d": "vv"}.items()
            for d, x in enumerate(events, 1)
        ]
    )
    seg.add_segment(ws, seg.Segment(name="repeat", rule="orders >= 2"))
    spec = FunnelSpec(parse_steps("product_view,purchase"), parse_duration("7d"))
    counts = {}
    for where in ("segment = repeat", "segment != repeat"):
        scope = Scope.parse(ws, None, None, where)
        report = funnel_report(spec, scope, walk(on_engine(ws), spec, scope))
        counts[where] = [s["customers"] for s in report["steps"]]
    assert counts == {"segment = repeat": [1, 1], "segment != repeat": [3, 1]}


def test_helpers_for_personas_and_breakdowns(demo: Workspace) -> None:
    seg.add_segment(demo, seg.Segment(name="buyers", rule="orders >= 2"), replace=True)
    by_name = seg.every_segment(demo)
    assert by_name["buyers"] == seg.members(demo, seg.get_segment(demo.root, "buyers"))
    clause = seg.segment_clause(demo, rule="orders >= 2", label="lan")
    assert clause is not None and list(clause.members or ()) == by_name["buyers"]
    named = seg.segment_clause(demo, name="buyers")
    assert named is not None and named.members == clause.members
    assert seg.segment_clause(demo) is None
