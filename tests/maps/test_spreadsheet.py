"""The one guard every CSV and XLSX writer uses against formula injection."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from journeyscope.maps.spreadsheet import (
    CSV_GUARD,
    FORMULA_STARTS,
    is_risky,
    safe_cell,
    safe_csv_rows,
    set_text_cell,
)


@pytest.mark.parametrize("first", sorted(FORMULA_STARTS))
def test_every_formula_start_is_guarded_in_csv(first: str) -> None:
    text = first + "cmd|' /C calc'!A0"
    assert is_risky(text)
    assert safe_cell(text) == CSV_GUARD + text


@pytest.mark.parametrize(
    "value",
    ["", "plain", "'=already quoted", "Đà Nẵng", " =1", 5, -2.5, None, datetime(2026, 5, 1)],
)
def test_everything_else_is_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_csv_rows_guard_each_text_cell() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(safe_csv_rows([("=1+1", -3, "ok", "@x")]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "-3", "ok", "'@x"]


def test_xlsx_cells_are_text_with_the_quote_prefix_and_keep_their_value() -> None:
    wb = Workbook()
    ws = wb.active
    values = ["=1+1", "-1", "'=x", "plain", 7, None]
    for row, value in enumerate(values, start=1):
        set_text_cell(ws, row, 1, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    back = load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = [back.cell(row, 1) for row in range(1, len(values) + 1)]
    assert [c.value for c in cells] == values
    assert [c.data_type for c in cells[:4]] == ["s"] * 4
    assert [bool(c.quotePrefix) for c in cells[:4]] == [True, True, True, False]
