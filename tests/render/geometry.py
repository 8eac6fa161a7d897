"""Read a rendered map's geometry back from its SVG: text boxes, the cells they sit in, curves.

A text's cell is the smallest rectangle (or stage arrow) that holds its anchor point; the
text's box must fit inside it. Widths come from a function, so the same checks run with the
layout's estimate (no browser) and with widths measured by Chromium.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass

NS = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]  # left, top, right, bottom
Measure = Callable[[str, float, bool, bool], float]  # text, size, bold, italic -> width


@dataclass
class TextBox:
    index: int  # position among the document's <text> elements
    lines: list[str]
    box: Box
    anchor: tuple[float, float]
    classes: str


def _num(node: ET.Element, name: str, default: float = 0.0) -> float:
    return float(node.get(name, default))


def _inherited(chain: list[ET.Element], name: str) -> str:
    for node in reversed(chain):
        if node.get(name):
            return str(node.get(name))
    return ""


def _walk(
    node: ET.Element, chain: list[ET.Element]
) -> Iterator[tuple[ET.Element, list[ET.Element]]]:
    chain = [*chain, node]
    yield node, chain
    for child in node:
        yield from _walk(child, chain)


def text_boxes(svg: str, measure: Measure) -> list[TextBox]:
    root = ET.fromstring(svg)
    out: list[TextBox] = []
    for node, chain in _walk(root, []):
        if node.tag != f"{NS}text":
            continue
        size = _num(node, "font-size", 12)
        bold = node.get("font-weight") == "bold"
        italic = node.get("font-style") == "italic"
        spans = node.findall(f"{NS}tspan")
        lines = [s.text or "" for s in spans] if spans else [node.text or ""]
        steps = [_num(s, "dy") for s in spans[1:]]
        x, y = _num(node, "x"), _num(node, "y")
        width = max(measure(line, size, bold, italic) for line in lines)
        anchor = node.get("text-anchor", "start")
        left = x - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
        bottom = y + sum(steps) + 0.25 * size
        classes = " ".join(filter(None, (_inherited(chain, "class"), node.get("class", ""))))
        out.append(
            TextBox(
                len(out),
                lines,
                (left, y - 0.95 * size, left + width, bottom),
                (x, y - 0.35 * size),
                classes,
            )
        )
    return out


def cells(svg: str) -> list[Box]:
    """Every rectangle and stage arrow (as its bounding box), the background included."""
    root = ET.fromstring(svg)
    out: list[Box] = []
    for node in root.iter(f"{NS}rect"):
        x, y = _num(node, "x"), _num(node, "y")
        out.append((x, y, x + _num(node, "width"), y + _num(node, "height")))
    for node in root.iter(f"{NS}polygon"):
        pts = [tuple(map(float, p.split(","))) for p in node.get("points", "").split()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def cell_of(point: tuple[float, float], boxes: list[Box]) -> Box:
    x, y = point
    holding = [b for b in boxes if b[0] <= x <= b[2] and b[1] <= y <= b[3]]
    assert holding, f"no cell holds the point {point}"
    return min(holding, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))


def inside(inner: Box, outer: Box, slack: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def curve_segments(svg: str) -> list[tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    out: list[tuple[float, float, float, float]] = []
    for line in root.iter(f"{NS}polyline"):
        pts = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
        out += [(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(pts)]
    return out


def crosses(box: Box, seg: tuple[float, float, float, float]) -> bool:
    """Whether the segment passes through the box (sampled finely: plain and independent)."""
    x1, y1, x2, y2 = seg
    steps = 200
    return any(
        box[0] < x1 + (x2 - x1) * i / steps < box[2]
        and box[1] < y1 + (y2 - y1) * i / steps < box[3]
        for i in range(steps + 1)
    )
