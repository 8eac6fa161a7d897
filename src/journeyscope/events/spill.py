"""Rows of a big spreadsheet kept out of memory: written in batches to Parquet files.

An XLSX sheet has no columnar reader in DuckDB, so its rows pass through Python. Holding a
million of them as Python lists costs gigabytes; instead each batch of :data:`BATCH_ROWS`
rows becomes one small Parquet file in the workspace's scratch folder, and DuckDB reads the
files as one relation (``union_by_name``: a later, wider batch simply adds columns). Memory
stays at one batch whatever the sheet's length, and the files are removed with the import.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeyscope.errors import Location, OutputError

#: Rows held in memory at once.
BATCH_ROWS = 20_000


@dataclass
class Spilled:
    """The batch files, how many rows they hold, and the widest row (columns ``c0…``)."""

    files: list[Path] = field(default_factory=list)
    rows: int = 0
    width: int = 0

    def remove(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)


def spill_rows(
    rows: Iterable[Sequence[str | None]],
    folder: Path,
    min_width: int = 0,
    report: Callable[[int], None] | None = None,
) -> Spilled:
    """Write ``rows`` (text cells) to Parquet files in ``folder``, a batch at a time.

    Each file has columns ``c0 … c{width-1}`` (the widest row so far, at least
    ``min_width``) and ``_rec``, the 0-based row number; ``report`` hears the rows written.
    On any failure the files written so far are removed.
    """
    spilled = Spilled(width=min_width)
    batch: list[Sequence[str | None]] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                _write_batch(batch, spilled, folder)
                batch = []
                if report is not None:
                    report(spilled.rows)
        if batch:
            _write_batch(batch, spilled, folder)
    except BaseException:
        spilled.remove()
        raise
    return spilled


def sheet_values(ws: Any) -> Iterator[tuple[object, ...]]:
    """The rows of an openpyxl read-only worksheet as tuples of values, in constant memory.

    openpyxl's own loop clears each row it has parsed but leaves it attached to
    ``<sheetData>``, so a million-row sheet keeps a million empty elements (about 150 MB)
    until the end. This walks the same XML with openpyxl's own row parser (so values,
    shared strings, dates and cached formula results are read alike) and detaches every
    row once read; missing rows come back empty, as openpyxl gives them.
    """
    from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    sheet_data_tag = f"{{{SHEET_MAIN_NS}}}sheetData"
    book = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        holder = None
        expected = 1
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == sheet_data_tag:
                    holder = element
                continue
            if element.tag != ROW_TAG:
                continue
            index, cells = parser.parse_row(element)
            parser.row_dimensions.clear()  # row heights and styles: not wanted, not kept
            if holder is not None:
                holder.remove(element)
            while expected < index:
                expected += 1
                yield ()
            if expected <= index:
                expected += 1
                yield _row_values(cells)


def _row_values(cells: list[dict[str, Any]]) -> tuple[object, ...]:
    if not cells:
        return ()
    width = int(cells[-1]["column"])
    values: list[object] = [None] * width
    for cell in cells:
        column = int(cell["column"])
        if 1 <= column <= width:
            values[column - 1] = cell["value"]
    return tuple(values)


def _write_batch(batch: list[Sequence[str | None]], spilled: Spilled, folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    spilled.width = max(spilled.width, *(len(row) for row in batch))
    columns = {
        f"c{i}": pa.array([row[i] if i < len(row) else None for row in batch], pa.string())
        for i in range(spilled.width)
    }
    columns["_rec"] = pa.array(range(spilled.rows, spilled.rows + len(batch)), pa.int64())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="sheet-", suffix=".parquet", dir=folder)
        os.close(fd)
        spilled.files.append(Path(name))
        pq.write_table(pa.table(columns), name)
    except OSError as exc:
        raise OutputError(
            f"cannot write the scratch folder {folder}: {exc.strerror or exc}",
            f"không ghi được thư mục tạm {folder}: {exc.strerror or exc}",
            location=Location(str(folder)),
            hint_en="free some disk space or check the workspace folder's permissions",
            hint_vi="giải phóng dung lượng đĩa hoặc kiểm tra quyền ghi thư mục workspace",
        ) from exc
    spilled.rows += len(batch)
