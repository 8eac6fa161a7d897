"""The event store on Spark: an export-parquet dataset reads back whole; missing parts say so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeyscope.errors import InputError, MissingDependency
from journeyscope.events.export import export_partitioned
from journeyscope.events.spark_store import read_events, require_spark
from tests.conftest import MakeWorkspace


@pytest.mark.spark
def test_spark_reads_an_exported_dataset_whole(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    ws = make_workspace(
        [
            {"event_id": str(i), "user_id": f"u{i % 7}", "event": "page_view", "ts": ts}
            for i, ts in enumerate(
                ["2026-05-01T10:00:00Z", "2026-05-01T18:30:00Z", "2026-05-03T01:00:00Z"] * 20
            )
        ]
    )
    lake = tmp_path / "lake"
    assert export_partitioned(ws, lake) == 60
    events = read_events(spark, lake)
    per_day = {str(r["date"]): r["count"] for r in events.groupBy("date").count().collect()}
    expected = dict(
        ws.con.execute(
            "SELECT CAST(CAST(timezone('UTC', CAST(ts AS TIMESTAMPTZ)) AS DATE) AS VARCHAR), "
            "count(*) FROM events GROUP BY 1"
        ).fetchall()
    )
    assert per_day == expected == {"2026-05-01": 40, "2026-05-03": 20}  # the workspace is UTC
    assert events.filter("customer_id IS NULL").count() == 0
    with pytest.raises(InputError, match="not an events dataset folder") as info:
        read_events(spark, tmp_path / "nowhere")
    assert "export-parquet" in (info.value.hint_en or "")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no events Spark can read"):
        read_events(spark, tmp_path / "empty")
    other = tmp_path / "other"
    other.mkdir()
    ws.con.execute(f"COPY (SELECT event_id, ts FROM events) TO '{other / 'a.parquet'}'")
    with pytest.raises(InputError, match="lacks the columns customer_id, seq, event") as lacks:
        read_events(spark, other)
    assert "identity resolve" in (lacks.value.hint_en or "")


def test_a_missing_java_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    monkeypatch.setattr("importlib.util.find_spec", lambda _name: object())
    with pytest.raises(MissingDependency, match="Java 17") as info:
        require_spark()
    assert "openjdk-17-jre-headless" in (info.value.hint_en or "")
