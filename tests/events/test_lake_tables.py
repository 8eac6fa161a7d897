"""Spark reads events from Delta and Iceberg tables and from its catalog, honouring each
table's current state, and the reports equal the embedded engine's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from journeyscope.errors import InputError
from journeyscope.events.lake_tables import current_metadata, table_format
from tests.analytics.spark_helpers import assert_same_on_spark, exported
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark

STEPS = "page_view,add_to_cart,purchase"


def _events() -> list[dict[str, Any]]:
    return [
        {
            "event_id": str(i),
            "user_id": f"u{i % 9}",
            "event": ("page_view", "add_to_cart", "purchase")[i % 3 if i % 5 else 0],
            "channel": ("web", "zalo", "shopee")[i % 3],
            "ts": f"2026-05-{1 + i % 9:02d}T{(i * 7) % 24:02d}:00:00Z",
        }
        for i in range(120)
    ]


def _rows(lake: Path) -> pa.Table:
    """The exported events as Arrow (plain strings: what table writers expect)."""
    data = duckdb.sql(f"SELECT * FROM read_parquet('{lake}/date=*/*.parquet')").to_arrow_table()
    return data.cast(
        pa.schema(
            [
                pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
                for f in data.schema
            ]
        )
    )


def _funnel(root: Path) -> tuple[str | Path, ...]:
    return ("funnel", "-w", root, "--steps", STEPS, "--window", "3d", "--by", "channel", "--json")


def test_a_delta_table_reads_its_current_version(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    from deltalake import DeltaTable, write_deltalake

    root, lake = exported(cli, make_workspace, _events(), tmp_path)
    rows = _rows(lake)
    table = tmp_path / "delta"
    write_deltalake(table, rows.slice(0, 60), partition_by=["date"])
    write_deltalake(table, rows.slice(60), mode="append")
    # rows added and deleted again: their file stays on disk, but not in the table
    junk = rows.slice(0, 5).set_column(0, "event_id", pa.array(["junk"] * 5))
    write_deltalake(table, junk, mode="append")
    DeltaTable(table).delete("event_id = 'junk'")
    assert table_format(spark, str(table)) == "delta"
    assert_same_on_spark(cli, _funnel(root), table)


def test_an_iceberg_table_reads_its_current_snapshot(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    from pyiceberg.catalog.sql import SqlCatalog

    root, lake = exported(cli, make_workspace, _events(), tmp_path)
    rows = _rows(lake)
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    catalog = SqlCatalog(
        "lake", uri=f"sqlite:///{warehouse / 'catalog.db'}", warehouse=warehouse.as_uri()
    )
    catalog.create_namespace("shop")
    table = catalog.create_table("shop.events", schema=rows.schema)
    table.append(rows.slice(0, 70))
    table.append(rows.slice(70))  # a second snapshot: the reader must take the newest
    folder = Path(table.location().removeprefix("file://"))
    assert table_format(spark, str(folder)) == "iceberg"
    assert current_metadata(str(folder)) == table.metadata_location.removeprefix("file://")
    assert_same_on_spark(cli, _funnel(root), folder)
    # the metadata file itself names the table too
    assert_same_on_spark(cli, _funnel(root), Path(current_metadata(str(folder))))


def test_a_catalog_table_and_a_table_without_files(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    from deltalake import write_deltalake

    root, lake = exported(cli, make_workspace, _events(), tmp_path)
    # an external table of the session's catalog (its files in tmp_path)
    spark.read.parquet(str(lake)).write.option("path", str(tmp_path / "t")).saveAsTable(
        "journeyscope_test_events"
    )
    try:
        assert_same_on_spark(cli, _funnel(root), "table:journeyscope_test_events")
    finally:
        spark.sql("DROP TABLE IF EXISTS journeyscope_test_events")
    missing = cli(*_funnel(root), "--engine", "spark", "--dataset", "table:no_such_table")
    assert missing.code == 2 and "no_such_table" in missing.err
    empty = tmp_path / "empty-delta"
    write_deltalake(empty, _rows(lake).slice(0, 0))
    with pytest.raises(InputError, match="has no data files"):
        from journeyscope.events.spark_store import read_events

        read_events(spark, empty)


def test_a_delta_table_that_needs_the_connector_says_so(spark: Any, tmp_path: Path) -> None:
    """Deletion vectors mark rows deleted outside the data files: reading the files alone
    would bring them back, so the table is refused with how to read it."""
    from deltalake import write_deltalake

    from journeyscope.events.spark_store import read_events

    table = tmp_path / "dv"
    config = {"delta.enableDeletionVectors": "true"}
    write_deltalake(table, pa.table({"event_id": ["1"]}), configuration=config)
    with pytest.raises(InputError, match="deletionVectors") as info:
        read_events(spark, table)
    assert "delta-spark" in (info.value.hint_en or "")
