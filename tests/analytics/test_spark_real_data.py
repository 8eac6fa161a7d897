"""Real public data on both engines: UCI Online Retail (541,909 invoice lines, customer ids
written as spreadsheet numbers like ``17850.0``) resolved on Spark from the raw export
gives the embedded engine's customers, and the reports on it are the embedded ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeyscope.analytics.retention import RetentionSpec, retention, retention_on
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.stages import StageSpec, stages, stages_on
from journeyscope.engine.spark import SparkRunner
from journeyscope.events.export import export_partitioned
from journeyscope.events.spark_store import read_events
from journeyscope.identity.resolve import resolve
from journeyscope.identity.spark_resolve import resolve_dataset
from tests.analytics.test_real_data import uci  # noqa: F401  (the shared workspace fixture)

pytestmark = [pytest.mark.spark, pytest.mark.shared_data]


def test_uci_on_spark_equals_the_embedded_engine(
    spark: Any,
    uci: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    ws, _ = uci
    embedded = resolve(ws).to_dict()
    export_partitioned(ws, tmp_path / "raw")
    lake = tmp_path / "lake"
    on_spark = resolve_dataset(ws, spark, str(tmp_path / "raw"), str(lake)).to_dict()
    for data in (embedded, on_spark):
        data.pop("iterations")
    assert on_spark == embedded and embedded["customers"] == 4_372
    ours = duckdb.sql(
        f"SELECT event_id, customer_id FROM read_parquet('{lake}/date=*/*.parquet') ORDER BY 1"
    ).fetchall()
    assert (
        ours
        == ws.con.execute(
            "SELECT event_id, customer_id FROM events_with_customers ORDER BY 1"
        ).fetchall()
    )
    runner = SparkRunner(ws, read_events(spark, lake), str(lake))
    spec = RetentionSpec(period="month")
    assert retention_on(runner, spec, Scope()) == retention(ws, spec, Scope())
    assert stages_on(runner, StageSpec(), Scope()) == stages(ws, StageSpec(), Scope())
