"""`--from` / `--to` values: a day or an ISO date-time in the workspace's zone, as naive UTC.

One reading for every part that takes a period (analytics' scope, feedback's summary), so
the same text means the same instant everywhere.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_UTC = ZoneInfo("UTC")


def to_utc(text: str, zone: ZoneInfo, end: bool) -> datetime:
    """``YYYY-MM-DD`` is that day's start, or with ``end`` the next day's start (so `--to`
    includes the day); anything else is read as an ISO date-time, local to ``zone`` unless
    it names its own offset. A ``ValueError`` for text that is neither, or for a day whose
    end or UTC instant falls outside the calendar (9999-12-31)."""
    try:
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
            local = datetime.combine(day + timedelta(days=1) if end else day, time())
        else:
            local = datetime.fromisoformat(text)
        if local.tzinfo is None:
            local = local.replace(tzinfo=zone)
        return local.astimezone(_UTC).replace(tzinfo=None)
    except OverflowError as exc:
        raise ValueError(f"{text!r} is outside the calendar") from exc
