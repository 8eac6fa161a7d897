"""`journeyscope sentiment`: JSON in input order, a bilingual table, bad input refused
with a located bilingual message, standard input."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]

LINES = [
    "giao hàng nhanh, sản phẩm tốt",
    "hang loi, shop khong tra loi",
    "",
    "Great product, fast delivery 😍",
]


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "reviews.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_lists_every_line_in_order(cli: Cli, tmp_path: Path) -> None:
    result = cli("sentiment", "--file", _file(tmp_path, LINES), "--json")
    assert result.code == 0, result.err
    rows = result.json()
    assert [r["label"] for r in rows] == ["positive", "negative", "neutral", "positive"]
    assert all(-1 <= r["score"] <= 1 for r in rows)
    assert rows[2]["score"] == 0
    assert rows[0]["aspects"] == ["delivery", "product_quality"]
    assert rows[1]["aspects"] == ["product_quality", "service"]
    assert set(rows[0]) == {"label", "score", "aspects"}


def test_crlf_and_bom_are_read(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffhàng đẹp\r\nhàng xấu\r\n".encode())
    rows = cli("sentiment", "--file", path, "--json").json()
    assert [r["label"] for r in rows] == ["positive", "negative"]


def test_text_lang_limits_the_aspect_rules(cli: Cli, tmp_path: Path) -> None:
    path = _file(tmp_path, ["giao hàng nhanh, great price"])
    assert cli("sentiment", "-f", path, "--lang", "en", "--json").json()[0]["aspects"] == ["price"]
    assert cli("sentiment", "-f", path, "--lang", "auto", "--json").json()[0]["aspects"] == [
        "delivery",
        "price",
    ]


@pytest.mark.parametrize(("lang", "header"), [("en", "Aspects"), ("vi", "Khía cạnh")])
def test_table_speaks_the_language(cli: Cli, tmp_path: Path, lang: str, header: str) -> None:
    result = cli("sentiment", "--file", _file(tmp_path, LINES), "--lang", lang)
    assert result.code == 0, result.err
    assert header in result.out
    assert ("tích cực" if lang == "vi" else "positive") in result.out
    assert "[" not in result.out.replace("[-1", "")  # no rich markup leaked


def test_standard_input(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    data = io.BytesIO(b"giao hang cham, dong goi cau tha\nsp dep lam\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(data, encoding="utf-8"))
    rows = cli("sentiment", "--file", "-", "--json").json()
    assert [r["label"] for r in rows] == ["negative", "positive"]


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("sentiment", "--file", tmp_path / "nope.txt")
    assert result.code != 0
    assert "nope.txt" in result.err and "no such file" in result.err
    assert "Traceback" not in result.err
    vi = cli("sentiment", "--file", tmp_path / "nope.txt", "--lang", "vi")
    assert "không có tệp" in vi.err


def test_not_utf8_names_the_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("ok\nfine\nhàng đẹp\n".encode("cp1258", errors="replace") + b"\xff\xfe\n")
    result = cli("sentiment", "--file", path, "--json")
    assert result.code != 0
    error = result.json()
    assert error["error"]["code"] == "invalid_encoding"
    assert error["error"]["location"]["line"] == 3
    assert f"{path}:3" in result.err
    assert "UTF-8" in result.err


def test_empty_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n \n", encoding="utf-8")
    result = cli("sentiment", "--file", path, "--lang", "vi")
    assert result.code != 0
    assert "không có văn bản nào" in result.err


def test_unknown_text_language(cli: Cli, tmp_path: Path) -> None:
    result = cli("sentiment", "--file", _file(tmp_path, LINES), "--lang", "fr")
    assert result.code != 0
    assert "vi, en or auto" in result.err


def test_without_file_it_says_what_is_missing(cli: Cli) -> None:
    result = cli("sentiment")
    assert result.code != 0
    assert "--file is required" in result.err


def test_adapt_then_score_with_the_workspace_model(cli: Cli, tmp_path: Path) -> None:
    from journeyscope.events.workspace import Workspace

    Workspace.init(tmp_path / "ws").close()
    reviews = tmp_path / "reviews.csv"
    rows = [f"mẫu {i} zin lắm,5" for i in range(120)] + [f"mẫu {i} rách,1" for i in range(60)]
    reviews.write_text("text,stars\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = cli("sentiment", "adapt", "-w", tmp_path / "ws", "--file", reviews, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["trained"] + report["held_out"] == 180
    assert report["kept"] == (report["after_macro_f1"] > report["before_macro_f1"])
    texts = _file(tmp_path, ["zin"])
    shipped = cli("sentiment", "--file", texts, "--json").json()[0]["score"]
    adapted = cli("sentiment", "--file", texts, "-w", tmp_path / "ws", "--json").json()[0]
    if report["kept"]:
        assert adapted["score"] > shipped
    table = cli("sentiment", "adapt", "-w", tmp_path / "ws", "--file", reviews, "--lang", "vi")
    assert "macro-F1" in table.out


def test_adapt_refuses_a_missing_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("sentiment", "adapt", "--file", tmp_path / "none.csv", "-w", tmp_path)
    assert result.code != 0
    assert "none.csv" in result.err
