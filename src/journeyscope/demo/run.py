"""The demo: a realistic retailer's data imported, stitched, summarised — and the maps drawn.

``journeyscope demo`` runs this end to end: generate the exports (events/demo_data), import
them with their mappings, resolve identities, render the journey-map templates, and write a
self-contained report page with the key numbers and charts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from journeyscope.demo.analysis import analyse, analysis_html
from journeyscope.events.demo_data import generate
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import format_number, format_vnd
from journeyscope.identity.profiles import stats
from journeyscope.identity.resolve import resolve
from journeyscope.maps.io import write_atomic
from journeyscope.render import demo as maps_demo
from journeyscope.render.charts import bar_chart
from journeyscope.render.html_page import CSP, CSS

Say = Callable[[str], None]


def run_demo(
    workspace: Path,
    output: Path,
    *,
    customers: int = 3000,
    seed: int = 7,
    formats: list[str] | None = None,
    say: Say | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    tell = say or (lambda _m: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    ws = Workspace.init(workspace)
    try:
        sources = workspace / "sources"
        tell(f"generating {customers} customers (seed {seed}) → {sources}")
        facts = generate(sources, customers, seed)
        timings["generate_s"] = time.perf_counter() - start
        imports = []
        for item in facts["files"]:
            mapping = load_mapping(sources / item["mapping"] if item["mapping"] else None)
            result = ingest_files(ws, [sources / item["file"]], mapping)
            imports.append(
                {
                    "file": item["file"],
                    **{k: v for k, v in result.to_dict().items() if k != "files"},
                }
            )
            tell(
                f"imported {item['file']}: {result.accepted} new, {result.duplicates} already there"
            )
        timings["import_s"] = time.perf_counter() - start - timings["generate_s"]
        identity = resolve(ws, step=lambda s: tell(f"identity: {s}"))
        timings["identity_s"] = (
            time.perf_counter() - start - timings["generate_s"] - timings["import_s"]
        )
        numbers = stats(ws)
        tell("analysing: funnel, stages, touchpoints, paths, retention")
        analysis = analyse(ws)
        timings["analytics_s"] = time.perf_counter() - start - sum(timings.values())
        money = ws.con.execute(
            """SELECT channel, count(*) AS orders, sum(revenue) AS revenue FROM events
            WHERE event = 'purchase' GROUP BY 1 ORDER BY 3 DESC"""
        ).fetchall()
    finally:
        ws.close()
    output.mkdir(parents=True, exist_ok=True)
    maps = maps_demo.build_demo(output / "maps", formats or ["svg", "html"], progress=progress)
    timings["maps_s"] = time.perf_counter() - start - sum(timings.values())
    summary = {
        "workspace": str(workspace),
        "events": numbers["events"],
        "customers": numbers["customers"],
        "identity": identity.to_dict(),
        "imports": imports,
        "facts": facts,
        "orders": [{"channel": c, "orders": o, "revenue": r} for c, o, r in money],
        "channels": numbers["channels"],
        "maps": maps["items"],
        "analytics": analysis,
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    report = output / "report.html"
    featured = output / "maps" / "retail-current-state.vi.svg"
    summary["featured_map"] = featured.read_text(encoding="utf-8") if featured.exists() else ""
    write_atomic(report, report_html(summary))
    del summary["featured_map"]
    write_atomic(
        output / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str)
    )
    summary["report"] = str(report)
    return summary


def _card(label_vi: str, label_en: str, value: str) -> str:
    return (
        f"<div class='card'><div class='v'>{escape(value)}</div>"
        f"<div class='l'>{escape(label_vi)}<br><span>{escape(label_en)}</span></div></div>"
    )


def _facts_json(value: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in value.items() if k != "why"}, ensure_ascii=False)


def _map_link(item: dict[str, Any]) -> str:
    files = item["files"]
    target = files[1] if len(files) > 1 else files[0]
    return (
        f"<li><a href='maps/{escape(target)}'>{escape(item['title'])}</a> "
        f"({escape(item['lang'])})</li>"
    )


REPORT_CSS = (
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px}"
    ".card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;"
    "min-width:150px}.card .v{font-size:22px;font-weight:700}.card .l{color:#374151}"
    ".card span{color:#6b7280;font-size:12px}section{background:#fff;margin:12px;"
    "padding:12px;border:1px solid #e5e7eb;border-radius:8px;overflow-x:auto}"
    "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #e5e7eb;"
    "text-align:left}.map{overflow-x:auto;margin:8px 0}"
)


def _featured(s: dict[str, Any]) -> str:
    """The retail current-state map inline, so the page stands alone (our own escaped SVG)."""
    svg = str(s.get("featured_map") or "")
    if not svg:
        return ""
    svg = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    return f"<div class='map'>{svg}</div>"


def report_html(s: dict[str, Any]) -> str:
    ident = s["identity"]
    orders = sum(o["orders"] for o in s["orders"])
    revenue = sum(o["revenue"] or 0 for o in s["orders"])
    cards = "".join(
        [
            _card("Sự kiện", "Events", format_number(s["events"], "vi")),
            _card(
                "Khách hàng (đã gộp)", "Customers (stitched)", format_number(s["customers"], "vi")
            ),
            _card("Định danh", "Identifiers", format_number(ident["identifiers"], "vi")),
            _card("Đơn hàng", "Orders", format_number(orders, "vi")),
            _card("Doanh thu", "Revenue", format_vnd(revenue, "vi")),
            _card(
                "Sự kiện chưa gắn khách",
                "Unattributed events",
                format_number(ident["unattributed_events"], "vi"),
            ),
        ]
    )
    by_channel = bar_chart(
        "Sự kiện theo kênh / Events by channel",
        [(c["channel"], c["events"]) for c in s["channels"]],
    )
    by_revenue = bar_chart(
        "Doanh thu theo kênh (₫) / Revenue by channel (VND)",
        [(o["channel"], o["revenue"] or 0) for o in s["orders"]],
        color="#0f766e",
    )
    excluded = "".join(
        f"<li><code>{escape(x['identifier'])}</code> — {escape(x['reason'])}: "
        f"{x['links']} × {escape(str(x['linked_type']))}</li>"
        for x in ident["excluded_identifiers"]
    )
    facts = s["facts"]
    planted = "".join(
        f"<li><b>{escape(key)}</b>: {escape(_facts_json(value))}"
        f" — {escape(value.get('why', ''))}</li>"
        for key, value in facts.items()
        if isinstance(value, dict) and "why" in value
    )
    imports = "".join(
        f"<tr><td>{escape(i['file'])}</td><td>{i['accepted']}</td><td>{i['duplicates']}</td><td>{i['rejected']}</td></tr>"
        for i in s["imports"]
    )
    maps = "".join(_map_link(m) for m in s["maps"])
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>JourneyScope — báo cáo demo / demo report</title><style>{CSS}{REPORT_CSS}"
        "</style></head><body><header><h1>JourneyScope — Nhà bán lẻ đa kênh (dữ liệu demo) / "
        "Omnichannel retailer (demo data)</h1></header>"
        f"<div class='cards'>{cards}</div>"
        f"<section>{by_channel}</section><section>{by_revenue}</section>"
        "<section><h2>Gộp định danh / Identity resolution</h2>"
        f"<p>{ident['customers']} khách hàng từ {ident['identifiers']} định danh; "
        f"{ident['invalid_identifiers']} giá trị không hợp lệ. "
        "Bị loại khỏi liên kết / excluded from linking:</p>"
        f"<ul>{excluded}</ul></section>"
        f"{analysis_html(s['analytics'])}"
        f"<section><h2>Sự thật được cài sẵn / Planted facts</h2><ul>{planted}</ul></section>"
        "<section><h2>Nhập dữ liệu / Imports</h2><table><tr><th>Tệp / File</th><th>Mới / New</th>"
        f"<th>Trùng / Duplicates</th><th>Lỗi / Rejected</th></tr>{imports}</table></section>"
        f"<section><h2>Bản đồ hành trình / Journey maps</h2>{_featured(s)}<ul>{maps}</ul></section>"
        "</body></html>\n"
    )
