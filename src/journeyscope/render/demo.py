"""The demo's maps: every template drawn in Vietnamese and English, with an index page.

A progress bar (on the terminal, removed when done) names each file as it is drawn: PDF and
PNG go through Chromium and take seconds each.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from journeyscope.maps.io import dump_document, write_atomic
from journeyscope.maps.library import persona_library
from journeyscope.maps.model import MAP_TYPES
from journeyscope.maps.templates import list_templates, template_data
from journeyscope.maps.text import localize
from journeyscope.maps.validate import check_data
from journeyscope.render.html_page import CSP, CSS
from journeyscope.render.outputs import output_format, render_to_file


def build_demo(folder: Path, formats: list[str], progress: bool = True) -> dict[str, Any]:
    for fmt in formats:
        output_format(Path(f"x.{fmt}"))  # fail early on an unknown format
    folder.mkdir(parents=True, exist_ok=True)
    library = persona_library()
    templates = list_templates()
    jobs = [(info, lang) for info in templates for lang in ("vi", "en")]
    written: list[dict[str, Any]] = []
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
    )
    with Progress(*columns, disable=not progress, transient=True) as bar:
        task = bar.add_task("Vẽ bản đồ / Drawing maps", total=len(jobs) * len(formats), current="")
        for info, lang in jobs:
            data = template_data(info.id, lang)
            source = folder / f"{info.id}.{lang}.yaml"
            checked = check_data(data, {}, str(source), library)
            assert checked.map is not None
            write_atomic(source, dump_document(checked.map))
            files = [source.name]
            for fmt in formats:
                target = folder / f"{info.id}.{lang}.{fmt}"
                bar.update(task, current=target.name)
                render_to_file(checked.map, checked.personas, target, lang)
                files.append(target.name)
                bar.advance(task)
            written.append(
                {
                    "template": info.id,
                    "lang": lang,
                    "type": info.type,
                    "title": localize(checked.map.title, lang),
                    "files": files,
                }
            )
    index = folder / "index.html"
    write_atomic(index, _index_html(written))
    return {"maps": len(written), "folder": str(folder), "index": str(index), "items": written}


def _index_html(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        en, vi = MAP_TYPES[item["type"]]
        links = " · ".join(
            f"<a href='{escape(name)}'>{escape(name.rsplit('.', 1)[-1])}</a>"
            for name in item["files"]
        )
        rows.append(
            f"<tr><td>{escape(item['title'])}</td><td>{escape(vi if item['lang'] == 'vi' else en)}"
            f"</td><td>{escape(item['lang'])}</td><td>{links}</td></tr>"
        )
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>JourneyScope demo</title><style>{CSS}"
        "table{border-collapse:collapse;margin:12px;background:#fff}"
        "td,th{padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left}</style>"
        "</head><body><header><h1>JourneyScope — bản đồ hành trình khách hàng / "
        "customer journey maps</h1></header><table><tr><th>Bản đồ / Map</th><th>Loại / Type</th>"
        f"<th>Ngôn ngữ</th><th>Tệp / Files</th></tr>{''.join(rows)}</table></body></html>\n"
    )
