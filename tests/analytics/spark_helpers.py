"""What the Spark conformance tests share: a workspace's dataset on Spark, CLI comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeyscope.engine.spark import SparkRunner
from journeyscope.events.export import export_partitioned
from journeyscope.events.spark_store import read_events
from journeyscope.events.workspace import Workspace
from tests.conftest import MakeWorkspace


def on_spark(spark: Any, ws: Workspace, lake: Path) -> SparkRunner:
    """The workspace's events exported to ``lake`` (once) and read by Spark."""
    if not lake.exists():
        export_partitioned(ws, lake)
    return SparkRunner(ws, read_events(spark, lake))


def exported(
    cli: Any, make_workspace: MakeWorkspace, events: list[dict[str, Any]], tmp_path: Path
) -> tuple[Path, Path]:
    """A closed workspace of ``events`` and its export-parquet dataset."""
    ws = make_workspace(events)
    root = ws.root
    ws.close()
    lake = tmp_path / "lake"
    assert cli("export-parquet", "-w", root, "-o", lake).code == 0
    return root, lake


def assert_same_on_spark(cli: Any, args: tuple[Any, ...], lake: Path | str) -> dict[str, Any]:
    """The command's --json report on Spark equals the embedded one (bar the engine);
    returns the embedded report for further checks."""
    embedded = cli(*args).json()
    on_spark = cli(*args, "--engine", "spark", "--dataset", lake).json()
    assert isinstance(on_spark, dict) and on_spark.pop("engine") == "spark"
    assert on_spark == embedded
    return embedded
