"""Reports over time: the periods of ``--interval day|week|month`` and the shared shape.

Designed once for every report. A period is a calendar day, ISO week (Monday first) or
month *in the workspace's time zone*, so an event at 23:30 UTC on a Sunday belongs to
Monday's day and week in Ho Chi Minh City (UTC+7). The periods of a report run from the
first to the last period of ``--from``/``--to`` (else of the data), every one present:
a period with no data is a row with ``customers: 0`` and ``null`` numbers, never left
out and never a 0 % conversion of nobody. Each row carries its change from the previous
period (absolute and relative), ``null`` where either side has no number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from journeyscope.errors import InputError, Location

__all__ = [
    "INTERVALS",
    "MAX_PERIODS",
    "Period",
    "assign",
    "check_interval",
    "no_data",
    "over_time",
    "period_of",
    "periods_between",
    "periods_from_days",
]

INTERVALS = ("day", "week", "month")
#: More periods than this is a typo or the wrong interval (3 years of days: ask for weeks)
MAX_PERIODS = 1100


def check_interval(text: str) -> str:
    """``day``, ``week`` or ``month``; anything else is an error naming the three."""
    if text in INTERVALS:
        return text
    allowed = ", ".join(INTERVALS)
    raise InputError(
        f"--interval {text!r}: periods are {allowed}",
        f"--interval {text!r}: chu kỳ là {allowed}",
        location=Location(field="--interval"),
        hint_en="e.g. --interval week (ISO weeks, Monday first, workspace time zone)",
        hint_vi="ví dụ --interval week (tuần ISO, bắt đầu thứ Hai, múi giờ của workspace)",
        code="unknown_interval",
    )


def _start_of(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next(day: date, interval: str) -> date:
    if interval == "day":
        return day + timedelta(days=1)
    if interval == "week":
        return day + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_of(instant: datetime, interval: str, zone: str) -> date:
    """The first local day of the period holding ``instant`` (naive = UTC)."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    return _start_of(aware.astimezone(ZoneInfo(zone)).date(), interval)


@dataclass(frozen=True)
class Period:
    """One period: its label, and its bounds as UTC instants (start included)."""

    label: str
    start: datetime  # naive UTC
    end: datetime  # naive UTC, excluded

    @property
    def start_us(self) -> int:
        return _micros(self.start)


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _utc(day: date, zone: ZoneInfo) -> datetime:
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _label(day: date, interval: str) -> str:
    return day.strftime("%Y-%m") if interval == "month" else day.isoformat()


def periods_between(first: datetime, last: datetime, interval: str, zone: str) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last`` (naive
    UTC instants), at most :data:`MAX_PERIODS`."""
    return periods_from_days(
        period_of(first, interval, zone), period_of(last, interval, zone), interval, zone
    )


def periods_from_days(first: date, last: date, interval: str, zone: str) -> list[Period]:
    """Every period from the one holding local day ``first`` to the one holding ``last``."""
    where = ZoneInfo(zone)
    day, end = _start_of(first, interval), _start_of(last, interval)
    out: list[Period] = []
    while day <= end:
        following = _next(day, interval)
        out.append(Period(_label(day, interval), _utc(day, where), _utc(following, where)))
        if len(out) > MAX_PERIODS:
            raise InputError(
                f"--interval {interval}: more than {MAX_PERIODS} periods",
                f"--interval {interval}: hơn {MAX_PERIODS} chu kỳ",
                location=Location(field="--interval"),
                hint_en="use a longer interval (week, month) or a shorter --from/--to",
                hint_vi="dùng chu kỳ dài hơn (week, month) hoặc --from/--to ngắn hơn",
                code="too_many_periods",
            )
        day = following
    return out


def no_data(interval: str) -> InputError:
    """Nothing in the period asked: said, never an empty table that looks like an answer."""
    return InputError(
        f"--interval {interval}: no data in this period (no events in --from/--to and --where)",
        f"--interval {interval}: không có dữ liệu trong khoảng này "
        "(không có sự kiện nào trong --from/--to và --where)",
        location=Location(field="--from"),
        hint_en="widen --from/--to or loosen --where (journeyscope stats shows the data's dates)",
        hint_vi="mở rộng --from/--to hoặc nới --where (journeyscope stats cho biết ngày dữ liệu)",
        code="no_data_in_period",
    )


def assign(micros: np.ndarray, periods: Sequence[Period]) -> np.ndarray:
    """The index of each instant's period (µs since the epoch); −1 outside them all."""
    if not periods:
        return np.full(len(micros), -1, np.int64)
    starts = np.array([p.start_us for p in periods], np.int64)
    end = _micros(periods[-1].end)
    index = np.searchsorted(starts, np.asarray(micros, np.int64), side="right") - 1
    index[(index < 0) | (np.asarray(micros, np.int64) >= end)] = -1
    return index.astype(np.int64)


def _change(now: float | None, before: float | None) -> dict[str, float | None] | None:
    if now is None or before is None:
        return None
    return {
        "absolute": round(now - before, 4),
        "relative": round((now - before) / before, 4) if before else None,
    }


def over_time(
    report: str,
    interval: str,
    zone: str,
    measure: str,
    periods: Sequence[Period],
    found: Sequence[dict[str, Any] | None],
    series: Sequence[str],
) -> dict[str, Any]:
    """The shared shape. ``found[i]`` is period ``i``'s ``{"customers", "values",
    "counts"}`` (``None``: no data); every series appears in every row."""
    rows: list[dict[str, Any]] = []
    previous: dict[str, float | None] = {}
    for period, data in zip(periods, found, strict=True):
        values: dict[str, float | None] = dict.fromkeys(series)
        counts: dict[str, int | None] = dict.fromkeys(series)
        customers = 0
        if data is not None and data.get("customers"):
            customers = int(data["customers"])
            values.update({s: data["values"].get(s) for s in series})
            counts.update({s: data.get("counts", {}).get(s) for s in series})
        rows.append(
            {
                "period": period.label,
                "start": period.start.isoformat() + "Z",
                "end": period.end.isoformat() + "Z",
                "customers": customers,
                "values": values,
                "counts": counts,
                "change": {s: _change(values[s], previous.get(s)) for s in series},
            }
        )
        previous = values
    return {
        "report": report,
        "interval": interval,
        "timezone": zone,
        "measure": measure,
        "series": list(series),
        "periods": rows,
    }
