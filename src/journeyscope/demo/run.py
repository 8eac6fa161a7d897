"""The demo: a realistic retailer's data imported, stitched, summarised — and the maps drawn.

``journeyscope demo`` runs this end to end: generate the exports (events/demo_data), import
them with their mappings, resolve identities, measure the planted facts, render the
journey-map templates, and write a self-contained report page per language
(``report.html`` in Vietnamese, ``report.en.html`` in English).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from journeyscope.demo.analysis import analyse
from journeyscope.demo.feedback import FEEDBACK_EVENTS, import_demo_feedback
from journeyscope.demo.findings import measure
from journeyscope.demo.from_data import draw_from_data
from journeyscope.demo.report import report_html
from journeyscope.events.demo_data import generate
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace
from journeyscope.i18n import resolve_language
from journeyscope.identity.profiles import stats
from journeyscope.identity.resolve import resolve
from journeyscope.maps.io import write_atomic
from journeyscope.render import demo as maps_demo

Say = Callable[[str], None]
REPORTS = {"vi": "report.html", "en": "report.en.html"}

SAY: dict[str, tuple[str, str]] = {
    "generating": (
        "generating {n} customers (seed {seed}) → {folder}",
        "đang tạo {n} khách hàng (hạt giống {seed}) → {folder}",
    ),
    "imported": (
        "imported {file}: {new} new, {dupes} already there",
        "đã nhập {file}: {new} mới, {dupes} đã có",
    ),
    "identity": ("identity: {step}", "định danh: {step}"),
    "from_data": (
        "drawing maps from the data: the current state and a day in the life",
        "đang vẽ bản đồ từ dữ liệu: hiện trạng và một ngày của khách hàng",
    ),
    "analysing": (
        "analysing: funnel, stages, touchpoints, paths, retention, attribution",
        "đang phân tích: phễu, giai đoạn, điểm chạm, hành trình, giữ chân, phân bổ",
    ),
}


def _maps_into_workspace(drawn: Path, maps: Path) -> None:
    """The demo's map documents (vi and en) become the workspace's maps, so the web app and
    `map` commands on the workspace find them."""
    maps.mkdir(parents=True, exist_ok=True)
    for source in sorted(drawn.glob("*.yaml")):
        write_atomic(maps / source.name, source.read_text(encoding="utf-8"))


def run_demo(
    workspace: Path,
    output: Path,
    *,
    customers: int = 3000,
    seed: int = 7,
    formats: list[str] | None = None,
    say: Say | None = None,
    progress: bool = False,
    lang: str | None = None,
) -> dict[str, Any]:
    """Run the demo; ``lang`` is the language of the messages (both reports are written)."""
    chosen = resolve_language(lang)

    def tell(key: str, **values: Any) -> None:
        if say is not None:
            en, vi = SAY[key]
            say((vi if chosen == "vi" else en).format(**values))

    timings: dict[str, float] = {}
    start = time.perf_counter()
    ws = Workspace.init(workspace)
    try:
        sources = workspace / "sources"
        tell("generating", n=customers, seed=seed, folder=sources)
        # the demo's shop has planted incidents, which `insights` finds by itself
        facts = generate(sources, customers, seed, incidents=True)
        timings["generate_s"] = time.perf_counter() - start
        imports = import_sources(ws, sources, facts, tell)
        timings["import_s"] = time.perf_counter() - start - timings["generate_s"]
        identity = resolve(ws, step=lambda s: tell("identity", step=_step(s, chosen)))
        timings["identity_s"] = (
            time.perf_counter() - start - timings["generate_s"] - timings["import_s"]
        )
        numbers = stats(ws)
        tell("analysing")
        analysis = analyse(ws)
        findings = measure(ws, sources, facts, identity.to_dict(), int(numbers["customers"]))
        timings["analytics_s"] = time.perf_counter() - start - sum(timings.values())
        tell("from_data")
        from_data = draw_from_data(ws, output / "maps", formats or ["svg", "html"])
        timings["maps_from_data_s"] = time.perf_counter() - start - sum(timings.values())
        money = ws.con.execute(
            """SELECT channel, count(*) AS orders, sum(revenue) AS revenue FROM events
            WHERE event = 'purchase' GROUP BY 1 ORDER BY 3 DESC"""
        ).fetchall()
    finally:
        ws.close()
    output.mkdir(parents=True, exist_ok=True)
    maps = maps_demo.build_demo(output / "maps", formats or ["svg", "html"], progress=progress)
    _maps_into_workspace(output / "maps", workspace / "maps")
    timings["maps_s"] = time.perf_counter() - start - sum(timings.values())
    summary = {
        "workspace": str(workspace),
        "events": numbers["events"],
        "customers": numbers["customers"],
        "identity": identity.to_dict(),
        "imports": imports,
        "facts": facts,
        "findings": findings,
        "orders": [{"channel": c, "orders": o, "revenue": r} for c, o, r in money],
        "channels": numbers["channels"],
        "maps": from_data + maps["items"],
        "analytics": analysis,
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    _write_reports(output, summary)
    write_atomic(
        output / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str)
    )
    summary["report"] = str(output / REPORTS["vi"])
    summary["reports"] = {k: str(output / v) for k, v in REPORTS.items()}
    return summary


STEPS = {
    "normalise": "chuẩn hoá định danh",
    "link": "liên kết",
    "store": "lưu khách hàng",
    "journeys": "dựng hành trình",
}


def _step(name: str, lang: str) -> str:
    return STEPS.get(name, name) if lang == "vi" else name


def import_sources(
    ws: Workspace,
    sources: Path,
    facts: dict[str, Any],
    tell: Callable[..., None] | None = None,
    feedback_to: Path | None = None,
) -> list[dict[str, Any]]:
    """Import the demo's exports as the demo does: the event files with ``ingest``, the
    reviews and survey answers with ``feedback import`` (their CSVs written to
    ``feedback_to``, default ``sources``)."""
    tell = tell or (lambda key, **values: None)
    imports = []
    for item in facts["files"]:
        if item["file"] == FEEDBACK_EVENTS:  # as a survey CSV and a review export, below
            continue
        mapping = load_mapping(sources / item["mapping"] if item["mapping"] else None)
        result = ingest_files(ws, [sources / item["file"]], mapping)
        imports.append(
            {"file": item["file"], **{k: v for k, v in result.to_dict().items() if k != "files"}}
        )
        tell("imported", file=item["file"], new=result.accepted, dupes=result.duplicates)
    for done in import_demo_feedback(ws, sources, feedback_to):
        imports.append({k: v for k, v in done.items() if k != "columns"})
        tell("imported", file=done["file"], new=done["accepted"], dupes=done["duplicates"])
    return imports


def _write_reports(output: Path, summary: dict[str, Any]) -> None:
    """``report.html`` (Vietnamese) and ``report.en.html``, each linking the other."""
    # the current state drawn from this data, else the hand-drawn template's
    featured = {
        lang: next(
            (
                path
                for path in (
                    output / "maps" / f"from-data-current-state.{lang}.svg",
                    output / "maps" / f"retail-current-state.{lang}.svg",
                )
                if path.exists()
            ),
            output / "maps" / f"retail-current-state.{lang}.svg",
        )
        for lang in REPORTS
    }
    page = {
        **summary,
        "featured_map": {
            lang: path.read_text(encoding="utf-8") if path.exists() else ""
            for lang, path in featured.items()
        },
        "featured_from_data": {
            lang: path.name.startswith("from-data-") for lang, path in featured.items()
        },
    }
    for lang, name in REPORTS.items():
        other = REPORTS["en" if lang == "vi" else "vi"]
        write_atomic(output / name, report_html(page, lang, other))
