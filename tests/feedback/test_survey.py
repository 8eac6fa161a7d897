"""The survey kit: every question in Vietnamese with diacritics, everything escaped, the CSV
header importing with no mapping, and the form working offline in a real browser."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from journeyscope.events.workspace import Workspace
from journeyscope.feedback.importing import import_feedback
from journeyscope.feedback.shapes import SURVEY_COLUMNS
from journeyscope.feedback.survey import QUESTIONS, survey_csv_header, survey_html
from tests.conftest import Result

VI_QUESTIONS = [
    "Bạn biết đến chúng tôi qua đâu?",
    "Điều gì khiến bạn chú ý đầu tiên?",
    "Bạn đang muốn giải quyết vấn đề gì với sản phẩm của chúng tôi?",
    "Bạn đã so sánh bao lâu trước khi mua?",
    "Điều gì khiến bạn quyết định mua?",
    "Sau khi mua, bạn có gặp lại chúng tôi không (ở đâu)?",
    "Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè không?",
    "Bạn hài lòng với lần mua hàng này đến mức nào?",
    "Bạn thấy việc mua hàng và được hỗ trợ dễ dàng đến mức nào?",
]


def test_every_question_is_there_in_vietnamese_with_diacritics() -> None:
    page = survey_html("vi")
    for question in VI_QUESTIONS:
        assert html.escape(question) in page, question
    assert '<html lang="vi">' in page
    # every input has a label or a legend, and NPS runs 0-10
    assert len(re.findall(r'name="nps" value="\d+"', page)) == 11
    assert len(re.findall(r'name="csat" value="\d+"', page)) == 5
    assert len(re.findall(r'name="ces" value="\d+"', page)) == 7
    for q in QUESTIONS:
        if q.kind != "scale":
            assert f'for="f-{q.column}"' in page and f'id="f-{q.column}"' in page


def test_english_form() -> None:
    page = survey_html("en")
    assert "How did you hear of us?" in page and "What made you decide?" in page
    assert "Bạn" not in page


def test_the_callers_text_is_escaped() -> None:
    evil = '<script>alert("x")</script>" onload="x'
    page = survey_html("vi", title=evil, touchpoint=evil, channel=evil)
    assert "<script>alert" not in page
    assert page.count("<script>") == 1  # the page's own, allowed by its hash in the CSP
    assert html.escape(evil, quote=True) in page
    assert "default-src 'none'" in page and "http://" not in page and "https://" not in page


def test_the_csv_header_imports_with_no_mapping(tmp_path: Path) -> None:
    header = survey_csv_header()
    assert header.strip().split(",") == list(SURVEY_COLUMNS)
    filled = tmp_path / "export.csv"
    filled.write_text(
        header + "x1,2026-05-01T03:00:00Z,0903123456,,landing,web,9,5,2,Rất ổn,"
        "facebook,giá,quà,2 ngày,bạn giới thiệu,có\r\n",
        encoding="utf-8",
    )
    with Workspace.init(tmp_path / "shop") as ws:
        done = import_feedback(ws, filled)
        assert (done.shape, done.result.accepted, done.result.rejected) == ("survey", 1, 0)
        assert ws.one("SELECT nps, csat, ces, text FROM feedback") == (9, 5, 2, "Rất ổn")


def test_cli_writes_both_formats_and_refuses_to_overwrite(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    target = tmp_path / "survey.html"
    assert cli("feedback", "survey", "--lang", "vi", "-o", str(target)).code == 0
    assert VI_QUESTIONS[0] in target.read_text("utf-8")
    again = cli("feedback", "survey", "-o", str(target))
    assert again.code != 0 and "--force" in again.err
    header = tmp_path / "survey.csv"
    assert cli("feedback", "survey", "--format", "csv", "-o", str(header)).code == 0
    with header.open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == list(SURVEY_COLUMNS)


@pytest.mark.browser
def test_the_form_works_offline_and_its_answers_import(tmp_path: Path) -> None:
    from journeyscope.render.browser import chromium_page

    problems: list[str] = []
    with chromium_page(800, 1200) as page:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.set_content(survey_html("vi", touchpoint="after_purchase"))
        page.fill("#f-phone", "0903123456")
        page.fill("#f-heard_from", "Zalo của bạn bè")
        page.fill("#f-comment", 'Giao nhanh, "đóng gói" kỹ, cảm ơn shop')
        page.check('input[name="nps"][value="10"]')
        page.check('input[name="csat"][value="4"]')
        page.screenshot(path=str(tmp_path / "survey.png"), full_page=True)
        with page.expect_download() as info:
            page.click("button[type=submit]")
        saved = tmp_path / "answers.csv"
        info.value.save_as(saved)
        assert page.inner_text("#status") == "Đã lưu. Cảm ơn bạn!"
    assert problems == []
    with Workspace.init(tmp_path / "shop") as ws:
        done = import_feedback(ws, saved)
        assert (done.result.accepted, done.result.rejected) == (1, 0)
        row = ws.one(
            "SELECT f.nps, f.csat, f.ces, f.text, e.touchpoint, e.phone "
            "FROM feedback f JOIN events e USING (seq)"
        )
        assert row == (
            10,
            4,
            None,
            'Giao nhanh, "đóng gói" kỹ, cảm ơn shop',
            "after_purchase",
            "0903123456",
        )
