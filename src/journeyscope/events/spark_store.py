"""The event store on Apache Spark: a session, and the events as a Parquet dataset.

The embedded engine keeps events in a DuckDB file; when one machine is not enough they live
in a data lake as the Parquet dataset `journeyscope export-parquet` writes (partitioned by
local date), and Spark reads them there. PySpark is an optional extra
(``pip install -e '.[spark]'`` in a clone) and needs Java 17 or newer; both are checked here so
a missing one gets a clear message instead of a stack trace.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyscope.errors import InputError, Location, MissingDependency

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Settings that matter on one machine and on a cluster alike (docs/scale-out.md)
SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",  # stored times are UTC instants
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
}


def require_spark() -> None:
    """Refuse clearly when PySpark or Java is missing."""
    if importlib.util.find_spec("pyspark") is None:
        raise MissingDependency(
            "the Spark engine needs PySpark, which is not installed",
            "bộ máy Spark cần PySpark nhưng chưa được cài",
            hint_en="in the clone: pip install -e '.[spark]' (or use --engine duckdb, the default)",
            hint_vi="trong bản clone: pip install -e '.[spark]' (hoặc dùng --engine duckdb)",
        )
    if shutil.which("java") is None:
        raise MissingDependency(
            "the Spark engine needs Java 17 or newer, which was not found",
            "bộ máy Spark cần Java 17 trở lên nhưng không tìm thấy",
            hint_en="install it (Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`)",
            hint_vi="hãy cài (Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`)",
        )


def spark_session(master: str = "local[2]", **conf: Any) -> SparkSession:
    """A Spark session for ``master`` (``local[N]``, ``spark://host:7077``, ``yarn``…)."""
    require_spark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("journeyscope")
    for key, value in {**SETTINGS, **conf}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


#: What the reports read of each event; an export-parquet dataset has all of them
REQUIRED = ("customer_id", "seq", "ts", "event", "event_id", "channel", "touchpoint")


def is_uri(location: str) -> bool:
    """A lake location such as ``s3a://bucket/events`` rather than a local path."""
    return "://" in location


def read_events(spark: SparkSession, dataset: str | Path) -> DataFrame:
    """The events of an `export-parquet` dataset (a folder or a lake URI; the ``date``
    partition column included), with ``rating`` read from the properties as the embedded
    engine's journeys have it."""
    location = str(dataset)
    hint_en = "write one with `journeyscope export-parquet -w DIR -o FOLDER`"
    hint_vi = "tạo bằng `journeyscope export-parquet -w THƯ_MỤC -o THƯ_MỤC_RA`"
    if not is_uri(location) and not Path(location).is_dir():
        raise InputError(
            f"{location} is not an events dataset folder",
            f"{location} không phải thư mục dữ liệu sự kiện",
            location=Location(file=location),
            hint_en=hint_en,
            hint_vi=hint_vi,
        )
    from pyspark.errors import AnalysisException

    try:
        events = spark.read.option("basePath", location).parquet(location)
    except AnalysisException as exc:  # no Parquet there, or an unreadable location
        raise InputError(
            f"{location} holds no Parquet events Spark can read ({exc.getCondition()})",
            f"{location} không có sự kiện Parquet mà Spark đọc được ({exc.getCondition()})",
            location=Location(file=location),
            hint_en=hint_en,
            hint_vi=hint_vi,
        ) from exc
    missing = [c for c in REQUIRED if c not in events.columns]
    if missing:
        raise InputError(
            f"{location} lacks the columns {', '.join(missing)}",
            f"{location} thiếu các cột {', '.join(missing)}",
            location=Location(file=location, field=missing[0]),
            hint_en=hint_en + " (customer_id comes from `identity resolve`, seq is the "
            "arrival order)",
            hint_vi=hint_vi + " (customer_id có sau `identity resolve`, seq là thứ tự nhận)",
        )
    # the column the embedded engine keeps beside each journey event (feedback ratings)
    return events.selectExpr(
        "*", "try_cast(get_json_object(properties, '$.rating') AS DOUBLE) AS rating"
    )
