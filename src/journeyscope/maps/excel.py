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
from journeyscope.maps.spreadsheet import set_text_cell
from journeyscope.maps.text import Localized, Text, languages_of, localize, make_text

META_SHEET = "journeyscope"
#: Excel's most characters (UTF-16 code units) in one cell.
EXCEL_CELL_LIMIT = 32_767
#: Characters of the structure per cell: at most two UTF-16 units each, so under the limit.
META_CHUNK = 16_000
#: A map workbook unpacked (a real one is well under a megabyte): more is refused unread,
#: so a zip bomb or a data export opened by mistake costs nothing.
MAX_MAP_WORKBOOK_BYTES = 20 * 1024 * 1024
#: Rows and columns read from a map sheet.
MAX_MAP_ROWS, MAX_MAP_COLUMNS = 2_000, 500
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
    written: dict[str, dict[str, str]] = {lang: {} for lang in languages}  # cells as shown
    wb = Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for lang in languages:
        ws = wb.create_sheet(sheet_name(lang, languages))
        _put(ws, 1, 2, localize(m.title, lang), "title").font = Font(bold=True, size=16)
        _put(ws, 2, 2, localize(m.description, lang) if m.description else None, "description")
        _put(ws, KEY_ROW, 1, "key", "key")
        stage_label = "Giai đoạn →" if lang == "vi" else "Stage →"
        _put(ws, HEADER_ROW, 2, stage_label, "stages").font = Font(bold=True)
        for col, stage in enumerate(m.stages, start=3):
            _put(ws, KEY_ROW, col, stage.id, f"stages.{stage.id}")
            cell = _put(ws, HEADER_ROW, col, localize(stage.name, lang), f"stages.{stage.id}")
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
                    where = f"emotions.{curve.persona}"
                    _put(ws, row, 1, f"{EMOTION_KEY}{curve.persona}", where)
                    _put(ws, row, 2, f"{label}: {persona}", where).font = Font(bold=True)
                    for col, stage in enumerate(m.stages, start=3):
                        if stage.id in curve.points:
                            text = score_text(curve.points[stage.id], lang)
                            _put(ws, row, col, text, f"{where}.{stage.id}")
                    row += 1
                continue
            _put(ws, row, 1, lane.id, f"lanes.{lane.id}")
            title = _lane_title(lane.kind, lane.title, lang)
            _put(ws, row, 2, title, f"lanes.{lane.id}").font = Font(bold=True)
            for col, stage in enumerate(m.stages, start=3):
                entries = lane.cells.get(stage.id, [])
                if entries:
                    text = "\n".join(item_line(e, lang) for e in entries)
                    _put(ws, row, col, text, f"lanes.{lane.id}.cells.{stage.id}").alignment = wrap
                    written[lang][f"{lane.id}|{stage.id}"] = text
            row += 1
        ws.column_dimensions["A"].hidden = True
        ws.column_dimensions["B"].width = 28
        ws.row_dimensions[KEY_ROW].hidden = True
        ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    _write_structure(wb, m, written)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write_structure(wb: Any, m: JourneyMap, written: dict[str, dict[str, str]]) -> None:
    """The hidden sheet the import reads the map's structure back from."""
    meta = wb.create_sheet(META_SHEET)
    _put(meta, 1, 1, "JourneyScope map structure - do not edit", "structure")
    structure = json.dumps(to_plain(m._as_written or m), ensure_ascii=False)
    # The structure can outgrow one cell (Excel keeps at most 32,767 characters in a cell),
    # so it is cut into pieces down column A and joined again on import.
    for index, start in enumerate(range(0, len(structure), META_CHUNK)):
        _put(meta, 2 + index, 1, structure[start : start + META_CHUNK], "structure")
    if m._as_written is not None:
        # the grid shows bound cells' values, the structure the map as written: a cell left
        # as shown reads back as written (column B: what each cell showed, per language)
        shown = json.dumps(written, ensure_ascii=False)
        for index, start in enumerate(range(0, len(shown), META_CHUNK)):
            _put(meta, 2 + index, 2, shown[start : start + META_CHUNK], "structure")
    meta.sheet_state = "hidden"


def _put(ws: Any, row: int, col: int, value: str | None, where: str) -> Any:
    """Write one cell as inert text (never a formula), refusing what Excel cannot hold."""
    if value is not None:
        _check_cell_text(value, where)
    return set_text_cell(ws, row, col, value)


def _check_cell_text(value: str, where: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    units = len(value.encode("utf-16-le")) // 2  # Excel counts UTF-16 code units
    if units > EXCEL_CELL_LIMIT:
        raise DocumentError(
            f"the text is {units:,} characters long, more than an Excel cell holds "
            f"({EXCEL_CELL_LIMIT:,})",
            f"đoạn văn bản dài {units:,} ký tự, vượt quá giới hạn một ô Excel "
            f"({EXCEL_CELL_LIMIT:,})",
            location=Location(field=where),
            hint_en="shorten the text or split it into several items; SVG, HTML and PDF "
            "have no such limit",
            hint_vi="rút ngắn văn bản hoặc tách thành nhiều mục; SVG, HTML và PDF không có "
            "giới hạn này",
        )
    bad = ILLEGAL_CHARACTERS_RE.search(value)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise DocumentError(
            f"the text holds the control character {code}, which an Excel file cannot store",
            f"đoạn văn bản chứa ký tự điều khiển {code}, tệp Excel không lưu được ký tự này",
            location=Location(field=where),
            hint_en="remove the character from the map",
            hint_vi="hãy xoá ký tự đó khỏi bản đồ",
        )


# ---------------------------------------------------------------- import


class _NotLaidOut(DocumentError):
    """A sheet that is not laid out as a map (another sheet of the workbook may be)."""

    reason_en = ""
    reason_vi = ""


def _not_a_map(
    path: Path, why_en: str, why_vi: str, sheet: str | None = None, *, layout: bool = False
) -> DocumentError:
    kind = _NotLaidOut if layout else DocumentError
    found = kind(
        f"this workbook is not a journey map: {why_en}",
        f"tệp Excel này không phải bản đồ hành trình: {why_vi}",
        location=Location(file=str(path), field=f"sheet {sheet!r}" if sheet else None),
        hint_en="export a map with `journeyscope map render MAP -o MAP.xlsx` to see the layout, "
        "or put stage names in one row and lane names in the first column",
        hint_vi="xuất thử một bản đồ bằng `journeyscope map render MAP -o MAP.xlsx` để xem bố "
        "cục, hoặc đặt tên giai đoạn trên một hàng và tên các hàng ở cột đầu tiên",
    )
    if isinstance(found, _NotLaidOut):
        found.reason_en, found.reason_vi = why_en, why_vi
    return found


def import_xlsx(path: Path, sheet: str | None = None) -> JourneyMap:
    """A map from an exported workbook (its structure sheet), or from a hand-made grid:
    ``sheet``, else the first sheet laid out as a map (stage names in a row, lanes below)."""
    from openpyxl import load_workbook

    _check_unpacked_size(path)
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
    for ws in wb.worksheets:
        if ws.max_row > MAX_MAP_ROWS or ws.max_column > MAX_MAP_COLUMNS:
            raise _not_a_map(
                path,
                f"the sheet has {ws.max_row:,} rows and {ws.max_column:,} columns, more than "
                f"a map's {MAX_MAP_ROWS:,} and {MAX_MAP_COLUMNS:,}",
                f"trang tính có {ws.max_row:,} hàng và {ws.max_column:,} cột, nhiều hơn giới "
                f"hạn của một bản đồ ({MAX_MAP_ROWS:,} hàng, {MAX_MAP_COLUMNS:,} cột)",
                ws.title,
            )
    formulas = load_workbook(path, data_only=False)  # a map's workbook is small: read twice
    exported = META_SHEET in wb.sheetnames
    if sheet is not None:
        _check_sheet_name(path, wb, sheet, exported)
    if exported:
        return _import_keyed(path, wb, formulas)
    return _import_plain(path, wb, formulas, sheet)


def _check_sheet_name(path: Path, wb: Any, sheet: str, exported: bool) -> None:
    """``--sheet``: a sheet the workbook shows; never with an exported workbook, which is
    read whole (its languages are its sheets, its structure in a hidden one)."""
    if exported:
        raise DocumentError(
            "this workbook was exported by JourneyScope: it is read whole, every language "
            "sheet with its structure; --sheet is for hand-made workbooks",
            "tệp này do JourneyScope xuất ra: nó được đọc trọn vẹn, mọi trang ngôn ngữ cùng "
            "cấu trúc; --sheet dành cho tệp tự làm",
            location=Location(file=str(path), field="--sheet"),
            hint_en="leave out --sheet",
            hint_vi="bỏ --sheet",
        )
    if sheet not in wb.sheetnames:
        names = ", ".join(repr(n) for n in wb.sheetnames)
        raise DocumentError(
            f"the workbook has no sheet named {sheet!r}; its sheets: {names}",
            f"tệp không có trang tính tên {sheet!r}; các trang: {names}",
            location=Location(file=str(path), field="--sheet"),
            hint_en="give one of the names above (as written, accents included)",
            hint_vi="hãy dùng một trong các tên trên (đúng chính tả, kể cả dấu)",
        )


def _check_calculated(path: Path, ws: Any, formulas: Any) -> None:
    """Refuse a sheet with formulas that were never calculated: opened for their values,
    such cells read as empty, and the map would lose them without a word. (Excel and
    LibreOffice save each formula's last value; files written by scripts may not.)
    ``formulas``: the same sheet opened for its formulas."""
    empty = [
        cell.coordinate
        for row in formulas.iter_rows()
        for cell in row
        # an empty text result is saved as text ("str"): only a cell with no value at all
        # was never calculated
        if cell.data_type == "f"
        and ws[cell.coordinate].value is None
        and ws[cell.coordinate].data_type != "str"
    ]
    if not empty:
        return
    more = len(empty) - 5
    where = ", ".join(empty[:5]) + (f" and {more} more" if more > 0 else "")
    where_vi = ", ".join(empty[:5]) + (f" và {more} ô nữa" if more > 0 else "")
    raise DocumentError(
        f"{len(empty)} cell(s) hold a formula that was never calculated ({where}): "
        "their text is not in the file",
        f"{len(empty)} ô chứa công thức chưa từng được tính ({where_vi}): nội dung của chúng "
        "không có trong tệp",
        location=Location(file=str(path), field=f"sheet {ws.title!r}"),
        hint_en="open the file in Excel or LibreOffice and save it (that calculates them), "
        "or paste the cells as values",
        hint_vi="mở tệp bằng Excel hoặc LibreOffice rồi lưu lại (để tính công thức), hoặc dán "
        "các ô dưới dạng giá trị",
    )


def _structure_text(ws: Any, column: int = 1) -> str | None:
    """The map's structure, written down column A from row 2 in pieces (one in older files);
    column B: what the cells showed, when they showed bound values."""
    pieces: list[str] = []
    for row in range(2, ws.max_row + 1):
        value = ws.cell(row, column).value
        if value is None:
            break
        pieces.append(str(value))
    return "".join(pieces) or None


def _check_unpacked_size(path: Path) -> None:
    """Refuse, before openpyxl reads anything, a workbook that unpacks to too much."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl says what is wrong with it
    if size > MAX_MAP_WORKBOOK_BYTES:
        raise _not_a_map(
            path,
            f"it unpacks to {size:,} bytes, more than a map's {MAX_MAP_WORKBOOK_BYTES:,}",
            f"tệp giải nén ra {size:,} byte, vượt giới hạn {MAX_MAP_WORKBOOK_BYTES:,} byte "
            "của một bản đồ",
        )


def _sheet_lang(name: str) -> str | None:
    match = re.fullmatch(r"Map \((en|vi)\)", name)
    return match.group(1) if match else None


def _cell_lines(value: Any) -> list[str]:
    if value is None:
        return []
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def _import_keyed(path: Path, wb: Any, formulas: Any) -> JourneyMap:
    raw = _structure_text(wb[META_SHEET])
    try:
        original = JourneyMap.model_validate(json.loads(raw or ""))
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
    for ws in sheets.values():
        _check_calculated(path, ws, formulas[ws.title])
    grids = {lang: _read_grid(ws) for lang, ws in sheets.items()}
    shown_text = _structure_text(wb[META_SHEET], 2)
    shown: dict[str, dict[str, str]] | None = json.loads(shown_text) if shown_text else None
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
            written = {k: g.raw.get((lane.id, stage.id), "") for k, g in grids.items()}
            entries = lane.cells.get(stage.id, [])
            # compared as written, so spaces, tabs and leading quotes survive the round trip
            if shown is not None:  # the grid showed values: left as shown = as written
                key = f"{lane.id}|{stage.id}"
                same = all(shown.get(k, {}).get(key, "") == v for k, v in written.items())
            else:
                same = all(
                    "\n".join(item_line(e, k) for e in entries) == v for k, v in written.items()
                )
            if same:
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
        raw = {k: g.raw.get((f"{EMOTION_KEY}{persona}", stage.id), "") for k, g in grids.items()}
        old = curve.points.get(stage.id)
        if old is not None and all(score_text(old, k) == v for k, v in raw.items()):
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
        self.raw: dict[tuple[str, str], str] = {}


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
            value = ws.cell(row, col).value
            grid.cells[(str(key), stage_id)] = _cell_lines(value)
            grid.raw[(str(key), stage_id)] = "" if value is None else str(value)
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


def _import_plain(path: Path, wb: Any, formulas: Any, sheet: str | None) -> JourneyMap:
    """The named sheet, else the first that reads as a map (a cover or instructions sheet
    before it is passed over); when none does, why not, sheet by sheet."""
    if sheet is not None:
        return _plain_sheet(path, wb[sheet], formulas[sheet])
    why: list[tuple[str, _NotLaidOut]] = []
    for ws in wb.worksheets:
        try:
            return _plain_sheet(path, ws, formulas[ws.title])
        except _NotLaidOut as exc:  # a cover or notes sheet: try the next
            why.append((ws.title, exc))
    if len(why) == 1:
        raise why[0][1]
    raise _not_a_map(
        path,
        "no sheet is laid out as one: "
        + "; ".join(f"{name!r}: {exc.reason_en}" for name, exc in why),
        "không trang nào có bố cục bản đồ: "
        + "; ".join(f"{name!r}: {exc.reason_vi}" for name, exc in why),
    )


def _plain_sheet(path: Path, ws: Any, formulas: Any) -> JourneyMap:
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
            layout=True,
        )
    _check_calculated(path, ws, formulas)
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
            layout=True,
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
