"""User text that spreadsheets show as text and never run as a formula (CSV/formula injection).

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-`` or ``@``
(also after a tab, a carriage return or a line feed, and in some locales their full-width
forms) as a formula, and a formula can run a command (DDE) or send the sheet away
(``HYPERLINK``, ``WEBSERVICE``). Customer names, touchpoints and map notes are user text, so
every writer of CSV or XLSX goes through here (OWASP's CSV injection guidance):

* **CSV** has no types, so a risky text cell gets a leading ``'``; spreadsheets then show the
  rest as text. The apostrophe becomes part of the file — a price of CSV, said in
  docs/security.md — and is added to text cells only, never to numbers or times.
* **XLSX** has types: the cell is written as a string cell (``data_type 's'``) with Excel's
  ``quotePrefix`` style, so the stored value is exactly the user's text and a reader has
  nothing to undo. Text that itself starts with ``'`` gets the style too, so editing the
  cell in Excel cannot swallow the user's own apostrophe.

This module sits in the documents layer so that every writer, from map exports to the
analytics CLI, can import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
#: What a risky CSV cell is prefixed with.
CSV_GUARD = "'"
#: XLSX cells that get Excel's quote-prefix style: the risky ones and those starting with ``'``.
QUOTE_PREFIXED = FORMULA_STARTS | {CSV_GUARD}


def is_risky(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula."""
    return bool(text) and text[0] in FORMULA_STARTS


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: risky text gets a leading ``'``, anything else is unchanged."""
    if isinstance(value, str) and is_risky(value):
        return CSV_GUARD + value
    return value


def safe_csv_rows(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows for :func:`csv.writer`, every text cell passed through :func:`safe_cell`."""
    return [[safe_cell(value) for value in row] for row in rows]


def set_text_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Put ``value`` into an openpyxl worksheet so that text stays text, exactly.

    openpyxl stores a string that starts with ``=`` as a formula; here every string is a
    string cell, and a risky one (or one starting with ``'``) gets ``quotePrefix`` so Excel
    keeps treating it as text even after the user edits it. Returns the cell for styling.
    """
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value and value[0] in QUOTE_PREFIXED:
            cell.quotePrefix = True
    return cell


__all__ = [
    "CSV_GUARD",
    "FORMULA_STARTS",
    "is_risky",
    "safe_cell",
    "safe_csv_rows",
    "set_text_cell",
]
