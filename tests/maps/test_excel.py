from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from journeyscope.errors import DocumentError
from journeyscope.maps.api import new_from_template
from journeyscope.maps.excel import export_xlsx, import_xlsx
from journeyscope.maps.model import Item
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
