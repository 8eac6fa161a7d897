"""The event store on Apache Spark: a session, and the events as a Parquet dataset.

The embedded engine keeps events in a DuckDB file; when one machine is not enough they live
in a data lake as the Parquet dataset `journeyscope export-parquet` writes (partitioned by
local date), and Spark reads them there. PySpark is an optional extra
(``pip install -e '.[spark]'`` in a clone) and needs Java 17 or newer; both are checked here so
a missing one gets a clear message instead of a stack trace.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyscope.errors import InputError, Location, MissingDependency, OutputError
from journeyscope.events.lake_tables import CATALOG_PREFIX, hadoop_path, read_lake
from journeyscope.events.schema import IDENTIFIER_TYPES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Settings that matter on one machine and on a cluster alike (docs/scale-out.md)
SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",  # stored times are UTC instants
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
    # instants as Parquet's standard timestamps (not the legacy INT96) for other readers
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # one line of our own progress instead of Spark's console bars
    "spark.ui.showConsoleProgress": "false",
}

#: Errors only from the JVM's logging (a log4j2 file shipped with the package)
LOG_CONFIG = Path(__file__).with_name("spark_conf") / "log4j2.properties"


def require_spark() -> None:
    """Refuse clearly when PySpark or Java is missing."""
    if importlib.util.find_spec("pyspark") is None:
        raise MissingDependency(
            "the Spark engine needs PySpark, which is not installed",
            "bộ máy Spark cần PySpark nhưng chưa được cài",
            hint_en="in the clone: pip install -e '.[spark]' (or use --engine duckdb, the default)",
            hint_vi="trong bản clone: pip install -e '.[spark]' (hoặc dùng --engine duckdb)",
            code="spark_unavailable",
        )
    if shutil.which("java") is None:
        raise MissingDependency(
            "the Spark engine needs Java 17 or newer, which was not found",
            "bộ máy Spark cần Java 17 trở lên nhưng không tìm thấy",
            hint_en="install it (Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`)",
            hint_vi="hãy cài (Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`)",
            code="spark_unavailable",
        )


def spark_session(master: str = "local[2]", **conf: Any) -> SparkSession:
    """A Spark session for ``master`` (``local[N]``, ``spark://host:7077``, ``yarn``…)."""
    require_spark()
    from pyspark.sql import SparkSession

    # Python workers must run this interpreter (the one with JourneyScope installed), not
    # whatever `python3` is first on PATH; and they inherit the quiet warning filter
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("PYTHONWARNINGS", "ignore::FutureWarning:pyspark")
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    quiet = f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"
    builder = SparkSession.builder.master(master).appName("journeyscope")
    builder = builder.config("spark.driver.extraJavaOptions", quiet)
    builder = builder.config("spark.executor.extraJavaOptions", quiet)
    for key, value in {**SETTINGS, **conf}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


#: Where `identity resolve` on Spark puts every identifier, beside the events it wrote
#: (a name starting with ``_``: Spark, Hive and Trino skip it when reading the events)
IDENTITY_FOLDER = "_identity"

#: What the reports read of each event; an export-parquet dataset has all of them
REQUIRED = ("customer_id", "seq", "ts", "event", "event_id", "channel", "touchpoint")


def is_uri(location: str) -> bool:
    """A lake location such as ``s3a://bucket/events`` rather than a local path."""
    return "://" in location


def read_events(spark: SparkSession, dataset: str | Path) -> DataFrame:
    """The events of an `export-parquet` dataset (a folder or a lake URI; the ``date``
    partition column included), with ``rating`` read from the properties as the embedded
    engine's journeys have it."""
    events = _read_lake_events(
        spark,
        str(dataset),
        REQUIRED,
        " (customer_id comes from `identity resolve`, seq is the arrival order)",
        " (customer_id có sau `identity resolve`, seq là thứ tự nhận)",
    )
    # the column the embedded engine keeps beside each journey event (feedback ratings)
    return events.selectExpr(
        "*", "try_cast(get_json_object(properties, '$.rating') AS DOUBLE) AS rating"
    )


def read_identities(spark: SparkSession, dataset: str) -> DataFrame | None:
    """``(identifier_type, identifier_value, customer_id, status, max_links)`` of a dataset
    `identity resolve` wrote on Spark; None for an export of a workspace (whose customers
    are the workspace's)."""
    if dataset.startswith(CATALOG_PREFIX) or dataset.endswith(".metadata.json"):
        return None
    hadoop, fs, target = hadoop_path(spark, dataset)
    found = hadoop.Path(target, IDENTITY_FOLDER)
    return spark.read.parquet(found.toString()) if fs.exists(found) else None


#: What identity resolution needs of raw events (and at least one identifier column)
SOURCE_REQUIRED = ("event_id", "ts", "event", "channel")


def read_source(spark: SparkSession, location: str) -> DataFrame:
    """Raw events for `identity resolve` on Spark: any Parquet dataset with our field names
    (an export-parquet dataset, or a lake's own events); a ``customer_id`` is replaced."""
    events = _read_lake_events(
        spark,
        location,
        SOURCE_REQUIRED,
        " and at least one identifier column (" + ", ".join(IDENTIFIER_TYPES) + ")",
        " và ít nhất một cột định danh (" + ", ".join(IDENTIFIER_TYPES) + ")",
    )
    if not any(name in events.columns for name in IDENTIFIER_TYPES):
        raise InputError(
            f"{location} has no identifier column, so no event can be given a customer",
            f"{location} không có cột định danh nào nên không gán được khách hàng",
            location=Location(file=location),
            hint_en="name the identifier columns as we do: " + ", ".join(IDENTIFIER_TYPES),
            hint_vi="đặt tên cột định danh như chúng tôi: " + ", ".join(IDENTIFIER_TYPES),
            code="missing_column",
        )
    return events.drop("date")  # written again from the time zone


def _read_lake_events(
    spark: SparkSession, location: str, required: tuple[str, ...], why_en: str, why_vi: str
) -> DataFrame:
    """The events at ``location`` (:func:`~journeyscope.events.lake_tables.read_lake`) with
    ``required`` columns, or a clear error naming what is wrong."""
    hint_en = "write one with `journeyscope export-parquet -w DIR -o FOLDER`"
    hint_vi = "tạo bằng `journeyscope export-parquet -w THƯ_MỤC -o THƯ_MỤC_RA`"
    local = not is_uri(location) and not location.startswith(CATALOG_PREFIX)
    if local and not Path(location).is_dir() and not location.endswith(".metadata.json"):
        raise InputError(
            f"{location} is not an events dataset folder",
            f"{location} không phải thư mục dữ liệu sự kiện",
            location=Location(file=location),
            hint_en=hint_en,
            hint_vi=hint_vi,
            code="invalid_dataset",
        )
    from pyspark.errors import AnalysisException

    try:
        events = read_lake(spark, location)
    except AnalysisException as exc:  # no Parquet there, or an unreadable location
        raise InputError(
            f"{location} holds no events Spark can read ({exc.getCondition()})",
            f"{location} không có sự kiện mà Spark đọc được ({exc.getCondition()})",
            location=Location(file=location),
            hint_en=hint_en,
            hint_vi=hint_vi,
            code="invalid_dataset",
        ) from exc
    missing = [c for c in required if c not in events.columns]
    if missing:
        raise InputError(
            f"{location} lacks the columns {', '.join(missing)}",
            f"{location} thiếu các cột {', '.join(missing)}",
            location=Location(file=location, field=missing[0]),
            hint_en=hint_en + why_en,
            hint_vi=hint_vi + why_vi,
            code="missing_column",
        )
    return events


def check_replaceable(spark: SparkSession, location: str, *, overwrite: bool = False) -> None:
    """Refuse, before any work, to replace what an earlier run of ours did not write."""
    hadoop, fs, target = hadoop_path(spark, location)
    if fs.exists(target) and not overwrite and not fs.exists(hadoop.Path(target, IDENTITY_FOLDER)):
        raise OutputError(
            f"{location} already exists and is not a dataset `identity resolve` wrote",
            f"{location} đã tồn tại và không phải dataset do `identity resolve` ghi",
            location=Location(file=location),
            hint_en="choose a new location, or add --overwrite to replace it",
            hint_vi="chọn nơi khác, hoặc thêm --overwrite để thay thế",
            code="output_exists",
        )


def write_dataset(events: DataFrame, identities: DataFrame, location: str, zone: str) -> None:
    """``events`` in the export-parquet layout (``date=YYYY-MM-DD/`` in ``zone``, each
    file in (customer, time, seq) order) and ``identities`` in ``IDENTITY_FOLDER`` beside
    them; call :func:`check_replaceable` first, before the work that makes them.

    Written under a temporary name and renamed into place through Hadoop's file system
    (local folders, HDFS, lake URIs alike), so a failed run leaves the previous dataset.
    """
    from pyspark.sql import functions as fn

    hadoop, fs, target = hadoop_path(events.sparkSession, location)
    partial = hadoop.Path(target.getParent(), f".{target.getName()}.partial")
    fs.delete(partial, True)
    try:
        dated = events.withColumn("date", fn.to_date(fn.from_utc_timestamp("ts", zone)))
        (
            dated.repartition("date")
            .sortWithinPartitions("date", "customer_id", "ts", "seq")
            .write.partitionBy("date")
            .parquet(partial.toString())
        )
        identities.write.parquet(hadoop.Path(partial, IDENTITY_FOLDER).toString())
        if fs.exists(target):
            fs.delete(target, True)
        if not fs.rename(partial, target):
            raise OutputError(
                f"could not move the new dataset into {location}",
                f"không chuyển được dataset mới vào {location}",
                location=Location(file=location),
                hint_en="check that the location is writable",
                hint_vi="kiểm tra quyền ghi vào nơi này",
            )
    except BaseException:
        fs.delete(partial, True)
        raise
