"""Why an import refused a row, in Vietnamese.

The import writes each refused row's reason in English into the quarantine CSV: one file
for people, spreadsheets and scripts, whatever the language of the run that wrote it. The
app translates a reason where it shows one (the web app's Data page, through
``activity.read_quarantine``): every reason the import's checks write — the staging query's
(``ingest.staging_sql``, ``orders``) and the line readers' (``readers``) — matches one
pattern here, and a test holds each check to one. What a reason quotes (the value that
would not read as a time, the JSON decoder's own words) stays as written; a value from
the row is put in quotes, so where it ends reads plainly.
"""

from __future__ import annotations

import re

_V = r"(?P<v>.*)"
#: (a whole English reason, its Vietnamese with the same ``{v}``/``{n}``/``{w}``)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), vi)
    for p, vi in [
        (r"missing time", "thiếu thời gian"),
        (
            rf"the UTC offset of {_V} is outside -14:00…\+14:00",
            "độ lệch UTC của “{v}” nằm ngoài -14:00…+14:00",
        ),
        (rf"cannot read {_V} as a time", "không đọc được “{v}” thành thời gian"),
        (rf"{_V} UTC is in the future", "{v} UTC là thời điểm ở tương lai"),
        (rf"{_V} is before 1990 \(wrong epoch unit\?\)", "{v} trước năm 1990 (sai đơn vị epoch?)"),
        (
            r"an identifier must be text or a number, not a JSON object or list",
            "mã định danh phải là văn bản hoặc số, không phải đối tượng hay danh sách JSON",
        ),
        (r"missing event name", "thiếu tên sự kiện"),
        (r"not a number", "không phải là số"),
        (
            r"not a finite number \(NaN, infinite or too large\)",
            "không phải số hữu hạn (NaN, vô cực hoặc quá lớn)",
        ),
        (r"missing id", "thiếu mã sự kiện"),
        (r"no (?P<v>.+)", "không có {v}"),
        (
            r"another line of this order was rejected",
            "một dòng khác của đơn hàng này đã bị từ chối",
        ),
        (
            r"not UTF-8 text \((?P<w>.*) at byte (?P<n>\d+)\)",
            "không phải văn bản UTF-8 ({w} tại byte {n})",
        ),
        (r"not JSON: (?P<w>.*) at column (?P<n>\d+)", "không phải JSON: {w} tại cột {n}"),
        (r"JSON nested deeper than (?P<n>\d+) levels", "JSON lồng sâu quá {n} cấp"),
        (r"not a JSON object", "không phải một đối tượng JSON"),
    ]
]


def reason_vi(reason: str | None) -> str | None:
    """The Vietnamese of an import's reason; None for text no check writes (the English
    is shown then, marked as English)."""
    if not reason:
        return None
    for pattern, vi in _PATTERNS:
        found = pattern.fullmatch(reason)
        if found is not None:
            return vi.format(**found.groupdict())
    return None
