"""Import of an N-row XLSX sheet: time and peak memory, against a tenth of the rows.

    python bench/bench_xlsx_import.py --events 1000000

The sheet (event_id, ts, event, channel, phone, revenue; inline strings) is written as XML
straight into the zip, a chunk of rows at a time. Each import runs in a fresh child
process, so its peak RSS is its own: a bounded reader shows about the same peak for N and
N/10 rows, where holding every row would grow with N.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from common import bench_args, machine, measure

NS = "http://schemas.openxmlformats.org"
PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{NS}/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{NS}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{NS}/spreadsheetml/2006/main" xmlns:r="{NS}/officeDocument/2006/'
        'relationships"><sheets><sheet name="events" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{NS}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER = ["event_id", "ts", "event", "channel", "phone", "revenue"]
EVENTS = ["page_view", "product_view", "add_to_cart", "checkout", "purchase"]


def _text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(r: int, i: int) -> str:
    cells = [
        _text(f"A{r}", f"e{i}"),
        _text(f"B{r}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00+07:00"),
        _text(f"C{r}", EVENTS[i % 5]),
        _text(f"D{r}", ("web", "shopee", "store", "zalo")[i % 4]),
        _text(f"E{r}", f"09{i % 100_000_000:08d}"),
        f'<c r="F{r}"><v>{(i % 50) * 10_000}</v></c>',
    ]
    return f'<row r="{r}">{"".join(cells)}</row>'


def make_sheet(path: Path, rows: int) -> Path:
    if path.exists():
        return path
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = "".join(_text(f"{c}1", h) for c, h in zip("ABCDEF", HEADER, strict=True))
            sheet.write(
                f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><dimension '
                f'ref="A1:F{rows + 1}"/><sheetData><row r="1">{head}</row>'.encode()
            )
            for start in range(0, rows, 10_000):
                chunk = range(start, min(start + 10_000, rows))
                sheet.write("".join(_row(i + 2, i) for i in chunk).encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


OURS = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
ws = Workspace.init(Path(sys.argv[2]))
reports = []
t = time.perf_counter()
result = ingest_files(ws, [Path(sys.argv[1])], load_mapping(None),
                      progress=lambda label, pct: reports.append(pct))
ws.con.execute("CHECKPOINT")
seconds = time.perf_counter() - t
extra = {"rows": result.accepted, "rejected": result.rejected, "progress_reports": len(reports)}
"""


def main() -> None:
    args = bench_args(__doc__)
    results = {}
    for rows in (args.events // 10, args.events):
        sheet = make_sheet(args.data / f"sheet-{rows}.xlsx", rows)
        target = args.data / f"xlsx-ws-{rows}"
        shutil.rmtree(target, ignore_errors=True)
        try:
            run = measure(OURS, str(sheet), str(target))
        finally:
            shutil.rmtree(target, ignore_errors=True)
        if run["rows"] != rows:
            raise SystemExit(f"stored {run['rows']} rows of {rows}")
        results[rows] = {**run, "sheet_mb": round(sheet.stat().st_size / 2**20, 1)}
    print(json.dumps({"machine": machine(), "runs": results}, indent=2))


if __name__ == "__main__":
    main()
