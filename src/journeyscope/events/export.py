"""Users own their data: every stored event, with our field names, as Parquet or CSV."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import duckdb
from duckdb import DuckDBPyRelation

from journeyscope.errors import Location, OutputError, output_failure
from journeyscope.events.schema import EVENT_FIELDS
from journeyscope.events.workspace import Workspace
from journeyscope.maps.spreadsheet import CSV_GUARD, FORMULA_STARTS

FORMATS = (".parquet", ".csv")


def export_events(ws: Workspace, target: Path) -> int:
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(
            f"{target.name}: events export writes {' or '.join(FORMATS)}",
            f"{target.name}: xuất sự kiện chỉ ghi {' hoặc '.join(FORMATS)}",
            location=Location(file=str(target)),
            hint_en="name the output file.parquet or file.csv",
            hint_vi="đặt tên tệp đầu ra là tệp.parquet hoặc tệp.csv",
            # `-o` naming a folder is a write that cannot happen, not a format choice
            code="output_failed" if target.is_dir() else "unsupported_export_format",
        )
    rel = ws.con.sql(
        f"SELECT {', '.join(_column(n, suffix) for n in EVENT_FIELDS)}, customer_id "
        "FROM events_with_customers ORDER BY events_with_customers.ts, seq"
    )
    count = len(rel)
    write_relation(rel, target)
    return count


def _column(name: str, suffix: str) -> str:
    """Times leave marked as UTC, so importing the export again gives the same instants."""
    if name == "ts":
        if suffix == ".csv":
            return "strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts"
        return "CAST(ts AS TIMESTAMPTZ) AS ts"
    if name == "properties" and suffix == ".csv":
        return "CAST(properties AS VARCHAR) AS properties"
    return name


def write_relation(rel: DuckDBPyRelation, target: Path) -> None:
    """Write CSV or Parquet through a temporary name, so a crash leaves no half file.

    In CSV, text that a spreadsheet would run as a formula is written inert (see
    :mod:`journeyscope.maps.spreadsheet`); Parquet keeps every value exactly.
    """
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() == ".parquet":
            rel.write_parquet(str(partial))
        else:
            inert_text(rel).write_csv(str(partial), header=True)
        partial.replace(target)
    except (OSError, duckdb.Error) as exc:  # a folder in the way, a read-only place
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise output_failure(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def inert_text(rel: DuckDBPyRelation) -> DuckDBPyRelation:
    """``rel`` with every text column guarded against formula injection, column by column.

    A value starting with one of :data:`FORMULA_STARTS` gets a leading ``'``; the characters
    and the quote travel as constants of DuckDB expressions, never inside SQL text. Numbers,
    times, lists and structs are left as they are: their CSV form cannot start a formula.
    """
    from duckdb import CaseExpression, ColumnExpression, ConstantExpression, FunctionExpression

    starts = ConstantExpression(sorted(FORMULA_STARTS))
    guard = ConstantExpression(CSV_GUARD)
    columns = []
    for name, kind in zip(rel.columns, rel.types, strict=True):
        column = ColumnExpression(name)
        if str(kind) == "VARCHAR":
            first = FunctionExpression("left", column, ConstantExpression(1))
            risky = FunctionExpression("list_contains", starts, first)
            guarded = FunctionExpression("concat", guard, column)
            column = CaseExpression(risky, guarded).otherwise(column).alias(name)
        columns.append(column)
    return rel.project(*columns) if columns else rel


def export_partitioned(ws: Workspace, target: Path, *, overwrite: bool = False) -> int:
    """Every stored event as a Parquet dataset partitioned by local date
    (``target/date=YYYY-MM-DD/*.parquet``, the workspace's time zone), in (customer, time)
    order within each file: the layout a data lake, Spark or a warehouse reads. ``seq`` is
    the order the events arrived in, which breaks ties in time as the workspace does.

    The dataset is written under a temporary name and renamed into place, so a crash
    leaves no half dataset; an existing ``target`` is replaced only with ``overwrite``.
    """
    if target.exists() and not overwrite:
        raise OutputError(
            f"{target} already exists",
            f"{target} đã tồn tại",
            hint_en="choose a new folder, or add --overwrite to replace it",
            hint_vi="chọn thư mục mới, hoặc thêm --overwrite để thay thế",
            code="output_exists",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    columns = ", ".join(_column(n, ".parquet") for n in EVENT_FIELDS)
    rel = ws.con.sql(
        f"""SELECT {columns}, customer_id, seq,
            CAST(timezone($zone, CAST(ts AS TIMESTAMPTZ)) AS DATE) AS date
        FROM events_with_customers ORDER BY date, customer_id, events_with_customers.ts, seq""",
        params={"zone": ws.config.timezone},
    )
    try:
        rel.write_parquet(str(partial), partition_by=["date"])
        if not partial.exists():  # no events: still an (empty) dataset folder
            partial.mkdir()
        # counted from the files' footers: running the sorted query again would cost as
        # much as the export
        files = [str(f) for f in partial.rglob("*.parquet")]
        count = int(ws.scalar("SELECT count(*) FROM read_parquet(?)", [files])) if files else 0
        if target.exists():
            shutil.rmtree(target)
        partial.replace(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return count
