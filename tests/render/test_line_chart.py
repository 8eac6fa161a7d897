"""The over-time line chart: escaped text, gaps where a period has no number."""

from __future__ import annotations

from xml.etree import ElementTree

from journeyscope.render.line_chart import line_chart

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg.split("?>", 1)[-1])


def test_text_is_escaped_and_the_svg_parses() -> None:
    svg = line_chart(
        'Phễu <script>alert("x")</script> & co',
        ["2026-03-02", "2026-03-09"],
        [("add_to_cart[category=<b>]", [0.5, 0.25])],
        share=True,
        lang="vi",
    )
    assert "<script>" not in svg
    texts = [t.text for t in _parse(svg).iter(f"{NS}text")]
    assert 'Phễu <script>alert("x")</script> & co' in texts
    assert "add_to_cart[category=<b>]" in texts
    assert "50%" in texts  # shares as percentages on the axis


def test_a_period_without_a_number_is_a_gap_not_a_zero() -> None:
    root = _parse(
        line_chart("t", ["a", "b", "c", "d", "e"], [("s", [1.0, 2.0, None, 4.0, 5.0])], lang="en")
    )
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 2  # broken at the empty period
    assert all(len(line.get("points", "").split()) == 2 for line in lines)
    assert len(list(root.iter(f"{NS}circle"))) == 4
