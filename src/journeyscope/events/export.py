"""Users own their data: every stored event, with our field names, as Parquet or CSV."""

from __future__ import annotations

import shutil
from pathlib import Path

from duckdb import DuckDBPyRelation

from journeyscope.errors import OutputError
from journeyscope.events.schema import EVENT_FIELDS
from journeyscope.events.workspace import Workspace

FORMATS = (".parquet", ".csv")


def export_events(ws: Workspace, target: Path) -> int:
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(
            f"{target.name}: events export writes {' or '.join(FORMATS)}",
            f"{target.name}: xuất sự kiện chỉ ghi {' hoặc '.join(FORMATS)}",
            hint_en="name the output file.parquet or file.csv",
            hint_vi="đặt tên tệp đầu ra là tệp.parquet hoặc tệp.csv",
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
    """Write CSV or Parquet through a temporary name, so a crash leaves no half file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if target.suffix.lower() == ".parquet":
            rel.write_parquet(str(partial))
        else:
            rel.write_csv(str(partial), header=True)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


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
