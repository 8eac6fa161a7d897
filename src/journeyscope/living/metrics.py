"""The metrics a map cell can bind to: where each number comes from and what it means.

Every metric reads one row of a report the CLI prints (``journeyscope stages``,
``touchpoints``, ``feedback summary``), so a number on a map is the number the report
command returns for the same period — never a second SQL query that could drift. A metric
gives the value, the sample it stands on (customers) and, for a proportion, the successes
behind it (for the Wilson interval).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["METRICS", "MetricDef", "Raw", "Source", "Unit"]

Unit = Literal["%", "customers", "duration", "stars", "VND", "nps", "of5", "of7", "sentiment"]
Source = Literal["stages", "touchpoints", "segment", "feedback"]


@dataclass(frozen=True)
class Raw:
    """What a report row says: the value, the customers behind it, and (for a share) how
    many of them counted as a success."""

    value: float
    n: int
    successes: int | None = None


#: reads a metric from a report's JSON row (``None``: no row, or the row has no value)
Extract = Callable[[dict[str, Any]], Raw | None]


@dataclass(frozen=True)
class MetricDef:
    name: str
    source: Source
    unit: Unit
    label_en: str
    label_vi: str
    extract: Extract

    @property
    def proportion(self) -> bool:
        return self.unit == "%"


def _share(value: Any, n: Any, successes: Any = None) -> Raw | None:
    if value is None or not n:
        return None
    hits = round(float(value) * int(n)) if successes is None else int(successes)
    return Raw(float(value), int(n), hits)


def _reach(row: dict[str, Any]) -> Raw | None:
    return Raw(float(row["customers"]), int(row["customers"]))


def _conversion(row: dict[str, Any]) -> Raw | None:
    return _share(row.get("conversion_to_next"), row.get("customers"))


def _dropoff(row: dict[str, Any]) -> Raw | None:
    conv = row.get("conversion_to_next")
    if conv is None or not row.get("customers"):
        return None
    n = int(row["customers"])
    return Raw(round(1 - float(conv), 4), n, n - round(float(conv) * n))


def _time(row: dict[str, Any]) -> Raw | None:
    seconds, conv = row.get("median_seconds_to_next"), row.get("conversion_to_next")
    if seconds is None or conv is None:
        return None
    return Raw(float(seconds), round(float(conv) * int(row["customers"])))


def _tp_conversion(row: dict[str, Any]) -> Raw | None:
    return _share(row.get("converted_share"), row.get("customers"), row.get("converted"))


def _tp_dropoff(row: dict[str, Any]) -> Raw | None:
    return _share(row.get("dropped_share"), row.get("observed"), row.get("dropped"))


def _repeat(row: dict[str, Any]) -> Raw | None:
    return _share(
        row.get("repeat_contact_share"), row.get("contact_customers"), row.get("repeat_contacts")
    )


def _rating(row: dict[str, Any]) -> Raw | None:
    value = row.get("rating_after")
    return None if value is None else Raw(float(value), int(row.get("rated") or 0))


def _segment(row: dict[str, Any]) -> Raw | None:
    return _share(row.get("share"), row.get("customers"), row.get("matching"))


def _score(key: str, field: str = "value") -> Extract:
    """A number of a ``feedback summary`` group (``nps``, ``csat``, ``ces``, ``sentiment``)."""

    def extract(row: dict[str, Any]) -> Raw | None:
        part = row.get(key) or {}
        value, n = part.get(field), int(part.get("n") or 0)
        return None if value is None or not n else Raw(float(value), n)

    return extract


def _metric(
    name: str, source: Source, unit: Unit, en: str, vi: str, extract: Extract
) -> tuple[str, MetricDef]:
    return name, MetricDef(name, source, unit, en, vi, extract)


METRICS: dict[str, MetricDef] = dict(
    [
        _metric("stage_reach", "stages", "customers", "Reach", "Tiếp cận", _reach),
        _metric(
            "stage_conversion", "stages", "%", "To next stage", "Sang giai đoạn sau", _conversion
        ),
        _metric("stage_time", "stages", "duration", "Median time", "Thời gian trung vị", _time),
        _metric("stage_dropoff", "stages", "%", "Drop-off", "Rời bỏ", _dropoff),
        _metric(
            "touchpoint_conversion", "touchpoints", "%", "Converted", "Chuyển đổi", _tp_conversion
        ),
        _metric("touchpoint_dropoff", "touchpoints", "%", "Drop-off", "Rời bỏ", _tp_dropoff),
        _metric(
            "repeat_contact_rate", "touchpoints", "%", "Repeat contact", "Liên hệ lại", _repeat
        ),
        _metric("average_rating", "touchpoints", "stars", "Rating", "Đánh giá trung bình", _rating),
        _metric("segment_share", "segment", "%", "Segment share", "Tỷ lệ nhóm", _segment),
        _metric(
            "sentiment",
            "feedback",
            "sentiment",
            "Sentiment",
            "Cảm xúc",
            _score("sentiment", "mean_score"),
        ),
        _metric("nps", "feedback", "nps", "NPS", "NPS", _score("nps")),
        _metric("csat", "feedback", "of5", "CSAT", "CSAT", _score("csat")),
        _metric("ces", "feedback", "of7", "CES", "CES", _score("ces")),
    ]
)
