from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from journeyscope.maps.api import new_from_template
from journeyscope.maps.library import persona_library
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.validate import resolve_personas
from journeyscope.render.html_page import render_map_html
from journeyscope.render.outputs import render_to_file
from journeyscope.render.persona_card import persona_card_svg
from journeyscope.render.svg_map import render_map_svg
from journeyscope.render.text_layout import text_width, wrap
from tests.conftest import template_ids

NS = "{http://www.w3.org/2000/svg}"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def rendered(template: str, lang: str) -> tuple[JourneyMap, str]:
    m = new_from_template(template)
    return m, render_map_svg(m, resolve_personas(m, persona_library()), lang)


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_svg_golden(template: str, lang: str, golden: Callable[[str, str], None]) -> None:
    _, svg = rendered(template, lang)
    golden(svg, "svg")


def texts(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(node.itertext()) for node in root.iter(f"{NS}text"))


def test_svg_draws_stages_lanes_curves_and_markers() -> None:
    m, svg = rendered("retail-current-state", "vi")
    root = ET.fromstring(svg)
    stages = root.findall(f".//{NS}g[@class='stage']")
    assert len(stages) == len(m.stages)
    curves = root.findall(f".//{NS}g[@class='emotion-curve']")
    assert [c.get("data-persona") for c in curves] == ["lan-office-worker", "thao-young-mother"]
    assert all(c.find(f"{NS}polyline") is not None for c in curves)
    assert root.findall(f".//{NS}circle[@class='marker']"), "pain/pleasure markers drawn"
    assert root.findall(f".//{NS}g[@class='channel-badge']"), "touchpoints carry channel icons"
    assert root.findall(f".//{NS}g[@class='persona-card']")
    body = texts(svg)
    for word in ("Nhận biết", "Giao hàng & Sử dụng", "Điểm đau", "Chị Lan"):
        assert word in body


def test_emotion_points_sit_at_their_scores() -> None:
    _, svg = rendered("retail-current-state", "en")
    root = ET.fromstring(svg)
    lan = root.find(f".//{NS}g[@data-persona='lan-office-worker']")
    assert lan is not None
    ys = [float(c.get("cy", "0")) for c in lan.findall(f"{NS}circle")]
    # scores 1, 0, 1, -2, 0.5: higher score, smaller y
    assert ys[3] > ys[1] > ys[0] and ys[0] == ys[2] and ys[4] < ys[1]


def test_blueprint_draws_the_line_of_visibility() -> None:
    _, svg = rendered("restaurant-service-blueprint", "vi")
    root = ET.fromstring(svg)
    classes = [line.get("class") for line in root.iter(f"{NS}line") if line.get("class")]
    assert "blueprint-line line-of-visibility" in classes
    assert "blueprint-line line-of-interaction" in classes
    assert "Đường ranh giới hiển thị" in texts(svg)


def xss_map() -> JourneyMap:
    data = new_from_template("retail-current-state", "en").model_dump(
        mode="json", exclude_none=True
    )
    data["title"] = XSS
    data["stages"][0]["name"] = XSS
    data["lanes"][0]["cells"]["awareness"] = [XSS]
    data["lanes"][2]["cells"]["awareness"] = [{"text": XSS, "channel": "zalo"}]
    data["personas"] = [{"id": "p", "name": XSS, "quote": XSS}]
    data["emotions"] = [{"persona": "p", "points": {"awareness": {"score": 1, "note": XSS}}}]
    return JourneyMap.model_validate(data)


def test_user_text_is_escaped_in_svg() -> None:
    m = xss_map()
    svg = render_map_svg(m, resolve_personas(m, {}), "en")
    root = ET.fromstring(svg)  # still well-formed XML
    assert not [el for el in root.iter() if el.tag.endswith(("script", "img"))]
    assert "<script>" not in svg
    assert XSS in texts(svg) or "alert" in texts(svg)


def test_user_text_is_escaped_in_html() -> None:
    m = xss_map()
    html = render_map_html(m, resolve_personas(m, {}), "en")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("template", template_ids())
def test_html_is_self_contained(template: str) -> None:
    m = new_from_template(template)
    html = render_map_html(m, resolve_personas(m, persona_library()), "vi")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", html)
    assert "<script" not in html
    assert "name='viewport'" in html


def test_persona_card_shows_income_in_vnd() -> None:
    lan = persona_library()["lan-office-worker"]
    vi = persona_card_svg(lan, "vi")
    assert "Thu nhập 15 triệu ₫ – 25 triệu ₫ / tháng" in texts(vi)
    assert "Income VND 15M – VND 25M / month" in texts(persona_card_svg(lan, "en"))


def test_wrapping_keeps_lines_inside_the_width() -> None:
    text = "Gửi ZNS xin lỗi kèm voucher ngay khi đơn bị trễ " * 3
    text += "Siêuuuuuuuuuudàiiiiiiiiiiiii" * 2
    lines = wrap(text, 150, 12)
    assert all(text_width(line, 12) <= 150 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("a b c d e f", 20, 12, max_lines=1)[0].endswith("…")


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("ext", ["svg", "html", "xlsx", "mmd"])
def test_every_template_renders_to_every_offline_format(
    tmp_path: Path, template: str, ext: str
) -> None:
    m = new_from_template(template)
    out = render_to_file(m, resolve_personas(m, persona_library()), tmp_path / f"m.{ext}", "vi")
    data = out.read_bytes()
    assert len(data) > 200
    assert not list(tmp_path.glob(".m.*")), "no temporary file left behind"
