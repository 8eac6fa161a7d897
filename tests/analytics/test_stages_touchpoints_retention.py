"""Stages, touchpoints and retention on hand-built journeys with known answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.retention import RetentionSpec, export_customers, retention
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.stages import StageSpec, customer_stages, load_rules, stages
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints
from journeyscope.errors import DocumentError, InputError
from tests.analytics.conftest import MakeWorkspace


def day(d: int, h: int = 10) -> str:
    return f"2024-03-{d:02d}T{h:02d}:00:00Z"


JOURNEYS = [
    # a: ad → view → purchase two days later → delivery → repeat purchase
    ("a", "ad_impression", 1),
    ("a", "product_view", 1),
    ("a", "purchase", 3),
    ("a", "order_delivered", 5),
    ("a", "purchase", 20),
    # b: ad → view, then silence
    ("b", "ad_impression", 2),
    ("b", "product_view", 2),
    # c: view → purchase the same day
    ("c", "product_view", 4),
    ("c", "purchase", 4),
    # d: only an ad
    ("d", "ad_impression", 30),
]


def _ws(make_workspace: MakeWorkspace):  # type: ignore[no-untyped-def]
    return make_workspace(
        [
            {"event_id": str(i), "user_id": u, "event": e, "ts": day(d)}
            for i, (u, e, d) in enumerate(JOURNEYS)
        ]
    )


def test_stage_metrics(make_workspace: MakeWorkspace, on_engine: Callable[..., Any]) -> None:
    ws = on_engine(_ws(make_workspace))
    report = stages(ws, StageSpec(model="retail5", stall=timedelta(days=7)), Scope())
    by = {s["stage"]: s for s in report["stages"]}
    assert by["awareness"]["customers"] == 3  # a, b, d
    assert by["consideration"]["customers"] == 3  # a, b, c
    assert by["purchase"]["customers"] == 2  # a, c
    assert by["service"]["customers"] == 1  # a
    assert by["loyalty"]["customers"] == 1  # a's second purchase is a repeat
    # awareness → consideration: a and b (d never moved on); same-instant moves count
    assert by["awareness"]["conversion_to_next"] == pytest.approx(2 / 3, abs=1e-4)
    assert by["awareness"]["median_seconds_to_next"] == 0.0
    # consideration → purchase: a (2 days) and c (same hour) of a, b, c
    assert by["consideration"]["conversion_to_next"] == pytest.approx(2 / 3, abs=1e-4)
    # current stages: a loyalty, b consideration (stalled: 28 days quiet), c purchase, d awareness
    assert [by[s]["current"] for s in ("awareness", "consideration", "purchase", "loyalty")] == [
        1,
        1,
        1,
        1,
    ]
    assert by["consideration"]["stalled"] == 1
    assert by["awareness"]["stalled"] == 0  # d acted on the last day of the data
    timeline = customer_stages(ws, StageSpec(), Scope(), 1)
    assert [t["stage"] for t in timeline["timeline"]] == [
        "awareness",
        "consideration",
        "purchase",
        "service",
        "loyalty",
    ]
    assert timeline["current_stage"] == "loyalty"


def test_custom_rules_and_their_mistakes(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    ws = _ws(make_workspace)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "model: simple4\nrules:\n  - {stage: discover, events: [ad_impression]}\n"
        '  - {stage: buy, events: [purchase], where: "channel = web"}\n',
        "utf-8",
    )
    with pytest.raises(DocumentError) as info:
        stages(ws, StageSpec(model="simple4", rules=rules), Scope())
    assert "simple4 does not have" in str(info.value)
    rules.write_text("model: simple4\nrules:\n  - {stage: x, event: [a]}\n", "utf-8")
    with pytest.raises(DocumentError) as info:
        load_rules(rules)
    assert info.value.location is not None and info.value.location.line == 3
    with pytest.raises(InputError):
        stages(ws, StageSpec(model="simple4"), Scope())  # no built-in rules: say so


def test_touchpoint_metrics(make_workspace: MakeWorkspace, on_engine: Callable[..., Any]) -> None:
    t = "2024-04-{:02d}T10:00:00Z"
    events: list[dict[str, Any]] = []
    for i in range(30):  # 30 customers reach the checkout; 20 of them buy within a day
        events.append(
            {
                "user_id": f"u{i}",
                "event": "checkout",
                "ts": t.format(1),
                "channel": "web",
                "touchpoint": "web:/checkout",
            }
        )
        if i < 20:
            events.append(
                {
                    "user_id": f"u{i}",
                    "event": "purchase",
                    "ts": t.format(2),
                    "channel": "web",
                    "touchpoint": "web:/thanks",
                }
            )
    # the data runs 10 more days, so the checkout touches are observable
    events.append({"user_id": "late", "event": "page_view", "ts": t.format(20)})
    # support: x calls twice in 3 days (unresolved), y once; x then rates 1, y rates 5
    events += [
        {"user_id": "x", "event": "support_call", "ts": t.format(3), "channel": "hotline"},
        {"user_id": "x", "event": "support_call", "ts": t.format(5), "channel": "hotline"},
        {"user_id": "x", "event": "review", "ts": t.format(6), "properties": {"rating": 1}},
        {"user_id": "y", "event": "support_call", "ts": t.format(3), "channel": "hotline"},
        {"user_id": "y", "event": "review", "ts": t.format(4), "properties": {"rating": 5}},
    ]
    ws = make_workspace([{"event_id": str(i), **e} for i, e in enumerate(events)])
    report = touchpoints(on_engine(ws), TouchpointSpec(min_customers=1), Scope())
    by = {r["touchpoint"]: r for r in report["touchpoints"]}
    checkout = by["web:/checkout"]
    assert checkout["customers"] == 30
    assert checkout["converted_share"] == pytest.approx(20 / 30, abs=1e-4)
    assert checkout["dropped_share"] == pytest.approx(10 / 30, abs=1e-4)
    assert checkout["stage"] == "purchase"
    assert checkout["drop_rank"] == 1
    assert by["web:/thanks"]["observed"] == 0  # right after a purchase: not a loss
    hotline = by["hotline:support_call"]
    assert hotline["repeat_contacts"] == 1 and hotline["contact_customers"] == 2
    assert hotline["rating_after"] == pytest.approx(3.0)  # first rating after: 1 and 5


def test_retention_cohorts_rfm_and_churn(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    events = []
    # cohort January: 4 customers; 2 come back in February, 1 in March
    for i in range(4):
        events.append(
            {
                "user_id": f"j{i}",
                "event": "purchase",
                "ts": "2024-01-05T10:00:00Z",
                "revenue": 100 * (i + 1),
            }
        )
    for i in range(2):
        events.append(
            {"user_id": f"j{i}", "event": "purchase", "ts": "2024-02-05T10:00:00Z", "revenue": 50}
        )
    events.append({"user_id": "j0", "event": "purchase", "ts": "2024-03-05T10:00:00Z"})
    # a steady weekly buyer, still on rhythm at the end of the data
    for w in range(12):
        events.append(
            {
                "user_id": "steady",
                "event": "page_view",
                "ts": f"2024-{1 + (5 + 7 * w) // 31:02d}-{(5 + 7 * w) % 31 + 1:02d}T10:00:00Z",
            }
        )
    ws = make_workspace([{"event_id": str(i), **e} for i, e in enumerate(events)])
    report = retention(ws, RetentionSpec(period="month", cohort_event="purchase"), Scope())
    jan = report["cohorts"][0]
    assert jan["cohort"] == "2024-01" and jan["customers"] == 4
    assert jan["counts"] == [4, 2, 1]
    assert report["rfm"]["customers"] == 4
    target = tmp_path / "churn.csv"
    assert export_customers(ws, RetentionSpec(), Scope(), target) == 5
    rows = {line.split(",")[0]: line for line in target.read_text("utf-8").splitlines()[1:]}
    steady_id = ws.scalar(
        "SELECT customer_id FROM identity_nodes WHERE id_type = 'user_id' AND value = 'steady'"
    )
    assert ",false," in rows[str(steady_id)]  # silent for less than its own rhythm
    j3 = ws.scalar(
        "SELECT customer_id FROM identity_nodes WHERE id_type = 'user_id' AND value = 'j3'"
    )
    assert ",true," in rows[str(j3)]  # bought once in January, silent since


def test_retention_cohorts_by_first_channel(
    make_workspace: MakeWorkspace, on_engine: Callable[..., Any]
) -> None:
    events = [
        {"user_id": "a", "event": "purchase", "ts": "2024-01-05T10:00:00Z", "channel": "shopee"},
        {"user_id": "a", "event": "purchase", "ts": "2024-02-05T10:00:00Z", "channel": "web"},
        {"user_id": "b", "event": "purchase", "ts": "2024-01-07T10:00:00Z", "channel": "web"},
        {"user_id": "c", "event": "purchase", "ts": "2024-01-09T10:00:00Z", "channel": "shopee"},
    ]
    ws = make_workspace([{"event_id": str(i), **e} for i, e in enumerate(events)])
    cohorts = retention(on_engine(ws), RetentionSpec(by="channel"), Scope())["cohorts"]
    by = {(c["segment"], c["cohort"]): c["counts"] for c in cohorts}
    assert by == {("shopee", "2024-01"): [2, 1], ("web", "2024-01"): [1]}


def test_touchpoints_with_no_outbound_or_contact_events(
    make_workspace: MakeWorkspace, on_engine: Callable[..., Any]
) -> None:
    """Empty lists mean nothing is outbound and nothing is a contact, not 'unknown'."""
    t = "2024-04-{:02d}T10:00:00Z"
    events = [
        {"user_id": "a", "event": "message_sent", "ts": t.format(1), "channel": "zalo"},
        {"user_id": "a", "event": "page_view", "ts": t.format(2)},
        {"user_id": "b", "event": "page_view", "ts": t.format(20)},
    ]
    ws = make_workspace([{"event_id": str(i), **e} for i, e in enumerate(events)])
    spec = TouchpointSpec(passive=(), contacts=(), stage_model=None, min_observed=1)
    by = {r["touchpoint"]: r for r in touchpoints(on_engine(ws), spec, Scope())["touchpoints"]}
    zalo = by["zalo:message_sent"]
    assert zalo["outbound"] is False and zalo["contact_customers"] == 0
    assert zalo["observed"] == 1 and zalo["dropped"] == 0  # a's page view is an own action
