"""The demo report a marketer reads (issue 15, item 8): findings in words with their numbers,
in Vietnamese and English, the planted facts checked, charts whose numbers are not cut."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from journeyscope.demo import analysis, labels, report
from journeyscope.demo.findings import PLANTED, TOLERANCE
from journeyscope.demo.run import run_demo
from journeyscope.events.workspace import Workspace
from journeyscope.render.charts import bar_chart, funnel_chart
from journeyscope.render.fit import fitted_width
from tests.render.geometry import inside, text_boxes


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out / "ws", out, customers=600, seed=11, formats=["svg"], lang="en")


class _Text(HTMLParser):
    """Visible text, leaving out <code> (file names, identifiers) and the inline map."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden = tag in ("code", "style", "title") or (tag == "div" and ("class", "map") in attrs)
        if hidden or (self.skip and tag == "div"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skip and tag in ("code", "style", "title", "div"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(path: str) -> str:
    parser = _Text()
    parser.feed(Path(path).read_text("utf-8"))
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def number(text: str, lang: str) -> float:
    """A number as the report prints it: 1,234.5 in English, 1.234,5 in Vietnamese."""
    if lang == "vi":
        text = text.replace(".", "").replace(",", ".")
    return float(text.replace(",", ""))


def within(key: str, found: str, lang: str) -> bool:
    value = number(found, lang) / (100 if key != "zalo_cart_lift" else 1)
    return abs(value - PLANTED[key]) <= TOLERANCE[key]


SENTENCES = {
    "en": {
        "bad_touchpoint_loss": r"shipping-fee page loses (\d+)% of the [\d,]+ customers who "
        r"reach it .*? — planted 62%",
        "zalo_cart_lift": r"— ([\d.]+) times as often; planted: 1\.8 times",
        "late_hotline_share": r"(\d+)% of late deliveries were followed by a call to the "
        r"hotline within 2 days — planted 60%",
    },
    "vi": {
        "bad_touchpoint_loss": r"trang phí vận chuyển trên website làm mất (\d+)% trong [\d.]+ "
        r"khách .*? — dữ liệu cài sẵn 62%",
        "zalo_cart_lift": r"gấp ([\d,]+) lần; cài sẵn: gấp 1,8 lần",
        "late_hotline_share": r"(\d+)% lần giao trễ kéo theo cuộc gọi tổng đài trong vòng 2 "
        r"ngày — cài sẵn 60%",
    },
}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_report_states_each_planted_fact_with_its_number(
    demo: dict[str, Any], lang: str
) -> None:
    text = visible(demo["reports"][lang])
    for key, pattern in SENTENCES[lang].items():
        match = re.search(pattern, text)
        assert match, (key, pattern)
        assert within(key, match.group(1), lang), (key, match.group(0))
    # the customer count adds up, and to the number on the card
    terms = re.search(r"(\d[\d.,]*) \+ (\d[\d.,]*) \+ (\d[\d.,]*) = (\d[\d.,]*)", text)
    assert terms
    a, b, c, total = (number(g, lang) for g in terms.groups())
    assert a + b + c == total == demo["customers"]
    assert ("at risk" if lang == "en" else "có nguy cơ") in text
    assert ("What “at risk” means" if lang == "en" else "“Có nguy cơ rời bỏ” nghĩa là") in text


def test_the_findings_agree_with_an_independent_count(demo: dict[str, Any]) -> None:
    """The shipping-fee loss in the report, against plain SQL on the same workspace."""
    with Workspace.open(Path(demo["workspace"]), read_only=True) as ws:
        reached, bought = ws.con.execute(
            """WITH c AS (SELECT customer_id, min(ts) AS ts FROM events_with_customers
                WHERE touchpoint = 'web:/checkout/shipping-fee' GROUP BY 1)
            SELECT count(*), count(*) FILTER (EXISTS (
                SELECT 1 FROM events_with_customers p WHERE p.customer_id = c.customer_id
                AND p.event = 'purchase' AND p.ts BETWEEN c.ts AND c.ts + INTERVAL 2 DAY))
            FROM c"""
        ).fetchone() or (0, 0)
    measured = demo["findings"]["checkout"]["bad"]["measured"]
    assert abs(measured - (1 - bought / reached)) < 0.05


def _english_words() -> set[str]:
    """Every English word the report's catalogues hold (4 letters or more)."""
    phrases = [
        en
        for table in (labels.EVENTS, labels.PLACES, labels.CATEGORIES, report.T, analysis.T)
        for en, _ in table.values()
    ]
    words = {w.lower() for p in phrases for w in re.findall(r"[A-Za-z]{4,}", p)}
    shared = {"zalo", "shopee", "lazada", "tiktok", "website", "email", "markov", "facebook"}
    shared |= {"google", "journeyscope", "shop"}  # brand and product names, also in Vietnamese
    shared |= {"cookie", "action"}  # loanwords: "cookie quảng cáo", the "action camera" map
    return words - shared


def test_no_english_is_left_in_the_vietnamese_report(demo: dict[str, Any]) -> None:
    text = visible(demo["reports"]["vi"]).lower()
    left = sorted(w for w in _english_words() if re.search(rf"\b{w}\b", text))
    assert left == []
    # and the English report really is English (the check can fail)
    en = visible(demo["reports"]["en"]).lower()
    assert len([w for w in _english_words() if re.search(rf"\b{w}\b", en)]) > 50


def test_every_event_of_the_demo_has_a_name_in_both_languages(demo: dict[str, Any]) -> None:
    with Workspace.open(Path(demo["workspace"]), read_only=True) as ws:
        events = {r[0] for r in ws.con.execute("SELECT DISTINCT event FROM events").fetchall()}
    assert events - set(labels.EVENTS) == set()
    assert labels.touchpoint_label("web:/checkout/shipping-fee", "vi") == (
        "Website · trang phí vận chuyển"
    )


def _inside_chart(svg: str) -> list[list[str]]:
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg)
    assert size
    frame = (0.0, 0.0, float(size.group(1)), float(size.group(2)))
    boxes = text_boxes(svg, lambda t, s, b, i: fitted_width(t, s, bold=b, italic=i))
    return [t.lines for t in boxes if not inside(t.box, frame)]


def test_chart_numbers_and_labels_are_never_cut() -> None:
    rows = [("Quảng cáo Google trên di động và máy tính bảng", 12_345_678_901.0), ("SMS", 5.0)]
    assert _inside_chart(bar_chart("Doanh thu theo kênh (₫)", rows, lang="vi")) == []
    steps = [("Thêm vào giỏ hàng sau khi xem", 1_234_567, 1.0), ("Mua hàng", 3, 0.0)]
    assert _inside_chart(funnel_chart("Phễu 7 ngày", steps, "vi")) == []


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_report_charts_fit(demo: dict[str, Any], lang: str) -> None:
    html = Path(demo["reports"][lang]).read_text("utf-8")
    html = re.sub(r"<div class='map'>.*?</svg></div>", "", html, flags=re.S)
    charts = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(charts) >= 5
    assert [_inside_chart(svg) for svg in charts] == [[]] * len(charts)


@pytest.mark.browser
def test_the_report_is_pictured_in_both_languages(demo: dict[str, Any]) -> None:
    """Screenshots of the demo report for a person to look at (test-artifacts/)."""
    from journeyscope.render.browser import chromium_page
    from tests.render.test_screenshots import artifacts, inked_rows

    folder = artifacts()
    with chromium_page(1280, 900) as page:
        for lang, path in sorted(demo["reports"].items()):
            page.set_content(Path(path).read_text("utf-8"))
            png = page.screenshot(full_page=True)
            (folder / f"demo-report-{lang}.png").write_bytes(png)
            assert inked_rows(png) > 0.3, lang
            assert page.locator("h2").count() >= 3, lang
