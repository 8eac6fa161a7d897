"""Reports over time (``--interval``): periods in the workspace's time zone, one row per
period (empty ones present with ``customers: 0`` and null numbers), the change from the
previous period, and per report the identity with the whole-period report."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.analytics.intervals import (
    assign,
    check_interval,
    period_of,
    periods_between,
)
from journeyscope.app import queries as q
from journeyscope.app import run
from journeyscope.app.reports import OverTimeReport
from journeyscope.errors import InputError
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve
from tests.conftest import Result

HCM = "Asia/Ho_Chi_Minh"
STEPS = "product_view,add_to_cart,purchase"

# (phone, UTC time, event, channel, revenue); local time is UTC+7
EVENTS: list[tuple[str, str, str, str, float | None]] = [
    # Sunday 1 March 23:30 UTC is Monday 2 March 06:30 in Ho Chi Minh City: week of 2 March
    ("0903000001", "2026-03-01T23:30:00Z", "product_view", "web", None),
    ("0903000001", "2026-03-02T01:00:00Z", "add_to_cart", "web", None),
    ("0903000001", "2026-03-02T02:00:00Z", "purchase", "web", 100000),
    # Sunday 1 March 17:00 local: the week of 23 February
    ("0903000002", "2026-03-01T10:00:00Z", "product_view", "shopee", None),
    ("0903000004", "2026-02-24T03:00:00Z", "product_view", "shopee", None),
    ("0903000004", "2026-02-24T04:00:00Z", "add_to_cart", "shopee", None),
    # nothing in the week of 9 March; the week of 16 March
    ("0903000003", "2026-03-17T10:00:00Z", "product_view", "shopee", None),
    ("0903000003", "2026-03-17T11:00:00Z", "add_to_cart", "shopee", None),
    ("0903000003", "2026-03-17T12:00:00Z", "purchase", "shopee", 50000),
]
WEEKS = ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]


def build(root: Path, events: list[tuple[str, str, str, str, float | None]] = EVENTS) -> Path:
    ws = Workspace.init(root, WorkspaceConfig(timezone=HCM))
    rows = []
    for i, (phone, ts, name, channel, revenue) in enumerate(events):
        row: dict[str, Any] = {
            "event_id": str(i),
            "ts": ts,
            "event": name,
            "phone": phone,
            "channel": channel,
        }
        if revenue is not None:
            row["revenue"] = revenue
        rows.append(row)
    src = root / "events.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    ingest_files(ws, [src], load_mapping(None))
    resolve(ws)
    ws.close()
    return root


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("over_time") / "shop")


def over_time(query: q.ReportQuery, root: Path) -> OverTimeReport:
    report = run(query, root)
    assert isinstance(report, OverTimeReport)
    return report


# -- the periods ---------------------------------------------------------------------------


def test_sunday_night_utc_is_monday_in_ho_chi_minh() -> None:
    sunday = datetime(2026, 3, 1, 23, 30)  # a Sunday, UTC
    assert sunday.weekday() == 6
    assert period_of(sunday, "day", HCM) == date(2026, 3, 2)
    assert period_of(sunday, "week", HCM) == date(2026, 3, 2)
    assert period_of(sunday, "week", "UTC") == date(2026, 2, 23)
    assert period_of(datetime(2026, 3, 31, 17, 0), "month", HCM) == date(2026, 4, 1)


instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31))
zones = st.sampled_from([HCM, "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])


@settings(max_examples=300, deadline=None)
@given(instants, st.sampled_from(["day", "week", "month"]), zones)
def test_a_period_holds_its_instant_in_local_time(
    moment: datetime, interval: str, zone: str
) -> None:
    start = period_of(moment, interval, zone)
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()
    assert start <= local
    if interval == "week":
        assert start.weekday() == 0 and (local - start).days < 7
    elif interval == "month":
        assert (start.day, start.year, start.month) == (1, local.year, local.month)
    else:
        assert start == local


@settings(max_examples=150, deadline=None)
@given(instants, st.integers(0, 90 * 86400), st.sampled_from(["day", "week", "month"]), zones)
def test_assign_agrees_with_period_of(first: datetime, span: int, interval: str, zone: str) -> None:
    """The vectorised assignment (bounds as UTC instants, DST included) puts every instant
    in the period :func:`period_of` names."""
    last = first + timedelta(seconds=span)
    periods = periods_between(first, last, interval, zone)
    moments = [first + timedelta(seconds=span * k / 7) for k in range(8)]
    us = np.array([int((m - datetime(1970, 1, 1)) / timedelta(microseconds=1)) for m in moments])
    index = assign(us, periods)
    assert (index >= 0).all()
    for moment, i in zip(moments, index, strict=True):
        expected = period_of(moment, interval, zone)
        label = expected.strftime("%Y-%m") if interval == "month" else expected.isoformat()
        assert periods[int(i)].label == label
        assert periods[int(i)].start <= moment < periods[int(i)].end


def test_an_unknown_interval_names_the_allowed_ones() -> None:
    with pytest.raises(InputError) as caught:
        check_interval("fortnight")
    assert caught.value.code == "unknown_interval"
    assert "day, week, month" in str(caught.value)


# -- funnel: one pass, entrants per period -------------------------------------------------


def test_funnel_per_week_by_hand(shop: Path) -> None:
    report = over_time(q.FunnelQuery(steps=STEPS, interval="week"), shop)
    assert [p.period for p in report.periods] == WEEKS
    assert report.series == ["product_view", "add_to_cart", "purchase"]
    first, second, empty, last = report.periods
    assert (first.customers, first.counts) == (
        2,
        {"product_view": 2, "add_to_cart": 1, "purchase": 0},
    )
    assert first.values == {"product_view": 1.0, "add_to_cart": 0.5, "purchase": 0.0}
    assert second.values == {"product_view": 1.0, "add_to_cart": 1.0, "purchase": 1.0}
    assert second.change["add_to_cart"] == {"absolute": 0.5, "relative": 1.0}
    assert second.change["purchase"] == {"absolute": 1.0, "relative": None}  # from 0
    # a week without data: present, nobody, no numbers (never 0 % of nobody)
    assert empty.customers == 0
    assert set(empty.values.values()) == {None}
    assert set(empty.change.values()) == {None}
    assert last.change == {"product_view": None, "add_to_cart": None, "purchase": None}
    assert first.start == "2026-02-22T17:00:00Z" and first.end == "2026-03-01T17:00:00Z"


def test_funnel_entrants_per_period_sum_to_the_whole_funnel(shop: Path) -> None:
    whole = run(q.FunnelQuery(steps=STEPS), shop)
    for interval in ("day", "week", "month"):
        report = over_time(q.FunnelQuery(steps=STEPS, interval=interval), shop)
        for k, step in enumerate(whole.steps):  # type: ignore[attr-defined]
            per_period = [p.counts[report.series[k]] or 0 for p in report.periods]
            assert sum(per_period) == step.customers


def test_from_and_to_give_every_period_even_empty_ones(shop: Path) -> None:
    report = over_time(
        q.FunnelQuery(steps=STEPS, interval="week", since="2026-02-16", until="2026-03-29"),
        shop,
    )
    assert [p.period for p in report.periods] == ["2026-02-16", *WEEKS, "2026-03-23"]
    assert [p.customers for p in report.periods] == [0, 2, 1, 0, 1, 0]


def test_no_data_in_the_period_is_said(shop: Path) -> None:
    with pytest.raises(InputError) as caught:
        run(
            q.FunnelQuery(steps=STEPS, interval="day", since="2025-01-01", until="2025-01-03"), shop
        )
    assert caught.value.code == "no_data_in_period"
    with pytest.raises(InputError) as caught:
        run(q.PathsQuery(interval="day", since="2025-01-01", until="2025-01-03"), shop)
    assert caught.value.code == "no_data_in_period"


@pytest.mark.parametrize(
    "query",
    [
        q.FunnelQuery(steps=STEPS, interval="week", by="channel"),
        q.RetentionQuery(interval="week", by="channel"),
        q.AttributionQuery(interval="week", compare=("first", "last")),
    ],
)
def test_options_without_a_meaning_per_period_are_refused(shop: Path, query: Any) -> None:
    with pytest.raises(InputError) as caught:
        run(query, shop)
    assert caught.value.code == "conflicting_options"


# -- the reports run per period ----------------------------------------------------------


def test_paths_per_week_by_hand_and_summing_to_the_whole(shop: Path) -> None:
    report = over_time(q.PathsQuery(interval="week"), shop)
    assert report.series[0] == "product_view → add_to_cart"
    cart = [p.values["product_view → add_to_cart"] for p in report.periods]
    assert cart == [1, 1, None, 1]  # the empty week is null, not 0
    buy = [p.values["add_to_cart → purchase"] for p in report.periods]
    assert buy == [0, 1, None, 1]  # a week with data and no such edge: 0
    whole = run(q.PathsQuery(), shop)
    counts = {(e.from_, e.to): e.count for e in whole.edges}  # type: ignore[attr-defined]
    assert sum(c or 0 for c in cart) == counts[("product_view", "add_to_cart")]


def test_touchpoints_per_week_sum_to_the_whole(shop: Path) -> None:
    report = over_time(q.TouchpointsQuery(interval="week"), shop)
    whole = run(q.TouchpointsQuery(), shop)
    for row in whole.touchpoints:  # type: ignore[attr-defined]
        if row.touchpoint in report.series:  # no journey here crosses a week
            assert sum(p.counts[row.touchpoint] or 0 for p in report.periods) == row.customers
    assert report.measure == "dropped_share"
    assert report.periods[2].customers == 0


def test_stages_per_week_have_the_model_order(shop: Path) -> None:
    report = over_time(q.StagesQuery(interval="week"), shop)
    assert report.series[0] == "awareness"
    assert [p.customers for p in report.periods] == [2, 1, 0, 1]
    for p in report.periods:  # no share of nobody
        for stage in report.series:
            if not p.counts[stage]:
                assert p.values[stage] is None


def test_attribution_credit_per_month_sums_to_the_whole(shop: Path) -> None:
    report = over_time(q.AttributionQuery(model="last", interval="week"), shop)
    whole = run(q.AttributionQuery(model="last"), shop)
    for channel, credit in (whole.conversions or {}).items():  # type: ignore[attr-defined]
        assert sum(p.values.get(channel) or 0 for p in report.periods) == pytest.approx(credit)
    assert [p.values["web"] for p in report.periods] == [0, 1.0, None, 0]


def test_retention_cohorts_are_the_periods(shop: Path) -> None:
    report = over_time(q.RetentionQuery(interval="week"), shop)
    whole = run(q.RetentionQuery(period="week"), shop)
    sizes = {c.cohort: c.customers for c in whole.cohorts}  # type: ignore[attr-defined]
    assert {p.period: p.customers for p in report.periods if p.customers} == sizes
    assert sum(p.customers for p in report.periods) == sum(sizes.values())
    assert report.periods[-1].values["+1"] is None  # not observable yet


# -- the faces -----------------------------------------------------------------------------


def test_cli_json_is_the_shared_shape(shop: Path, cli: Callable[..., Result]) -> None:
    res = cli("funnel", "-w", shop, "--steps", STEPS, "--interval", "week", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert {"report", "interval", "timezone", "measure", "series", "periods", "scope"} <= set(data)
    assert data["timezone"] == HCM
    assert set(data["periods"][0]) == {
        "period",
        "start",
        "end",
        "customers",
        "values",
        "counts",
        "change",
    }
    assert data == over_time(q.FunnelQuery(steps=STEPS, interval="week"), shop).for_language("en")


def test_cli_table_chart_and_errors(shop: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    chart = tmp_path / "weeks.svg"
    res = cli("touchpoints", "-w", shop, "--interval", "week", "-o", chart)
    assert res.code == 0, res.err
    for week in WEEKS:
        assert week in res.out
    svg = chart.read_text("utf-8")
    assert "<svg" in svg[:200]
    assert "<circle" in svg and "2026-03-16" in svg  # points; no two weeks in a row here
    bad = cli("paths", "-w", shop, "--interval", "fortnight")
    assert bad.code != 0
    assert "day, week, month" in bad.err + bad.out


def test_retention_runs_to_the_data_s_last_period_not_the_last_cohort(tmp_path: Path) -> None:
    root = build(
        tmp_path / "one",
        [
            ("0903000009", "2026-03-02T03:00:00Z", "product_view", "web", None),
            ("0903000009", "2026-03-10T03:00:00Z", "purchase", "web", 90000),
        ],
    )
    report = over_time(q.RetentionQuery(interval="week"), root)
    rows = [(p.period, p.customers, p.values["+1"]) for p in report.periods]
    assert rows == [("2026-03-02", 1, 1.0), ("2026-03-09", 0, None)]


def test_retention_shows_no_share_past_the_data_even_with_a_later_to(tmp_path: Path) -> None:
    """Cohorts of the weeks of 2 and 9 March, data until the week of 9 March, --to at the
    end of March: the second cohort's next week is not observed yet (null), not 0 %."""
    root = build(
        tmp_path / "two",
        [
            ("0903000001", "2026-03-03T03:00:00Z", "purchase", "web", 90000),
            ("0903000002", "2026-03-10T03:00:00Z", "purchase", "web", 90000),
        ],
    )
    report = over_time(q.RetentionQuery(interval="week", until="2026-03-29"), root)
    rows = {p.period: p for p in report.periods}
    assert list(rows)[-1] == "2026-03-23"  # --to adds the empty weeks as rows
    assert rows["2026-03-02"].values["+1"] == 0.0  # observed: nobody came back
    assert rows["2026-03-09"].values["+1"] is None  # not observable yet


def test_a_repeated_step_keeps_its_own_series(shop: Path) -> None:
    report = over_time(q.FunnelQuery(steps="product_view,product_view", interval="month"), shop)
    assert report.series == ["1. product_view", "2. product_view"]
    assert [p.period for p in report.periods] == ["2026-02", "2026-03"]
    assert [p.counts["1. product_view"] for p in report.periods] == [1, 3]
    assert [p.counts["2. product_view"] for p in report.periods] == [0, 0]


def test_the_chart_file_must_be_a_chart(shop: Path, cli: Callable[..., Result]) -> None:
    res = cli("stages", "-w", shop, "--interval", "week", "-o", "stages.csv")
    assert res.code == 2
    assert "invalid_option" in res.err
