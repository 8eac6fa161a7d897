"""The scan's counts equal an independent pandas count of the same events, on each engine:
customers per event and day, a step's conversion per customer-day (the funnel's ordered
rule: the next B after an A within the window), and new customers who converted."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from journeyscope.analytics.scope import Scope
from journeyscope.events.workspace import InsightsConfig
from journeyscope.insights.plan import build
from journeyscope.insights.scan import NEW, PAIR, SCHEMA, VOLUME, count

#: Eleven days between the 9.9 sale and payday (25th): no day expected to differ, so no
#: customer is set aside as the sale's own
START = datetime(2026, 9, 11)
DAY = timedelta(days=1)


def _events(seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for n in range(120):
        t = START + timedelta(seconds=rng.randrange(0, 5 * 86400))
        for _ in range(rng.randint(1, 6)):
            t += timedelta(seconds=rng.randrange(60, 86400))
            rows.append(
                {
                    "user_id": f"u{n}",
                    "event": rng.choice(["view", "view", "cart", "buy"]),
                    "channel": rng.choice(["web", "app", "zalo"]),
                    "ts": t.isoformat() + "Z",
                }
            )
    return rows


Counts = dict[tuple[int, int, int, int, int], tuple[int, int]]


def _expected(rows: list[dict[str, Any]], plan_events: list[str], channels: list[str]) -> Counts:
    df = pd.DataFrame(rows)
    df["ts"] = pd.to_datetime(df["ts"]).dt.tz_localize(None)
    df["day"] = (df["ts"].dt.normalize() - df["ts"].min().normalize()).dt.days
    df = df.sort_values(["user_id", "ts"], kind="stable").reset_index(drop=True)
    out: Counts = {}
    slices: list[tuple[str, str | None]] = [("all", None), *(("channel", c) for c in channels)]
    for _, value in slices:
        g = 0 if value is None else 1  # the whole, then the channel field
        part = df if value is None else df[df["channel"] == value]
        val = 0 if value is None else channels.index(value)
        for (event, day), grp in part.groupby(["event", "day"]):
            key = (VOLUME, plan_events.index(str(event)), g, val, int(day))
            out[key] = (grp["user_id"].nunique(), 0)
        # view -> cart within a day: each view on this slice, the next cart anywhere after it
        units: dict[tuple[str, int], int] = {}
        for user, grp in df.groupby("user_id"):
            carts = grp[grp["event"] == "cart"]["ts"].tolist()
            for _, row in grp[grp["event"] == "view"].iterrows():
                if value is not None and row["channel"] != value:
                    continue
                later = [c for c in carts if c > row["ts"]]
                ok = int(bool(later) and later[0] - row["ts"] <= DAY)
                units[(str(user), int(row["day"]))] = max(
                    units.get((str(user), int(row["day"])), 0), ok
                )
        for (_, day), ok in units.items():
            n, k = out.get((PAIR, 0, g, val, day), (0, 0))
            out[(PAIR, 0, g, val, day)] = (n + 1, k + ok)
        # new customers: the first event's day and slice; bought within 7 days of it
        for _, grp in df.groupby("user_id"):
            first = grp.iloc[0]
            if value is not None and first["channel"] != value:
                continue
            buys = grp[grp["event"] == "buy"]["ts"]
            ok = int(bool(((buys - first["ts"]) <= 7 * DAY).any()))
            n, k = out.get((NEW, 0, g, val, int(first["day"])), (0, 0))
            out[(NEW, 0, g, val, int(first["day"]))] = (n + 1, k + ok)
    return out


def test_customers_first_seen_on_a_sale_day_are_the_sales_own(
    make_workspace: Callable[..., Any],
) -> None:
    """Their deliveries, messages and returns would look like incidents for weeks."""
    from journeyscope.engine.runner import Runner

    rows = _events()
    sale = [
        {"user_id": f"s{n}", "event": "view", "channel": "web", "ts": f"2026-09-09T0{n}:00:00Z"}
        for n in range(5)
    ] + [{"user_id": "s0", "event": "view", "channel": "web", "ts": "2026-09-12T10:00:00Z"}]
    ws = make_workspace(rows + sale)
    r = Runner(ws)
    config = InsightsConfig(funnels=["view,cart"], stage_model=None, slices=[], conversion="buy")
    scan = build(r, Scope(), config)
    assert scan is not None and 0 in scan.plan.sale_days  # 9.9 is the first day
    got = r.per_customer(
        scan.sql, scan.q, lambda c: count(c, scan.plan), SCHEMA, in_order=scan.in_order
    )
    on_sale_day = (got["day"] == 0) & (got["kind"] == VOLUME)
    assert not on_sale_day.any()
    ws_plain = make_workspace(rows)
    plain = build(Runner(ws_plain), Scope(), config)
    assert plain is not None
    again = Runner(ws_plain).per_customer(
        plain.sql, plain.q, lambda c: count(c, plain.plan), SCHEMA, in_order=plain.in_order
    )
    assert int(got["n"][got["kind"] == VOLUME].sum()) == int(
        again["n"][again["kind"] == VOLUME].sum()
    )


def test_counts_equal_pandas(make_workspace: Callable[..., Any], on_engine: Any) -> None:
    rows = _events()
    ws = make_workspace(rows)
    r = on_engine(ws)
    config = InsightsConfig(
        funnels=["view,cart"], stage_model=None, slices=["channel"], conversion="buy"
    )
    scan = build(r, Scope(), config)
    assert scan is not None
    got = r.per_customer(
        scan.sql, scan.q, lambda c: count(c, scan.plan), SCHEMA, in_order=scan.in_order
    )
    actual = {
        (int(kd), int(a), int(g), int(v), int(d)): (int(n), int(k))
        for kd, a, g, v, d, n, k in zip(
            *(got[c] for c in ("kind", "a", "g", "val", "day", "n", "k")), strict=True
        )
        if kd in (VOLUME, PAIR, NEW)
    }
    expected = _expected(rows, scan.events, scan.values[0])
    assert actual == expected


def test_units_are_counted_alike_for_any_number_of_customers() -> None:
    """One packed sort for up to four million customers, a two-key sort beyond: the same."""
    from journeyscope.insights.scan import _per_customer_day

    rng = np.random.default_rng(5)
    ordinal = np.sort(rng.integers(0, 300, 5000))
    val, day = rng.integers(0, 4, 5000), rng.integers(0, 9, 5000)
    flag = rng.integers(0, 2, 5000)
    small = _per_customer_day(ordinal, val, day, flag)
    large = _per_customer_day(ordinal + (1 << 23), val, day, flag)
    for a, b in zip(small, large, strict=True):
        assert a.tolist() == b.tolist()
    units = {(o, v, d) for o, v, d in zip(ordinal, val, day, strict=True)}
    assert int(small[2].sum()) == len(units)


def test_counting_in_parts_on_every_core_counts_the_same(
    make_workspace: Callable[..., Any], monkeypatch: Any
) -> None:
    from journeyscope.engine.runner import Runner
    from journeyscope.insights import scan as scan_module

    ws = make_workspace(_events())
    r = Runner(ws)
    config = InsightsConfig(funnels=["view,cart"], stage_model=None, slices=["channel"])
    plan = build(r, Scope(), config)
    assert plan is not None

    def counted() -> dict[str, list[int]]:
        got = r.per_customer(
            plan.sql, plan.q, lambda c: count(c, plan.plan), SCHEMA, in_order=plan.in_order
        )
        return {k: v.tolist() for k, v in got.items()}

    whole = counted()
    monkeypatch.setattr(scan_module, "PARALLEL_ROWS", 40)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert counted() == whole
