"""Users own their data: every stored event, with our field names, as Parquet or CSV."""

from __future__ import annotations

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
