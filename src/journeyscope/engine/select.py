"""Which engine a command runs on, and where Spark reads and writes.

The one place that chooses: ``--engine`` (or the workspace's ``engine:``), Spark's master,
and the events dataset (``--dataset`` or ``spark.dataset``). :func:`open_runner` hands
back the runner a report runs on; no face decides this by itself.
"""

from __future__ import annotations

from pathlib import Path

from journeyscope.engine.runner import Runner
from journeyscope.errors import InputError, Location, unknown_name
from journeyscope.events.spark_store import is_uri
from journeyscope.events.workspace import Workspace, read_config, resolve_workspace

__all__ = [
    "ENGINES",
    "chosen_engine",
    "dataset_location",
    "open_runner",
    "source_location",
    "stale_events",
]

ENGINES = ("duckdb", "spark")

_DATASET_HINT = (
    "write one with `journeyscope export-parquet -w DIR -o FOLDER` (or `identity resolve "
    "--engine spark --source RAW --dataset FOLDER`), then pass --dataset FOLDER (or set "
    "spark.dataset in workspace.yaml)",
    "tạo bằng `journeyscope export-parquet -w THƯ_MỤC -o THƯ_MỤC_RA` (hoặc `identity resolve "
    "--engine spark --source THÔ --dataset THƯ_MỤC_RA`), rồi dùng --dataset THƯ_MỤC_RA (hoặc "
    "đặt spark.dataset trong workspace.yaml)",
)


def chosen_engine(ws: Workspace | Path | None, engine: str | None) -> str:
    """``--engine``, else the workspace's ``engine:`` (from an open workspace or a folder)."""
    if engine is None:
        config = ws.config if isinstance(ws, Workspace) else read_config(resolve_workspace(ws))
        engine = config.engine
    if engine not in ENGINES:
        raise unknown_name("engine", "bộ máy", engine, list(ENGINES), code="unknown_engine")
    return engine


def dataset_location(ws: Workspace, given: str | None) -> str:
    """Where the Spark events are: ``--dataset`` (read from where the command runs), else
    ``spark.dataset`` in workspace.yaml (a relative path is read from the workspace)."""
    where = _location(ws, given, ws.config.spark.dataset)
    if not where:
        raise InputError(
            "the Spark engine needs the events as a dataset",
            "bộ máy Spark cần dữ liệu sự kiện dạng dataset",
            location=Location(field="--dataset"),
            hint_en=_DATASET_HINT[0],
            hint_vi=_DATASET_HINT[1],
            code="dataset_required",
        )
    return where


def source_location(ws: Workspace, given: str | None) -> str:
    """The raw events `identity resolve` reads on Spark: ``--source`` or ``spark.source``."""
    where = _location(ws, given, ws.config.spark.source)
    if not where:
        raise InputError(
            "identity resolve on Spark needs the raw events to read",
            "phân giải danh tính trên Spark cần dữ liệu sự kiện thô để đọc",
            location=Location(field="--source"),
            hint_en="pass --source FOLDER|URI (Parquet with our field names, e.g. from "
            "`journeyscope export-parquet`), or set spark.source in workspace.yaml",
            hint_vi="dùng --source THƯ_MỤC|URI (Parquet với tên trường của chúng tôi, ví dụ từ "
            "`journeyscope export-parquet`), hoặc đặt spark.source trong workspace.yaml",
            code="missing_option",
        )
    return where


def _location(ws: Workspace, given: str | None, configured: str | None) -> str | None:
    if given:
        return given
    if not configured or is_uri(configured) or Path(configured).is_absolute():
        return configured
    return str(ws.root / configured)


def open_runner(
    ws: Workspace,
    engine: str | None = None,
    master: str | None = None,
    dataset: str | None = None,
) -> Runner:
    """The runner a report runs on: the embedded engine, or Spark over the events dataset
    (with its own identities when Spark resolved it). Starting Spark is the slow part, so
    PySpark is imported only here, and only when Spark is chosen."""
    if chosen_engine(ws, engine) == "duckdb":
        if master or dataset:
            raise InputError(
                "--spark-master and --dataset are options of the Spark engine",
                "--spark-master và --dataset là tuỳ chọn của bộ máy Spark",
                location=Location(field="--dataset" if dataset else "--spark-master"),
                hint_en="add --engine spark, or leave them out",
                hint_vi="thêm --engine spark, hoặc bỏ chúng đi",
                code="conflicting_options",
            )
        return Runner(ws)
    from journeyscope.engine.spark import SparkRunner
    from journeyscope.events.spark_store import read_events, spark_session

    spark = spark_session(master or ws.config.spark.master)
    location = dataset_location(ws, dataset)
    return SparkRunner(ws, read_events(spark, location), location)


def stale_events(ws: Workspace) -> int:
    """How many events arrived after the last identity resolve (reports do not count them)."""
    last = ws.one(
        "SELECT events + CAST(report->>'unattributed' AS BIGINT) FROM identity_runs "
        "ORDER BY run_at DESC LIMIT 1"
    )
    total = int(ws.scalar("SELECT count(*) FROM events"))
    if last is None or last[0] is None:
        return 0
    return max(total - int(last[0]), 0)
