"""Where a command runs: the options that choose the engine, and where Spark reads/writes.

Shared by the analytics commands and `identity resolve`; imports no other CLI module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeyscope.errors import InputError, Location, unknown_name
from journeyscope.events.spark_store import is_uri
from journeyscope.events.workspace import Workspace, read_config, resolve_workspace

EngineOpt = Annotated[
    str | None,
    typer.Option("--engine", help="duckdb (embedded, the default) or spark; else workspace.yaml."),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option("--spark-master", help="local[2], spark://host:7077, yarn (default local[*])."),
]
DatasetOpt = Annotated[
    str | None,
    typer.Option("--dataset", help="Spark: the events as an export-parquet dataset (folder/URI)."),
]

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
    if engine not in ("duckdb", "spark"):
        raise unknown_name("engine", "bộ máy", engine, ["duckdb", "spark"])
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
        )
    return where


def _location(ws: Workspace, given: str | None, configured: str | None) -> str | None:
    if given:
        return given
    if not configured or is_uri(configured) or Path(configured).is_absolute():
        return configured
    return str(ws.root / configured)
