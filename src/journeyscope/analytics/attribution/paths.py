"""Aggregated conversion paths: the input every attribution model reads.

A path is the sequence of channels (or touchpoints) a journey touched; each distinct path
carries its conversions, their value, and the journeys on it that did not convert
("nulls"). Paths come from a file in the peers' format (``read_path_file``) or, later, from a
workspace's journeys.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from journeyscope.errors import InputError, Location, missing_file

SEPARATORS = (">", "|", "→", ",")


@dataclass
class PathTable:
    """Distinct paths as tuples of channel indexes, with their counts."""

    channels: list[str]
    paths: list[tuple[int, ...]] = field(default_factory=list)
    conversions: list[float] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    nulls: list[float] = field(default_factory=list)

    @property
    def total_conversions(self) -> float:
        return math.fsum(self.conversions)

    @property
    def total_value(self) -> float:
        return math.fsum(self.value)

    def add(self, names: list[str], conversions: float, value: float, nulls: float) -> None:
        index = {c: i for i, c in enumerate(self.channels)}
        ids = []
        for name in names:
            if name not in index:
                index[name] = len(self.channels)
                self.channels.append(name)
            ids.append(index[name])
        self.paths.append(tuple(ids))
        self.conversions.append(conversions)
        self.value.append(value)
        self.nulls.append(nulls)


def _bad(
    path: Path, line: int, column: str, en: str, vi: str, hint: str, hint_vi: str
) -> InputError:
    return InputError(
        en,
        vi,
        location=Location(file=str(path), line=line, field=column),
        hint_en=hint,
        hint_vi=hint_vi,
        code="invalid_file",
    )


def read_path_file(
    path: Path,
    path_col: str = "path",
    conv_col: str = "total_conversions",
    value_col: str | None = None,
    null_col: str | None = None,
    sep: str = ">",
    delimiter: str | None = None,
) -> PathTable:
    """Read ``path;total_conversions;...`` files as ChannelAttribution and others write them.

    The column delimiter is sniffed when not given. Every row is checked: a path must not be
    empty, counts must be numbers ≥ 0, and a row must convert or carry nulls; mistakes name
    the file, line and column.
    """
    if not path.exists():
        raise missing_file(path)
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    if delimiter is None:
        delimiter = max((";", ",", "\t", "|"), key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = reader.fieldnames or []
    for col in (path_col, conv_col, value_col, null_col):
        if col is not None and col not in header:
            raise _bad(
                path,
                1,
                col,
                f"no column {col!r} (columns: {', '.join(header)})",
                f"không có cột {col!r} (các cột: {', '.join(header)})",
                "name the columns with --path-col/--conv-col/--value-col/--null-col",
                "đặt tên cột bằng --path-col/--conv-col/--value-col/--null-col",
            )
    table = PathTable(channels=[])
    for line, row in enumerate(reader, start=2):
        raw = row.get(path_col) or ""
        names = [p.strip() for p in raw.split(sep)]
        other = next((o for o in SEPARATORS if o != sep and any(o in n for n in names)), None)
        if other is not None:
            raise _bad(
                path,
                line,
                path_col,
                f"the path {raw!r} looks separated by {other!r}, not {sep!r}",
                f"đường đi {raw!r} có vẻ phân tách bằng {other!r}, không phải {sep!r}",
                f"pass --sep {other!r} (channel names may not contain it)",
                f"dùng --sep {other!r} (tên kênh không được chứa ký tự này)",
            )
        if not raw.strip() or any(not n for n in names):
            raise _bad(
                path,
                line,
                path_col,
                "an empty path or an empty step in it",
                "đường đi rỗng hoặc có bước rỗng",
                f"write channels separated by {sep!r}, e.g. facebook {sep} zalo",
                f"viết các kênh cách nhau bởi {sep!r}, ví dụ facebook {sep} zalo",
            )
        numbers = []
        for col in (conv_col, value_col, null_col):
            if col is None:
                numbers.append(0.0)
                continue
            try:
                number = float(row.get(col) or "0")
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or number < 0:
                raise _bad(
                    path,
                    line,
                    col,
                    f"{col} must be a number ≥ 0, got {row.get(col)!r}",
                    f"{col} phải là số ≥ 0, nhận {row.get(col)!r}",
                    "fix the count on that line",
                    "sửa số đếm ở dòng đó",
                )
            numbers.append(number)
        conversions, value, nulls = numbers
        table.add(names, conversions, value, nulls)
    if not table.paths:
        raise _bad(
            path,
            1,
            path_col,
            "no paths in the file",
            "tệp không có đường đi nào",
            "one path per line after the header",
            "mỗi dòng sau dòng tiêu đề là một đường đi",
        )
    return table
