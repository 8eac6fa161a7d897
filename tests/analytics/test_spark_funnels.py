"""Funnels on Spark give the embedded engine's report, field for field.

Generated journeys (ties at one instant, properties, several channels) in every mode, with
exclusions, breakdowns, step filters on properties and a scope; and PostHog's own cases.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.funnels import MODES, FunnelSpec, funnel, funnel_report
from journeyscope.analytics.scope import Scope, parse_filter, parse_step, parse_steps
from journeyscope.analytics.funnels import walk as walk_spark
from tests.analytics.spark_helpers import assert_same_on_spark, exported, on_spark
from tests.analytics.test_funnel_cases import _posthog_runs, posthog_funnel
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark


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


@pytest.mark.parametrize(
    ("case", "order", "variant"),
    [r[1:] for r in _posthog_runs()],
    ids=[r[0] for r in _posthog_runs()],
)
def test_posthog_cases_on_spark(
    spark: Any,
    make_workspace: MakeWorkspace,
    tmp_path: Path,
    case: dict[str, Any],
    order: str,
    variant: dict[str, Any],
) -> None:
    ws, spec, scope = posthog_funnel(make_workspace, case, order, variant)
    assert _spark_report(spark, ws, tmp_path / "lake", spec, scope) == funnel(ws, spec, scope)


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
    nobody = ("--where", "channel = 'nowhere'", "--dropped-at", "add_to_cart", "-o")
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
