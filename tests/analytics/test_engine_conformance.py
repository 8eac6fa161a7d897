"""Both engines give the same reports: generated journeys (ties at one instant, properties,
several channels), every report, compared field for field between DuckDB and Spark, and the
CLI on Spark (options, refusals, workspace.yaml). The report tests with concrete expected
values run on every engine through the ``on_engine`` fixture (tests/conftest.py); this
module holds what compares the engines with each other on wider, generated data."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeyscope.analytics.attribution.journeys import PathSpec as Paid
from journeyscope.analytics.attribution.journeys import build_paths, time_decay
from journeyscope.analytics.attribution.journeys import build_paths as build_paths_spark
from journeyscope.analytics.attribution.journeys import time_decay as time_decay_spark
from journeyscope.analytics.attribution.models import attribute
from journeyscope.analytics.funnels import MODES, FunnelSpec, funnel, funnel_report
from journeyscope.analytics.funnels import walk as walk_spark
from journeyscope.analytics.paths import LEVELS, PathSpec, paths, paths_on
from journeyscope.analytics.retention import RetentionSpec, retention, retention_on
from journeyscope.analytics.scope import Scope, parse_filter, parse_step, parse_steps
from tests.analytics.spark_helpers import assert_same_on_spark, exported, on_spark
from tests.analytics.test_attribution_journeys import _as_dict
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark


# -------------------- funnels


def _journeys(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = []
    for i in range(600):
        day, hour = rng.randrange(1, 20), rng.choice([0, 6, 12, 18])  # coarse: many ties
        events.append(
            {
                "event_id": str(i),
                "user_id": f"c{rng.randrange(40)}",
                "event": rng.choice(["page_view", "product_view", "add_to_cart", "purchase"]),
                "channel": rng.choice(["web", "app", "shopee", "zalo"]),
                "ts": f"2026-03-{day:02d}T{hour:02d}:00:00Z",
                "properties": {"category": rng.choice(["túi xách", "giày"])},
            }
        )
    return events


def _spark_report(spark: Any, ws: Any, lake: Path, spec: FunnelSpec, scope: Scope) -> Any:
    return funnel_report(spec, scope, walk_spark(on_spark(spark, ws, lake), spec, scope))


STEPS = "page_view,product_view[category = 'túi xách'],add_to_cart,purchase"


@pytest.mark.parametrize("seed", [3, 4])
def test_every_mode_equals_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path, seed: int
) -> None:
    ws = make_workspace(_journeys(seed))
    lake = tmp_path / "lake"
    steps = parse_steps(STEPS)
    for mode in MODES:
        for window in (timedelta(days=2), timedelta(days=9)):
            spec = FunnelSpec(steps, window, mode, by="channel")
            assert _spark_report(spark, ws, lake, spec, Scope()) == funnel(ws, spec, Scope())
    scope = Scope(where=parse_filter("channel in (web, app, zalo)"))
    for mode in ("ordered", "unordered"):
        spec = FunnelSpec(steps, timedelta(days=5), mode, [parse_step("add_to_cart")])
        assert _spark_report(spark, ws, lake, spec, scope) == funnel(ws, spec, scope)


def test_cli_funnel_on_spark_and_refusals(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, lake = exported(cli, make_workspace, _journeys(5), tmp_path)
    args = ("funnel", "-w", root, "--steps", STEPS, "--window", "3d", "--by", "channel", "--json")
    assert_same_on_spark(cli, args, lake)
    no_data = cli(*args, "--engine", "spark")  # no --dataset, none in workspace.yaml
    assert no_data.code == 2 and "export-parquet" in no_data.err
    # the customers who dropped after a step: the same file from both engines
    drop = ("--dropped-at", "add_to_cart", "-o")
    assert cli(*args, *drop, tmp_path / "duck.csv").code == 0
    spark_drop = cli(*args, *drop, tmp_path / "spark.csv", "--engine", "spark", "--dataset", lake)
    assert spark_drop.json()["engine"] == "spark"
    duck = (tmp_path / "duck.csv").read_text("utf-8")
    assert duck.count("\n") > 2 and (tmp_path / "spark.csv").read_text("utf-8") == duck
    # nobody dropped after a step no one reached: a header, on both engines
    # (a name no event has is an error now, not an empty list: a period with no events)
    nobody = ("--from", "2031-01-01", "--dropped-at", "add_to_cart", "-o")
    assert cli(*args, *nobody, tmp_path / "none-duck.csv").json()["customers"] == 0
    on_spark = cli(
        *args, *nobody, tmp_path / "none-spark.csv", "--engine", "spark", "--dataset", lake
    )
    assert on_spark.json()["customers"] == 0
    header = (tmp_path / "none-duck.csv").read_text("utf-8")
    assert header.startswith("customer_id,") and header.count("\n") == 1
    assert (tmp_path / "none-spark.csv").read_text("utf-8") == header
    # a workspace set to Spark reads its dataset from workspace.yaml; --engine overrides
    config = root / "workspace.yaml"
    config.write_text(config.read_text("utf-8") + "engine: spark\n", "utf-8")
    unset = cli("touchpoints", "-w", root, "--json")
    assert unset.code == 2 and "spark.dataset" in unset.err
    assert cli("touchpoints", "-w", root, "--engine", "duckdb", "--json").code == 0
    config.write_text(config.read_text("utf-8") + f"spark:\n  dataset: {lake}\n", "utf-8")
    from_config = cli("touchpoints", "-w", root, "--json").json()
    assert isinstance(from_config, dict) and from_config.pop("engine") == "spark"
    assert from_config == cli("touchpoints", "-w", root, "--engine", "duckdb", "--json").json()


# -------------------- paths


def test_paths_equal_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    ws = make_workspace(_journeys(6))
    runner = on_spark(spark, ws, tmp_path / "lake")
    scope = Scope(where=parse_filter("channel != zalo"))
    for level in LEVELS:
        spec = PathSpec(level=level, start="product_view", depth=3)
        assert paths_on(runner, spec, Scope()) == paths(ws, spec, Scope())
    spec = PathSpec(end="purchase", depth=4, view="product_view")
    assert paths_on(runner, spec, scope) == paths(ws, spec, scope)


def test_cli_paths_on_spark(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, lake = exported(cli, make_workspace, _journeys(7), tmp_path)
    assert_same_on_spark(cli, ("paths", "-w", root, "--from", "page_view", "--json"), lake)


# -------------------- stages and retention


def _customers(seed: int) -> list[dict[str, Any]]:
    """Months of activity with purchases, support calls, bad reviews and passive messages."""
    rng = random.Random(seed)
    events = []
    for i in range(700):
        kind = rng.choice(
            ["page_view", "purchase", "purchase", "support_call", "review", "message_sent"]
        )
        event: dict[str, Any] = {
            "event_id": str(i),
            "user_id": f"c{rng.randrange(60)}",
            "event": kind,
            "channel": rng.choice(["web", "store", "shopee", "hotline"]),
            "ts": f"2026-{rng.randrange(1, 7):02d}-{rng.randrange(1, 28):02d}T"
            f"{rng.choice([1, 17, 23]):02d}:30:00Z",  # late UTC hours: another local day
        }
        if kind == "purchase":
            event["revenue"] = rng.choice([150_000, 490_000, 2_300_000])
        if kind == "review":
            event["properties"] = {"rating": rng.randrange(1, 6)}
        events.append(event)
    return events


@pytest.mark.parametrize("period", ["week", "month"])
def test_retention_equals_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path, period: str
) -> None:
    ws = make_workspace(_customers(11))
    ws.config.timezone = "Asia/Ho_Chi_Minh"  # local days differ from UTC days
    runner = on_spark(spark, ws, tmp_path / "lake")
    for spec, scope in (
        (RetentionSpec(period=period, threshold=0.6), Scope()),
        (
            RetentionSpec(period=period, by="channel", return_event="purchase"),
            Scope(where=parse_filter("channel != hotline")),
        ),
    ):
        assert retention_on(runner, spec, scope) == retention(ws, spec, scope)


def test_cli_retention_on_spark(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, lake = exported(cli, make_workspace, _customers(12), tmp_path)
    args = ("retention", "-w", root, "--period", "week", "--json")
    assert_same_on_spark(cli, args, lake)
    # every customer's scores: the same file from both engines, CSV and Parquet
    for name in ("c.csv", "c.parquet"):
        duck, on_spark = tmp_path / f"duck-{name}", tmp_path / f"spark-{name}"
        assert cli(*args, "-o", duck).code == 0
        assert cli(*args, "--engine", "spark", "--dataset", lake, "-o", on_spark).code == 0
        assert _rows(on_spark) == _rows(duck) and len(_rows(duck)) == 60


def test_stages_equal_the_embedded_engine(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """The stages report (retail5, a stall threshold, a scope) and its CLI JSON."""
    from journeyscope.analytics.stages import StageSpec, stages, stages_on

    ws = make_workspace(_customers(13))
    runner = on_spark(spark, ws, tmp_path / "lake")
    for spec, scope in (
        (StageSpec(), Scope()),
        (StageSpec(stall=timedelta(days=10)), Scope(where=parse_filter("channel != store"))),
    ):
        assert stages_on(runner, spec, scope, "vi") == stages(ws, spec, scope, "vi")
    root, lake = exported(cli, make_workspace, _customers(14), tmp_path / "cli")
    assert_same_on_spark(cli, ("stages", "-w", root, "--json"), lake)
    # one customer's timeline (by id and by identifier) and every customer's stages
    for who in ("1", "user_id:c7"):
        assert_same_on_spark(cli, ("stages", "-w", root, "--customer", who, "--json"), lake)
    duck, theirs = tmp_path / "duck.csv", tmp_path / "spark.csv"
    assert cli("stages", "-w", root, "-o", duck).code == 0
    assert cli("stages", "-w", root, "--engine", "spark", "--dataset", lake, "-o", theirs).code == 0
    assert theirs.read_text("utf-8") == duck.read_text("utf-8")
    assert duck.read_text("utf-8").count("\n") == 61


def test_spark_reports_keep_utc_on_a_driver_set_to_vietnam(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySpark's collect() turns times into the driver's local time: on a Vietnamese
    machine that is 7 hours off. The reports read results through Arrow instead."""
    from journeyscope.analytics.stages import StageSpec, customer_stages, customer_stages_on

    ws = make_workspace(_customers(16))
    runner = on_spark(spark, ws, tmp_path / "lake")
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        spec = StageSpec()
        assert customer_stages_on(runner, spec, Scope(), 3) == customer_stages(ws, spec, Scope(), 3)
    finally:
        monkeypatch.undo()
        time.tzset()


def _rows(path: Path) -> list[tuple[Any, ...]]:
    """A CSV or Parquet file's rows as DuckDB reads them."""
    return duckdb.sql(f"SELECT * FROM '{path}'").fetchall()


def test_touchpoints_equal_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """Conversion after, drops, repeat contacts and ratings after, with and without stages."""
    from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints, touchpoints_on

    ws = make_workspace(_customers(15))
    runner = on_spark(spark, ws, tmp_path / "lake")
    for spec, scope in (
        (TouchpointSpec(min_observed=3), Scope()),
        (
            TouchpointSpec(within=timedelta(days=20), stage_model=None),
            Scope(where=parse_filter("channel != store")),
        ),
    ):
        assert touchpoints_on(runner, spec, scope) == touchpoints(ws, spec, scope)


# -------------------- attribution


def _paid_journeys(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = []
    for i in range(500):
        buy = rng.random() < 0.2
        channel = rng.choice(["web", "zalo", "facebook", "email", "store"])
        events.append(
            {
                "event_id": str(i),
                "user_id": f"c{rng.randrange(50)}",
                "event": "purchase" if buy else rng.choice(["ad_click", "message_sent", "visit"]),
                "channel": channel,
                "touchpoint": f"{channel}-{rng.randrange(3)}" if rng.random() < 0.7 else None,
                "ts": f"2026-04-{rng.randrange(1, 29):02d}T{rng.choice([8, 20]):02d}:00:00Z",
                **({"revenue": rng.choice([100_000, 250_000, 1_990_000])} if buy else {}),
            }
        )
    return events


@pytest.mark.parametrize("seed", [7, 8])
def test_paths_and_time_decay_equal_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path, seed: int
) -> None:
    ws = make_workspace(_paid_journeys(seed))
    events = on_spark(spark, ws, tmp_path / "lake")
    scopes = [Scope(), Scope(where=parse_filter("channel != store"))]
    for level in ("channel", "touchpoint"):
        for lookback, repeats in ((timedelta(days=3), "keep"), (timedelta(days=30), "collapse")):
            spec = Paid(lookback=lookback, level=level, repeats=repeats)
            for scope in scopes:
                ours, info = build_paths(ws, spec, scope)
                theirs, spark_info = build_paths_spark(events, spec, scope)
                assert _as_dict(theirs) == _as_dict(ours) and spark_info == info
                markov = attribute(theirs, "markov").conversions
                assert markov == pytest.approx(attribute(ours, "markov").conversions)
    spec = Paid(lookback=timedelta(days=10))
    decay = time_decay_spark(events, spec, scopes[1], timedelta(days=2))
    expected = time_decay(ws, spec, scopes[1], timedelta(days=2))
    assert decay.conversions == pytest.approx(expected.conversions)
    assert decay.value == pytest.approx(expected.value)


def test_cli_attribution_on_spark(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, lake = exported(cli, make_workspace, _paid_journeys(9), tmp_path)
    args = ("attribution", "-w", root, "--compare", "first,time_decay,markov,shapley", "--json")
    assert_same_on_spark(cli, args, lake)
