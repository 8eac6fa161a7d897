"""Journey maps to and from Excel, laid out like the articles' grids.

Export writes one sheet per language (``Map (en)``, ``Map (vi)``; just ``Map`` when the map
has no bilingual text): stages across, lanes down, one item per line in a cell, a
touchpoint's channel as ``[zalo]`` before its text, blueprint tags as ``#people`` after it,
emotion rows as ``1.5 · note``. Hidden keys (stage ids in row 4, lane ids in column A) and
a ``journeyscope`` sheet with the map's structure make the round trip lossless; cells a
user edited are read back from their text. A hand-made grid with no keys imports too:
the first row with several filled cells is taken as the stage header.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from journeyscope.errors import DocumentError, Location
from journeyscope.maps.io import to_plain
from journeyscope.maps.lanes import LANE_KINDS
from journeyscope.maps.model import (
    CellEntry,
    EmotionPoint,
    Item,
    JourneyMap,
    as_item,
    emotion_point,
)
from journeyscope.maps.text import Localized, Text, languages_of, localize, make_text

META_SHEET = "journeyscope"
KEY_ROW, HEADER_ROW, FIRST_ROW = 4, 5, 6
EMOTION_KEY = "emotion:"
_LINE = re.compile(r"^(?:\[(?P<ch>[a-z0-9_]+)\]\s*)?(?P<text>.*?)(?P<tags>(?:\s+#[a-z0-9_\-]+)*)$")
_SCORE = re.compile(r"^\s*(?P<score>[+-]?\d+(?:[.,]\d+)?)\s*(?:·\s*(?P<note>.*))?$", re.S)


# ---------------------------------------------------------------- export


def map_languages(m: JourneyMap) -> list[str]:
    found: set[str] = set()
    for value in _all_texts(m):
        found |= languages_of(value)
    return ["en", "vi"] if found else [m.language]


def _all_texts(m: JourneyMap) -> list[Text]:
    texts: list[Text] = [m.title]
    texts += [s.name for s in m.stages]
    for lane in m.lanes:
        for entries in lane.cells.values():
            texts += [as_item(e).text for e in entries]
    for curve in m.emotions:
        for value in curve.points.values():
            note = emotion_point(value).note
            if note is not None:
                texts.append(note)
    return texts


def item_line(entry: CellEntry, lang: str) -> str:
    item = as_item(entry)
    text = localize(item.text, lang).replace("\n", " ")
    prefix = f"[{item.channel}] " if item.channel else ""
    suffix = "".join(f" #{tag}" for tag in item.tags)
    return f"{prefix}{text}{suffix}"


def score_text(value: float | EmotionPoint, lang: str) -> str:
    point = emotion_point(value)
    text = f"{point.score:g}"
    if point.note is not None:
        text += f" · {localize(point.note, lang)}"
    return text


def _lane_title(lane_kind: str, title: Text | None, lang: str) -> str:
    if title is not None:
        return localize(title, lang)
    info = LANE_KINDS[lane_kind]
    return info.vi if lang == "vi" else info.en


def _default_names(m: JourneyMap) -> dict[str, Text]:
    from journeyscope.maps.library import persona_library
    from journeyscope.maps.personas import Persona

    names: dict[str, Text] = {pid: p.name for pid, p in persona_library().items()}
    names.update({p.id: p.name for p in m.personas if isinstance(p, Persona)})
    return names


def sheet_name(lang: str, languages: list[str]) -> str:
    return "Map" if len(languages) == 1 else f"Map ({lang})"


def export_xlsx(m: JourneyMap, persona_names: dict[str, Text] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    names = persona_names if persona_names is not None else _default_names(m)
    languages = map_languages(m)
    wb = Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for lang in languages:
        ws = wb.create_sheet(sheet_name(lang, languages))
        ws["B1"] = localize(m.title, lang)
        ws["B1"].font = Font(bold=True, size=16)
        ws["B2"] = localize(m.description, lang) if m.description else None
        ws.cell(KEY_ROW, 1, "key")
        ws.cell(HEADER_ROW, 2, "Giai đoạn →" if lang == "vi" else "Stage →").font = Font(bold=True)
        for col, stage in enumerate(m.stages, start=3):
            ws.cell(KEY_ROW, col, stage.id)
            cell = ws.cell(HEADER_ROW, col, localize(stage.name, lang))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1D4ED8")
            cell.alignment = wrap
            ws.column_dimensions[cell.column_letter].width = 36
        row = FIRST_ROW
        for lane in m.lanes:
            if lane.kind == "emotions":
                for curve in m.emotions:
                    persona = localize(names.get(curve.persona, curve.persona), lang)
                    label = "Cảm xúc" if lang == "vi" else "Emotion"
                    ws.cell(row, 1, f"{EMOTION_KEY}{curve.persona}")
                    ws.cell(row, 2, f"{label}: {persona}").font = Font(bold=True)
                    for col, stage in enumerate(m.stages, start=3):
                        if stage.id in curve.points:
                            ws.cell(row, col, score_text(curve.points[stage.id], lang))
                    row += 1
                continue
            ws.cell(row, 1, lane.id)
            ws.cell(row, 2, _lane_title(lane.kind, lane.title, lang)).font = Font(bold=True)
            for col, stage in enumerate(m.stages, start=3):
                entries = lane.cells.get(stage.id, [])
                if entries:
                    cell = ws.cell(row, col, "\n".join(item_line(e, lang) for e in entries))
                    cell.alignment = wrap
            row += 1
        ws.column_dimensions["A"].hidden = True
        ws.column_dimensions["B"].width = 28
        ws.row_dimensions[KEY_ROW].hidden = True
        ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    meta = wb.create_sheet(META_SHEET)
    meta["A1"] = "JourneyScope map structure - do not edit"
    meta["A2"] = json.dumps(to_plain(m), ensure_ascii=False)
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- import


def _not_a_map(path: Path, why_en: str, why_vi: str, sheet: str | None = None) -> DocumentError:
    return DocumentError(
        f"this workbook is not a journey map: {why_en}",
        f"tệp Excel này không phải bản đồ hành trình: {why_vi}",
        location=Location(file=str(path), field=f"sheet {sheet!r}" if sheet else None),
        hint_en="export a map with `journeyscope map render MAP -o MAP.xlsx` to see the layout, "
        "or put stage names in one row and lane names in the first column",
        hint_vi="xuất thử một bản đồ bằng `journeyscope map render MAP -o MAP.xlsx` để xem bố "
        "cục, hoặc đặt tên giai đoạn trên một hàng và tên các hàng ở cột đầu tiên",
    )


def import_xlsx(path: Path) -> JourneyMap:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # openpyxl raises many types for files that are not xlsx
        raise _not_a_map(
            path,
            f"cannot open it as .xlsx ({type(exc).__name__})",
            f"không mở được dưới dạng .xlsx ({type(exc).__name__})",
        ) from None
    if META_SHEET in wb.sheetnames:
        return _import_keyed(path, wb)
    return _import_plain(path, wb)


def _sheet_lang(name: str) -> str | None:
    match = re.fullmatch(r"Map \((en|vi)\)", name)
    return match.group(1) if match else None


def _cell_lines(value: Any) -> list[str]:
    if value is None:
        return []
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def _import_keyed(path: Path, wb: Any) -> JourneyMap:
    raw = wb[META_SHEET]["A2"].value
    try:
        original = JourneyMap.model_validate(json.loads(raw))
    except (TypeError, ValueError) as exc:
        raise _not_a_map(
            path,
            f"the structure sheet is damaged ({exc})",
            f"trang cấu trúc bị hỏng ({exc})",
            META_SHEET,
        ) from None
    sheets = {
        (_sheet_lang(n) or original.language): wb[n]
        for n in wb.sheetnames
        if n == "Map" or _sheet_lang(n)
    }
    if not sheets:
        raise _not_a_map(path, "no 'Map' sheet", "không có trang 'Map'")
    grids = {lang: _read_grid(ws) for lang, ws in sheets.items()}
    data = to_plain(original)
    data["title"] = _merged_plain(original.title, {k: g.title for k, g in grids.items()})
    for index, stage in enumerate(original.stages):
        names = {k: g.stage_names.get(stage.id) for k, g in grids.items()}
        data["stages"][index]["name"] = _merged_plain(stage.name, names)
    for index, lane in enumerate(original.lanes):
        if lane.kind == "emotions":
            continue
        cells: dict[str, Any] = {}
        for stage in original.stages:
            lines = {k: g.cells.get((lane.id, stage.id), []) for k, g in grids.items()}
            entries = lane.cells.get(stage.id, [])
            if all([item_line(e, k) for e in entries] == v for k, v in lines.items()):
                if entries:
                    cells[stage.id] = [_plain_entry(e) for e in entries]
            else:
                parsed = _parse_items(lines)
                if parsed:
                    cells[stage.id] = parsed
        data["lanes"][index]["cells"] = cells
    data["emotions"] = [
        _emotion_curve(curve_id, grids, original)
        for curve_id in [c.persona for c in original.emotions]
    ]
    return JourneyMap.model_validate(data)


def _plain_entry(entry: CellEntry) -> Any:
    return entry if isinstance(entry, str) else to_plain(entry)


def _merged_plain(original: Text, seen: dict[str, str | None]) -> Any:
    if all(v is None or localize(original, k) == v for k, v in seen.items()):
        return original if isinstance(original, str) else to_plain(original)
    return _to_plain_text(make_text(seen.get("en"), seen.get("vi")))


def _to_plain_text(value: Text) -> Any:
    return value if isinstance(value, str) else to_plain(value)


def _parse_items(lines: dict[str, list[str]]) -> list[Any]:
    count = max((len(v) for v in lines.values()), default=0)
    items: list[Any] = []
    for i in range(count):
        parsed = {k: _LINE.match(v[i]) if i < len(v) else None for k, v in lines.items()}
        texts = {k: (m.group("text") if m else None) for k, m in parsed.items()}
        first = next(m for m in parsed.values() if m)
        channel = first.group("ch")
        tags = re.findall(r"#([a-z0-9_\-]+)", first.group("tags") or "")
        text = make_text(texts.get("en"), texts.get("vi"))
        if channel or tags:
            entry = Item(text=text, channel=channel, tags=tags)
            items.append(to_plain(entry))
        else:
            items.append(_to_plain_text(text))
    return items


def _emotion_curve(persona: str, grids: dict[str, _Grid], original: JourneyMap) -> dict[str, Any]:
    curve = next(c for c in original.emotions if c.persona == persona)
    points: dict[str, Any] = {}
    for stage in original.stages:
        seen = {k: g.cells.get((f"{EMOTION_KEY}{persona}", stage.id)) for k, g in grids.items()}
        old = curve.points.get(stage.id)
        if old is not None and all([score_text(old, k)] == (v or []) for k, v in seen.items()):
            points[stage.id] = old if isinstance(old, float | int) else to_plain(old)
            continue
        parsed = _parse_score({k: (v[0] if v else None) for k, v in seen.items()}, stage.id)
        if parsed is not None:
            points[stage.id] = parsed
    return {"persona": persona, "points": points}


def _parse_score(texts: dict[str, str | None], stage_id: str) -> Any:
    matches = {k: _SCORE.match(v) for k, v in texts.items() if v}
    if not matches:
        return None
    bad = [v for k, v in texts.items() if v and not matches.get(k)]
    if bad:
        raise DocumentError(
            f"emotion cell {bad[0]!r} at stage {stage_id!r} is not a score like '1.5 · note'",
            f"ô cảm xúc {bad[0]!r} ở giai đoạn {stage_id!r} không phải điểm dạng '1.5 · ghi chú'",
        )
    first = next(m for m in matches.values() if m)
    score = float(first.group("score").replace(",", "."))
    notes = {k: (m.group("note") or "").strip() or None for k, m in matches.items() if m}
    if not any(notes.values()):
        return score
    note = make_text(notes.get("en"), notes.get("vi"))
    return {"score": score, "note": _to_plain_text(note)}


class _Grid:
    def __init__(self) -> None:
        self.title: str | None = None
        self.stage_names: dict[str, str] = {}
        self.cells: dict[tuple[str, str], list[str]] = {}


def _read_grid(ws: Any) -> _Grid:
    grid = _Grid()
    grid.title = ws["B1"].value
    stage_cols: dict[int, str] = {}
    for col in range(3, ws.max_column + 1):
        key = ws.cell(KEY_ROW, col).value
        if key:
            stage_cols[col] = str(key)
            grid.stage_names[str(key)] = str(ws.cell(HEADER_ROW, col).value or "")
    for row in range(FIRST_ROW, ws.max_row + 1):
        key = ws.cell(row, 1).value
        if not key:
            continue
        for col, stage_id in stage_cols.items():
            grid.cells[(str(key), stage_id)] = _cell_lines(ws.cell(row, col).value)
    return grid


_KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("emotions", ("emotion", "cảm xúc", "feeling")),
    ("pain_points", ("pain", "điểm đau", "khó khăn")),
    ("pleasure_points", ("pleasure", "hài lòng", "delight")),
    ("touchpoints", ("touchpoint", "điểm chạm", "điểm tiếp xúc")),
    ("channels", ("channel", "kênh")),
    ("thoughts", ("thought", "suy nghĩ")),
    ("actions", ("action", "hành động")),
    ("goals", ("goal", "mục tiêu")),
    ("opportunities", ("opportunit", "cơ hội")),
    ("owners", ("owner", "department", "bộ phận", "phụ trách")),
    ("kpis", ("kpi", "metric", "chỉ số")),
    ("questions", ("question", "câu hỏi")),
    ("services", ("service", "dịch vụ")),
]


def guess_kind(title: str) -> str:
    low = title.lower()
    for kind, words in _KIND_WORDS:
        if any(word in low for word in words):
            return kind
    return "notes"


def _slug(text: str, used: set[str]) -> str:
    import unicodedata

    base = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    base = "".join(ch for ch in base if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:40] or "x"
    slug = slug if slug[0].isalnum() else f"x{slug}"
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate


def _import_plain(path: Path, wb: Any) -> JourneyMap:
    ws = wb.worksheets[0]
    header_row = None
    for row in range(1, min(ws.max_row, 30) + 1):
        values = [ws.cell(row, c).value for c in range(2, ws.max_column + 1)]
        if sum(1 for v in values if v not in (None, "")) >= 2:
            header_row = row
            break
    if header_row is None:
        raise _not_a_map(
            path,
            "no row with two or more stage names was found",
            "không tìm thấy hàng nào có từ hai tên giai đoạn trở lên",
            ws.title,
        )
    used: set[str] = set()
    stage_cols = {
        c: str(ws.cell(header_row, c).value).strip()
        for c in range(2, ws.max_column + 1)
        if ws.cell(header_row, c).value not in (None, "")
    }
    stages = [{"id": _slug(name, used), "name": name} for name in stage_cols.values()]
    ids = dict(zip(stage_cols, [s["id"] for s in stages], strict=True))
    lanes: list[dict[str, Any]] = []
    emotions: dict[str, float] = {}
    lane_ids: set[str] = set()
    for row in range(header_row + 1, ws.max_row + 1):
        title = ws.cell(row, 1).value
        if title in (None, ""):
            continue
        kind = guess_kind(str(title))
        if kind == "emotions":
            for col, stage_id in ids.items():
                value = ws.cell(row, col).value
                if value not in (None, ""):
                    score = _parse_score({"en": str(value)}, stage_id)
                    emotions[stage_id] = score["score"] if isinstance(score, dict) else score
            continue
        cells = {}
        for col, stage_id in ids.items():
            lines = _cell_lines(ws.cell(row, col).value)
            if lines:
                cells[stage_id] = _parse_items({"en": lines})
        lanes.append(
            {"id": _slug(str(title), lane_ids), "kind": kind, "title": str(title), "cells": cells}
        )
    if not lanes and not emotions:
        raise _not_a_map(
            path,
            "there are stage names but no lane rows below them",
            "có tên giai đoạn nhưng không có hàng nội dung bên dưới",
            ws.title,
        )
    data: dict[str, Any] = {
        "id": _slug(path.stem, set()),
        "type": "current_state",
        "title": str(ws.cell(1, 1).value or ws.cell(1, 2).value or path.stem),
        "stages": stages,
        "lanes": lanes,
    }
    if emotions:
        data["personas"] = [{"id": "customer", "name": {"en": "Customer", "vi": "Khách hàng"}}]
        data["lanes"].append({"id": "emotions", "kind": "emotions"})
        data["emotions"] = [{"persona": "customer", "points": emotions}]
    return JourneyMap.model_validate(data)


__all__ = ["Localized", "export_xlsx", "guess_kind", "import_xlsx", "map_languages"]
