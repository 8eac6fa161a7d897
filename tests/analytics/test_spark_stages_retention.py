"""Retention, stages and touchpoints on Spark equal the embedded engine's reports."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeyscope.analytics.retention import RetentionSpec, retention, retention_on
from journeyscope.analytics.scope import Scope, parse_filter
from tests.analytics.spark_helpers import assert_same_on_spark, exported, on_spark
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark


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
