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


def test_negative_values_stay_inside_the_plot() -> None:
    """An NPS of -40 is drawn above the period labels, with the axis at 0 and a tick below."""
    root = _parse(line_chart("NPS", ["a", "b", "c"], [("nps", [-40.0, 10.0, 35.0])], lang="en"))
    ys = [float(c.get("cy", "0")) for c in root.iter(f"{NS}circle")]
    labels = [t for t in root.iter(f"{NS}text") if t.text == "a"]
    assert labels and max(ys) < float(labels[0].get("y", "0"))  # above the period labels
    assert ys[0] > ys[1] > ys[2]  # -40 lowest, 35 highest
    ticks = [t.text for t in root.iter(f"{NS}text") if t.get("text-anchor") == "end"]
    assert any(t and t.startswith("-") for t in ticks)
