"""What has arrived lately, and the rows an import refused — for the web app's Data page.

Every import (a file, or one pass of the collection loader) is a row of ``imports`` with
its source, its start time and how many rows it stored, so "events received per source in
the last hour / day" is a sum over those rows: it counts arrivals, whatever times the
events themselves carry (a file of last year's orders imported now is activity now).

A quarantine file (``quarantine/ingest-<time>.csv``, written by ``events.ingest``) holds
the refused rows with their file, line, field and reason; :func:`read_quarantine` reads
one back by the name an import's result gives, and only from that folder.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import local_iso

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: the file name an import's result gives (``quarantine/ingest-20260101T101010123456.csv``)
QUARANTINE_NAME = re.compile(r"^(?:quarantine/)?(ingest-[0-9T]{15,22}\.csv)$")
RECENT_IMPORTS = 20


def arrivals(ws: Workspace, now: datetime | None = None) -> dict[str, Any]:
    """Events stored per source in the last hour and day and in all, with each source's
    last arrival; the most recent imports (file, source, stored, duplicates, refused)."""
    at = now or datetime.now(UTC).replace(tzinfo=None)
    zone = ws.config.timezone
    rows = ws.con.execute(
        """SELECT source,
                  coalesce(sum(accepted) FILTER (started_at >= $hour), 0),
                  coalesce(sum(accepted) FILTER (started_at >= $day), 0),
                  sum(accepted), max(started_at)
           FROM imports GROUP BY source ORDER BY 4 DESC, 1""",
        {"hour": at - HOUR, "day": at - DAY},
    ).fetchall()
    recent = ws.con.execute(
        "SELECT import_id, file_name, source, started_at, accepted, duplicates, rejected "
        "FROM imports ORDER BY import_id DESC LIMIT ?",
        [RECENT_IMPORTS],
    ).fetchall()
    return {
        "at": local_iso(at, zone),
        "timezone": zone,
        "sources": [
            {
                "source": source,
                "last_hour": int(hour),
                "last_day": int(day),
                "total": int(total),
                "last_arrival": local_iso(last, zone),
            }
            for source, hour, day, total, last in rows
        ],
        "imports": [
            {
                "import_id": int(iid),
                "file": name,
                "source": source,
                "started_at": local_iso(started, zone),
                "accepted": int(accepted),
                "duplicates": int(dups),
                "rejected": int(rejected),
            }
            for iid, name, source, started, accepted, dups, rejected in recent
        ],
    }


def _bad_name(name: str) -> InputError:
    return InputError(
        f"{name!r} is not a quarantine file of an import",
        f"{name!r} không phải tệp cách ly của một lần nhập",
        location=Location(field="file"),
        hint_en="pass the `quarantine` value of the import's result",
        hint_vi="hãy dùng giá trị `quarantine` trong kết quả của lần nhập",
        code="invalid_option",
    )


def read_quarantine(ws: Workspace, name: str, limit: int = 200) -> dict[str, Any]:
    """The refused rows of one import: ``file``, ``line``, ``field``, ``reason`` (English,
    as the CLI writes it), ``reason_vi`` (its Vietnamese, :mod:`reasons`; None for a
    reason no check writes) and the ``record`` as read, the first ``limit`` of them."""
    from journeyscope.events.reasons import reason_vi

    match = QUARANTINE_NAME.match(name)
    if match is None:
        raise _bad_name(name)
    path = ws.root / "quarantine" / match.group(1)
    if not path.is_file():
        raise NotFound(
            f"no quarantine file {match.group(1)} (forgotten or removed)",
            f"không có tệp cách ly {match.group(1)} (đã bị xoá)",
            location=Location(field="file"),
            code="unknown_quarantine",
        )
    rows: list[dict[str, Any]] = []
    total = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            total += 1
            if len(rows) < limit:
                line = row.get("line") or ""
                rows.append(
                    {
                        "file": row.get("file"),
                        "line": int(line) if line.isdigit() else None,
                        "field": row.get("field"),
                        "reason": row.get("reason"),
                        "reason_vi": reason_vi(row.get("reason")),
                        "record": row.get("record"),
                    }
                )
    return {"file": f"quarantine/{match.group(1)}", "rows": rows, "total": total}
