"""`insights` finds every planted incident by itself, with its slice and period, ranks them
first, says nothing for a seasonal sale or for data without incidents, and each finding's
numbers are what its evidence command prints."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from journeyscope.app import run
from journeyscope.app.queries import FunnelQuery, InsightsQuery
from journeyscope.errors import InputError, JourneyScopeError

Shop = Callable[[int, bool], tuple[Path, Any]]


def _insights(ws: Path, **options: Any) -> dict[str, Any]:
    return run(InsightsQuery(**options), ws).model_dump(mode="json")


def _told(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every finding, and what is told under one (``related``)."""
    out = []
    for f in report["findings"]:
        out.append(f)
        out.extend(f.get("related") or [])
    return out


def _funnel_of(command: str, ws: Path) -> tuple[int, int]:
    """Run a finding's ``journeyscope funnel ...`` command: customers at its two steps."""
    words = shlex.split(command)
    assert words[:2] == ["journeyscope", "funnel"]
    args = dict(zip(words[4::2], words[5::2], strict=True))
    report = run(
        FunnelQuery(
            steps=args["--steps"],
            window=args["--window"],
            since=args["--from"],
            until=args["--to"],
            where=args.get("--where"),
        ),
        ws,
    ).model_dump(mode="json")
    entered, converted = (s["customers"] for s in report["steps"])
    return entered, converted


def _near(found: dict[str, str], planted: dict[str, str], days: int = 7) -> bool:
    """The periods overlap and begin within ``days`` of each other."""
    a, b = date.fromisoformat(found["from"]), date.fromisoformat(planted["from"])
    overlap = found["from"] <= planted["to"] and planted["from"] <= found["to"]
    return overlap and abs((a - b).days) <= days


def _slices(f: dict[str, Any]) -> list[dict[str, str] | None]:
    return [f.get("slice"), *(f.get("also_in") or [])]


def _matches(f: dict[str, Any], incident: dict[str, Any]) -> bool:
    if f["kind"] != incident["kind"] or not _near(f["period"], incident["period"]):
        return False
    if "event" in incident and (f.get("metric") or {}).get("event") != incident["event"]:
        return False
    if "step" in incident:
        metric = f.get("metric") or {}
        if incident["step"] not in (metric.get("from_step"), metric.get("step")):
            return False
    return True


@pytest.mark.parametrize("seed", [7, 8])
def test_every_planted_incident_is_found_with_its_slice_and_ranked_first(
    shop: Shop, seed: int
) -> None:
    ws, facts = shop(seed, True)
    report = _insights(ws)
    told = _told(report)
    for incident in facts["incidents"]:
        hits = [f for f in told if _matches(f, incident)]
        assert hits, f"not found: {incident['why']} in {[(f['kind'], f['period']) for f in told]}"
        if "slice" in incident and incident["kind"] != "spike_not_converting":
            assert any(incident["slice"] in _slices(f) for f in hits), (incident, hits)
    # the crowd from TikTok: the spike is told with its channel
    crowd = next(f for f in report["findings"] if f["kind"] == "spike_not_converting")
    assert any(
        r.get("slice") == {"field": "channel", "value": "tiktok"} for r in crowd.get("related", [])
    ) or crowd["slice"] == {"field": "channel", "value": "tiktok"}
    # nothing but the planted incidents is reported: they are the first (and only) ranks
    for f in report["findings"]:
        assert any(_matches(f, i) for i in facts["incidents"]), f"not planted: {f}"
    affected = [f["customers_affected"] for f in report["findings"]]
    assert affected == sorted(affected, reverse=True)


def test_a_seasonal_sale_is_not_an_incident(shop: Shop) -> None:
    ws, facts = shop(7, True)
    sale = date.fromisoformat(facts["seasonal"][0]["date"])
    report = _insights(ws)
    for f in _told(report):
        start = date.fromisoformat(f["period"]["from"])
        assert not sale - timedelta(days=1) <= start <= sale + timedelta(days=14), f
    assert any(d["date"] == sale.isoformat() for d in report["seasonal_days"])


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_nothing_is_reported_for_data_without_incidents(shop: Shop, seed: int) -> None:
    ws, _ = shop(seed, False)
    report = _insights(ws)
    assert report["findings"] == [], report["findings"]
    assert report["nothing_changed"] is True
    assert report["scanned"]["series"] > 100  # it looked: every event, step and slice


def test_a_step_finding_is_the_funnel_report_for_its_dates(shop: Shop) -> None:
    ws, _ = shop(7, True)
    report = _insights(ws)
    step = next(f for f in report["findings"] if f["kind"] == "conversion")
    entered, converted = _funnel_of(step["command"], ws)
    assert (entered, converted) == (step["during"]["customers"], step["during"]["converted"])
    low, high = step["change"]["ci95"]
    assert low <= step["change"]["absolute"] <= high < 0


def test_since_keeps_only_what_changed_after_the_last_look(shop: Shop) -> None:
    ws, _ = shop(7, True)
    report = _insights(ws, changes_since="2026-05-01")
    assert report["findings"]
    assert all(f["period"]["to"] >= "2026-05-01" for f in report["findings"])
    assert {f["kind"] for f in report["findings"]} == {"spike_not_converting"}


def test_sensitivity_orders_what_is_reported(shop: Shop) -> None:
    ws, _ = shop(7, True)
    counts = [len(_insights(ws, sensitivity=s)["findings"]) for s in ("low", "medium", "high")]
    assert counts[0] <= counts[1] <= counts[2]
    assert counts[0] >= 3  # the big incidents are clear at any sensitivity


def test_bad_input_is_named(shop: Shop) -> None:
    ws, _ = shop(7, True)
    with pytest.raises(InputError) as unknown:
        _insights(ws, slices=("platfrom",))
    assert unknown.value.code == "unknown_field"
    assert "did you mean platform?" in (unknown.value.hint_en or "")
    with pytest.raises(InputError) as since:
        _insights(ws, changes_since="last tuesday")
    assert since.value.code == "invalid_date"
    assert "--since" in str(since.value.location)
    with pytest.raises(JourneyScopeError) as level:
        _insights(ws, sensitivity="extreme")
    assert level.value.code == "unknown_sensitivity"
    with pytest.raises(InputError) as empty:
        _insights(ws, since="2030-01-01", until="2030-02-01")
    assert empty.value.code == "no_data_in_period"
    assert "không có sự kiện" in empty.value.message_vi


def test_a_saved_segment_is_a_slice_too(shop: Shop, tmp_path: Path) -> None:
    """Insights break changes down by the workspace's segments: the app users' checkout
    failing shows in a segment of customers who use the app."""
    import shutil

    from journeyscope.analytics.segments import Segment, add_segment
    from journeyscope.events.workspace import Workspace

    ws, _ = shop(7, True)
    copy = tmp_path / "ws"
    shutil.copytree(ws, copy)
    with Workspace.open(copy) as opened:
        add_segment(opened, Segment(name="app_users", rule="channel in (app)"))
    report = _insights(copy, slices=("segment",))
    step = next(
        f
        for f in report["findings"]
        if f["kind"] == "conversion" and f["period"]["from"] < "2026-04"
    )
    assert step["slice"] == {"field": "segment", "value": "app_users"}
    assert "--where \"segment = 'app_users'\"" in step["command"]
    # the evidence command's numbers are the finding's
    assert _funnel_of(step["command"], copy) == (
        step["during"]["customers"],
        step["during"]["converted"],
    )


@pytest.mark.spark
def test_spark_finds_the_same_changes(shop: Shop, spark: Any, tmp_path: Path) -> None:
    """The same scan, tests and evidence on Spark over the workspace's exported events."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.events.workspace import Workspace
    from journeyscope.insights.report import insights
    from tests.analytics.spark_helpers import on_spark

    ws_root, _ = shop(7, True)
    with Workspace.open(ws_root, read_only=True) as ws:
        config = ws.config.insights
        embedded = insights(ws, Scope(), config, slices=["platform"], workspace_arg="W")
        lake = on_spark(spark, ws, tmp_path / "lake")
        spread = insights(lake, Scope(), config, slices=["platform"], workspace_arg="W")
    assert spread["findings"] == embedded["findings"]
    assert {f["kind"] for f in embedded["findings"]} >= {"conversion", "new_event"}


def test_slice_values_with_quotes_go_back_into_filters() -> None:
    from journeyscope.analytics.scope import parse_filter
    from journeyscope.insights.report import quoted

    for value in ("men's", 'say "hi"', "Hà Nội"):
        clause = parse_filter(f"source = {quoted(value)}").clauses[0]
        assert clause.values == (value,)


def test_a_scan_of_seasonal_days_only_is_quiet(shop: Shop) -> None:
    """Tết 2026 from its first to its last day: every day is seasonal, nothing is tested."""
    ws, _ = shop(7, True)
    report = _insights(ws, since="2026-01-27", until="2026-02-26")
    assert report["findings"] == [] and report["nothing_changed"]
