"""Where Spark reads events: a Parquet folder, a Delta Lake or Apache Iceberg table, or a
table of the session's catalog — with or without the table formats' Spark connectors.

- ``table:NAME`` reads ``NAME`` from the Spark session's catalog (Hive metastore, Glue,
  Unity Catalog, an Iceberg or Delta catalog — whatever the cluster has configured).
- A folder with ``_delta_log/`` is a **Delta** table: read by Delta's connector when the
  session has it (``spark.sql.extensions`` names it), else the table's current files are
  taken from its transaction log with ``deltalake`` (delta-rs) and read as Parquet. Tables
  whose readers must apply deletion vectors or column mapping need the connector, and say so.
- A ``….metadata.json`` file, or a folder with ``metadata/`` holding them, is an **Iceberg**
  table: its current snapshot's data files are planned with ``pyiceberg`` and read as
  Parquet; a snapshot with delete files needs Spark's Iceberg connector, and says so.
- Anything else is read as Parquet (the export-parquet layout, ``date=…/`` folders).

The connector-free paths exist because the connectors are JVM packages a cluster installs
from Maven; these read the same current table state from the Python side, so a laptop, CI
or a cluster without them reads the tables too.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyscope.errors import InputError, JourneyScopeError, Location, MissingDependency

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

CATALOG_PREFIX = "table:"
DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
# reader features that leave a file's rows meaning what they say (the log's file list
# handles the rest); any other — deletion vectors, column mapping, variant types… — changes
# how rows must be read, so, as the Delta protocol asks of readers, the table is refused
_DELTA_PLAIN_FEATURES = frozenset({"timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"})


def read_lake(spark: SparkSession, location: str) -> DataFrame:
    """The rows at ``location`` (see the module docs for what it may be)."""
    if location.startswith(CATALOG_PREFIX):
        return spark.table(location[len(CATALOG_PREFIX) :])
    kind = table_format(spark, location)
    if kind == "delta":
        if DELTA_EXTENSION in (spark.conf.get("spark.sql.extensions", "") or ""):
            return spark.read.format("delta").load(location)
        # partition values live in the paths (col=value/): Spark finds them from the root
        return _parquet(spark, location, _listed(location, delta_files), base=location)
    if kind == "iceberg":
        return _parquet(spark, location, _listed(location, iceberg_files), base=None)
    return spark.read.option("basePath", location).parquet(location)


def table_format(spark: SparkSession, location: str) -> str:
    """``delta``, ``iceberg`` or ``parquet``, from what lies at ``location`` — asked of
    Hadoop's file system, so a lake URI is looked at as Spark will read it."""
    if location.endswith(".metadata.json"):
        return "iceberg"
    hadoop, fs, root = hadoop_path(spark, location)
    if fs.exists(hadoop.Path(root, "_delta_log")):
        return "delta"
    if fs.globStatus(hadoop.Path(root, "metadata/*.metadata.json")):
        return "iceberg"
    return "parquet"


def hadoop_path(spark: SparkSession, location: str) -> tuple[Any, Any, Any]:
    """Hadoop's ``fs`` package, the file system of ``location`` and its path there."""
    hadoop = spark._jvm.org.apache.hadoop.fs  # type: ignore[union-attr]
    target = hadoop.Path(location)
    conf = spark._jsc.hadoopConfiguration()
    return hadoop, target.getFileSystem(conf), target


def _listed(location: str, files: Callable[[str], list[str]]) -> list[str]:
    """A table's files from its own library; what that library cannot read is said so."""
    try:
        return files(location)
    except JourneyScopeError:
        raise
    except Exception as exc:  # deltalake / pyiceberg each raise their own kinds
        raise InputError(
            f"the table at {location} could not be read: {exc}",
            f"không đọc được bảng tại {location}: {exc}",
            location=Location(file=location),
            hint_en="check the location and its credentials; on a cluster, Spark's Delta or "
            "Iceberg connector (docs/scale-out.md) reads what these libraries cannot",
            hint_vi="kiểm tra đường dẫn và quyền truy cập; trên cụm máy, connector Delta hoặc "
            "Iceberg của Spark (docs/scale-out.md) đọc được điều các thư viện này không đọc được",
            code="invalid_file",
        ) from exc


def delta_files(location: str) -> list[str]:
    """The data files of the Delta table's current version, from its transaction log."""
    table = _deltalake().DeltaTable(location)
    needs = sorted(set(table.protocol().reader_features or []) - _DELTA_PLAIN_FEATURES)
    if needs:
        raise InputError(
            f"the Delta table {location} uses {', '.join(needs)}, which only Delta's Spark "
            "connector applies",
            f"bảng Delta {location} dùng {', '.join(needs)}, chỉ connector Spark của Delta "
            "áp dụng được",
            location=Location(file=location),
            hint_en=f"start Spark with the delta-spark package and {DELTA_EXTENSION} in "
            "spark.sql.extensions (docs/scale-out.md)",
            hint_vi=f"chạy Spark với gói delta-spark và {DELTA_EXTENSION} trong "
            "spark.sql.extensions (docs/scale-out.md)",
            code="unsupported_table",
        )
    return [str(f) for f in table.file_uris()]


def iceberg_files(location: str) -> list[str]:
    """The data files of the Iceberg table's current snapshot (refused if it has deletes)."""
    static = _pyiceberg()
    table = static.StaticTable.from_metadata(current_metadata(location))
    tasks = list(table.scan().plan_files())
    if any(task.delete_files for task in tasks):
        raise InputError(
            f"the Iceberg table {location} has delete files, which only Iceberg's Spark "
            "connector applies",
            f"bảng Iceberg {location} có tệp xoá, chỉ connector Spark của Iceberg áp dụng được",
            location=Location(file=location),
            hint_en="compact the table (rewrite_data_files), or configure Spark's Iceberg "
            "catalog and pass --dataset table:CATALOG.DB.TABLE",
            hint_vi="nén bảng (rewrite_data_files), hoặc cấu hình catalog Iceberg của Spark "
            "và dùng --dataset table:CATALOG.DB.TABLE",
            code="unsupported_table",
        )
    return [task.file.file_path for task in tasks]


def current_metadata(location: str) -> str:
    """An Iceberg table's current metadata file: the one given, the one
    ``metadata/version-hint.text`` names, or the highest-numbered one."""
    if location.endswith(".metadata.json"):
        return location
    if "://" in location:
        raise InputError(
            f"{location}: name an Iceberg table in a lake by its metadata file",
            f"{location}: hãy chỉ bảng Iceberg trong lake bằng tệp metadata của nó",
            location=Location(file=location),
            hint_en="pass …/metadata/NNNNN-….metadata.json (the newest), or table:CATALOG.DB.TABLE",
            hint_vi="dùng …/metadata/NNNNN-….metadata.json (mới nhất), hoặc table:CATALOG.DB.TABLE",
            code="invalid_file",
        )
    folder = Path(location) / "metadata"
    hint = folder / "version-hint.text"
    if hint.is_file():
        version = hint.read_text("utf-8").strip()
        named = folder / f"v{version}.metadata.json"
        if named.is_file():
            return str(named)
    return str(max(folder.glob("*.metadata.json"), key=_metadata_number))


def _metadata_number(path: Path) -> tuple[int, str]:
    """``00012-….metadata.json`` or ``v12.metadata.json`` → 12 (then the name)."""
    found = re.match(r"v?(\d+)", path.name)
    return (int(found.group(1)) if found else -1, path.name)


def _parquet(spark: SparkSession, location: str, files: list[str], base: str | None) -> DataFrame:
    if not files:
        raise InputError(
            f"the table {location} has no data files",
            f"bảng {location} không có tệp dữ liệu",
            location=Location(file=location),
            hint_en="write events into it first",
            hint_vi="hãy ghi sự kiện vào bảng trước",
            code="invalid_file",
        )
    reader = spark.read.option("basePath", base) if base else spark.read
    return reader.parquet(*files)


def _deltalake() -> Any:
    return _optional("deltalake", "Delta tables")


def _pyiceberg() -> Any:
    _optional("pyiceberg", "Iceberg tables")
    from pyiceberg import table

    return table


def _optional(module: str, what: str) -> Any:
    if importlib.util.find_spec(module) is None:
        raise MissingDependency(
            f"reading {what} without Spark's connector needs {module}, which is not installed",
            f"đọc {what} không qua connector của Spark cần {module} nhưng chưa được cài",
            hint_en="in the clone: pip install -e '.[spark]'",
            hint_vi="trong bản clone: pip install -e '.[spark]'",
        )
    return importlib.import_module(module)
